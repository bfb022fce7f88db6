/**
 * The hot-path shortcuts give the same model inputs and candidates as the plain code: a reused MatrixEncoder (rows
 * patched when a slot keeps its original row, copied otherwise, forgotten after a counterfactual-style widened call)
 * equals a fresh encoding call after call; placeCandidatesOfRow and placeCandidate(onlyMutable) equal placeCandidate
 * on a fresh buffer.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCandidates, MatrixEncoder } from '../../src/checks/robustness/encode.js';
import { placeCandidate, placeCandidatesOfRow } from '../../src/checks/robustness/norms.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { allocCandidates, CandidatePool, NO_ORIGIN, type Candidates } from '../../src/checks/robustness/project.js';
import { buildAttackSpace, type AttackSpace } from '../../src/checks/robustness/space.js';
import type { MatrixInput } from '../../src/model/types.js';
import { createRng } from '../../src/util/rng.js';
import { adultContext } from './helpers.js';

describe('reused candidate buffers and model-input matrix', () => {
  let space: AttackSpace;
  beforeAll(async () => {
    const ctx = await adultContext({
      model: 'logreg_onehot',
      // fnlwgt immutable and hours_per_week one-directional, so that the shortcuts meet every kind of feature
      robustness: { rows: 50, features: { fnlwgt: { immutable: true }, hours_per_week: { direction: 'increase', max: 70 } } },
    });
    space = buildAttackSpace({ input: ctx.input, dataset: ctx.dataset, doc: ctx.doc, settings: robustnessSettings(ctx.doc)! });
  });

  /** count candidates: row origins[k], mutable features moved by a seeded vector, categorical levels per `levels`. */
  function candidates(origins: number[], seed: number, levels?: (k: number, j: number, orig: number) => number): Candidates {
    const rng = createRng(seed);
    const M = space.mutableNumeric.length;
    const u = new Float64Array(origins.length * M);
    for (let i = 0; i < u.length; i++) u[i] = (rng.next() - 0.5) * 3;
    const c = allocCandidates(space, origins.length);
    const nc = space.categorical.length;
    origins.forEach((o, k) => {
      placeCandidate(space, c, k, o, u, k * M);
      if (levels) for (let j = 0; j < nc; j++) c.c[k * nc + j] = levels(k, j, c.c[k * nc + j] as number);
    });
    return c;
  }

  it('a reused encoder gives the same matrix as a fresh encoding, call after call', () => {
    expect(space.input.kind).toBe('matrix');
    const enc = new MatrixEncoder(space, space.input as MatrixInput);
    // mutable categorical levels move (a valid other level), immutable ones only in the widened call
    const shift = (k: number, j: number, orig: number): number => {
      const f = space.categorical[j]!;
      return f.mutable && (k + j) % 3 === 0 ? (orig + 1) % f.levels.length : orig;
    };
    const calls: Array<{ origins: number[]; levels?: (k: number, j: number, orig: number) => number; extra?: { numeric?: number[]; categorical?: number[] } }> = [
      { origins: [5, 5, 5, 9, 9, 12, 40, 40] },
      // same slots, same rows, other values and levels: patched rows
      { origins: [5, 5, 5, 9, 9, 12, 40, 40], levels: shift },
      // rows moved between slots, more rows than before
      { origins: [9, 5, 5, 5, 40, 12, 12, 12, 7, 7, 3] },
      // a widened call changing an immutable numeric feature and an immutable categorical one
      {
        origins: [9, 5, 5, 5, 40, 12],
        levels: (k, j, orig) => (!space.categorical[j]!.mutable && k % 2 === 0 ? (orig + 1) % space.categorical[j]!.levels.length : orig),
        extra: { numeric: [space.numeric.findIndex((f) => f.name === 'fnlwgt')], categorical: space.categorical.flatMap((f, j) => (f.mutable ? [] : [j])) },
      },
      // back to a plain call on the same slots: nothing of the widened call may stay
      { origins: [9, 5, 5, 5, 40, 12], levels: shift },
      { origins: [1, 2] },
    ];
    calls.forEach((call, i) => {
      const cands = candidates(call.origins, 100 + i, call.levels);
      // move the extra (immutable) numeric feature of the first candidate too
      if (call.extra) cands.x[call.extra.numeric![0]!] = (cands.x[call.extra.numeric![0]!] as number) + 1000;
      const reused = encodeCandidates(space, cands, call.extra, enc) as MatrixInput;
      const fresh = encodeCandidates(space, cands, call.extra) as MatrixInput;
      expect(reused.rows).toBe(call.origins.length);
      expect(Array.from(reused.data)).toEqual(Array.from(fresh.data));
      // and every one-hot group of every row holds at most one indicator
      for (const [, idx] of Object.entries((space.input as MatrixInput).oneHotGroups)) {
        for (let k = 0; k < reused.rows; k++) {
          let set = 0;
          for (const col of idx) set += reused.data[k * reused.width + col] as number;
          expect(set).toBeLessThanOrEqual(1);
        }
      }
    });
  });

  it('placeCandidatesOfRow and placeCandidate(onlyMutable) on a reused pool equal placeCandidate on a fresh buffer', () => {
    const M = space.mutableNumeric.length;
    const rng = createRng(7);
    const pool = new CandidatePool(space);
    expect(pool.take(4).origin[0]).toBe(NO_ORIGIN);
    for (let round = 0; round < 3; round++) {
      const rows = [3, 17, 17 + round, 250];
      const per = 5;
      const count = rows.length * per;
      // far enough to hit bounds, the direction constraint and integer steps
      const u = new Float64Array(count * M);
      for (let i = 0; i < u.length; i++) u[i] = (rng.next() - 0.5) * 10;
      const batched = pool.take(count);
      rows.forEach((o, a) => placeCandidatesOfRow(space, batched, o, u, a, rows.length, per));
      const expected = allocCandidates(space, count);
      for (let p = 0; p < per; p++) rows.forEach((o, a) => placeCandidate(space, expected, p * rows.length + a, o, u, (p * rows.length + a) * M));
      expect(Array.from(batched.origin)).toEqual(Array.from(expected.origin));
      expect(Array.from(batched.x)).toEqual(Array.from(expected.x));
      expect(Array.from(batched.c)).toEqual(Array.from(expected.c));
      const single = new CandidatePool(space).take(count);
      for (let k = 0; k < count; k++) placeCandidate(space, single, k, expected.origin[k] as number, u, k * M, 'toward', true);
      for (let k = 0; k < count; k++) placeCandidate(space, single, k, expected.origin[k] as number, u, k * M, 'toward', true);
      expect(Array.from(single.x)).toEqual(Array.from(expected.x));
      expect(Array.from(single.c)).toEqual(Array.from(expected.c));
    }
  });
});
