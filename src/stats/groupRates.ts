/**
 * Intervals for fairness metrics built from group rates (issue #9: intervals that cover on real models). Every
 * label-based fairness metric is an aggregate f (min, max, difference, ratio; between groups or to the overall) of
 * per-group rates that are ratios of the group's confusion counts. What the interval needs is therefore the counts per
 * group × label × decision (4 cells per group: sufficient statistics), not the rows: one resample costs O(groups).
 *
 * 1. Per-group draws (a smoothed bootstrap). The cell probabilities of group g are drawn from Dirichlet(counts + ¼):
 *    the Bayesian bootstrap of the group's rows with a Jeffreys-type prior. Its marginals are the textbook intervals:
 *    a selection rate (2 cells) ~ Beta(k + ½, n − k + ½) — the Jeffreys interval, near-nominal coverage (Brown, Cai &
 *    DasGupta 2001) — and a TPR / FPR ~ Beta(k + ¼, m − k + ¼) on the group's positives / negatives, so resampling is
 *    within group for outcome rates and within group × label for label-conditioned rates, as each needs. Unlike the
 *    row bootstrap, a group that is always (or never) selected still has a non-degenerate draw: 0 of 11 gives
 *    [0.00004, 0.20], never the false certainty [0, 0].
 * 2. Non-smooth aggregates. min / max (and so difference, ratio) over groups whose rates are near-tied are biased: the
 *    minimum of three tied estimates sits ~0.85 standard errors below the common value, and its percentile interval
 *    covers 64–89% (issue #9). The interval corrects for that bias with a moment-selection pivot (Andrews & Soares
 *    2010, in the form used for intersection bounds): with θ̂ the group rates, δ_b = θ*_b − θ̂ the draws' deviations and
 *    θ̃ = θ̂ with every group within κ standard errors of the extreme moved onto it (the least favourable configuration
 *    the data cannot rule out),
 *        T_b = f(θ̃ + δ_b) − f(θ̃)      S_b = f(θ̂ + δ_b) − f(θ̂)      bias = median(T) − median(S)
 *        interval = [f(θ̂) + q_{α/2}(T) − 2·bias,  f(θ̂) + q_{1−α/2}(T) − 2·bias]   (clamped to the metric's range)
 *    With no near-ties θ̃ = θ̂, bias = 0 and this is the percentile interval of f(θ̂ + δ); with k tied groups it is
 *    re-centred on the bias-corrected estimate and keeps the spread of the tied minimum. Coverage is measured in
 *    test/stats/coverage-fairness.test.ts and in the README.
 */
import type { Rng } from '../util/rng.js';

/** Prior pseudo-count per confusion cell (see 1. above). */
export const CELL_PRIOR = 0.25;
/** Groups within KAPPA standard errors of the extreme count as tied with it (moment selection). */
export const KAPPA = 1;

/** A Gamma(shape, 1) draw (Marsaglia & Tsang 2000; shape < 1 by the boost Gamma(a + 1)·U^{1/a}). */
export function gammaDraw(shape: number, rng: Rng): number {
  if (shape < 1) {
    const g = gammaDraw(shape + 1, rng);
    let u = rng.next();
    while (u === 0) u = rng.next();
    return g * Math.pow(u, 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = rng.normal();
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * Draws of every group's 4 cells (tn, fp, fn, tp order, as counts scaled to the group's size) from Dirichlet(counts +
 * prior): out[b][4g + c]. Stops at the deadline (returns the draws done).
 */
export function drawGroupCells(cells: Float64Array, groups: number, resamples: number, rng: Rng, deadline?: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let b = 0; b < resamples; b++) {
    if (deadline !== undefined && (b & 63) === 0 && b > 0 && Date.now() > deadline) break;
    const draw = new Float64Array(4 * groups);
    for (let g = 0; g < groups; g++) {
      const n = cells[4 * g] + cells[4 * g + 1] + cells[4 * g + 2] + cells[4 * g + 3];
      if (n === 0) continue;
      let sum = 0;
      for (let c = 0; c < 4; c++) {
        const x = gammaDraw(cells[4 * g + c] + CELL_PRIOR, rng);
        draw[4 * g + c] = x;
        sum += x;
      }
      for (let c = 0; c < 4; c++) draw[4 * g + c] = (draw[4 * g + c] / sum) * n;
    }
    out.push(draw);
  }
  return out;
}

/** Median of a copy. */
function median(xs: Float64Array): number {
  const s = Float64Array.from(xs).sort();
  const n = s.length;
  if (n === 0) return Number.NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Standard deviation of the finite values. */
function sd(xs: Float64Array): number {
  let m = 0;
  let k = 0;
  for (const x of xs) if (Number.isFinite(x)) { m += x; k++; }
  if (k < 2) return 0;
  m /= k;
  let s = 0;
  for (const x of xs) if (Number.isFinite(x)) s += (x - m) ** 2;
  return Math.sqrt(s / (k - 1));
}

/**
 * The least favourable configuration: per base (a block of `groups` values), every group within κ·se of the block's
 * minimum is moved onto the minimum, and every group within κ·se of the maximum onto the maximum (a group near both,
 * in an all-tied block, goes to their midpoint: the block is treated as tied). se of a pair = √(se_g² + se_h²).
 */
export function leastFavourable(theta: Float64Array, se: Float64Array, groups: number, kappa = KAPPA): Float64Array {
  const out = Float64Array.from(theta);
  for (let start = 0; start < theta.length; start += groups) {
    let lo = start;
    let hi = start;
    for (let g = start; g < start + groups; g++) {
      if (!Number.isFinite(theta[g])) continue;
      if (!Number.isFinite(theta[lo]) || theta[g] < theta[lo]) lo = g;
      if (!Number.isFinite(theta[hi]) || theta[g] > theta[hi]) hi = g;
    }
    for (let g = start; g < start + groups; g++) {
      if (!Number.isFinite(theta[g])) continue;
      const nearLo = theta[g] - theta[lo] <= kappa * Math.hypot(se[g], se[lo]);
      const nearHi = theta[hi] - theta[g] <= kappa * Math.hypot(se[g], se[hi]);
      if (nearLo && nearHi) out[g] = (theta[lo] + theta[hi]) / 2;
      else if (nearLo) out[g] = theta[lo];
      else if (nearHi) out[g] = theta[hi];
    }
  }
  return out;
}

export interface PivotInterval {
  /** Replicates placed so that their percentiles are the interval: f(θ̂) + T_b − 2·bias (for p-values, charts). */
  replicates: Float64Array;
  /** The bias correction applied (0 when no group is near-tied with an extreme). */
  bias: number;
  /** Number of draws that were used (fewer than asked when the deadline cut them). */
  draws: number;
}

/**
 * The moment-selection pivot of 2. above. theta: per-(base, group) point rates (NaN = not part of the aggregate);
 * drawsOf(b, out): fills out with the rates of draw b; f: the aggregate of a rate vector (null when undefined).
 */
export function pivotReplicates(
  theta: Float64Array,
  draws: number,
  drawsOf: (b: number, out: Float64Array) => void,
  f: (rates: Float64Array) => number | null,
  groups: number,
): PivotInterval {
  const m = theta.length;
  const dev: Float64Array[] = [];
  const cur = new Float64Array(m);
  const perRate = Array.from({ length: m }, () => new Float64Array(draws));
  for (let b = 0; b < draws; b++) {
    drawsOf(b, cur);
    const d = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      d[j] = cur[j] - theta[j];
      perRate[j][b] = cur[j];
    }
    dev.push(d);
  }
  const se = Float64Array.from(perRate, (xs) => sd(xs));
  const tilde = leastFavourable(theta, se, groups);
  const fHat = f(theta);
  const fTilde = f(tilde);
  const T = new Float64Array(draws);
  const S = new Float64Array(draws);
  const shifted = new Float64Array(m);
  for (let b = 0; b < draws; b++) {
    for (let j = 0; j < m; j++) shifted[j] = tilde[j] + dev[b][j];
    const t = f(shifted);
    for (let j = 0; j < m; j++) shifted[j] = theta[j] + dev[b][j];
    const s = f(shifted);
    T[b] = t === null || fTilde === null ? Number.NaN : t - fTilde;
    S[b] = s === null || fHat === null ? Number.NaN : s - fHat;
  }
  const finiteT = T.filter((x) => Number.isFinite(x));
  const finiteS = S.filter((x) => Number.isFinite(x));
  const bias = finiteT.length && finiteS.length ? median(finiteT) - median(finiteS) : 0;
  const replicates = new Float64Array(draws);
  for (let b = 0; b < draws; b++) replicates[b] = fHat === null ? Number.NaN : fHat + T[b] - 2 * bias;
  return { replicates, bias: Number.isFinite(bias) ? bias : 0, draws };
}
