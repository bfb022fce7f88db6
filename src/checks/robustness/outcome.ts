/**
 * What an attack hands to the summary: per attacked instance (a sampled row, or a (row, repeat) pair for noise) and
 * per budget, whether the decision flipped and the score of the attacked version, and per instance the smallest
 * adversarial example found (kept as a valid candidate, so tests can check every one against the constraints).
 */
import { allocCandidates, type Candidates } from './project.js';
import type { AttackSpace } from './space.js';
import type { AttackKind, PerturbationMeasure, StopReason } from './types.js';

export interface AttackInstances {
  /** Dataset row of each instance. */
  rows: Uint32Array;
  /** Original decision, truth-match and score per instance. */
  d0: Uint8Array;
  correct: Uint8Array;
  s0: Float32Array;
}

export interface AttackOutcome {
  key: string;
  kind: AttackKind;
  title: string;
  measure: PerturbationMeasure;
  units: string;
  instances: AttackInstances;
  /** Ascending. */
  budgets: number[];
  /** budgets × instances: the decision of the attacked version differs from the original one. */
  flipped: Uint8Array;
  /** budgets × instances: score of the attacked version (the original score where the attack did nothing). */
  attackedScore: Float32Array;
  /** Per instance: size of the smallest adversarial example found (NaN when none). */
  minPerturbation: Float64Array;
  /** Per instance: that example (valid candidate; meaningless where minPerturbation is NaN). */
  examples: Candidates;
  /** Per instance: the example's score. */
  exampleScore: Float32Array;
  queries: number;
  calls: number;
  stopped: StopReason | null;
  notes: string[];
  parameters: Record<string, number | string | boolean>;
  /** Decision attack: per instance, 1 when no starting point flipped the decision (neither flipped nor shown robust). */
  noStart?: Uint8Array;
}

export function instancesOf(rows: Uint32Array, yTrue: Uint8Array, yPred: Uint8Array, scores: Float32Array, repeats = 1): AttackInstances {
  const n = rows.length * repeats;
  const out: AttackInstances = { rows: new Uint32Array(n), d0: new Uint8Array(n), correct: new Uint8Array(n), s0: new Float32Array(n) };
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    for (let k = 0; k < repeats; k++) {
      const t = i * repeats + k;
      out.rows[t] = r;
      out.d0[t] = yPred[r] as number;
      out.correct[t] = yPred[r] === yTrue[r] ? 1 : 0;
      out.s0[t] = scores[r] as number;
    }
  }
  return out;
}

export function emptyOutcome(
  space: AttackSpace,
  head: Pick<AttackOutcome, 'key' | 'kind' | 'title' | 'measure' | 'units'>,
  instances: AttackInstances,
  budgets: number[],
): AttackOutcome {
  const n = instances.rows.length;
  const attackedScore = new Float32Array(budgets.length * n);
  for (let b = 0; b < budgets.length; b++) attackedScore.set(instances.s0, b * n);
  const examples = allocCandidates(space, n);
  examples.origin.set(instances.rows);
  return {
    ...head,
    instances,
    budgets,
    flipped: new Uint8Array(budgets.length * n),
    attackedScore,
    minPerturbation: new Float64Array(n).fill(Number.NaN),
    examples,
    exampleScore: new Float32Array(n).fill(Number.NaN),
    queries: 0,
    calls: 0,
    stopped: null,
    notes: [],
    parameters: {},
  };
}

/** Copy candidate k of `from` into slot `to` of `into`. */
export function copyCandidate(space: AttackSpace, from: Candidates, k: number, into: Candidates, to: number): void {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  into.origin[to] = from.origin[k] as number;
  for (let j = 0; j < nn; j++) into.x[to * nn + j] = from.x[k * nn + j] as number;
  for (let j = 0; j < nc; j++) into.c[to * nc + j] = from.c[k * nc + j] as number;
}

/** Keep candidate k as instance i's example when it is smaller than the one kept so far. */
export function offerExample(space: AttackSpace, out: AttackOutcome, i: number, from: Candidates, k: number, size: number, score: number): boolean {
  const cur = out.minPerturbation[i] as number;
  if (cur === cur && cur <= size) return false;
  copyCandidate(space, from, k, out.examples, i);
  out.minPerturbation[i] = size;
  out.exampleScore[i] = score;
  return true;
}
