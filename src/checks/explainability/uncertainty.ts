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
 * KernelSHAP's values are linear in the background's weights (v(S) = Σ_b w_b f(x_S, b), and the regression is linear
 * in v), so with its values against each background row alone (`background`), a resample on the reported background
 * also draws K background rows by weight and uses φ*(x) = Σ_b w*_b φ_b(x): the background's variation at no model call.
 * (TreeSHAP is re-drawn instead: a tree pass costs about what the per-row, per-background values would.)
 *
 * Ranges at the policy's level L (α = 1 - L):
 *   ranks and counts (integers): [Q(α/2), Q(1 - α/2)] with Q the inverted empirical CDF (numpy.quantile(...,
 *     method='inverted_cdf')), so both ends are ranks some resample actually gave;
 *   shares and Spearman: linear interpolation between order statistics (numpy's default).
 * Every range is widened, if needed, to contain the reported (point) value, so that "the whole range is on one side of
 * the limit" implies the point is on that side too.
 */
import type { Rng } from '../../util/rng.js';
import { spearman } from './rank.js';

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
  /**
   * draws[0]'s values against each of its K background rows alone ([rows x K x players]; Σ_b weights[b] of them is
   * draws[0]): then every resample on draws[0] also resamples the background rows (K draws by weight), the values being
   * linear in the background's weights (KernelSHAP, issue #9) — the background's variation without scoring again.
   */
  background?: { values: Float64Array; weights: Float64Array; rows: number };
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

/** Order of the names (ascending), for the ties of rankInto. */
function nameOrder(names: readonly string[]): Int32Array {
  const idx = Array.from({ length: names.length }, (_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
  const out = new Int32Array(names.length);
  idx.forEach((p, k) => (out[p] = k));
  return out;
}

/**
 * ranks[offset + p] = rank of player p (1 = largest value; ties by name, NaN last), the order rankDescending gives, by
 * insertion sort into `order` (few players: no comparator calls, no allocation).
 */
function rankInto(values: Float64Array, byName: Int32Array, order: Int32Array, ranks: Int32Array, offset: number): void {
  const P = values.length;
  const key = (p: number): number => (Number.isNaN(values[p]) ? -Infinity : values[p]);
  for (let p = 0; p < P; p++) {
    const kp = key(p);
    let j = p - 1;
    while (j >= 0) {
      const q = order[j];
      const kq = key(q);
      if (kq > kp || (kq === kp && byName[q] < byName[p])) break;
      order[j + 1] = q;
      j--;
    }
    order[j + 1] = p;
  }
  for (let k = 0; k < P; k++) ranks[offset + order[k]] = k + 1;
}

/** Σ over the resampled rows idx of |values| per player, into out. */
function sumRows(abs: Float64Array, idx: Int32Array, P: number, out: Float64Array): void {
  out.fill(0);
  for (let k = 0; k < idx.length; k++) {
    const base = idx[k] * P;
    for (let p = 0; p < P; p++) out[p] += abs[base + p];
  }
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
  const seeds = stability === 'seeds' && D >= 2;
  const byName = nameOrder(names);
  const order = new Int32Array(P);
  const idx = new Int32Array(n);
  const mean = new Float64Array(P);
  const even = new Float64Array(P);
  const odd = new Float64Array(P);
  const first = new Float64Array(P);
  const second = new Float64Array(P);
  const bg = input.background && input.background.rows > 0 ? input.background : undefined;
  const bgCumulative = new Float64Array(bg ? bg.rows : 0);
  if (bg) {
    let c = 0;
    for (let j = 0; j < bg.rows; j++) bgCumulative[j] = c += bg.weights[j];
    for (let j = 0; j < bg.rows; j++) bgCumulative[j] /= c;
  }
  const bgWeights = new Float64Array(bg ? bg.rows : 0);
  const bgUsed = new Int32Array(bg ? bg.rows : 0);
  const phi = new Float64Array(P);
  let done = 0;
  for (let b = 0; b < B; b++) {
    if (input.deadline !== undefined && (b & 63) === 0 && Date.now() > input.deadline) break;
    for (let k = 0; k < n; k++) idx[k] = input.rng.int(n);
    // Sums, not means: ranks, shares and rank correlations do not depend on the scale.
    const abs = draws[b % D];
    even.fill(0);
    odd.fill(0);
    if (bg && b % D === 0) {
      // resampled background weights: K draws by weight, each counting 1/K
      bgWeights.fill(0);
      for (let k = 0; k < bg.rows; k++) bgWeights[pickByWeight(bgCumulative, input.rng.next())] += 1 / bg.rows;
      let used = 0;
      for (let j = 0; j < bg.rows; j++) if (bgWeights[j] > 0) bgUsed[used++] = j;
      const K = bg.rows;
      for (let k = 0; k < n; k++) {
        const target = (k & 1) === 0 ? even : odd;
        phi.fill(0);
        for (let u = 0; u < used; u++) {
          const j = bgUsed[u];
          const wj = bgWeights[j];
          const base = (idx[k] * K + j) * P;
          for (let p = 0; p < P; p++) phi[p] += wj * bg.values[base + p];
        }
        for (let p = 0; p < P; p++) target[p] += Math.abs(phi[p]);
      }
    } else {
      for (let k = 0; k < n; k++) {
        const base = idx[k] * P;
        const target = (k & 1) === 0 ? even : odd;
        for (let p = 0; p < P; p++) target[p] += abs[base + p];
      }
    }
    let total = 0;
    for (let p = 0; p < P; p++) {
      mean[p] = even[p] + odd[p];
      total += mean[p];
    }
    rankInto(mean, byName, order, ranks, b * P);
    for (let p = 0; p < P; p++) shares[b * P + p] = total > 0 ? mean[p] / total : 0;
    if (stab && stability === 'halves' && n >= 2) {
      // the even and odd positions of the resample, as the point statistic splits the explained rows
      stab[b] = spearman(even, odd) ?? Number.NaN;
    } else if (stab && seeds) {
      // the same resampled rows under the reported background and the second one
      sumRows(draws[0], idx, P, first);
      sumRows(draws[1], idx, P, second);
      stab[b] = spearman(first, second) ?? Number.NaN;
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

/** The index j with cumulative[j - 1] <= u < cumulative[j] (cumulative ascending, ending at 1). */
function pickByWeight(cumulative: Float64Array, u: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (u < cumulative[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
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
