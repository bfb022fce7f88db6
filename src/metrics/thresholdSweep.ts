/**
 * The threshold sweep behind every ranking metric: for each distinct score t (highest first), how many actual
 * positives and negatives score >= t. This is scikit-learn's `_binary_clf_curve` (tied scores form one step).
 */
import { orderByScoreDescending } from './scoreOrder.js';

export interface ThresholdSweep {
  /** Distinct scores, highest first (float64 copies of the float32 scores). */
  thresholds: Float64Array;
  /** tps[k] = number of actual positives with score >= thresholds[k]. */
  tps: Float64Array;
  /** fps[k] = number of actual negatives with score >= thresholds[k]. */
  fps: Float64Array;
  /** Actual positives (= tps[last]). */
  positives: number;
  /** Actual negatives (= fps[last]). */
  negatives: number;
}

/**
 * Sweep from rows already ordered by score, highest first (`order[start..end)`, e.g. from orderByScoreDescending).
 * O(end - start).
 */
export function sweepFromOrder(
  yTrue: Uint8Array,
  scores: Float32Array,
  order: ArrayLike<number>,
  start = 0,
  end = order.length,
): ThresholdSweep {
  const size = Math.max(0, end - start);
  const thresholds = new Float64Array(size);
  const tps = new Float64Array(size);
  const fps = new Float64Array(size);
  let m = 0;
  let tp = 0;
  let fp = 0;
  for (let j = start; j < end; j++) {
    const row = order[j] as number;
    if (yTrue[row] !== 0) tp++;
    else fp++;
    const s = scores[row] as number;
    const next = j + 1 < end ? (scores[order[j + 1] as number] as number) : Number.NaN;
    if (s !== next) {
      // last row of a block of equal scores: one step of the sweep
      thresholds[m] = s;
      tps[m] = tp;
      fps[m] = fp;
      m++;
    }
  }
  return { thresholds: thresholds.slice(0, m), tps: tps.slice(0, m), fps: fps.slice(0, m), positives: tp, negatives: fp };
}

/** Sweep of all rows (or of `rows`, repeats allowed): one O(n log n) sort, then sweepFromOrder. */
export function thresholdSweep(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): ThresholdSweep {
  return sweepFromOrder(yTrue, scores, orderByScoreDescending(scores, rows));
}
