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
import { CandidatePool, type Candidates } from '../project.js';
import { applyFunctionalPartners, categoricalAllowed, ChangeChecker, NO_RELATIONS, type Relations } from '../relations.js';
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
    const nc = this.nc;
    this.inst[k] = inst;
    const dst = this.levels;
    for (let j = 0; j < nc; j++) dst[k * nc + j] = levels[offset + j] as number;
    this.last[k] = last;
    this.margin[k] = margin;
  }
  /** The states of rows not flipped, grouped by instance (stable: a counting sort by instance, ties in state order). */
  sortedWithout(flipped: Int32Array, instances: number): StateSet {
    const start = new Int32Array(instances + 1);
    let kept = 0;
    for (let k = 0; k < this.count; k++) {
      const i = this.inst[k] as number;
      if (flipped[i]) continue;
      start[i + 1]++;
      kept++;
    }
    for (let i = 0; i < instances; i++) start[i + 1] = (start[i + 1] as number) + (start[i] as number);
    const order = new Int32Array(kept);
    for (let k = 0; k < this.count; k++) {
      const i = this.inst[k] as number;
      if (flipped[i]) continue;
      order[start[i]++] = k;
    }
    const out = new StateSet(this.nc, kept);
    for (let q = 0; q < kept; q++) {
      const k = order[q] as number;
      out.push(this.inst[k] as number, this.levels, k * this.nc, this.last[k] as number, this.margin[k] as number);
    }
    return out;
  }
}

interface Children {
  count: number;
  childParent: Int32Array;
  childJ: Int32Array;
  childV: Int32Array;
}

/**
 * The children of the parent states (exhaustive: every level of every feature after the state's last changed one;
 * beam: of every feature not changed yet) that are valid under the relations, deduplicated per row in beam steps.
 * Invalid children of exhaustive steps that keep states go to `next` with an infinite margin (one more change may make
 * them records that can exist). The loops of an attack step live in plain functions like this one (optimized as a
 * whole; loops inside the long async attack function ran slower and boxed their numbers).
 */
function generateChildren(
  space: AttackSpace,
  rel: Relations,
  inst: AttackInstances,
  states: StateSet,
  parents: Int32Array,
  flippedAt: Int32Array,
  exact: boolean,
  keepStates: boolean,
  next: StateSet,
): Children {
  const nc = space.categorical.length;
  const mutC = space.mutableCategorical;
  const c0 = space.c0;
  const levelCount = levelCountsOf(space);
  const scratch = new Int32Array(nc);
  let childParent: Int32Array = new Int32Array(1024);
  let childJ: Int32Array = new Int32Array(1024);
  let childV: Int32Array = new Int32Array(1024);
  let nChildren = 0;
  const seen = new Set<string>();
  const levels = states.levels;
  const checker = checkerOf(space, rel);
  for (let pi = 0; pi < parents.length; pi++) {
    const p = parents[pi] as number;
    const i = states.inst[p] as number;
    if (flippedAt[i]) continue;
    const o = inst.rows[i] as number;
    const base = p * nc;
    const last = states.last[p] as number;
    // a parent that is a real record (finite margin) differs from a child in the changed feature only
    const realParent = Number.isFinite(states.margin[p] as number);
    for (let f = 0; f < nc; f++) scratch[f] = levels[base + f] as number;
    for (let q = 0; q < mutC.length; q++) {
      const j = mutC[q] as number;
      const cur = levels[base + j] as number;
      // exhaustive: features after the last changed one; beam: features not changed yet
      if (exact ? j <= last : cur !== c0[o * nc + j]) continue;
      const L = levelCount[j] as number;
      for (let v = 0; v < L; v++) {
        if (v === cur) continue;
        scratch[j] = v;
        const valid = realParent ? checker.allowedChange(scratch, 0, o, j) : categoricalAllowed(space, rel, scratch, 0, o);
        if (!valid) {
          // not a record that can exist, but one more change may make it one (an exhaustive next step needs it)
          if (exact && keepStates) next.push(i, scratch, 0, Math.max(last, j), Infinity);
          continue;
        }
        if (!exact) {
          const key = `${i}:${scratch.join(',')}`;
          if (seen.has(key)) continue;
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
      }
      scratch[j] = cur;
    }
  }
  return { count: nChildren, childParent, childJ, childV };
}

/** Children of every state in an exhaustive step: every (feature after its last changed one, other level). */
function exhaustiveChildren(space: AttackSpace, states: StateSet): number {
  const nc = space.categorical.length;
  const mutC = space.mutableCategorical;
  const levelCount = levelCountsOf(space);
  let count = 0;
  for (let s = 0; s < states.count; s++) {
    const base = s * nc;
    const last = states.last[s] as number;
    for (let q = 0; q < mutC.length; q++) {
      const j = mutC[q] as number;
      if (j <= last) continue;
      const L = levelCount[j] as number;
      const cur = states.levels[base + j] as number;
      count += cur >= 0 && cur < L ? L - 1 : L;
    }
  }
  return count;
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let s = 0; s < n; s++) a[s] = s;
  return a;
}

const checkers = new WeakMap<Relations, ChangeChecker>();

function checkerOf(space: AttackSpace, rel: Relations): ChangeChecker {
  let c = checkers.get(rel);
  // (NO_RELATIONS is shared by every space)
  if (!c || c.space !== space) {
    c = new ChangeChecker(space, rel);
    checkers.set(rel, c);
  }
  return c;
}

const levelCountCache = new WeakMap<AttackSpace, Int32Array>();

function levelCountsOf(space: AttackSpace): Int32Array {
  let l = levelCountCache.get(space);
  if (!l) {
    l = Int32Array.from(space.categorical, (f) => f.levels.length);
    levelCountCache.set(space, l);
  }
  return l;
}

/** Candidates k = children s0 + k: the parent's levels with the child's change (numeric values: the original row's). */
function fillCandidates(space: AttackSpace, inst: AttackInstances, states: StateSet, ch: Children, s0: number, cands: Candidates): void {
  const nc = space.categorical.length;
  const nn = space.numeric.length;
  const x0 = space.x0;
  const levels = states.levels;
  const { x, c, origin } = cands;
  const { childParent, childJ, childV } = ch;
  for (let k = 0; k < cands.count; k++) {
    const p = childParent[s0 + k] as number;
    const o = inst.rows[states.inst[p] as number] as number;
    if (origin[k] !== o) {
      origin[k] = o;
      for (let q = 0; q < nn; q++) x[k * nn + q] = x0[o * nn + q] as number;
    }
    for (let f = 0; f < nc; f++) c[k * nc + f] = levels[p * nc + f] as number;
    c[k * nc + (childJ[s0 + k] as number)] = childV[s0 + k] as number;
  }
}

/**
 * The scores of candidates k = children s0 + k: flips (the first depth that flips a row; its example the flip furthest
 * past the threshold), the lowest margin seen per row, and the states of the next step (`next`, null at the last).
 */
function processScores(
  space: AttackSpace,
  inst: AttackInstances,
  out: AttackOutcome,
  states: StateSet,
  ch: Children,
  s0: number,
  cands: Candidates,
  scores: Float32Array,
  threshold: number,
  depth: number,
  next: StateSet | null,
  flippedAt: Int32Array,
  attackedMargin: Float64Array,
  exampleMargin: Float64Array,
): void {
  const nc = space.categorical.length;
  const { childParent, childJ } = ch;
  const c = cands.c;
  for (let k = 0; k < cands.count; k++) {
    const p = childParent[s0 + k] as number;
    const i = states.inst[p] as number;
    const sc = scores[k] as number;
    const d0 = inst.d0[i] as number;
    const m = margin(sc, threshold, d0);
    if (decide(sc, threshold) !== d0) {
      if (!flippedAt[i]) {
        flippedAt[i] = depth;
        out.flipped[i] = 1;
        out.attackedScore[i] = sc;
        attackedMargin[i] = m;
      }
      // the flip furthest past the threshold is the example
      if (flippedAt[i] === depth && (out.exampleScore[i] !== out.exampleScore[i] || m < (exampleMargin[i] as number))) {
        out.minPerturbation[i] = Number.NaN;
        offerExample(space, out, i, cands, k, depth, sc);
        exampleMargin[i] = m;
      }
      continue;
    }
    if (m < (attackedMargin[i] as number)) {
      out.attackedScore[i] = sc;
      attackedMargin[i] = m;
    }
    if (next) next.push(i, c, k * nc, Math.max(states.last[p] as number, childJ[s0 + k] as number), m);
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
  const threshold = oracle.threshold;
  // margin of each instance's attackedScore and exampleScore, kept next to them (one log-odds per candidate)
  const attackedMargin = new Float64Array(n);
  const exampleMargin = new Float64Array(n).fill(Number.NaN);
  for (let i = 0; i < n; i++) attackedMargin[i] = margin(out.attackedScore[i] as number, threshold, inst.d0[i] as number);

  for (let depth = 1; depth <= opts.maxChanges && states.count > 0 && oracle.stopped() === null; depth++) {
    let exact = depth <= 2;
    if (exact && depth === 2) {
      const count = exhaustiveChildren(space, states);
      if (count > oracle.remaining()) {
        exact = false;
        out.notes.push(`the ${count} two-change combinations exceed the query budget: beam search (width ${beamWidth}) from 2 changes on, a lower bound on the exhaustive search`);
      }
    }
    // parents: every state (exhaustive) or each row's beamWidth best (states of a row are consecutive)
    let parents: Int32Array;
    if (exact) parents = identity(states.count);
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
    const keepStates = depth < opts.maxChanges;
    const next = new StateSet(nc, keepStates ? 1024 : 0);
    const children = generateChildren(space, rel, inst, states, parents, flippedAt, exact, keepStates, next);
    const nChildren = children.count;
    for (let s0 = 0; s0 < nChildren; s0 += maxRows) {
      const count = Math.min(maxRows, nChildren - s0);
      if (!oracle.canAfford(count)) break;
      const cands = pool.take(count);
      fillCandidates(space, inst, states, children, s0, cands);
      // every candidate was checked against the relations above: only the numeric partners remain to be set
      applyFunctionalPartners(space, rel, cands);
      const scores = await oracle.score(cands);
      processScores(space, inst, out, states, children, s0, cands, scores, threshold, depth, keepStates ? next : null, flippedAt, attackedMargin, exampleMargin);
    }
    if (exact) exhaustive = depth;
    // the next step's states, grouped by row (consecutive), without rows already flipped
    states = next.sortedWithout(flippedAt, n);
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
