/** Decisions from scores. */

/**
 * y_pred[i] = 1 if scores[i] >= threshold else 0: the decision rule of the reference files. The comparison is made on
 * the float32 score as stored (widened exactly to float64), so rows a hair's breadth from the threshold decide as the
 * reference did. A NaN score gives 0.
 */
export function scoresToPredictions(scores: Float32Array, threshold: number): Uint8Array {
  const out = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) out[i] = (scores[i] as number) >= threshold ? 1 : 0;
  return out;
}
