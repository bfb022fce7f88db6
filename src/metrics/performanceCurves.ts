/** Curves for the report's charts, from one threshold sweep. */
import { downsampleIndices, MAX_CURVE_POINTS } from './downsampleCurve.js';
import type { ThresholdSweep } from './thresholdSweep.js';
import type { CurvePoint, PerformanceCurves } from './types.js';

/** A curve held in typed arrays until it is thinned; threshold NaN = no threshold at that point. */
interface RawCurve {
  xs: Float64Array;
  ys: Float64Array;
  thresholds: Float64Array | null;
}

function rawCurve(length: number, withThresholds: boolean): RawCurve {
  return {
    xs: new Float64Array(length),
    ys: new Float64Array(length),
    thresholds: withThresholds ? new Float64Array(length).fill(Number.NaN) : null,
  };
}

const EMPTY: RawCurve = rawCurve(0, false);

/** Thins a raw curve and materialises the kept points only. */
function thin(c: RawCurve, maxPoints: number, keep: number[] = []): CurvePoint[] {
  return downsampleIndices(c.xs, c.ys, maxPoints, keep).map((i) => {
    const point: CurvePoint = { x: c.xs[i] as number, y: c.ys[i] as number };
    const t = c.thresholds === null ? Number.NaN : (c.thresholds[i] as number);
    if (!Number.isNaN(t)) point.threshold = t;
    return point;
  });
}

/** ROC: (0, 0), then (FPR, TPR) = (fps_k / N, tps_k / P) at each threshold, highest first. Empty when a class is absent. */
function rocCurve(s: ThresholdSweep): RawCurve {
  if (s.positives === 0 || s.negatives === 0) return EMPTY;
  const m = s.thresholds.length;
  const c = rawCurve(m + 1, true);
  for (let k = 0; k < m; k++) {
    c.xs[k + 1] = (s.fps[k] as number) / s.negatives;
    c.ys[k + 1] = (s.tps[k] as number) / s.positives;
    (c.thresholds as Float64Array)[k + 1] = s.thresholds[k] as number;
  }
  return c;
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
function prCurve(s: ThresholdSweep): RawCurve {
  if (s.positives === 0) return EMPTY;
  const m = s.thresholds.length;
  const c = rawCurve(m + 1, true);
  c.ys[0] = 1;
  for (let k = 0; k < m; k++) {
    c.xs[k + 1] = (s.tps[k] as number) / s.positives;
    c.ys[k + 1] = precisionAt(s, k);
    (c.thresholds as Float64Array)[k + 1] = s.thresholds[k] as number;
  }
  return c;
}

/** Precision against threshold, lowest threshold first: x = threshold, y = precision of score >= x. */
function precisionByThresholdCurve(s: ThresholdSweep): RawCurve {
  const m = s.thresholds.length;
  const c = rawCurve(m, true);
  for (let j = 0; j < m; j++) {
    const k = m - 1 - j;
    c.xs[j] = s.thresholds[k] as number;
    c.ys[j] = precisionAt(s, k);
    (c.thresholds as Float64Array)[j] = s.thresholds[k] as number;
  }
  return c;
}

/**
 * Empirical CDF of one class's scores on the grid of all distinct scores, lowest first: (x, F(x)) with
 * F(x) = #{class rows with score <= x} / class size. A right-continuous step: F holds from x to the next point.
 */
function cdfCurve(s: ThresholdSweep, counts: Float64Array, size: number): RawCurve {
  if (s.positives === 0 || s.negatives === 0) return EMPTY;
  const m = s.thresholds.length;
  const c = rawCurve(m, false);
  for (let j = 0; j < m; j++) {
    const k = m - 1 - j;
    const above = k === 0 ? 0 : (counts[k - 1] as number);
    c.xs[j] = s.thresholds[k] as number;
    c.ys[j] = (size - above) / size;
  }
  return c;
}

/**
 * The chart curves of a scored model: ROC, PR, precision against threshold and the two empirical score CDFs of the KS
 * test, each thinned to at most `maxPoints` points keeping both ends and (for the CDFs) the score `ksAt` where the KS
 * distance is reached. Points carry the score threshold where the curve is a threshold sweep.
 */
export function performanceCurves(sweep: ThresholdSweep, ksAt: number | null, maxPoints = MAX_CURVE_POINTS): PerformanceCurves {
  const ksPositives = cdfCurve(sweep, sweep.tps, sweep.positives);
  const ksNegatives = cdfCurve(sweep, sweep.fps, sweep.negatives);
  const ksIndex = ksAt === null ? -1 : ksPositives.xs.indexOf(ksAt);
  const keep = ksIndex >= 0 ? [ksIndex] : [];
  return {
    roc: thin(rocCurve(sweep), maxPoints),
    pr: thin(prCurve(sweep), maxPoints),
    precisionByThreshold: thin(precisionByThresholdCurve(sweep), maxPoints),
    ksPositives: thin(ksPositives, maxPoints, keep),
    ksNegatives: thin(ksNegatives, maxPoints, keep),
  };
}
