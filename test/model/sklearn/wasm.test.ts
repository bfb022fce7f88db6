/**
 * The translated graphs also run on the WASM fallback (onnxruntime-web, used off Linux x64): same scores within 1e-6
 * of predict_proba on every fixture (opset-5 TreeEnsemble, LabelEncoder on strings, float64 arithmetic).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RUNTIME_ENV_VAR } from '../../../src/model/runtime.js';
import { MODELS, reference, referenceScores, scoreFixture } from './helpers.js';

describe('translated models on the WASM fallback (MODEL_RISK_GATE_RUNTIME=wasm)', () => {
  const before = process.env[RUNTIME_ENV_VAR];
  beforeAll(() => {
    process.env[RUNTIME_ENV_VAR] = 'wasm';
  });
  afterAll(() => {
    if (before === undefined) delete process.env[RUNTIME_ENV_VAR];
    else process.env[RUNTIME_ENV_VAR] = before;
  });
  for (const f of MODELS) {
    it(`${f.set}/${f.file}`, async () => {
      const ref = reference(f);
      const { model, scores } = await scoreFixture({ ...f, matrixColumns: f.file === 'lr_numpy.joblib' ? (ref.input_columns as string[]) : undefined });
      try {
        expect(model.info.runtime).toBe('onnxruntime-web (wasm)');
        const want = referenceScores(f);
        let maxDelta = 0;
        for (let i = 0; i < want.length; i++) maxDelta = Math.max(maxDelta, Math.abs(scores[i] - want[i]));
        console.log(`${f.set}/${f.file} wasm: max |Δ| = ${maxDelta.toExponential(2)}`);
        expect(maxDelta).toBeLessThanOrEqual(1e-6);
      } finally {
        await model.dispose();
      }
    }, 60_000);
  }
});
