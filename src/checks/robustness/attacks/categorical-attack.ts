/**
 * Categorical attack: greedy changes of the mutable categorical features (one-hot groups, string inputs) among the
 * values seen in the data. Per step, every single change (feature × other value) of every active row is scored in
 * ONE model call (sub-batches past MAX_STEP_ROWS); the change that moves the log-odds furthest towards the other decision is kept; a row stops when
 * its decision flips, when no change helps, or after `max_changes` features have been changed (each at most once).
 * Perturbation = number of categorical features changed (L0).
 */
import { decide, margin, type Oracle } from '../oracle.js';
import { emptyOutcome, offerExample, type AttackInstances, type AttackOutcome } from '../outcome.js';
import { allocCandidates } from '../project.js';
import { MAX_STEP_ROWS } from './common.js';
import type { AttackSpace } from '../space.js';

export interface CategoricalAttackOptions {
  maxChanges: number;
  /** Most candidates per model call (default MAX_STEP_ROWS). */
  maxStepRows?: number;
}

export async function categoricalAttack(space: AttackSpace, oracle: Oracle, inst: AttackInstances, opts: CategoricalAttackOptions): Promise<AttackOutcome> {
  const out = emptyOutcome(
    space,
    { key: 'categorical_attack', kind: 'categorical_attack', title: 'Categorical attack (greedy value changes)', measure: 'l0', units: 'features' },
    inst,
    [opts.maxChanges],
  );
  out.parameters = { max_changes: opts.maxChanges };
  const mutC = space.mutableCategorical;
  const n = inst.rows.length;
  if (mutC.length === 0) {
    out.notes.push('no mutable categorical feature: nothing for the categorical attack to change');
    return out;
  }
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  // current state per instance: levels (start = original), changed features, margin
  const levels = new Int32Array(n * nc);
  const used = new Uint8Array(n * nc);
  const cur = new Float64Array(n);
  const state: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = inst.rows[i] as number;
    levels.set(space.c0.subarray(o * nc, o * nc + nc), i * nc);
    cur[i] = margin(inst.s0[i] as number, oracle.threshold, inst.d0[i] as number);
    if (inst.correct[i]) state.push(i);
  }
  let active = state;
  let changes = 0;
  const perRow = (i: number): number => {
    let c = 0;
    for (const j of mutC) if (!used[i * nc + j]) c += space.categorical[j]!.levels.length - 1;
    return c;
  };
  while (active.length > 0 && changes < opts.maxChanges) {
    changes++;
    const next: number[] = [];
    let stop = false;
    // one candidate per (row, unused mutable feature, other value); rows in sub-batches of at most MAX_STEP_ROWS candidates
    for (let s = 0; s < active.length && !stop; ) {
      let e = s;
      let count = 0;
      while (e < active.length && (e === s || count + perRow(active[e] as number) <= (opts.maxStepRows ?? MAX_STEP_ROWS))) count += perRow(active[e++] as number);
      const rows = active.slice(s, e);
      s = e;
      if (count === 0) continue;
      if (!oracle.canAfford(count)) {
        stop = true;
        break;
      }
      const cands = allocCandidates(space, count);
      const candInst = new Int32Array(count);
      const candFeature = new Int32Array(count);
      let k = 0;
      for (const i of rows) {
        const o = inst.rows[i] as number;
        for (const j of mutC) {
          if (used[i * nc + j]) continue;
          const f = space.categorical[j]!;
          const now = levels[i * nc + j] as number;
          for (let v = 0; v < f.levels.length; v++) {
            if (v === now) continue;
            cands.origin[k] = o;
            for (let q = 0; q < nn; q++) cands.x[k * nn + q] = space.x0[o * nn + q] as number;
            for (let q = 0; q < nc; q++) cands.c[k * nc + q] = levels[i * nc + q] as number;
            cands.c[k * nc + j] = v;
            candInst[k] = i;
            candFeature[k] = j;
            k++;
          }
        }
      }
      const scores = await oracle.score(cands);
      let start = 0;
      for (const i of rows) {
        let end = start;
        while (end < count && candInst[end] === i) end++;
        const d0 = inst.d0[i] as number;
        let best = -1;
        let bestMargin = cur[i] as number;
        let flip = -1;
        let flipMargin = Infinity;
        for (let q = start; q < end; q++) {
          const sc = scores[q] as number;
          const m = margin(sc, oracle.threshold, d0);
          if (decide(sc, oracle.threshold) !== d0) {
            if (m < flipMargin) {
              flipMargin = m;
              flip = q;
            }
          } else if (m < bestMargin) {
            bestMargin = m;
            best = q;
          }
        }
        if (flip >= 0) {
          offerExample(space, out, i, cands, flip, changes, scores[flip] as number);
          out.flipped[i] = 1;
          out.attackedScore[i] = scores[flip] as number;
        } else if (best >= 0) {
          const j = candFeature[best] as number;
          levels[i * nc + j] = cands.c[best * nc + j] as number;
          used[i * nc + j] = 1;
          cur[i] = bestMargin;
          out.attackedScore[i] = scores[best] as number;
          next.push(i);
        }
        start = end;
      }
    }
    active = next;
    if (stop) break;
  }
  out.queries = oracle.queries;
  out.calls = oracle.calls;
  out.stopped = oracle.stopped();
  return out;
}
