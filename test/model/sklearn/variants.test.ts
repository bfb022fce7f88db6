/**
 * Option combinations beyond the shared fixtures (test/fixtures/sklearn/variants/gen.py, scikit-learn 1.9): scalers'
 * options, imputers (numeric NaN, text constant), OneHotEncoder drop first / if_binary / numeric categories / unknown
 * categories, OrdinalEncoder with numeric categories and NaN unknown_value, ColumnTransformer column selection by
 * indices, slice, boolean mask, remainder passthrough, nested Pipelines, HistGradientBoosting with NaN (numeric and
 * categorical), GradientBoosting exponential loss with init='zero', a bare estimator on a matrix. Scored in
 * onnxruntime from the CSV cells (blank numeric cell = NaN) and compared per row with predict_proba.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { openForeignModel } from '../../../src/model/sklearn/load.js';
import { sk } from './helpers.js';

const tables = new Map<string, Array<Record<string, string>>>();
function table(dir: string, kind: string): Array<Record<string, string>> {
  const file = kind.startsWith('clean') ? 'variants_clean.csv' : 'variants_nan.csv';
  let t = tables.get(`${dir}/${file}`);
  if (!t) {
    t = parse(readFileSync(sk(dir, file)), { columns: true }) as Array<Record<string, string>>;
    tables.set(`${dir}/${file}`, t);
  }
  return t;
}

for (const dir of ['variants', 'variants-1.6']) {
const meta = JSON.parse(readFileSync(sk(dir, 'variants.json'), 'utf8')) as { models: Record<string, string>; numeric: string[]; 'scikit-learn': string };
describe(`scikit-learn option combinations (${dir}: generated with scikit-learn ${meta['scikit-learn']})`, () => {
  for (const [name, kind] of Object.entries(meta.models)) {
    it(name, async () => {
      const m = openForeignModel(new Uint8Array(readFileSync(sk(dir, `${name}.joblib`))));
      const tr = m.translation;
      const rows = table(dir, kind);
      expect(m.translation.sklearnVersion).toBe(meta['scikit-learn']);
      const n = rows.length;
      const feeds: Record<string, ort.Tensor> = {};
      const num = (s: string): number => (s === '' ? NaN : Number(s));
      for (const inp of tr.inputs) {
        if (inp.name === 'X') {
          const cols = meta.numeric;
          feeds.X = new ort.Tensor('float64', Float64Array.from(rows.flatMap((r) => cols.map((c) => num(r[c])))), [n, cols.length]);
        } else if (inp.type === 'string') feeds[inp.name] = new ort.Tensor('string', rows.map((r) => r[inp.name]), [n, 1]);
        else feeds[inp.name] = new ort.Tensor('float64', Float64Array.from(rows, (r) => num(r[inp.name])), [n, 1]);
      }
      const session = await ort.InferenceSession.create(tr.onnx);
      const out = (await session.run(feeds)).probabilities.data as Float64Array;
      let maxDelta = 0;
      let flips = 0;
      for (let i = 0; i < n; i++) {
        const want = Number(rows[i][name]);
        const got = out[2 * i + 1];
        const d = Math.abs(got - want);
        if (!(d <= maxDelta)) maxDelta = d;
        if (got >= 0.5 !== want >= 0.5 && Math.abs(want - 0.5) > 1e-6) flips++;
      }
      console.log(`${name}: ${n} rows, max |Δ| = ${maxDelta.toExponential(2)}, flips ${flips}; ${m.scan.translatedFrom}`);
      expect(maxDelta).toBeLessThanOrEqual(1e-6);
      expect(flips).toBe(0);
      await session.release();
    });
  }
});
}

describe('blank numeric cells reach models that handle them, through the gate loader and CSV encoding', () => {
  it('imputer and HistGradientBoosting variants: inputs marked missing=nan, blanks scored as NaN; a model without an imputer still refuses them', async () => {
    const { loadModel } = await import('../../../src/model/session.js');
    const { readCsvDataset } = await import('../../../src/data/csv.js');
    const { encodeModelInput } = await import('../../../src/model/encode.js');
    const dataset = await readCsvDataset(sk('variants', 'variants_nan.csv'), { displayPath: 'variants_nan.csv', missingValues: [''], maxRows: 100_000 });
    const rows = table('variants', 'nan');
    for (const name of ['imputer_median_std_lr_nan', 'hgb_cat_by_name_nan', 'nested_imputers_gb']) {
      const model = await loadModel({ file: sk('variants', `${name}.joblib`), displayPath: `${name}.joblib`, spec: { path: name, threshold: 0.5, batch_size: 8192 } });
      const age = model.info.inputs.find((i) => i.name === 'age');
      expect(age?.missing, name).toBe('nan');
      const input = encodeModelInput(dataset, model.info.inputs, undefined, { workspace: sk('variants'), policyFile: 'p.yml' });
      const scores = await model.score(input);
      let maxDelta = 0;
      for (let i = 0; i < rows.length; i++) maxDelta = Math.max(maxDelta, Math.abs(scores[i] - Number(rows[i][name])));
      expect(maxDelta, name).toBeLessThan(1e-6);
      await model.dispose();
    }
    // a logistic regression whose numeric columns are only scaled cannot take NaN: the CSV's blank is refused by line
    const lr = await loadModel({ file: sk('variants', 'ct_std_nomean_ohe_dropfirst_lr.joblib'), displayPath: 'lr.joblib', spec: { path: 'lr', threshold: 0.5, batch_size: 8192 } });
    expect(lr.info.inputs.find((i) => i.name === 'age')?.missing).toBeUndefined();
    expect(() => encodeModelInput(dataset, lr.info.inputs, undefined, { workspace: sk('variants'), policyFile: 'p.yml' })).toThrow(/has a missing value on this line/);
    await lr.dispose();
  });
});
