/**
 * Seeded stratified bootstrap engine. Each resample draws, within every stratum, as many row indices as the stratum
 * holds, uniformly with replacement; all statistics of a run are evaluated on the same resample (so differences between
 * two models are paired). Replicates are kept as Float64Array, NaN where a statistic was undefined on a resample.
 * Cost: one uniform draw per row per resample plus the statistics; the index buffer and the per-row weight buffer are
 * reused across resamples (no allocation in the loop).
 */
import type { Rng } from '../util/rng.js';
import { layoutStrata, type StrataLayout } from './strata.js';

/** One resample (or one jackknife deletion), as row indices with repeats and, on demand, a count per row. */
export interface Resample {
  /** Row indices in this sample (repeats allowed). Valid only during the statistic call. */
  readonly rows: Uint32Array;
  /** weights()[i] = how many times row i is in the sample. Computed once per sample, shared by its statistics. */
  weights(): Uint32Array;
}

/** A statistic evaluated on a sample: null (or NaN) when undefined on it. */
export type SampleStatistic = (sample: Resample) => number | null;

/** A statistic written against row indices only (the CheckInput.estimate.recompute contract). */
export function fromRows(recompute: (rows: Uint32Array) => number | null): SampleStatistic {
  return (sample) => recompute(sample.rows);
}

class ReusableSample implements Resample {
  rows: Uint32Array;
  private readonly counts: Uint32Array;
  private fresh = false;
  constructor(rows: Uint32Array, totalRows: number) {
    this.rows = rows;
    this.counts = new Uint32Array(totalRows);
  }
  reset(rows: Uint32Array): void {
    this.rows = rows;
    this.fresh = false;
  }
  weights(): Uint32Array {
    if (!this.fresh) {
      const c = this.counts;
      c.fill(0);
      const r = this.rows;
      for (let i = 0; i < r.length; i++) c[r[i]]++;
      this.fresh = true;
    }
    return this.counts;
  }
}

function toNumber(v: number | null): number {
  return v === null || !Number.isFinite(v) ? Number.NaN : v;
}

/** Strata up to this size take two indices from one 53-bit uniform draw (see drawStratifiedResample). */
const PAIRED_DRAW_LIMIT = 1 << 16;

/**
 * Draws one stratified resample of `layout` into `out` (length = layout.rows). For a stratum of size m <= 2^16 one
 * uniform u in [0, 1) (53 random bits) gives two indices: i = floor(u m) and j = floor(frac(u m) m); frac(u m) keeps
 * at least 37 random bits, so every j is equally likely to within a relative 2^-21. This halves the generator calls,
 * the cost that dominates a bootstrap of cheap statistics. Larger strata use one draw per index.
 */
export function drawStratifiedResample(layout: StrataLayout, rng: Rng, out: Uint32Array): void {
  const { members, offsets, count } = layout;
  let pos = 0;
  for (let s = 0; s < count; s++) {
    const start = offsets[s];
    const size = offsets[s + 1] - start;
    if (size <= PAIRED_DRAW_LIMIT) {
      let k = 0;
      for (; k + 1 < size; k += 2) {
        const x = rng.next() * size;
        const i = Math.floor(x);
        out[pos++] = members[start + i];
        out[pos++] = members[start + Math.floor((x - i) * size)];
      }
      if (k < size) out[pos++] = members[start + Math.floor(rng.next() * size)];
    } else {
      for (let k = 0; k < size; k++) out[pos++] = members[start + Math.floor(rng.next() * size)];
    }
  }
}

export interface BootstrapRun {
  /** replicates[j][b] = statistic j on resample b (NaN when undefined); only the resamples done (see `resamples`). */
  replicates: Float64Array[];
  /** Resamples done: fewer than asked when the deadline stopped the loop. */
  resamples: number;
  /** Resamples asked for. */
  requested: number;
  layout: StrataLayout;
}

/**
 * Evaluates every statistic on `resamples` stratified resamples of the rows (strata[i] = stratum code of row i).
 * Deterministic for a given rng state.
 */
export function stratifiedBootstrap(
  strata: Int32Array,
  statistics: SampleStatistic[],
  resamples: number,
  rng: Rng,
  deadline?: number,
): BootstrapRun {
  const layout = layoutStrata(strata);
  const replicates = statistics.map(() => new Float64Array(resamples));
  const rows = new Uint32Array(layout.rows);
  const sample = new ReusableSample(rows, layout.rows);
  let done = 0;
  for (let b = 0; b < resamples; b++) {
    // the run's time budget bounds every loop: checked every 8 resamples (a resample is O(rows))
    if (deadline !== undefined && (b & 7) === 0 && b > 0 && Date.now() > deadline) break;
    drawStratifiedResample(layout, rng, rows);
    sample.reset(rows);
    for (let j = 0; j < statistics.length; j++) replicates[j][b] = toNumber(statistics[j](sample));
    done = b + 1;
  }
  const kept = done === resamples ? replicates : replicates.map((r) => r.slice(0, done));
  return { replicates: kept, resamples: done, requested: resamples, layout };
}

/**
 * Grouped (delete-a-block) jackknife: the rows are split into `blocks` blocks of nearly equal size, each stratum spread
 * over the blocks in turn (so every block keeps the strata proportions), and each statistic is evaluated with one block
 * left out. With one row per block this is the ordinary jackknife. Used for the BCa acceleration: the skewness of the
 * block influences estimates the skewness of the row influences (sums of independent zero-mean terms keep their third
 * moment sum), so a = Σ d³ / (6 (Σ d²)^{3/2}) is consistent with far fewer evaluations than one per row.
 */
export function groupedJackknife(layout: StrataLayout, statistics: SampleStatistic[], blocks: number): Float64Array[] {
  const n = layout.rows;
  const g = Math.max(1, Math.min(blocks, n));
  const blockOf = new Uint32Array(n);
  // deal the rows of each stratum over the blocks in turn, continuing where the previous stratum stopped
  let next = 0;
  for (let i = 0; i < n; i++) {
    blockOf[layout.members[i]] = next;
    next = next + 1 === g ? 0 : next + 1;
  }
  const sizes = new Uint32Array(g);
  for (let i = 0; i < n; i++) sizes[blockOf[i]]++;
  const out = statistics.map(() => new Float64Array(g));
  const sample = new ReusableSample(new Uint32Array(0), n);
  for (let b = 0; b < g; b++) {
    const rows = new Uint32Array(n - sizes[b]);
    let pos = 0;
    for (let i = 0; i < n; i++) if (blockOf[i] !== b) rows[pos++] = i;
    sample.reset(rows);
    for (let j = 0; j < statistics.length; j++) out[j][b] = toNumber(statistics[j](sample));
  }
  return out;
}
