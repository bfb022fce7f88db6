/**
 * Random noise: each attacked row (times `repeats`) gets one Gaussian direction z ~ N(0, I) over the mutable numeric
 * features, applied at every strength s as x = x0 + s·scale·z (scale = the feature's std in 'std' units), then
 * projected (bounds, integers rounded to nearest, direction, immutables). The same direction at every strength
 * (common random numbers) makes the flip rate grow with s and gives each flipped row the smallest strength that
 * flipped it. Every strength and repeat of every row is scored in one model call (chunks of rows past MAX_STEP_ROWS).
 */
import type { Rng } from '../../../util/rng.js';
import { decide, type Oracle } from '../oracle.js';
import { emptyOutcome, offerExample, type AttackInstances, type AttackOutcome } from '../outcome.js';
import { placeCandidate } from '../norms.js';
import { allocCandidates, type Candidates } from '../project.js';
import { MAX_STEP_ROWS } from './common.js';
import type { AttackSpace } from '../space.js';

export interface NoiseOptions {
  strengths: number[];
  repeats: number;
  /** Most candidates per model call (default MAX_STEP_ROWS). */
  maxStepRows?: number;
}

export async function noiseAttack(space: AttackSpace, oracle: Oracle, inst: AttackInstances, opts: NoiseOptions, rng: Rng): Promise<AttackOutcome> {
  const out = emptyOutcome(
    space,
    { key: 'noise', kind: 'noise', title: 'Random noise (Gaussian, per-feature scale)', measure: 'strength', units: space.units },
    inst,
    opts.strengths,
  );
  out.parameters = { repeats: opts.repeats, distribution: 'gaussian' };
  const M = space.mutableNumeric.length;
  const n = inst.rows.length;
  const nb = opts.strengths.length;
  if (M === 0) {
    out.notes.push('no mutable numeric feature: noise has nothing to change');
    return out;
  }
  const z = new Float64Array(n * M);
  fillDraws(rng, z);
  const count = n * nb;
  if (!oracle.canAfford(count)) {
    out.stopped = oracle.stopped();
    out.notes.push(`${count} noisy rows exceed the query budget: lower rows, strengths or repeats`);
    return out;
  }
  // rows in chunks (bounded memory); within a chunk, the strengths of one row are consecutive candidates
  const u = new Float64Array(M);
  const chunk = Math.max(1, Math.floor((opts.maxStepRows ?? MAX_STEP_ROWS) / nb));
  for (let from = 0; from < n; from += chunk) {
    const to = Math.min(n, from + chunk);
    const cands = allocCandidates(space, (to - from) * nb);
    placeNoisy(space, inst, z, opts.strengths, from, to, u, cands);
    const scores = await oracle.score(cands);
    recordNoisy(space, inst, out, opts.strengths, from, to, cands, scores, oracle.threshold);
  }
  out.queries = oracle.queries;
  out.calls = oracle.calls;
  return out;
}

/** Standard normal draws (Rng.normal, in order) into z. Loops live in plain functions: optimized as a whole. */
function fillDraws(rng: Rng, z: Float64Array): void {
  for (let i = 0; i < z.length; i++) z[i] = rng.normal();
}

/** Candidate (i − from)·nb + b: row i moved by strength b along its direction z_i (projected, integers to nearest). */
function placeNoisy(space: AttackSpace, inst: AttackInstances, z: Float64Array, strengths: number[], from: number, to: number, u: Float64Array, cands: Candidates): void {
  const M = space.mutableNumeric.length;
  const nb = strengths.length;
  for (let i = from; i < to; i++) {
    for (let b = 0; b < nb; b++) {
      const s = strengths[b] as number;
      for (let m = 0; m < M; m++) u[m] = s * (z[i * M + m] as number);
      placeCandidate(space, cands, (i - from) * nb + b, inst.rows[i] as number, u, 0, 'nearest');
    }
  }
}

/** The noisy rows' scores: attacked score and flip per strength, the smallest flipping strength's example per row. */
function recordNoisy(
  space: AttackSpace,
  inst: AttackInstances,
  out: AttackOutcome,
  strengths: number[],
  from: number,
  to: number,
  cands: Candidates,
  scores: Float32Array,
  threshold: number,
): void {
  const n = inst.rows.length;
  const nb = strengths.length;
  for (let i = from; i < to; i++) {
    for (let b = 0; b < nb; b++) {
      const k = (i - from) * nb + b;
      const score = scores[k] as number;
      out.attackedScore[b * n + i] = score;
      if (decide(score, threshold) === inst.d0[i]) continue;
      out.flipped[b * n + i] = 1;
      if (inst.correct[i]) offerExample(space, out, i, cands, k, strengths[b] as number, score);
    }
  }
}
