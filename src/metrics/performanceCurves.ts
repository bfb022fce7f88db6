/** Curves for the report's charts, from one threshold sweep. */
import { downsampleCurve, MAX_CURVE_POINTS } from './downsampleCurve.js';
import type { ThresholdSweep } from './thresholdSweep.js';
import type { CurvePoint, PerformanceCurves } from './types.js';

/** ROC: (0, 0), then (FPR, TPR) = (fps_k / N, tps_k / P) at each threshold, highest first. Empty when a class is absent. */
function rocPoints(s: ThresholdSweep): CurvePoint[] {
  if (s.positives === 0 || s.negatives === 0) return [];
  const out: CurvePoint[] = [{ x: 0, y: 0 }];
  for (let k = 0; k < s.thresholds.length; k++) {
    out.push({ x: (s.fps[k] as number) / s.negatives, y: (s.tps[k] as number) / s.positives, threshold: s.thresholds[k] as number });
  }
  return out;
}

/** Precision at score >= thresholds[k]. */
function precisionAt(s: ThresholdSweep, k: number): number {
  const tp = s.tps[k] as number;
  return tp / (tp + (s.fps[k] as number));
}

/**
 * PR: (recall 0, precision 1) as sklearn starts it, then (recall, precision) at each threshold, highest first.
 * Empty when there are no actual positives.
 */
function prPoints(s: ThresholdSweep): CurvePoint[] {
  if (s.positives === 0) return [];
  const out: CurvePoint[] = [{ x: 0, y: 1 }];
  for (let k = 0; k < s.thresholds.length; k++) {
    out.push({ x: (s.tps[k] as number) / s.positives, y: precisionAt(s, k), threshold: s.thresholds[k] as number });
  }
  return out;
}

/** Precision against threshold, lowest threshold first: x = threshold, y = precision of score >= x. */
function precisionByThresholdPoints(s: ThresholdSweep): CurvePoint[] {
  const out: CurvePoint[] = [];
  for (let k = s.thresholds.length - 1; k >= 0; k--) {
    const t = s.thresholds[k] as number;
    out.push({ x: t, y: precisionAt(s, k), threshold: t });
  }
  return out;
}

/**
 * Empirical CDF of one class's scores on the grid of all distinct scores, lowest first: (x, F(x)) with
 * F(x) = #{class rows with score <= x} / class size. A right-continuous step: F holds from x to the next point.
 */
function cdfPoints(s: ThresholdSweep, counts: Float64Array, size: number): CurvePoint[] {
  if (s.positives === 0 || s.negatives === 0) return [];
  const out: CurvePoint[] = [];
  for (let k = s.thresholds.length - 1; k >= 0; k--) {
    const above = k === 0 ? 0 : (counts[k - 1] as number);
    out.push({ x: s.thresholds[k] as number, y: (size - above) / size });
  }
  return out;
}

/**
 * The chart curves of a scored model: ROC, PR, precision against threshold and the two empirical score CDFs of the KS
 * test, each thinned to at most `maxPoints` points keeping both ends and (for the CDFs) the score `ksAt` where the KS
 * distance is reached.
 */
export function performanceCurves(sweep: ThresholdSweep, ksAt: number | null, maxPoints = MAX_CURVE_POINTS): PerformanceCurves {
  const ksPositives = cdfPoints(sweep, sweep.tps, sweep.positives);
  const ksNegatives = cdfPoints(sweep, sweep.fps, sweep.negatives);
  const ksIndex = ksAt === null ? -1 : ksPositives.findIndex((p) => p.x === ksAt);
  const keep = ksIndex >= 0 ? [ksIndex] : [];
  return {
    roc: downsampleCurve(rocPoints(sweep), maxPoints),
    pr: downsampleCurve(prPoints(sweep), maxPoints),
    precisionByThreshold: downsampleCurve(precisionByThresholdPoints(sweep), maxPoints),
    ksPositives: downsampleCurve(ksPositives, maxPoints, keep),
    ksNegatives: downsampleCurve(ksNegatives, maxPoints, keep),
  };
}
