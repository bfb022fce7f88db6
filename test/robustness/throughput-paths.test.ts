/**
 * The throughput paths of issue #14 give the same results as the plain code: a call encoded in cache-sized parts makes
 * the same model inputs (the same rows, in the same onnxruntime batches) as one encoding of the whole call, also when
 * the encoder is reused and its rows are patched; the categorical attack's per-feature relation checker answers what
 * categoricalAllowedChange answers.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { encodeCandidates, MatrixEncoder } from '../../src/checks/robustness/encode.js';
import { placeCandidate } from '../../src/checks/robustness/norms.js';
import { createOracle, ENCODE_ROWS, encodeRows } from '../../src/checks/robustness/oracle.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { allocCandidates, type Candidates } from '../../src/checks/robustness/project.js';
import { buildRelations, categoricalAllowedChange, ChangeChecker, type Relations } from '../../src/checks/robustness/relations.js';
import { buildAttackSpace, type AttackSpace } from '../../src/checks/robustness/space.js';
import type { MatrixInput, ModelInput, ScoringModel } from '../../src/model/types.js';
import { createRng } from '../../src/util/rng.js';
import { adultContext } from './helpers.js';

describe('encoding in parts', () => {
  it('parts are whole batches of a power-of-two batch size that fit the cache, else ENCODE_ROWS', () => {
    expect(encodeRows(8192, 108)).toBe(8192);
    expect(encodeRows(1024, 108)).toBe(8192);
    expect(encodeRows(1024, 10)).toBe(65536);
    expect(encodeRows(65536, 108)).toBe(65536);
    expect(encodeRows(1000, 108)).toBe(ENCODE_ROWS);
    expect(encodeRows(100_000, 108)).toBe(ENCODE_ROWS);
    expect(encodeRows(undefined, 108)).toBe(ENCODE_ROWS);
    for (const b of [1, 2, 64, 512, 4096, 8192, 16384]) {
      const rows = encodeRows(b, 108);
      // a multiple of the batch size that divides ENCODE_ROWS: the parts split calls where the batches split them
      expect(rows % b).toBe(0);
      expect(ENCODE_ROWS % rows).toBe(0);
    }
  });
});

describe('oracle parts and the reused encoder', () => {
  let space: AttackSpace;
  let relations: Relations;
  beforeAll(async () => {
    const ctx = await adultContext({ model: 'logreg_onehot', robustness: { rows: 50 } });
    const settings = robustnessSettings(ctx.doc)!;
    space = buildAttackSpace({ input: ctx.input, dataset: ctx.dataset, doc: ctx.doc, settings });
    relations = buildRelations(space, settings.relations, ctx.doc);
  });

  /** count candidates of rows cycling through `rows` (runs of `run` consecutive candidates per row), seeded moves. */
  function candidates(count: number, rows: number[], run: number, seed: number): Candidates {
    const rng = createRng(seed);
    const M = space.mutableNumeric.length;
    const u = new Float64Array(count * M);
    for (let i = 0; i < u.length; i++) u[i] = (rng.next() - 0.5) * 2;
    const c = allocCandidates(space, count);
    for (let k = 0; k < count; k++) placeCandidate(space, c, k, rows[Math.floor(k / run) % rows.length] as number, u, k * M);
    return c;
  }

  it('a call encoded in parts gives the model the rows one encoding of the whole call gives, in order', async () => {
    const seen: Float32Array[] = [];
    const model: ScoringModel = {
      info: {} as ScoringModel['info'],
      queries: 0,
      dispose: async () => {},
      async score(input: ModelInput) {
        const m = input as MatrixInput;
        seen.push(Float32Array.from(m.data));
        // a score per row that depends on every value of the row
        const out = new Float32Array(m.rows);
        for (let k = 0; k < m.rows; k++) {
          let s = 0;
          for (let j = 0; j < m.width; j++) s += (m.data[k * m.width + j] as number) * ((j % 7) + 1);
          out[k] = (Math.sin(s) + 1) / 2;
        }
        return out;
      },
    };
    const width = (space.input as MatrixInput).width;
    const partRows = encodeRows(64, width);
    const oracle = createOracle({ model, space, threshold: 0.5, maxQueries: 1e9, deadline: Date.now() + 60_000, relations, lead: 'numeric', batchRows: 64 });
    // two calls with the same layout (the second one's rows are patched), then a shorter one
    for (const [i, count] of [2.5 * partRows, 2.5 * partRows, 0.75 * partRows].entries()) {
      seen.length = 0;
      const cands = candidates(count, [3, 17, 250, 251, 9], 11, 40 + (i === 1 ? 0 : i));
      const scores = await oracle.score(cands);
      expect(scores.length).toBe(count);
      // every part is at most partRows rows, and the parts are the whole call in order
      expect(seen.every((d) => d.length <= partRows * width)).toBe(true);
      expect(seen.length).toBe(Math.ceil(count / partRows));
      const whole = encodeCandidates(space, cands) as MatrixInput;
      const joined = new Float32Array(count * width);
      let at = 0;
      for (const d of seen) {
        joined.set(d, at);
        at += d.length;
      }
      expect(at).toBe(count * width);
      expect(Array.from(joined)).toEqual(Array.from(whole.data));
    }
  });

  it('a reused encoder writing parts at their offsets equals fresh encodings, call after call', () => {
    const enc = new MatrixEncoder(space, space.input as MatrixInput);
    const width = (space.input as MatrixInput).width;
    for (let call = 0; call < 3; call++) {
      const cands = candidates(300, call === 2 ? [7, 8] : [3, 17, 250], 13, 70 + call);
      enc.reserve(300);
      for (let from = 0; from < 300; from += 128) {
        const to = Math.min(300, from + 128);
        const part: Candidates = {
          count: to - from,
          origin: cands.origin.subarray(from, to),
          x: cands.x.subarray(from * space.numeric.length, to * space.numeric.length),
          c: cands.c.subarray(from * space.categorical.length, to * space.categorical.length),
        };
        const reused = encodeCandidates(space, part, undefined, enc, from) as MatrixInput;
        const fresh = encodeCandidates(space, part) as MatrixInput;
        expect(reused.rows).toBe(to - from);
        expect(reused.data.length).toBe((to - from) * width);
        expect(Array.from(reused.data)).toEqual(Array.from(fresh.data));
      }
    }
  });

  it('ChangeChecker answers what categoricalAllowedChange answers for every single-level change', () => {
    const checker = new ChangeChecker(space, relations);
    const nc = space.categorical.length;
    const levels = new Int32Array(nc);
    let checked = 0;
    let refused = 0;
    for (const o of [0, 3, 17, 250, 1000, 5000, 12000]) {
      for (const j of space.mutableCategorical) {
        for (let v = 0; v < space.categorical[j]!.levels.length; v++) {
          for (let f = 0; f < nc; f++) levels[f] = space.c0[o * nc + f] as number;
          levels[j] = v;
          const expected = categoricalAllowedChange(space, relations, levels, 0, o, j);
          expect(checker.allowedChange(levels, 0, o, j)).toBe(expected);
          checked++;
          if (!expected) refused++;
        }
      }
    }
    // the relations learned on Adult refuse some changes (female husbands) and allow most
    expect(checked).toBeGreaterThan(100);
    expect(refused).toBeGreaterThan(0);
    expect(refused).toBeLessThan(checked);
  });
});
