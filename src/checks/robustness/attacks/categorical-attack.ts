/**
 * Categorical attack: changes of the mutable categorical features (one-hot groups, string inputs) among the values
 * seen in the data, under the relations (a combination never seen in the data is not tried).
 * - 1 change: every (feature, other value) of every row;
 * - 2 changes: every pair of features × values when the pairs of all rows fit the query budget (exact: a row that no
 *   pair flips cannot be flipped by 2 changes), else a beam search from the `beamWidth` best single changes;
 * - more changes: a beam search, each step expanding the `beamWidth` best states (lowest log-odds margin) of each row by
 *   every further single change. A beam search is a lower bound on what an exhaustive search would find (said in the
 *   attack's notes).
 * Every step scores all its candidates in one model call (sub-batches past MAX_STEP_ROWS). Perturbation = number of
 * categorical features changed (L0).
 */
import { decide, margin, type Oracle } from '../oracle.js';
import { emptyOutcome, offerExample, type AttackInstances, type AttackOutcome } from '../outcome.js';
import { CandidatePool } from '../project.js';
import { applyFunctionalPartners, categoricalAllowed, categoricalAllowedChange, NO_RELATIONS, type Relations } from '../relations.js';
import { MAX_STEP_ROWS } from './common.js';
import type { AttackSpace } from '../space.js';

export interface CategoricalAttackOptions {
  maxChanges: number;
  /** States kept per row for the beam steps (default 10). */
  beamWidth?: number;
  relations?: Relations;
  /** Most candidates per model call (default MAX_STEP_ROWS). */
  maxStepRows?: number;
}

function grow(a: Int32Array): Int32Array {
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/** States of the search, flat: instance, categorical levels (nc each), largest changed feature, margin. */
class StateSet {
  count = 0;
  inst: Int32Array;
  levels: Int32Array;
  /** Largest feature index changed (exhaustive steps only add features after it: each set once). */
  last: Int32Array;
  margin: Float64Array;
  constructor(
    private readonly nc: number,
    cap: number,
  ) {
    cap = Math.max(cap, 16);
    this.inst = new Int32Array(cap);
    this.levels = new Int32Array(cap * nc);
    this.last = new Int32Array(cap);
    this.margin = new Float64Array(cap);
  }
  push(inst: number, levels: Int32Array, offset: number, last: number, margin: number): void {
    if (this.count === this.inst.length) {
      const cap = this.count * 2;
      const grown = new StateSet(this.nc, cap);
      grown.inst.set(this.inst);
      grown.levels.set(this.levels);
      grown.last.set(this.last);
      grown.margin.set(this.margin);
      this.inst = grown.inst;
      this.levels = grown.levels;
      this.last = grown.last;
      this.margin = grown.margin;
    }
    const k = this.count++;
    this.inst[k] = inst;
    this.levels.set(levels.subarray(offset, offset + this.nc), k * this.nc);
    this.last[k] = last;
    this.margin[k] = margin;
  }
  /** The states of rows not flipped, grouped by instance (stable). */
  sortedWithout(flipped: Int32Array): StateSet {
    const order = Array.from({ length: this.count }, (_, k) => k).filter((k) => !flipped[this.inst[k] as number]);
    order.sort((a, b) => (this.inst[a] as number) - (this.inst[b] as number) || a - b);
    const out = new StateSet(this.nc, order.length);
    for (const k of order) out.push(this.inst[k] as number, this.levels, k * this.nc, this.last[k] as number, this.margin[k] as number);
    return out;
  }
}

export async function categoricalAttack(space: AttackSpace, oracle: Oracle, inst: AttackInstances, opts: CategoricalAttackOptions): Promise<AttackOutcome> {
  const beamWidth = opts.beamWidth ?? 10;
  const rel = opts.relations ?? NO_RELATIONS;
  const out = emptyOutcome(
    space,
    { key: 'categorical_attack', kind: 'categorical_attack', title: 'Categorical attack', measure: 'l0', units: 'features' },
    inst,
    [opts.maxChanges],
  );
  out.parameters = { max_changes: opts.maxChanges, beam_width: beamWidth, exhaustive_changes: 0 };
  const mutC = space.mutableCategorical;
  const n = inst.rows.length;
  if (mutC.length === 0) {
    out.notes.push('no mutable categorical feature: nothing for the categorical attack to change');
    return out;
  }
  const nc = space.categorical.length;
  const nn = space.numeric.length;
  const maxRows = opts.maxStepRows ?? MAX_STEP_ROWS;
  const pool = new CandidatePool(space);
  const flippedAt = new Int32Array(n); // 0 = not flipped
  // states in flat typed arrays: instance, levels (nc each), largest changed feature, margin
  let states = new StateSet(nc, 0);
  for (let i = 0; i < n; i++) {
    if (!inst.correct[i]) continue;
    const o = inst.rows[i] as number;
    states.push(i, space.c0, o * nc, -1, margin(inst.s0[i] as number, oracle.threshold, inst.d0[i] as number));
  }
  let exhaustive = 0;
  let beamUsed = false;
  const scratch = new Int32Array(nc);
  const levelCount = Int32Array.from(space.categorical, (f) => f.levels.length);

  /** Children of state s: exhaustive (features after `last`) or beam (features not changed yet). */
  const forEachChild = (set: StateSet, s: number, exact: boolean, visit: (j: number, v: number) => void): void => {
    const o = inst.rows[set.inst[s] as number] as number;
    const base = s * nc;
    const last = set.last[s] as number;
    for (let q = 0; q < mutC.length; q++) {
      const j = mutC[q] as number;
      const cur = set.levels[base + j] as number;
      if (exact ? j <= last : cur !== space.c0[o * nc + j]) continue;
      const L = levelCount[j] as number;
      for (let v = 0; v < L; v++) if (v !== cur) visit(j, v);
    }
  };

  for (let depth = 1; depth <= opts.maxChanges && states.count > 0 && oracle.stopped() === null; depth++) {
    let exact = depth <= 2;
    if (exact && depth === 2) {
      let count = 0;
      for (let s = 0; s < states.count; s++) forEachChild(states, s, true, () => void count++);
      if (count > oracle.remaining()) {
        exact = false;
        out.notes.push(`the ${count} two-change combinations exceed the query budget: beam search (width ${beamWidth}) from 2 changes on, a lower bound on the exhaustive search`);
      }
    }
    // parents: every state (exhaustive) or each row's beamWidth best (states of a row are consecutive)
    let parents: Int32Array;
    if (exact) parents = Int32Array.from({ length: states.count }, (_, s) => s);
    else {
      beamUsed = true;
      const picked: number[] = [];
      for (let s = 0; s < states.count; ) {
        let e = s;
        while (e < states.count && states.inst[e] === states.inst[s]) e++;
        const idx = Array.from({ length: e - s }, (_, q) => s + q).sort((a, b) => (states.margin[a] as number) - (states.margin[b] as number) || a - b);
        picked.push(...idx.slice(0, beamWidth));
        s = e;
      }
      parents = Int32Array.from(picked);
    }
    // children valid under the relations, deduplicated per row in beam steps
    let childParent: Int32Array = new Int32Array(1024);
    let childJ: Int32Array = new Int32Array(1024);
    let childV: Int32Array = new Int32Array(1024);
    let nChildren = 0;
    const keepStates = depth < opts.maxChanges;
    const next = new StateSet(nc, keepStates ? 1024 : 0);
    const seen = new Set<string>();
    for (const p of parents) {
      const i = states.inst[p] as number;
      if (flippedAt[i]) continue;
      const o = inst.rows[i] as number;
      forEachChild(states, p, exact, (j, v) => {
        scratch.set(states.levels.subarray(p * nc, p * nc + nc));
        scratch[j] = v;
        // a parent that is a real record (finite margin) differs from the child in feature j only
        const valid = Number.isFinite(states.margin[p] as number) ? categoricalAllowedChange(space, rel, scratch, 0, o, j) : categoricalAllowed(space, rel, scratch, 0, o);
        if (!valid) {
          // not a record that can exist, but one more change may make it one (an exhaustive next step needs it)
          if (exact && keepStates) next.push(i, scratch, 0, Math.max(states.last[p] as number, j), Infinity);
          return;
        }
        if (!exact) {
          const key = `${i}:${scratch.join(',')}`;
          if (seen.has(key)) return;
          seen.add(key);
        }
        if (nChildren === childParent.length) {
          childParent = grow(childParent);
          childJ = grow(childJ);
          childV = grow(childV);
        }
        childParent[nChildren] = p;
        childJ[nChildren] = j;
        childV[nChildren++] = v;
      });
    }
    for (let s0 = 0; s0 < nChildren; s0 += maxRows) {
      const count = Math.min(maxRows, nChildren - s0);
      if (!oracle.canAfford(count)) break;
      const cands = pool.take(count);
      const { x, c, origin } = cands;
      for (let k = 0; k < count; k++) {
        const p = childParent[s0 + k] as number;
        const o = inst.rows[states.inst[p] as number] as number;
        if (origin[k] !== o) {
          origin[k] = o;
          for (let q = 0; q < nn; q++) x[k * nn + q] = space.x0[o * nn + q] as number;
        }
        c.set(states.levels.subarray(p * nc, p * nc + nc), k * nc);
        c[k * nc + (childJ[s0 + k] as number)] = childV[s0 + k] as number;
      }
      // every candidate was checked against the relations above: only the numeric partners remain to be set
      applyFunctionalPartners(space, rel, cands);
      const scores = await oracle.score(cands);
      for (let k = 0; k < count; k++) {
        const p = childParent[s0 + k] as number;
        const i = states.inst[p] as number;
        const sc = scores[k] as number;
        const d0 = inst.d0[i] as number;
        const m = margin(sc, oracle.threshold, d0);
        if (decide(sc, oracle.threshold) !== d0) {
          if (!flippedAt[i]) {
            flippedAt[i] = depth;
            out.flipped[i] = 1;
            out.attackedScore[i] = sc;
          }
          // the flip furthest past the threshold is the example
          if (flippedAt[i] === depth && (out.exampleScore[i] !== out.exampleScore[i] || m < margin(out.exampleScore[i] as number, oracle.threshold, d0))) {
            out.minPerturbation[i] = Number.NaN;
            offerExample(space, out, i, cands, k, depth, sc);
          }
          continue;
        }
        if (m < margin(out.attackedScore[i] as number, oracle.threshold, d0)) out.attackedScore[i] = sc;
        if (keepStates) next.push(i, c, k * nc, Math.max(states.last[p] as number, childJ[s0 + k] as number), m);
      }
    }
    if (exact) exhaustive = depth;
    // the next step's states, grouped by row (consecutive), without rows already flipped
    states = next.sortedWithout(flippedAt);
  }
  out.parameters.exhaustive_changes = exhaustive;
  out.title = beamUsed
    ? `Categorical attack (every combination of ≤ ${exhaustive} changes, beam search beyond)`
    : opts.maxChanges === 1
      ? 'Categorical attack (every single value change)'
      : `Categorical attack (every combination of ≤ ${exhaustive} changes)`;
  if (beamUsed) out.parameters.search = `exhaustive up to ${exhaustive} change${exhaustive === 1 ? '' : 's'}, beam (width ${beamWidth}) beyond`;
  else out.parameters.search = `exhaustive up to ${exhaustive} change${exhaustive === 1 ? '' : 's'}`;
  out.queries = oracle.queries;
  out.calls = oracle.calls;
  out.stopped = oracle.stopped();
  return out;
}
