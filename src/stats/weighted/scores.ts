/**
 * Weighted score metrics. Ranking metrics (ROC AUC, average precision, KS) come from a weighted threshold sweep over
 * rows ordered by score, read by src/metrics' own definitions (rocAucFromSweep, ...), so the values are those of
 * scikit-learn / scipy. Rows with weight 0 are absent from the sample: a tie block made only of absent rows adds a
 * step with no change in the counts, which changes none of the three metrics. Mean score, Brier and log loss are
 * weighted means of a per-row loss computed once.
 */
import { LOG_LOSS_EPS } from '../../metrics/probabilityScores.js';
import type { ThresholdSweep } from '../../metrics/thresholdSweep.js';

/**
 * Rows in score order (highest first) with what a sweep needs laid out sequentially: the label of each position and
 * whether the next position has a different score (end of a tie block). One sweep is then one sequential pass plus
 * one weight lookup per row.
 */
export class RankedRows {
  private readonly labels: Uint8Array;
  private readonly blockEnd: Uint8Array;
  private readonly orderedScores: Float64Array;
  private readonly thresholds: Float64Array;
  private readonly tps: Float64Array;
  private readonly fps: Float64Array;

  /** `order`: row indices sorted by score, highest first (ties in any fixed order). */
  constructor(
    readonly order: Uint32Array,
    yTrue: Uint8Array,
    scores: Float32Array,
  ) {
    const m = order.length;
    this.labels = new Uint8Array(m);
    this.blockEnd = new Uint8Array(m);
    this.orderedScores = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      const row = order[j];
      this.labels[j] = yTrue[row] !== 0 ? 1 : 0;
      this.orderedScores[j] = scores[row];
      this.blockEnd[j] = j + 1 === m || scores[order[j + 1]] !== scores[row] ? 1 : 0;
    }
    this.thresholds = new Float64Array(m);
    this.tps = new Float64Array(m);
    this.fps = new Float64Array(m);
  }

  /** The threshold sweep under weights w (null = every row once). Returns views into buffers: use before the next call. */
  sweep(w: Uint32Array | null): ThresholdSweep {
    const { order, labels, blockEnd, orderedScores, thresholds, tps, fps } = this;
    let k = 0;
    let tp = 0;
    let fp = 0;
    for (let j = 0; j < order.length; j++) {
      const wi = w === null ? 1 : w[order[j]];
      if (labels[j] === 1) tp += wi;
      else fp += wi;
      if (blockEnd[j] === 1) {
        thresholds[k] = orderedScores[j];
        tps[k] = tp;
        fps[k] = fp;
        k++;
      }
    }
    return { thresholds: thresholds.subarray(0, k), tps: tps.subarray(0, k), fps: fps.subarray(0, k), positives: tp, negatives: fp };
  }
}

export type ProbabilityMetric = 'mean_score' | 'brier' | 'log_loss';

/** Per-row loss whose mean is the metric (score; squared error; log loss with sklearn 1.2's clipping and renormalising). */
export function rowLosses(metric: ProbabilityMetric, yTrue: Uint8Array, scores: Float32Array): Float64Array {
  const out = new Float64Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    const s = scores[i];
    if (metric === 'mean_score') out[i] = s;
    else if (metric === 'brier') {
      const e = (yTrue[i] !== 0 ? 1 : 0) - s;
      out[i] = e * e;
    } else {
      const p = s < LOG_LOSS_EPS ? LOG_LOSS_EPS : s > 1 - LOG_LOSS_EPS ? 1 - LOG_LOSS_EPS : s;
      const q = 1 - p;
      out[i] = -Math.log((yTrue[i] !== 0 ? p : q) / (q + p));
    }
  }
  return out;
}

/** Σ w·loss / Σ w over the rows in `rows` (all rows when rows is null); null when the total weight is 0. */
export function weightedMean(loss: Float64Array, w: Uint32Array | null, rows: Uint32Array | null): number | null {
  let sum = 0;
  let total = 0;
  if (rows === null) {
    for (let i = 0; i < loss.length; i++) {
      const wi = w === null ? 1 : w[i];
      sum += wi * loss[i];
      total += wi;
    }
  } else {
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j];
      const wi = w === null ? 1 : w[i];
      sum += wi * loss[i];
      total += wi;
    }
  }
  if (total === 0) return null;
  const v = sum / total;
  return Number.isFinite(v) ? v : null;
}
