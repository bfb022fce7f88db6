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
import { CandidatePool, setOriginal } from '../project.js';
import { categoricalAllowed, NO_RELATIONS, type Relations } from '../relations.js';
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

interface State {
  inst: number;
  /** Categorical levels of the row in this state. */
  levels: Int32Array;
  /** Largest feature index changed (exhaustive steps only add features after it: each set once). */
  last: number;
  margin: number;
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
  let frontier: State[] = [];
  for (let i = 0; i < n; i++) {
    if (!inst.correct[i]) continue;
    const o = inst.rows[i] as number;
    frontier.push({ inst: i, levels: space.c0.slice(o * nc, o * nc + nc), last: -1, margin: margin(inst.s0[i] as number, oracle.threshold, inst.d0[i] as number) });
  }
  let exhaustive = 0;
  let beamUsed = false;
  const scratch = new Int32Array(nc);

  /** Children of a parent: exhaustive (features after `last`) or beam (features not changed yet). */
  const forEachChild = (p: State, exact: boolean, visit: (j: number, v: number) => void): void => {
    const o = inst.rows[p.inst] as number;
    for (let q = 0; q < mutC.length; q++) {
      const j = mutC[q] as number;
      if (exact ? j <= p.last : p.levels[j] !== space.c0[o * nc + j]) continue;
      const L = space.categorical[j]!.levels.length;
      for (let v = 0; v < L; v++) if (v !== p.levels[j]) visit(j, v);
    }
  };

  for (let depth = 1; depth <= opts.maxChanges && frontier.length > 0 && oracle.stopped() === null; depth++) {
    // parents: every state (exhaustive) or each row's beamWidth best
    let exact = depth <= 2;
    if (exact && depth === 2) {
      let count = 0;
      for (const p of frontier) forEachChild(p, true, () => void count++);
      if (count > oracle.remaining()) {
        exact = false;
        out.notes.push(`the ${count} two-change combinations exceed the query budget: beam search (width ${beamWidth}) from 2 changes on, a lower bound on the exhaustive search`);
      }
    }
    let parents = frontier;
    if (!exact) {
      beamUsed = true;
      const byRow = new Map<number, State[]>();
      for (const s of frontier) {
        const l = byRow.get(s.inst) ?? [];
        l.push(s);
        byRow.set(s.inst, l);
      }
      parents = [];
      for (const l of byRow.values()) parents.push(...l.sort((a, b) => a.margin - b.margin).slice(0, beamWidth));
    }
    // children, valid under the relations, deduplicated per row (beam steps can reach a state twice)
    const children: Array<{ parent: State; j: number; v: number }> = [];
    const seen = new Set<string>();
    const next: State[] = [];
    for (const p of parents) {
      if (flippedAt[p.inst]) continue;
      const o = inst.rows[p.inst] as number;
      forEachChild(p, exact, (j, v) => {
        scratch.set(p.levels);
        scratch[j] = v;
        if (!categoricalAllowed(space, rel, scratch, 0, o)) {
          // not a record that can exist, but one more change may make it one (an exhaustive next step needs it)
          if (exact && depth < opts.maxChanges) next.push({ inst: p.inst, levels: scratch.slice(), last: Math.max(p.last, j), margin: Infinity });
          return;
        }
        if (!exact) {
          const key = `${p.inst}:${scratch.join(',')}`;
          if (seen.has(key)) return;
          seen.add(key);
        }
        children.push({ parent: p, j, v });
      });
    }
    for (let s = 0; s < children.length; s += maxRows) {
      const part = children.slice(s, s + maxRows);
      if (!oracle.canAfford(part.length)) break;
      const cands = pool.take(part.length);
      part.forEach((ch, k) => {
        setOriginal(space, cands, k, inst.rows[ch.parent.inst] as number);
        cands.c.set(ch.parent.levels, k * nc);
        cands.c[k * nc + ch.j] = ch.v;
      });
      const scores = await oracle.score(cands);
      part.forEach((ch, k) => {
        const i = ch.parent.inst;
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
          return;
        }
        if (m < margin(out.attackedScore[i] as number, oracle.threshold, d0)) out.attackedScore[i] = sc;
        next.push({ inst: i, levels: cands.c.slice(k * nc, k * nc + nc), last: Math.max(ch.parent.last, ch.j), margin: m });
      });
    }
    if (exact) exhaustive = depth;
    frontier = next.filter((s) => !flippedAt[s.inst]);
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
