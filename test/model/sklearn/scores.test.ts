/**
 * Every scikit-learn / XGBoost fixture, loaded through the gate's own path (content sniffing, pickle reader,
 * translation, onnxruntime, per-column encoding from the CSV), scored on the whole test split and compared per row
 * with the references' predict_proba.
 */
import { describe, expect, it } from 'vitest';
import { rocAuc } from '../../../src/metrics/rocAuc.js';
import { MODELS, reference, referenceColumn, referenceScores, scoreFixture } from './helpers.js';

describe('translated models equal scikit-learn / XGBoost predict_proba on every test row', () => {
  for (const f of MODELS) {
    it(`${f.set}/${f.file}`, async () => {
      const ref = reference(f);
      const fixture = { ...f, matrixColumns: ref.input_columns && f.file === 'lr_numpy.joblib' ? (ref.input_columns as string[]) : undefined };
      const { model, scores } = await scoreFixture(fixture);
      try {
        const want = referenceScores(f);
        expect(scores.length).toBe(want.length);
        let maxDelta = 0;
        let flips = 0;
        for (let i = 0; i < want.length; i++) {
          const d = Math.abs(scores[i] - want[i]);
          if (!(d <= maxDelta)) maxDelta = d;
          if (scores[i] >= 0.5 !== want[i] >= 0.5 && Math.abs(want[i] - 0.5) > 1e-6) flips++;
        }
        console.log(`${f.set}/${f.file}: ${want.length} rows, max |Δ| = ${maxDelta.toExponential(2)}, decision flips ${flips}`);
        expect(maxDelta).toBeLessThanOrEqual(1e-6);
        expect(flips).toBe(0);
        // the report says what was translated and that the scan was clean
        expect(model.info.translated?.estimator).toBeTruthy();
        expect(model.info.artifact?.safe).toBe(true);
        expect(model.info.artifact?.findings.some((x) => x.severity === 'error')).toBe(false);
        expect(model.info.outputKind).toBe('probabilities');
        expect(model.info.positiveIndex).toBe(1);
        // the reference's ROC AUC, recomputed by the gate's metric from our scores
        const yTrue = Uint8Array.from(referenceColumn(f, 'y_true'));
        expect(rocAuc(yTrue, scores)).toBeCloseTo(ref.roc_auc as number, 6);
      } finally {
        await model.dispose();
      }
    });
  }
});
