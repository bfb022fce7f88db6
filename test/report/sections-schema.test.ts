/**
 * policies/report.schema.json describes the robustness, explainability and baseline sections precisely: real reports
 * made by the gate validate, and values the types forbid are rejected.
 */
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { beforeAll, describe, expect, test } from 'vitest';
import type { Report } from '../../src/report/types.js';
import { sectionReports, type SectionReports } from './sections-fixture.js';

const schema = JSON.parse(readFileSync(new URL('../../policies/report.schema.json', import.meta.url), 'utf8')) as {
  properties: Record<string, { allOf?: Array<{ $ref: string }> }>;
  definitions: Record<string, unknown>;
};
const ajv = new Ajv({ strict: true, allErrors: true, strictTypes: false });
const validate = ajv.compile(schema);

function errorsOf(report: unknown): string[] {
  validate(JSON.parse(JSON.stringify(report)));
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

const copy = (r: Report): Report => JSON.parse(JSON.stringify(r)) as Report;

let reports: SectionReports;
beforeAll(async () => {
  reports = await sectionReports();
}, 120_000);

describe('report schema: robustness, explainability and baseline', () => {
  test('the three sections point at their definitions', () => {
    expect(schema.properties.robustness?.allOf?.[0]?.$ref).toBe('#/definitions/robustnessReport');
    expect(schema.properties.explainability?.allOf?.[0]?.$ref).toBe('#/definitions/explainabilityReport');
    expect(schema.properties.baseline?.allOf?.[0]?.$ref).toBe('#/definitions/baselineReport');
  });

  test('real reports with every section validate (compared / unchanged / incompatible base, KernelSHAP / TreeSHAP)', () => {
    const { compared, unchanged, incompatible } = reports;
    expect(compared.robustness?.attacks.map((a) => a.key)).toEqual(['noise', 'score_attack/linf', 'score_attack/l2', 'decision_attack/l2', 'categorical_attack']);
    expect(compared.robustness?.counterfactual.map((c) => c.attribute)).toEqual(['sex', 'race', 'age_bin']);
    expect(compared.explainability?.method).toBe('kernel_shap');
    expect(compared.baseline?.status).toBe('compared');
    expect(unchanged.explainability?.method).toBe('tree_shap');
    expect(unchanged.baseline?.status).toBe('unchanged');
    expect(incompatible.baseline?.status).toBe('incompatible');
    expect(errorsOf(compared)).toEqual([]);
    expect(errorsOf(unchanged)).toEqual([]);
    expect(errorsOf(incompatible)).toEqual([]);
  });

  test('rejects what the types forbid, at the right place', () => {
    const r1 = copy(reports.compared);
    (r1.robustness!.attacks[0] as unknown as Record<string, unknown>).kind = 'laser';
    expect(errorsOf(r1)).toContain('/robustness/attacks/0/kind must be equal to one of the allowed values');

    const r2 = copy(reports.compared);
    (r2.robustness!.attacks[1]!.budgets[0]!.groups[0]!.groups[0] as unknown as Record<string, unknown>).successRate = 1.5;
    expect(errorsOf(r2)).toContain('/robustness/attacks/1/budgets/0/groups/0/groups/0/successRate must be <= 1');

    const r3 = copy(reports.compared);
    (r3.explainability!.importance[0] as unknown as Record<string, unknown>).meanAbsShap = 'big';
    expect(errorsOf(r3)).toContain('/explainability/importance/0/meanAbsShap must be number');

    const r4 = copy(reports.compared);
    (r4.baseline!.metrics[0] as unknown as Record<string, unknown>).direction = 'sideways';
    expect(errorsOf(r4)).toContain('/baseline/metrics/0/direction must be equal to one of the allowed values');

    const r5 = copy(reports.compared);
    delete (r5.baseline as unknown as Record<string, unknown>).decisionsChanged;
    (r5.explainability as unknown as Record<string, unknown>).extra = 1;
    const errors = errorsOf(r5);
    expect(errors).toContain("/baseline must have required property 'decisionsChanged'");
    expect(errors).toContain('/explainability must NOT have additional properties');
  });

  test('every field of the three sections is documented, including inside oneOf', () => {
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const n = node as Record<string, unknown>;
      if (n.properties && typeof n.properties === 'object') {
        for (const [key, sub] of Object.entries(n.properties as Record<string, unknown>)) {
          if (!(sub as Record<string, unknown>).description) undocumented.push(`${path}.${key}`);
          walk(sub, `${path}.${key}`);
        }
      }
      for (const k of ['items', 'additionalProperties', 'anyOf', 'allOf', 'oneOf']) {
        const v = n[k];
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, `${path}.${k}[${i}]`));
        else walk(v, `${path}.${k}`);
      }
    };
    const mine = Object.keys(schema.definitions).filter((k) => /^(robustness|explainability|baseline)/.test(k));
    expect(mine.length).toBeGreaterThanOrEqual(15);
    for (const k of mine) walk(schema.definitions[k], `#${k}`);
    expect(undocumented).toEqual([]);
  });
});
