/**
 * LightGBM text models (test/fixtures/sklearn/lightgbm/gen.py, LightGBM 4.7): pandas categorical columns with an
 * unseen category and NaN in a numeric column, and a one-hot matrix with `column=value` names; per-row scores against
 * predict_proba, fed from the CSV cells as the gate feeds them.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { detectFormat, openForeignModel } from '../../../src/model/sklearn/load.js';
import { sk } from './helpers.js';

const rows = parse(readFileSync(sk('lightgbm', 'lightgbm.csv')), { columns: true }) as Array<Record<string, string>>;

describe('LightGBM text models equal predict_proba', () => {
  for (const name of ['lgbm_categorical', 'lgbm_onehot']) {
    it(name, async () => {
      const bytes = new Uint8Array(readFileSync(sk('lightgbm', `${name}.txt`)));
      expect(detectFormat(bytes)).toBe('lightgbm');
      const m = openForeignModel(bytes);
      expect(m.format).toBe('lightgbm-text');
      const tr = m.translation;
      const n = rows.length;
      const feeds: Record<string, ort.Tensor> = {};
      for (const inp of tr.inputs) {
        if (inp.type === 'string') feeds[inp.name] = new ort.Tensor('string', rows.map((r) => r[inp.name]), [n, 1]);
        else feeds[inp.name] = new ort.Tensor('float64', Float64Array.from(rows, (r) => (r[inp.name] === '' ? NaN : Number(r[inp.name]))), [n, 1]);
      }
      const s = await ort.InferenceSession.create(tr.onnx);
      const p = (await s.run(feeds)).probabilities.data as Float64Array;
      let maxDelta = 0;
      let flips = 0;
      for (let i = 0; i < n; i++) {
        const want = Number(rows[i][name]);
        const d = Math.abs(p[2 * i + 1] - want);
        if (!(d <= maxDelta)) maxDelta = d;
        if (p[2 * i + 1] >= 0.5 !== want >= 0.5 && Math.abs(want - 0.5) > 1e-6) flips++;
      }
      console.log(`${name}: ${n} rows, max |Δ| = ${maxDelta.toExponential(2)}, flips ${flips}; inputs ${tr.inputs.length}`);
      expect(maxDelta).toBeLessThanOrEqual(1e-6);
      expect(flips).toBe(0);
      expect(tr.inputs.map((i) => i.name)).toContain('workclass');
      await s.release();
    });
  }

  it('a multiclass LightGBM model is refused by name', () => {
    const text = readFileSync(sk('lightgbm', 'lgbm_onehot.txt'), 'utf8').replace('objective=binary sigmoid:1', 'objective=multiclass num_class:3');
    expect(() => openForeignModel(new TextEncoder().encode(text))).toThrow(/LightGBM objective "multiclass num_class:3" is not translated/);
  });
});
