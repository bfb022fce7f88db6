/**
 * TreeSHAP through translated preprocessing is exact Shapley on the raw columns: on every tree fixture `method: auto`
 * picks TreeSHAP (additive to the model's own scores), and on two of them its values equal brute-force enumeration of
 * all 2^14 coalitions of raw columns (KernelSHAP with exact: always) against the same background, row by row.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../../src/gate.js';
import type { Report } from '../../../src/report/types.js';
import { ROOT } from './helpers.js';

async function explain(model: string, set: string, label: string, positive: string, method: string, rows: number, bg: number, space = 'probability'): Promise<Report> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-shap-'));
  const policy = join(dir, 'policy.yml');
  writeFileSync(
    policy,
    [
      'version: 1',
      'seed: 3',
      `model: { path: test/fixtures/sklearn/${set}/${model} }`,
      `dataset: { path: test/fixtures/${set}/test.csv, label: ${label}, positive_label: ${JSON.stringify(positive)}, missing_values: [''] }`,
      'checks:',
      '  explainability:',
      `    method: ${method}`,
      `    space: ${space}`,
      `    rows: ${rows}`,
      `    report_rows: ${rows}`,
      `    background: { size: ${bg}, redraws: 0 }`,
      '    kernel_shap: { exact: always, max_evaluations: 2000000000 }',
      '    permutation: { enabled: false }',
      '    top_k: 3',
      'statistics: { resamples: 0 }',
    ].join('\n'),
  );
  return (await runGate({ policyFile: policy, workspace: ROOT })).report;
}

const GERMAN_POSITIVE = String(JSON.parse(readFileSync(join(ROOT, 'test/fixtures/sklearn/german-credit/dt_pipeline.reference.json'), 'utf8')).positive_label);

const TREES: Array<[string, string, string, string]> = [
  ['rf_pipeline.joblib', 'adult', 'income', '>50K'],
  ['hgb_native_categorical.joblib', 'adult', 'income', '>50K'],
  ['gb_pipeline.pkl', 'adult', 'income', '>50K'],
  ['xgb_onehot.json', 'adult', 'income', '>50K'],
  ['dt_pipeline.joblib', 'german-credit', 'credit_risk', GERMAN_POSITIVE],
  ['et_minmax.joblib', 'german-credit', 'credit_risk', GERMAN_POSITIVE],
];

describe('method: auto is exact TreeSHAP on every translated tree model', () => {
  for (const [model, set, label, positive] of TREES) {
    it(model, async () => {
      const r = await explain(model, set, label, positive, 'auto', 20, 20);
      const e = r.explainability!;
      expect(e.method, e.methodReason).toBe('tree_shap');
      expect(e.methodReason).toMatch(/grouped by raw column/);
      expect(e.additivityError.probability).toBeLessThan(1e-9);
      // players are raw columns (no encoded names)
      expect(e.features.every((f) => !f.includes('='))).toBe(true);
    }, 60_000);
  }
});

describe('TreeSHAP on encoded features grouped by raw column == brute-force Shapley on the raw columns', () => {
  // a forest's score is a mean of leaf values (the probability game is additive); boosting's is sigmoid(margin): the
  // margin (log-odds) game is the one TreeSHAP solves exactly (its probability space is shap's rescaling of it)
  for (const [model, space] of [['rf_pipeline.joblib', 'probability'], ['hgb_native_categorical.joblib', 'log_odds'], ['xgb_onehot.json', 'log_odds']]) {
    it(`${model} (${space})`, async () => {
      const tree = await explain(model, 'adult', 'income', '>50K', 'tree_shap', 3, 6, space);
      const brute = await explain(model, 'adult', 'income', '>50K', 'kernel_shap', 3, 6, space);
      expect(tree.explainability!.method).toBe('tree_shap');
      expect(brute.explainability!.method).toBe('exact_shapley');
      const a = tree.explainability!;
      const b = brute.explainability!;
      expect(a.features).toEqual(b.features);
      expect(a.rows.map((x) => x.row)).toEqual(b.rows.map((x) => x.row));
      let maxDiff = 0;
      a.rows.forEach((row, i) => row.values.forEach((v, p) => (maxDiff = Math.max(maxDiff, Math.abs(v - b.rows[i].values[p])))));
      console.log(`${model}: max |TreeSHAP - exact Shapley| = ${maxDiff.toExponential(2)} over ${a.rows.length} rows x ${a.features.length} columns`);
      // the brute force scores float32 outputs of onnxruntime; TreeSHAP is exact in float64
      expect(maxDiff).toBeLessThan(space === 'log_odds' ? 1e-5 : 1e-6);
    }, 120_000);
  }
});

describe('a translated model without trees', () => {
  it('LogisticRegression pipeline: KernelSHAP on the raw columns, saying why', async () => {
    const r = await explain('lr_pipeline.joblib', 'adult', 'income', '>50K', 'auto', 2, 5);
    const e = r.explainability!;
    expect(['kernel_shap', 'exact_shapley']).toContain(e.method);
    expect(e.methodReason).toMatch(/translated from joblib \(Pipeline\(ColumnTransformer\(StandardScaler, OneHotEncoder\), LogisticRegression\)\) has no tree ensemble/);
  }, 60_000);
});
