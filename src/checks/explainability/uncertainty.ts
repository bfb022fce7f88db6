/**
 * Uncertainty of the global importance (issue #9 item 8): how far the ranking, the shares and the gates built on them
 * could move had other rows been explained or another background been drawn.
 *
 * The attributions are computed once per background draw (the policy's background plus `background.redraws` re-drawn
 * ones, every draw explaining the same rows). Then B = statistics.resamples seeded bootstrap resamples: resample b uses
 * background draw b mod D and n rows drawn with replacement from the n explained rows, and recomputes from the per-row
 * values already computed (no model call): mean |SHAP| per feature, its share of the total, every feature's rank (ties
 * by name, as the point ranking), and the stability statistic (Spearman between the resample's even and odd positions,
 * or between the two backgrounds of the 'seeds' method on the same resampled rows).
 *
 * Ranges at the policy's level L (α = 1 - L):
 *   ranks and counts (integers): [Q(α/2), Q(1 - α/2)] with Q the inverted empirical CDF (numpy.quantile(...,
 *     method='inverted_cdf')), so both ends are ranks some resample actually gave;
 *   shares and Spearman: linear interpolation between order statistics (numpy's default).
 * Every range is widened, if needed, to contain the reported (point) value, so that "the whole range is on one side of
 * the limit" implies the point is on that side too.
 */
import type { Rng } from '../../util/rng.js';
import { rankDescending, spearman } from './rank.js';

export interface ResampleInput {
  /** Per-row values of each background draw, [rows x players] row-major; draws[0] is the reported run. */
  draws: Float64Array[];
  /** Explained rows (the first `rows` rows of every draw). */
  rows: number;
  names: readonly string[];
  resamples: number;
  rng: Rng;
  /** 'halves': Spearman between even/odd positions of each resample; 'seeds': between draws[0] and draws[1]. */
  stability: 'halves' | 'seeds' | null;
  /** Epoch ms after which no new resample starts. */
  deadline?: number;
}

export interface ImportanceResamples {
  /** Resamples done (fewer than asked only when the deadline stopped them). */
  resamples: number;
  draws: number;
  players: number;
  /** [resamples x players]: rank (1 = most important) of player p in resample b. */
  ranks: Int32Array;
  /** [resamples x players]: share of the total mean |SHAP|. */
  shares: Float64Array;
  /** [resamples]: the stability statistic (NaN when undefined), or null when no stability gate asks for it. */
  stability: Float64Array | null;
}

function absolute(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Math.abs(values[i]);
  return out;
}

function weightedMeans(abs: Float64Array, counts: Float64Array, rows: number, players: number, total: number, out: Float64Array): void {
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    const c = counts[i];
    if (c === 0) continue;
    const base = i * players;
    for (let p = 0; p < players; p++) out[p] += c * abs[base + p];
  }
  if (total > 0) for (let p = 0; p < players; p++) out[p] /= total;
}

/** The bootstrap distributions of ranks, shares and stability. */
export function resampleImportance(input: ResampleInput): ImportanceResamples {
  const { rows: n, names, stability } = input;
  const P = names.length;
  const draws = input.draws.map(absolute);
  const D = draws.length;
  const B = n > 0 && D > 0 ? input.resamples : 0;
  const ranks = new Int32Array(B * P);
  const shares = new Float64Array(B * P);
  const stab = stability ? new Float64Array(B).fill(Number.NaN) : null;
  const counts = new Float64Array(n);
  const even = new Float64Array(n);
  const odd = new Float64Array(n);
  const mean = new Float64Array(P);
  const meanA = new Float64Array(P);
  const meanB = new Float64Array(P);
  let done = 0;
  for (let b = 0; b < B; b++) {
    if (input.deadline !== undefined && (b & 63) === 0 && Date.now() > input.deadline) break;
    const abs = draws[b % D];
    counts.fill(0);
    if (stability === 'halves') {
      even.fill(0);
      odd.fill(0);
    }
    for (let k = 0; k < n; k++) {
      const i = input.rng.int(n);
      counts[i]++;
      if (stability === 'halves') (k % 2 === 0 ? even : odd)[i]++;
    }
    weightedMeans(abs, counts, n, P, n, mean);
    let total = 0;
    for (let p = 0; p < P; p++) total += mean[p];
    const order = rankDescending(mean, names);
    for (let k = 0; k < P; k++) ranks[b * P + order[k]] = k + 1;
    for (let p = 0; p < P; p++) shares[b * P + p] = total > 0 ? mean[p] / total : 0;
    if (stab && stability === 'halves' && n >= 2) {
      weightedMeans(abs, even, n, P, Math.ceil(n / 2), meanA);
      weightedMeans(abs, odd, n, P, Math.floor(n / 2), meanB);
      stab[b] = spearman(meanA, meanB) ?? Number.NaN;
    } else if (stab && stability === 'seeds' && D >= 2) {
      weightedMeans(draws[0], counts, n, P, n, meanA);
      weightedMeans(draws[1], counts, n, P, n, meanB);
      stab[b] = spearman(meanA, meanB) ?? Number.NaN;
    }
    done++;
  }
  return {
    resamples: done,
    draws: D,
    players: P,
    ranks: done === B ? ranks : ranks.slice(0, done * P),
    shares: done === B ? shares : shares.slice(0, done * P),
    stability: stab ? (done === B ? stab : stab.slice(0, done)) : null,
  };
}

/** Player p's column of a [resamples x players] matrix. */
export function columnOf(matrix: ArrayLike<number>, resamples: number, players: number, p: number): Float64Array {
  const out = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) out[b] = matrix[b * players + p];
  return out;
}

export interface Range {
  low: number;
  high: number;
}

function finiteSorted(values: ArrayLike<number>): Float64Array {
  const out = Float64Array.from(Array.from(values).filter((v) => Number.isFinite(v)));
  return out.sort();
}

function widen(r: Range, point: number | null): Range {
  if (point === null || !Number.isFinite(point)) return r;
  return { low: Math.min(r.low, point), high: Math.max(r.high, point) };
}

/**
 * The central `level` range of integer values (ranks, counts): inverted empirical CDF at α/2 and 1 - α/2, widened to
 * contain the point. null when there is no finite value.
 */
export function integerRange(values: ArrayLike<number>, level: number, point: number | null): Range | null {
  const s = finiteSorted(values);
  const m = s.length;
  if (m === 0) return null;
  const a = (1 - level) / 2;
  // numpy inverted_cdf: the smallest x with F(x) >= q, i.e. the order statistic ceil(q m) (1-based).
  const at = (q: number): number => s[Math.min(m - 1, Math.max(0, Math.ceil(q * m - 1e-9) - 1))];
  return widen({ low: at(a), high: at(1 - a) }, point);
}

/** The central `level` range of continuous values: linear interpolation between order statistics, widened to the point. */
export function continuousRange(values: ArrayLike<number>, level: number, point: number | null): Range | null {
  const s = finiteSorted(values);
  const m = s.length;
  if (m === 0) return null;
  const a = (1 - level) / 2;
  const q = (u: number): number => {
    const h = (m - 1) * u;
    const lo = Math.floor(h);
    const hi = Math.min(m - 1, lo + 1);
    return s[lo] + (h - lo) * (s[hi] - s[lo]);
  };
  return widen({ low: q(a), high: q(1 - a) }, point);
}

/**
 * Does a range reach both the passing and the failing side of a limit? For `min` a value v passes when v >= limit, for
 * `max` when v <= limit; the range [low, high] holds values on both sides exactly when it crosses the boundary.
 */
export function rangeCrosses(kind: 'min' | 'max', limit: number, r: Range): boolean {
  return kind === 'min' ? r.low < limit && r.high >= limit : r.low <= limit && r.high > limit;
}
