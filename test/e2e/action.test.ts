/** The whole Action end to end, as a runner runs it: node dist/index.js with INPUT_* and GITHUB_* variables. */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { ADULT_POLICY, fixtures, lineOf, makeWorkspace, parseAnnotations, repoRoot, runNode, validateSarif } from './harness.js';

const dist = join(repoRoot, 'dist', 'index.js');


const adultFiles = {
  'models/credit.onnx': join(fixtures, 'adult', 'logreg_pipeline.onnx'),
  'data/eval.csv': join(fixtures, 'adult', 'test.csv'),
};

function loadReportSchema(): (d: unknown) => boolean {
  const schema = JSON.parse(readFileSync(join(repoRoot, 'policies', 'report.schema.json'), 'utf8'));
  const ajv = new Ajv({ allErrors: true, strict: false });
  return ajv.compile(schema);
}

describe('action end to end (node dist/index.js)', () => {
  it('fails a model that breaches a fairness threshold, with an annotation on the policy line', async () => {
    const policy = ADULT_POLICY(
      '    demographic_parity_ratio: { min: 0.8, attributes: [sex] }\n    equalized_odds_difference: { max: 0.2, attributes: [sex] }',
    );
    const ws = makeWorkspace(policy, adultFiles);
    const r = await runNode([dist], { env: ws.env() });
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(r.code).toBe(1);

    const annotations = parseAnnotations(r.stdout);
    const errors = annotations.filter((a) => a.level === 'error');
    const dpLine = lineOf(policy, 'demographic_parity_ratio');
    const dp = errors.find((a) => a.props.file === '.github/model-policy.yml' && Number(a.props.line) === dpLine);
    expect(dp, r.stdout).toBeDefined();
    expect(dp!.message).toMatch(/Demographic parity ratio \(sex\)/);
    expect(dp!.message).toMatch(/0\.30/); // fairlearn: 0.3017...
    // only that breach is annotated at a policy line
    expect(errors.filter((a) => a.props.file === '.github/model-policy.yml')).toHaveLength(1);

    const outputs = ws.outputs();
    expect(outputs.verdict).toBe('fail');
    expect(outputs['failed-checks']).toBe('1');
    expect(JSON.parse(outputs['failed-check-ids'])).toEqual(['fairness/demographic_parity_ratio/sex']);
    expect(existsSync(outputs['report-path'])).toBe(true);
    expect(existsSync(outputs['sarif-path'])).toBe(true);

    const summary = ws.summary();
    expect(summary).toMatch(/❌/);
    expect(summary).toMatch(/Demographic parity ratio/);
    expect(summary).toMatch(/Female/);

    const report = JSON.parse(readFileSync(outputs['report-path'], 'utf8'));
    expect(loadReportSchema()(report)).toBe(true);
    expect(report.verdict).toBe('fail');
    expect(report.dataset.rows).toBe(16281);
    expect(report.model.info.zipMapBypassed).toBe(true);
    expect(report.performance.metrics.roc_auc).toBeCloseTo(0.9054, 3);
    // aggregates only: no raw rows in the report
    expect(JSON.stringify(report)).not.toContain('Machine-op-inspct');

    const sarif = JSON.parse(readFileSync(outputs['sarif-path'], 'utf8'));
    const v = validateSarif(sarif);
    expect(v.errors ?? null).toBeNull();
    const results = sarif.runs[0].results.filter((x: { level?: string; kind?: string }) => x.kind !== 'pass' && x.level === 'error');
    expect(results).toHaveLength(1);
    expect(results[0].ruleId).toBe('fairness/demographic_parity_ratio');
    expect(results[0].locations[0].physicalLocation.region.startLine).toBe(dpLine);
    expect(results[0].partialFingerprints).toBeDefined();
    expect(sarif.runs[0].automationDetails.id).toMatch(/model-risk-gate/);
  });

  it('passes a model that meets the policy and exits 0', async () => {
    const policy = ADULT_POLICY('    demographic_parity_ratio: { min: 0.2, attributes: [sex] }');
    const ws = makeWorkspace(policy, adultFiles);
    const r = await runNode([dist], { env: ws.env() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(parseAnnotations(r.stdout).filter((a) => a.level === 'error')).toHaveLength(0);
    expect(ws.outputs().verdict).toBe('pass');
    expect(ws.outputs()['failed-checks']).toBe('0');
    expect(ws.summary()).toMatch(/✅/);
  });

  it('keeps the verdict when the job summary file cannot be written (a warning, not an internal error)', async () => {
    const policy = ADULT_POLICY('    demographic_parity_ratio: { min: 0.8, attributes: [sex] }');
    const ws = makeWorkspace(policy, adultFiles);
    const r = await runNode([dist], { env: ws.env({ GITHUB_STEP_SUMMARY: join(ws.runnerTemp, 'no-such-dir', 'summary.md') }) });
    expect(r.stdout).not.toMatch(/internal error/);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const warnings = parseAnnotations(r.stdout).filter((a) => a.level === 'warning');
    expect(warnings.some((a) => /job summary could not be written/.test(a.message))).toBe(true);
    expect(ws.outputs().verdict).toBe('fail');
    expect(ws.outputs()['failed-check-ids']).toBe('["fairness/demographic_parity_ratio/sex"]');
  });

  it('exits 2 with an annotation on the policy line when the policy is broken, never a stack trace', async () => {
    const policy = ADULT_POLICY('    demographic_parity_ratio: { min: 0.8, attributes: [sexx] }');
    const ws = makeWorkspace(policy, adultFiles);
    const r = await runNode([dist], { env: ws.env() });
    expect(r.code).toBe(2);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    const errors = parseAnnotations(r.stdout).filter((a) => a.level === 'error');
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0].props.file).toBe('.github/model-policy.yml');
    expect(Number(errors[0].props.line)).toBe(lineOf(policy, 'sexx'));
    expect(errors[0].message).toMatch(/sexx/);
    expect(ws.outputs().verdict).toBe('error');
    expect(ws.summary()).toMatch(/could not run/);
  });

  it('runs a feature-matrix model built by a one-hot rule over the raw columns', async () => {
    const policy = `version: 1
model:
  path: models/gbt.onnx
  features:
    file: models/onehot_features.json
dataset:
  path: data/eval.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
checks:
  performance:
    roc_auc: { min: 0.9 }
  fairness:
    equal_opportunity_difference: { max: 0.2 }
`;
    const ws = makeWorkspace(policy, {
      'models/gbt.onnx': join(fixtures, 'adult', 'gbt_onehot.onnx'),
      'models/onehot_features.json': join(fixtures, 'adult', 'onehot_features.json'),
      'data/eval.csv': join(fixtures, 'adult', 'test.csv'),
    });
    const r = await runNode([dist], { env: ws.env() });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(ws.outputs()['report-path'], 'utf8'));
    expect(report.performance.metrics.roc_auc).toBeCloseTo(0.9212499276006425, 9);
  });
});
