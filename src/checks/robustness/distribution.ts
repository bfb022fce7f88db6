/**
 * Distributions for the robustness section: quantile summaries (numpy's default linear interpolation), empirical
 * CDF curves for charts (at most ~200 points) and the two-sample KS statistic between original and attacked scores.
 */
import { downsampleCurve, MAX_CURVE_POINTS } from '../../metrics/downsampleCurve.js';
import { ksStatistic } from '../../metrics/ksStatistic.js';
import type { CurvePoint } from '../../metrics/types.js';
import type { Distribution, KsComparison } from './types.js';

export const QUANTILE_LEVELS = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95] as const;

/** numpy.quantile(values, q) with linear interpolation, on ascending-sorted values. */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = (n - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  const w = pos - lo;
  return (sorted[lo] as number) + w * ((sorted[hi] as number) - (sorted[lo] as number));
}

export function distributionOf(values: ArrayLike<number>): Distribution {
  const finite = Float64Array.from(Array.prototype.filter.call(values, (v: number) => v === v) as number[]).sort();
  const n = finite.length;
  const quantiles: Record<string, number> = {};
  if (n === 0) return { count: 0, median: null, mean: null, min: null, max: null, quantiles };
  for (const q of QUANTILE_LEVELS) quantiles[String(q)] = quantileSorted(finite, q);
  let sum = 0;
  for (const v of finite) sum += v;
  return { count: n, median: quantileSorted(finite, 0.5), mean: sum / n, min: finite[0] as number, max: finite[n - 1] as number, quantiles };
}

export function median(values: ArrayLike<number>): number | null {
  const finite = Float64Array.from(Array.prototype.filter.call(values, (v: number) => v === v) as number[]).sort();
  return finite.length === 0 ? null : quantileSorted(finite, 0.5);
}

/** Chart coordinates keep 6 significant digits (plenty for a chart, a third of the JSON of full doubles). */
export function chartNumber(v: number): number {
  return Number.isFinite(v) && v !== 0 ? Number(v.toPrecision(6)) : v;
}

export function chartCurve(points: CurvePoint[]): CurvePoint[] {
  return points.map((p) => ({ x: chartNumber(p.x), y: chartNumber(p.y) }));
}

/** Right-continuous empirical CDF as chart points (one per distinct value), thinned to at most maxPoints. */
export function ecdfCurve(values: ArrayLike<number>, maxPoints = MAX_CURVE_POINTS): CurvePoint[] {
  const sorted = Float64Array.from(values as ArrayLike<number>).sort();
  const n = sorted.length;
  const points: CurvePoint[] = [];
  for (let i = 0; i < n; i++) {
    if (i + 1 < n && sorted[i + 1] === sorted[i]) continue;
    points.push({ x: sorted[i] as number, y: (i + 1) / n });
  }
  return chartCurve(downsampleCurve(points, maxPoints));
}

/** KS statistic between two score samples (scipy.stats.ks_2samp's D and location) with both ECDF curves. */
export function compareScores(original: Float32Array, attacked: Float32Array, maxPoints = MAX_CURVE_POINTS): KsComparison {
  const curves = maxPoints > 0 ? { original: ecdfCurve(original, maxPoints), adversarial: ecdfCurve(attacked, maxPoints) } : { original: [], adversarial: [] };
  if (original.length === 0 || attacked.length === 0) return { statistic: null, at: null, curves };
  const scores = new Float32Array(original.length + attacked.length);
  scores.set(original, 0);
  scores.set(attacked, original.length);
  const which = new Uint8Array(scores.length);
  which.fill(1, 0, original.length);
  const ks = ksStatistic(which, scores);
  return { statistic: ks ? ks.statistic : null, at: ks ? ks.at : null, curves };
}
