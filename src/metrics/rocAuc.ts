/** Area under the ROC curve. */
import { thresholdSweep, type ThresholdSweep } from './thresholdSweep.js';

/**
 * ROC AUC from a threshold sweep: the trapezoidal area under (FPR, TPR) = (fps/N, tps/P) from (0, 0) through every
 * distinct threshold (sklearn `roc_auc_score`, binary). Equals P(score of a random positive > score of a random
 * negative) + ½ P(tie). Computed from integer counts, so it is exact up to one final rounding.
 * null when only one class is present (sklearn raises; the reference files report null).
 */
export function rocAucFromSweep(sweep: ThresholdSweep): number | null {
  const { tps, fps, positives, negatives } = sweep;
  if (positives === 0 || negatives === 0) return null;
  let twiceArea = 0; // sum of (Δfps) · (tps_k + tps_{k-1}): an integer
  let prevTp = 0;
  let prevFp = 0;
  for (let k = 0; k < tps.length; k++) {
    const tp = tps[k] as number;
    const fp = fps[k] as number;
    twiceArea += (fp - prevFp) * (tp + prevTp);
    prevTp = tp;
    prevFp = fp;
  }
  return twiceArea / (2 * positives * negatives);
}

/** ROC AUC of scores against binary truth (see rocAucFromSweep). `rows` restricts to those row indices. */
export function rocAuc(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): number | null {
  return rocAucFromSweep(thresholdSweep(yTrue, scores, rows));
}
