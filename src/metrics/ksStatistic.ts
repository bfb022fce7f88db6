/** Two-sample Kolmogorov-Smirnov statistic between the scores of actual positives and actual negatives. */
import { thresholdSweep, type ThresholdSweep } from './thresholdSweep.js';

export interface KsResult {
  /** D = max over x of |F₊(x) − F₋(x)|. */
  statistic: number;
  /** The score x at which D is reached (the smallest such score, as scipy reports it). */
  at: number;
}

/**
 * KS statistic from a threshold sweep, as `scipy.stats.ks_2samp(scores[y=1], scores[y=0])`:
 * F₊(x) = #{positives with score <= x} / P and F₋(x) likewise for negatives (right-continuous empirical CDFs),
 * evaluated at every observed score; D = max |F₊ − F₋|. scipy's tie-break is kept: with d = F₊ − F₋,
 * D = −min d when −min d > max d, else max d; the location is the first (smallest) score reaching it.
 * null when either class is absent.
 */
export function ksFromSweep(sweep: ThresholdSweep): KsResult | null {
  const { thresholds, tps, fps, positives, negatives } = sweep;
  if (positives === 0 || negatives === 0) return null;
  let maxD = -Infinity;
  let maxAt = Number.NaN;
  let minD = Infinity;
  let minAt = Number.NaN;
  let tpAbove = 0; // positives with score > thresholds[k]
  let fpAbove = 0;
  for (let k = 0; k < thresholds.length; k++) {
    const d = (positives - tpAbove) / positives - (negatives - fpAbove) / negatives;
    const t = thresholds[k] as number;
    // thresholds run high to low, so ">=" keeps the smallest score among equal extremes (scipy's first argmax)
    if (d >= maxD) {
      maxD = d;
      maxAt = t;
    }
    if (d <= minD) {
      minD = d;
      minAt = t;
    }
    tpAbove = tps[k] as number;
    fpAbove = fps[k] as number;
  }
  const minS = Math.min(Math.max(-minD, 0), 1);
  return minS > maxD ? { statistic: minS, at: minAt } : { statistic: maxD, at: maxAt };
}

/** KS statistic and its location for scores against binary truth (see ksFromSweep). */
export function ksStatistic(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): KsResult | null {
  return ksFromSweep(thresholdSweep(yTrue, scores, rows));
}
