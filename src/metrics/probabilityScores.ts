/**
 * Metrics of the score as a probability of the positive class (no threshold, no ranking): mean score, Brier score and
 * log loss. Scores are float32 and are widened exactly to float64; sums are compensated (see CompensatedSum).
 * `rows` restricts each metric to those row indices (repeats allowed). null when there are no rows.
 */
import { CompensatedSum } from './compensatedSum.js';

/** Lower clip of log loss probabilities: scikit-learn 1.2's eps = 1e-15 (reference files' definition). */
export const LOG_LOSS_EPS = 1e-15;

function forEachRow(n: number, rows: ArrayLike<number> | undefined, visit: (row: number) => void): number {
  if (rows === undefined) {
    for (let i = 0; i < n; i++) visit(i);
    return n;
  }
  for (let j = 0; j < rows.length; j++) visit(rows[j] as number);
  return rows.length;
}

/** Mean score = (1/n) Σ sᵢ. */
export function meanScore(scores: Float32Array, rows?: ArrayLike<number>): number | null {
  const sum = new CompensatedSum();
  const n = forEachRow(scores.length, rows, (i) => sum.add(scores[i] as number));
  return n === 0 ? null : sum.value / n;
}

/** Brier score = (1/n) Σ (yᵢ − sᵢ)² (sklearn `brier_score_loss`). */
export function brierScore(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): number | null {
  const sum = new CompensatedSum();
  const n = forEachRow(scores.length, rows, (i) => {
    const e = (yTrue[i] !== 0 ? 1 : 0) - (scores[i] as number);
    sum.add(e * e);
  });
  return n === 0 ? null : sum.value / n;
}

/**
 * Log loss = −(1/n) Σ [yᵢ log p₁ᵢ + (1 − yᵢ) log p₀ᵢ], as sklearn 1.2 `log_loss`: p = clip(s, eps, 1 − eps) with
 * eps = 1e-15, the row [1 − p, p] renormalised to sum 1, so p₁ = p / ((1 − p) + p) and p₀ = (1 − p) / ((1 − p) + p).
 */
export function logLoss(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): number | null {
  const sum = new CompensatedSum();
  const n = forEachRow(scores.length, rows, (i) => {
    const s = scores[i] as number;
    const p = s < LOG_LOSS_EPS ? LOG_LOSS_EPS : s > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : s;
    const q = 1 - p;
    const total = q + p;
    sum.add(-Math.log((yTrue[i] !== 0 ? p : q) / total));
  });
  return n === 0 ? null : sum.value / n;
}
