/**
 * project(candidate): the valid candidate next to any candidate, and the validity check every reported example passes.
 *
 * For each numeric feature j of a candidate derived from original row o (value a = x0[o, j]):
 * - immutable, or a missing original value: v = a;
 * - direction: increase → v >= a, decrease → v <= a;
 * - bounds: v in [min(lower, a), max(upper, a)] (an original value outside the policy's bounds is never forced to move);
 * - integer: 'toward' mode truncates the change (a + trunc(v − a)), 'nearest' rounds v, then stays inside the bounds;
 * - float32 (what the model sees): 'toward' mode rounds to the float32 next to v on the side of a.
 * In 'toward' mode every step only shrinks |v − a|, so a candidate inside a norm ball stays inside it: attacks first
 * clip to the ball and then project. Categorical levels are always valid (they index the levels seen in the data);
 * immutable categorical features are reset to the original level.
 */
import type { AttackSpace } from './space.js';

export type Rounding = 'toward' | 'nearest';

/** Candidate rows in the attack space: numeric values and categorical levels, each derived from an original row. */
export interface Candidates {
  count: number;
  /** Original (dataset) row of each candidate. */
  origin: Uint32Array;
  /** count × numeric features. */
  x: Float64Array;
  /** count × categorical features. */
  c: Int32Array;
}

/** Origin of a pool slot never written (no dataset row has this index). */
export const NO_ORIGIN = 0xffffffff;

export function allocCandidates(space: AttackSpace, count: number): Candidates {
  return {
    count,
    origin: new Uint32Array(count),
    x: new Float64Array(count * space.numeric.length),
    c: new Int32Array(count * space.categorical.length),
  };
}

/**
 * A grow-only buffer of candidates: take(n) returns views of n candidates, valid until the next take(). Saves an
 * allocation (and its clearing) per attack step; callers write every slot they take. Slots keep their contents from
 * one take() to the next (a slot never written holds origin NO_ORIGIN), so a caller that rewrites a slot with a
 * candidate of the same row may skip what it knows is unchanged (placeCandidate's onlyMutable).
 */
export class CandidatePool {
  private cap = 0;
  private origin = new Uint32Array(0);
  private x = new Float64Array(0);
  private c = new Int32Array(0);
  constructor(private readonly space: AttackSpace) {}
  take(count: number): Candidates {
    const nn = this.space.numeric.length;
    const nc = this.space.categorical.length;
    if (count > this.cap) {
      this.cap = Math.max(count, Math.ceil(this.cap * 1.5), 1024);
      this.origin = new Uint32Array(this.cap).fill(NO_ORIGIN);
      this.x = new Float64Array(this.cap * nn);
      this.c = new Int32Array(this.cap * nc);
    }
    return { count, origin: this.origin.subarray(0, count), x: this.x.subarray(0, count * nn), c: this.c.subarray(0, count * nc) };
  }
}

/** Candidate k := the original row o (numeric and categorical). */
export function setOriginal(space: AttackSpace, cands: Candidates, k: number, o: number): void {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  cands.origin[k] = o;
  const { x, c } = cands;
  for (let j = 0, d = k * nn, s = o * nn; j < nn; j++) x[d + j] = space.x0[s + j] as number;
  for (let j = 0, d = k * nc, s = o * nc; j < nc; j++) c[d + j] = space.c0[s + j] as number;
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** The float32 next to fround(v) on the side of a (a itself a float32 value), so |result − a| <= |v − a|. */
export function float32Toward(v: number, a: number): number {
  const f = Math.fround(v);
  if (Math.abs(f - a) <= Math.abs(v - a)) return f;
  // one ulp towards a
  f32[0] = f;
  const up = a > f;
  if (f === 0) return up ? 1.401298464324817e-45 : -1.401298464324817e-45;
  if (f > 0 === up) u32[0] = (u32[0] as number) + 1;
  else u32[0] = (u32[0] as number) - 1;
  return f32[0] as number;
}

/** Make one numeric value valid for feature j of a row whose original value is a. */
export function projectValue(space: AttackSpace, j: number, v: number, a: number, rounding: Rounding): number {
  const L = space.limits;
  if (L.mutable[j] === 0 || a !== a || v !== v) return a;
  const lower = L.lower[j] as number;
  const upper = L.upper[j] as number;
  const dir = L.direction[j] as number;
  let lo = dir === 1 ? a : lower < a ? lower : a;
  let hi = dir === -1 ? a : upper > a ? upper : a;
  if (v < lo) v = lo;
  else if (v > hi) v = hi;
  if (L.integer[j] === 1) {
    if (rounding === 'toward' && Number.isInteger(a)) v = a + Math.trunc(v - a);
    else {
      let r = Math.round(v);
      if (r > hi) r = Math.floor(hi);
      if (r < lo) r = Math.ceil(lo);
      v = r;
    }
  }
  if (L.float32[j] === 1) v = rounding === 'toward' ? float32Toward(v, a) : Math.fround(v);
  return v;
}

/** Project candidates [from, to) in place. */
export function project(space: AttackSpace, cands: Candidates, rounding: Rounding = 'toward', from = 0, to = cands.count): void {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const { x, c, origin } = cands;
  const x0 = space.x0;
  const c0 = space.c0;
  for (let k = from; k < to; k++) {
    const o = origin[k] as number;
    for (let j = 0; j < nn; j++) {
      const i = k * nn + j;
      x[i] = projectValue(space, j, x[i] as number, x0[o * nn + j] as number, rounding);
    }
    for (let j = 0; j < nc; j++) {
      const f = space.categorical[j]!;
      const i = k * nc + j;
      const v = c[i] as number;
      if (!f.mutable || !(v >= 0 && v < f.levels.length)) c[i] = c0[o * nc + j] as number;
    }
  }
}

export interface Violation {
  candidate: number;
  feature: string;
  rule: 'immutable' | 'bounds' | 'integer' | 'direction' | 'float32' | 'level';
  original: number | string;
  value: number | string;
}

/** Every constraint a candidate breaks (empty = valid). Used on every reported example. */
export function violations(space: AttackSpace, cands: Candidates, k: number): Violation[] {
  const out: Violation[] = [];
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const o = cands.origin[k] as number;
  for (let j = 0; j < nn; j++) {
    const f = space.numeric[j]!;
    const a = space.x0[o * nn + j] as number;
    const v = cands.x[k * nn + j] as number;
    const push = (rule: Violation['rule']): void => {
      out.push({ candidate: k, feature: f.name, rule, original: a, value: v });
    };
    if (a !== a) {
      if (v === v) push('immutable');
      continue;
    }
    if (v === a) continue;
    if (!f.mutable) push('immutable');
    if (v < Math.min(f.lower, a) || v > Math.max(f.upper, a) || v !== v) push('bounds');
    if (f.integer && !Number.isInteger(v)) push('integer');
    if ((f.direction === 'increase' && v < a) || (f.direction === 'decrease' && v > a)) push('direction');
    if (f.float32 && Math.fround(v) !== v) push('float32');
  }
  for (let j = 0; j < nc; j++) {
    const f = space.categorical[j]!;
    const a = space.c0[o * nc + j] as number;
    const v = cands.c[k * nc + j] as number;
    if (!(Number.isInteger(v) && v >= 0 && v < f.levels.length)) out.push({ candidate: k, feature: f.name, rule: 'level', original: a, value: v });
    else if (v !== a && !f.mutable) out.push({ candidate: k, feature: f.name, rule: 'immutable', original: f.levels[a] ?? a, value: f.levels[v] ?? v });
  }
  return out;
}

/**
 * Continuous feasible range of numeric feature j for a row whose original value is a (bounds and direction; no
 * integer or float32 rounding): attacks keep their iterates inside it and round only the candidates they score.
 */
export function feasibleRange(space: AttackSpace, j: number, a: number): [number, number] {
  const L = space.limits;
  if (L.mutable[j] === 0 || a !== a) return [a, a];
  const lower = L.lower[j] as number;
  const upper = L.upper[j] as number;
  const dir = L.direction[j] as number;
  return [dir === 1 ? a : lower < a ? lower : a, dir === -1 ? a : upper > a ? upper : a];
}

/** Clamp a vector u (units, over the mutable numeric features) of original row o into the feasible ranges, in place. */
export function clampToFeasible(space: AttackSpace, o: number, u: Float64Array, offset: number): void {
  const nn = space.numeric.length;
  const mut = space.mutableNumeric;
  const { lower, upper, scale, direction } = space.limits;
  for (let m = 0; m < mut.length; m++) {
    const j = mut[m] as number;
    const a = space.x0[o * nn + j] as number;
    if (a !== a) {
      u[offset + m] = 0;
      continue;
    }
    const s = scale[j] as number;
    const dir = direction[j] as number;
    const lo = dir === 1 ? a : Math.min(lower[j] as number, a);
    const hi = dir === -1 ? a : Math.max(upper[j] as number, a);
    const v = a + (u[offset + m] as number) * s;
    if (v < lo) u[offset + m] = (lo - a) / s;
    else if (v > hi) u[offset + m] = (hi - a) / s;
  }
}
