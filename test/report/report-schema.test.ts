import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { describe, expect, test } from 'vitest';
import { LABEL_METRICS, SCORE_METRICS } from '../../src/metrics/types.js';
import type { Report } from '../../src/report/types.js';
import { hostileReport, sampleFailingReport, samplePassingReport } from './sample-report.js';

const schema = JSON.parse(readFileSync(new URL('../../policies/report.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;
const ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false });
const validate = ajv.compile(schema);

function errorsOf(report: unknown): string[] {
  validate(JSON.parse(JSON.stringify(report)));
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe('policies/report.schema.json', () => {
  test('is draft-07 with an id', () => {
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.$id).toBe('https://github.com/model-risk-gate/model-risk-gate/policies/report.schema.json');
  });

  test('the sample reports validate', () => {
    expect(errorsOf(sampleFailingReport())).toEqual([]);
    expect(errorsOf(samplePassingReport())).toEqual([]);
    expect(errorsOf(hostileReport())).toEqual([]);
  });

  test('robustness, explainability and baseline have precise shapes (real ones: test/report/sections-schema.test.ts)', () => {
    const r = sampleFailingReport() as unknown as Record<string, unknown>;
    r.robustness = { attacks: [{ name: 'noise', flipRate: 0.01 }] };
    r.explainability = { importance: [] };
    r.baseline = { ref: 'main' };
    const errors = errorsOf(r);
    expect(errors).toContain("/robustness must have required property 'seed'");
    expect(errors).toContain("/explainability must have required property 'method'");
    expect(errors).toContain("/baseline must have required property 'status'");
  });

  test('rejects what the types forbid', () => {
    const missing = sampleFailingReport() as unknown as Record<string, unknown>;
    delete missing.verdict;
    expect(errorsOf(missing)).toContain(" must have required property 'verdict'");

    const extra = sampleFailingReport() as unknown as Record<string, unknown>;
    extra.surprise = 1;
    expect(errorsOf(extra)).toContain(' must NOT have additional properties');

    const badCheck = sampleFailingReport();
    (badCheck.checks[0] as unknown as Record<string, unknown>).status = 'maybe';
    expect(errorsOf(badCheck)).toContain('/checks/0/status must be equal to one of the allowed values');

    const badMetric = sampleFailingReport();
    (badMetric.performance.metrics as Record<string, unknown>).accuracyy = 0.8;
    expect(errorsOf(badMetric)).toContain('/performance/metrics must NOT have additional properties');

    const badSha = sampleFailingReport();
    badSha.model.sha256 = 'not-a-sha';
    expect(errorsOf(badSha).some((e) => e.startsWith('/model/sha256 must match pattern'))).toBe(true);

    const badTime = sampleFailingReport();
    badTime.createdAt = 'yesterday';
    expect(errorsOf(badTime).some((e) => e.startsWith('/createdAt must match pattern'))).toBe(true);
  });

  test('every metric name of src/metrics/types.ts is in the schema', () => {
    const defs = schema.definitions as Record<string, { properties: Record<string, unknown> }>;
    expect(Object.keys(defs.metricValues.properties).sort()).toEqual([...LABEL_METRICS, ...SCORE_METRICS].sort());
  });

  test('every property is documented', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === 'object') {
        for (const [key, sub] of Object.entries(n.properties as Record<string, unknown>)) {
          if (sub === true) continue; // re-listed from an allOf'd definition
          if (!(sub as Record<string, unknown>).description) undocumented.push(`${path}.${key}`);
          walk(sub, `${path}.${key}`);
        }
      }
      for (const k of ['items', 'additionalProperties', 'anyOf', 'allOf']) {
        const v = n[k];
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}.${k}[${i}]`));
        else walk(v, `${path}.${k}`);
      }
      if (n.definitions) for (const [k, v] of Object.entries(n.definitions as Record<string, unknown>)) walk(v, `#${k}`);
    };
    walk(schema, '');
    expect(undocumented).toEqual([]);
  });
});
