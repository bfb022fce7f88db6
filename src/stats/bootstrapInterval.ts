/**
 * Confidence intervals and one-sided p-values from a bootstrap distribution.
 *
 * Methods (Efron & Tibshirani 1993, ch. 13-14; DiCiccio & Efron 1996), with α = 1 - level, θ̂ the estimate on all
 * rows, q(u) the u-quantile of the replicates (linear interpolation between order statistics):
 *   percentile: [q(α/2), q(1 - α/2)]
 *   basic:      [2θ̂ - q(1 - α/2), 2θ̂ - q(α/2)]
 *   bca:        [q(α₁), q(α₂)],  α_{1,2} = Φ(z₀ + (z₀ + z)/(1 - a (z₀ + z))) for z = Φ⁻¹(α/2), Φ⁻¹(1 - α/2);
 *               z₀ = Φ⁻¹(G(θ̂)) (bias correction), a = acceleration from a jackknife.
 * G(t) = (#{θ* < t} + ½ #{θ* = t}) / B is the bootstrap CDF with ties split (rates take few values).
 *
 * One-sided p-values, by inverting the same interval (so "the whole two-sided level-L interval lies below the
 * limit" ⟺ p_below < (1 - L)/2, up to the interpolation of quantiles). With g = G(limit) clamped to
 * [½/B, 1 - ½/B] (a bootstrap cannot resolve tail probabilities below ~1/B):
 *   p_below (H1: θ < limit):  percentile 1 - g;  basic G(2θ̂ - limit);  bca Φ(z₀ - w/(1 + a w)),  w = Φ⁻¹(g) - z₀
 *   p_above (H1: θ > limit):  percentile g;      basic 1 - G(2θ̂ - limit); bca Φ(w/(1 + a w) - z₀)
 * Beyond the bootstrap's resolution (no replicate at all on the null side of the limit, so the clamped p-value is only
 * an upper bound ½/B) the p-value is refined by the normal approximation of the same distribution, Φ(-|θ̂ - limit| /
 * se), capped at ½/B: so a blatant breach gets a p-value that survives a multiple-testing correction over many checks
 * (Holm multiplies by the family size m, which would otherwise erase every breach once m ≥ 0.05·B; issue #9).
 */
import { normalCdf, normalQuantile } from './normal.js';

export type BootstrapMethod = 'percentile' | 'basic' | 'bca';

/** The finite replicates, sorted ascending. */
export function sortedFinite(replicates: Float64Array): Float64Array {
  let m = 0;
  for (let i = 0; i < replicates.length; i++) if (Number.isFinite(replicates[i])) m++;
  const out = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < replicates.length; i++) if (Number.isFinite(replicates[i])) out[k++] = replicates[i];
  out.sort();
  return out;
}

/** u-quantile of sorted values, linear interpolation between order statistics (numpy's default, type 7). */
export function quantileSorted(sorted: Float64Array, u: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * Math.min(1, Math.max(0, u));
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/** G(t) = (#{x < t} + ½ #{x = t}) / n over sorted values (binary searches). */
export function tieSplitCdf(sorted: Float64Array, t: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const below = lowerBound(sorted, t);
  let upTo = below;
  while (upTo < n && sorted[upTo] === t) upTo++;
  return (below + 0.5 * (upTo - below)) / n;
}

function lowerBound(sorted: Float64Array, t: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** BCa acceleration from jackknife values: a = Σ (m - θᵢ)³ / (6 (Σ (m - θᵢ)²)^{3/2}), m their mean; 0 if degenerate. */
export function accelerationFromJackknife(jackknife: Float64Array): number {
  let m = 0;
  let k = 0;
  for (let i = 0; i < jackknife.length; i++) if (Number.isFinite(jackknife[i])) { m += jackknife[i]; k++; }
  if (k < 3) return 0;
  m /= k;
  let s2 = 0;
  let s3 = 0;
  for (let i = 0; i < jackknife.length; i++) {
    if (!Number.isFinite(jackknife[i])) continue;
    const d = m - jackknife[i];
    s2 += d * d;
    s3 += d * d * d;
  }
  if (!(s2 > 0)) return 0;
  const a = s3 / (6 * Math.pow(s2, 1.5));
  return Number.isFinite(a) ? a : 0;
}

/** Everything needed to turn a bootstrap distribution into intervals and p-values for one statistic. */
export interface BootstrapDistribution {
  estimate: number;
  /** Finite replicates, ascending. */
  sorted: Float64Array;
  /** Replicates that were undefined (NaN). */
  undefinedCount: number;
  /** BCa bias correction z₀ (0 unless computed). */
  z0: number;
  /** BCa acceleration a (0 unless computed). */
  acceleration: number;
  /** Set when the time budget cut the resampling short: what happened, in words. */
  truncated?: string;
}

export function makeDistribution(estimate: number, replicates: Float64Array, jackknife?: Float64Array): BootstrapDistribution {
  const sorted = sortedFinite(replicates);
  let z0 = 0;
  if (sorted.length > 0) {
    const g = clampProbability(tieSplitCdf(sorted, estimate), sorted.length);
    z0 = normalQuantile(g);
  }
  return {
    estimate,
    sorted,
    undefinedCount: replicates.length - sorted.length,
    z0,
    acceleration: jackknife ? accelerationFromJackknife(jackknife) : 0,
  };
}

function clampProbability(g: number, n: number): number {
  const eps = 0.5 / n;
  return Math.min(1 - eps, Math.max(eps, g));
}

/** BCa-adjusted quantile level for a normal quantile z. */
function bcaLevel(d: BootstrapDistribution, z: number): number {
  const u = d.z0 + z;
  const denom = 1 - d.acceleration * u;
  if (!(denom > 0)) return u > 0 ? 1 : 0;
  return normalCdf(d.z0 + u / denom);
}

/** Two-sided interval [low, high] at `level`, or null when there are no finite replicates. */
export function bootstrapBounds(d: BootstrapDistribution, level: number, method: BootstrapMethod): { low: number; high: number } | null {
  if (d.sorted.length === 0) return null;
  const alpha = 1 - level;
  if (method === 'percentile') {
    return { low: quantileSorted(d.sorted, alpha / 2), high: quantileSorted(d.sorted, 1 - alpha / 2) };
  }
  if (method === 'basic') {
    return {
      low: 2 * d.estimate - quantileSorted(d.sorted, 1 - alpha / 2),
      high: 2 * d.estimate - quantileSorted(d.sorted, alpha / 2),
    };
  }
  const lowLevel = bcaLevel(d, normalQuantile(alpha / 2));
  const highLevel = bcaLevel(d, normalQuantile(1 - alpha / 2));
  return { low: quantileSorted(d.sorted, lowLevel), high: quantileSorted(d.sorted, highLevel) };
}

/** w / (1 + a w) with the limits taken when 1 + a w <= 0. */
function accelerated(w: number, a: number): number {
  const denom = 1 + a * w;
  if (!(denom > 1e-12)) return w > 0 ? Infinity : -Infinity;
  return w / denom;
}

/** Replicates at or beyond `limit` on the null side: for H1 θ < limit, those >= limit; for H1 θ > limit, those <= limit. */
function nullSideCount(d: BootstrapDistribution, limit: number, h1: 'below' | 'above'): number {
  const n = d.sorted.length;
  if (h1 === 'below') return n - lowerBound(d.sorted, limit);
  let k = lowerBound(d.sorted, limit);
  while (k < n && d.sorted[k] === limit) k++;
  return k;
}

/** Normal-approximation tail Φ(-|θ̂ - limit| / se) when the estimate is on the H1 side of the limit, else NaN. */
function normalTail(d: BootstrapDistribution, limit: number, h1: 'below' | 'above'): number {
  const onSide = h1 === 'below' ? d.estimate < limit : d.estimate > limit;
  if (!onSide) return Number.NaN;
  const se = bootstrapStandardError(d);
  if (!(se > 0)) return 0;
  return normalCdf(-Math.abs(d.estimate - limit) / se);
}

/** The p-value of a method, refined below the bootstrap's ½/B resolution by the normal approximation (see top). */
function refined(d: BootstrapDistribution, limit: number, h1: 'below' | 'above', p: number, method: BootstrapMethod): number {
  const n = d.sorted.length;
  // the basic interval reflects the replicates around θ̂: its null side is judged at 2θ̂ - limit, the other way round
  const nullSide = method === 'basic' ? nullSideCount(d, 2 * d.estimate - limit, h1 === 'below' ? 'above' : 'below') : nullSideCount(d, limit, h1);
  if (n === 0 || !Number.isFinite(p) || nullSide > 0) return p;
  const tail = normalTail(d, limit, h1);
  return Number.isFinite(tail) ? Math.min(p, tail) : p;
}

/** One-sided p-value for H1: θ < limit (evidence that the true value lies below the limit). */
export function bootstrapPValueBelow(d: BootstrapDistribution, limit: number, method: BootstrapMethod): number {
  return refined(d, limit, 'below', rawPValueBelow(d, limit, method), method);
}

/** One-sided p-value for H1: θ > limit (evidence that the true value lies above the limit). */
export function bootstrapPValueAbove(d: BootstrapDistribution, limit: number, method: BootstrapMethod): number {
  return refined(d, limit, 'above', rawPValueAbove(d, limit, method), method);
}

function rawPValueBelow(d: BootstrapDistribution, limit: number, method: BootstrapMethod): number {
  const n = d.sorted.length;
  if (n === 0) return Number.NaN;
  if (method === 'basic') return clampProbability(tieSplitCdf(d.sorted, 2 * d.estimate - limit), n);
  const g = clampProbability(tieSplitCdf(d.sorted, limit), n);
  if (method === 'percentile') return 1 - g;
  const w = normalQuantile(g) - d.z0;
  return normalCdf(d.z0 - accelerated(w, d.acceleration));
}

function rawPValueAbove(d: BootstrapDistribution, limit: number, method: BootstrapMethod): number {
  const n = d.sorted.length;
  if (n === 0) return Number.NaN;
  if (method === 'basic') return 1 - clampProbability(tieSplitCdf(d.sorted, 2 * d.estimate - limit), n);
  const g = clampProbability(tieSplitCdf(d.sorted, limit), n);
  if (method === 'percentile') return g;
  const w = normalQuantile(g) - d.z0;
  return normalCdf(accelerated(w, d.acceleration) - d.z0);
}

/** Standard deviation of the finite replicates (the bootstrap standard error). */
export function bootstrapStandardError(d: BootstrapDistribution): number {
  const n = d.sorted.length;
  if (n < 2) return 0;
  let m = 0;
  for (let i = 0; i < n; i++) m += d.sorted[i];
  m /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (d.sorted[i] - m) ** 2;
  return Math.sqrt(s / (n - 1));
}
