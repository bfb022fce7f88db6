/** The standard normal distribution: CDF, density and quantile, to about 1e-15. */
import { erfc } from './special.js';

const SQRT2 = Math.SQRT2;
const INV_SQRT_2PI = 0.3989422804014327;

/** φ(x), the standard normal density. */
export function normalDensity(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** Φ(x) = P(Z <= x), accurate in both tails (no 1 - Φ cancellation). */
export function normalCdf(x: number): number {
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return 0.5 * erfc(-x / SQRT2);
}

/**
 * Φ⁻¹(p): Abramowitz & Stegun 26.2.23 as the starting point (error < 4.5e-4), then Halley steps on Φ (computed on the
 * smaller tail, so the relative accuracy holds far into the tails). ±Infinity at p = 0 / 1.
 */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`normalQuantile needs p in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  const lower = p < 0.5;
  const q = lower ? p : 1 - p; // tail probability, < 0.5
  const t = Math.sqrt(-2 * Math.log(q));
  // x > 0 solves P(Z > x) = q
  let x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  for (let i = 0; i < 6; i++) {
    const f = normalCdf(-x) - q; // decreasing in x
    const d = normalDensity(x);
    if (d === 0) break;
    // Newton on g(x) = Φ(-x) - q: g' = -φ(x), g'' = x φ(x); Halley step
    const newton = f / d;
    const step = newton / (1 - 0.5 * newton * x);
    x += step;
    if (Math.abs(step) < 1e-16 * Math.max(1, Math.abs(x))) break;
  }
  return lower ? -x : x;
}
