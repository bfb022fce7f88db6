/** Thinning of chart curves to a bounded number of points. */
import type { CurvePoint } from './types.js';

/** Default bound on the points of one chart curve. */
export const MAX_CURVE_POINTS = 200;

/**
 * Largest-Triangle-Three-Buckets over the index range [0, n) to `target` indices (first and last included): each
 * bucket keeps the point that spans the largest triangle with the previously kept point and the next bucket's mean.
 * Coordinates are scaled to the unit square first so that x and y weigh the same.
 */
function largestTriangleThreeBuckets(xs: Float64Array, ys: Float64Array, target: number): number[] {
  const n = xs.length;
  if (target >= n) return Array.from({ length: n }, (_, i) => i);
  if (target <= 2) return n > 1 ? [0, n - 1] : [0];
  const kept = [0];
  const every = (n - 2) / (target - 2);
  let a = 0;
  for (let i = 0; i < target - 2; i++) {
    const nextStart = Math.floor((i + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((i + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      avgX += xs[j] as number;
      avgY += ys[j] as number;
    }
    const len = Math.max(1, nextEnd - nextStart);
    avgX /= len;
    avgY /= len;
    const start = Math.floor(i * every) + 1;
    const end = Math.floor((i + 1) * every) + 1;
    const ax = xs[a] as number;
    const ay = ys[a] as number;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((ax - avgX) * ((ys[j] as number) - ay) - (ax - (xs[j] as number)) * (avgY - ay));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}

function scaled(values: Float64Array): Float64Array {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const range = hi - lo;
  if (!(range > 0) || !Number.isFinite(range)) return values.fill(0);
  for (let i = 0; i < values.length; i++) values[i] = ((values[i] as number) - lo) / range;
  return values;
}

/**
 * Indices (ascending) of at most `maxPoints` points of the curve (xs[i], ys[i]): always the first and last and those
 * in `keep`, otherwise the points that carry the shape (largest-triangle-three-buckets on unit-scaled coordinates).
 * Every index when the curve is short enough. `xs` and `ys` are not modified.
 */
export function downsampleIndices(xs: Float64Array, ys: Float64Array, maxPoints = MAX_CURVE_POINTS, keep: number[] = []): number[] {
  const n = xs.length;
  if (n <= maxPoints) return Array.from({ length: n }, (_, i) => i);
  const required = new Set<number>([0, n - 1]);
  for (const k of keep) if (Number.isInteger(k) && k >= 0 && k < n) required.add(k);
  const target = Math.max(2, maxPoints - (required.size - 2));
  const chosen = new Set<number>(largestTriangleThreeBuckets(scaled(xs.slice()), scaled(ys.slice()), target));
  for (const k of required) chosen.add(k);
  return [...chosen].sort((a, b) => a - b);
}

/**
 * At most `maxPoints` points of a curve, in order, always keeping the first and last points and the points at the
 * indices in `keep` (for example where a KS distance is reached), and otherwise the points that carry the shape
 * (largest-triangle-three-buckets). Curves that are already short enough are returned as a copy.
 */
export function downsampleCurve(points: CurvePoint[], maxPoints = MAX_CURVE_POINTS, keep: number[] = []): CurvePoint[] {
  if (points.length <= maxPoints) return points.slice();
  const xs = Float64Array.from(points, (p) => p.x);
  const ys = Float64Array.from(points, (p) => p.y);
  return downsampleIndices(xs, ys, maxPoints, keep).map((i) => points[i] as CurvePoint);
}
