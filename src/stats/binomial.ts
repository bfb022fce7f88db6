/**
 * Confidence intervals and one-sided tests for a binomial proportion (a rate such as accuracy, a TPR, a selection
 * rate): x successes out of n independent trials.
 */
import { inverseRegularizedBeta, regularizedBeta } from './special.js';
import { normalCdf, normalQuantile } from './normal.js';

export interface Bounds {
  low: number;
  high: number;
}

function checkCounts(successes: number, trials: number): void {
  if (!(Number.isInteger(successes) && Number.isInteger(trials) && trials > 0 && successes >= 0 && successes <= trials)) {
    throw new RangeError(`binomial interval needs integers 0 <= successes <= trials, trials > 0; got ${successes}/${trials}`);
  }
}

/**
 * Wilson score interval (Wilson 1927): the set of p whose score test does not reject at level 1 - level, two-sided.
 *   centre = (p̂ + z²/2n) / (1 + z²/n),  half-width = z √(p̂(1-p̂)/n + z²/4n²) / (1 + z²/n),  z = Φ⁻¹((1 + level)/2).
 * Good coverage even for small n and p near 0 or 1 (Brown, Cai & DasGupta 2001); never leaves [0, 1].
 */
export function wilsonInterval(successes: number, trials: number, level: number): Bounds {
  checkCounts(successes, trials);
  const z = normalQuantile(0.5 + level / 2);
  const n = trials;
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return {
    low: successes === 0 ? 0 : Math.max(0, centre - half),
    high: successes === n ? 1 : Math.min(1, centre + half),
  };
}

/**
 * Clopper-Pearson ("exact") interval: the beta quantiles
 *   low = B⁻¹(α/2; x, n - x + 1) (0 when x = 0),  high = B⁻¹(1 - α/2; x + 1, n - x) (1 when x = n),  α = 1 - level.
 * Guaranteed coverage >= level for every p (conservative).
 */
export function clopperPearsonInterval(successes: number, trials: number, level: number): Bounds {
  checkCounts(successes, trials);
  const alpha = 1 - level;
  const x = successes;
  const n = trials;
  return {
    low: x === 0 ? 0 : inverseRegularizedBeta(alpha / 2, x, n - x + 1),
    high: x === n ? 1 : inverseRegularizedBeta(1 - alpha / 2, x + 1, n - x),
  };
}

/** P(X <= x) for X ~ Binomial(n, p) (through I_{1-p}(n - x, x + 1)). */
export function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (x >= n) return 1;
  if (p <= 0) return 1;
  if (p >= 1) return 0;
  return regularizedBeta(1 - p, n - x, x + 1);
}

/**
 * One-sided p-value of "the true rate is below `limit`" being false, i.e. evidence that the rate is below it:
 * H0: p >= limit against H1: p < limit. `exact` uses the binomial tail P(X <= x | limit) (the test that Clopper-Pearson
 * inverts); otherwise the score test Φ((p̂ - limit) / √(limit(1-limit)/n)) that Wilson's interval inverts.
 */
export function binomialPValueBelow(successes: number, trials: number, limit: number, exact: boolean): number {
  checkCounts(successes, trials);
  if (limit <= 0) return 1;
  if (limit >= 1) return successes === trials ? 1 : exact ? binomialCdf(successes, trials, 1) : 0;
  if (exact) return binomialCdf(successes, trials, limit);
  const se = Math.sqrt((limit * (1 - limit)) / trials);
  return normalCdf((successes / trials - limit) / se);
}

/** One-sided p-value for H0: p <= limit against H1: p > limit (evidence that the rate is above `limit`). */
export function binomialPValueAbove(successes: number, trials: number, limit: number, exact: boolean): number {
  // X > limit-rate <=> (n - X) below 1 - limit
  return binomialPValueBelow(trials - successes, trials, 1 - limit, exact);
}
