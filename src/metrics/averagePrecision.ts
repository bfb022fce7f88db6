/** Average precision (area under the step precision-recall curve). */
import { thresholdSweep, type ThresholdSweep } from './thresholdSweep.js';

/**
 * Average precision, scikit-learn's step definition (`average_precision_score`, no interpolation):
 * AP = Σ_k (R_k − R_{k−1}) · P_k over distinct thresholds t_k taken from the highest score down, with
 * R_k = tps_k / P (recall) and P_k = tps_k / (tps_k + fps_k) (precision at score >= t_k), R_{−1} = 0.
 * Tied scores form one step, as in sklearn. null when only one class is present (the reference files' convention).
 */
export function averagePrecisionFromSweep(sweep: ThresholdSweep): number | null {
  const { tps, fps, positives, negatives } = sweep;
  if (positives === 0 || negatives === 0) return null;
  let ap = 0;
  let prevRecall = 0;
  for (let k = 0; k < tps.length; k++) {
    const tp = tps[k] as number;
    const recall = tp / positives;
    if (recall !== prevRecall) ap += (recall - prevRecall) * (tp / (tp + (fps[k] as number)));
    prevRecall = recall;
  }
  return ap;
}

/** Average precision of scores against binary truth (see averagePrecisionFromSweep). */
export function averagePrecision(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): number | null {
  return averagePrecisionFromSweep(thresholdSweep(yTrue, scores, rows));
}
