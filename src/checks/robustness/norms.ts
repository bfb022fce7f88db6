/**
 * Perturbation sizes in the policy's units: for numeric feature j, u_j = (x_j − x0_j) / scale_j (scale = the feature's
 * standard deviation in 'std' units, 1 in 'raw' units); L∞ = max |u_j|, L2 = sqrt(Σ u_j²). Missing original values
 * never move and count as 0. Categorical changes are counted separately (l0: features whose level changed).
 */
import { float32Toward, projectValue, setOriginal, type Candidates, type Rounding } from './project.js';
import type { AttackSpace } from './space.js';
import type { AttackNorm } from './types.js';

export function perturbationNorm(space: AttackSpace, cands: Candidates, k: number, norm: AttackNorm): number {
  const nn = space.numeric.length;
  const o = cands.origin[k] as number;
  let acc = 0;
  const mut = space.mutableNumeric;
  const scale = space.limits.scale;
  for (let m = 0; m < mut.length; m++) {
    const j = mut[m] as number;
    const a = space.x0[o * nn + j] as number;
    if (a !== a) continue;
    const u = Math.abs(((cands.x[k * nn + j] as number) - a) / (scale[j] as number));
    if (norm === 'linf') {
      if (u > acc) acc = u;
    } else acc += u * u;
  }
  return norm === 'linf' ? acc : Math.sqrt(acc);
}

/** Norm of a vector given in units over the mutable features (length = mutableNumeric.length). */
export function vectorNorm(u: Float64Array, offset: number, length: number, norm: AttackNorm): number {
  let acc = 0;
  for (let i = 0; i < length; i++) {
    const v = Math.abs(u[offset + i] as number);
    if (norm === 'linf') {
      if (v > acc) acc = v;
    } else acc += v * v;
  }
  return norm === 'linf' ? acc : Math.sqrt(acc);
}

/** Clip a vector (in units) to the ε-ball of the norm, in place. */
export function clipToBall(u: Float64Array, offset: number, length: number, norm: AttackNorm, eps: number): void {
  if (norm === 'linf') {
    for (let i = 0; i < length; i++) {
      const v = u[offset + i] as number;
      if (v > eps) u[offset + i] = eps;
      else if (v < -eps) u[offset + i] = -eps;
    }
    return;
  }
  const n = vectorNorm(u, offset, length, 'l2');
  if (n > eps) {
    const f = eps / n;
    for (let i = 0; i < length; i++) u[offset + i] = (u[offset + i] as number) * f;
  }
}

/** Categorical features whose level differs from the original row. */
export function categoricalChanges(space: AttackSpace, cands: Candidates, k: number): number {
  const nc = space.categorical.length;
  const o = cands.origin[k] as number;
  let n = 0;
  for (let j = 0; j < nc; j++) if (cands.c[k * nc + j] !== space.c0[o * nc + j]) n++;
  return n;
}

/**
 * Write candidate k as original row o moved by the vector u (units, over the mutable numeric features), then project
 * it ('toward' rounding keeps it inside any ball u is inside).
 *
 * `onlyMutable`: the caller's buffer only ever holds candidates whose immutable numeric features and categorical levels
 * are those of their original row (true of buffers written only by placeCandidate): when slot k already holds a
 * candidate of row o, only its mutable numeric features are written.
 */
export function placeCandidate(
  space: AttackSpace,
  cands: Candidates,
  k: number,
  o: number,
  u: Float64Array,
  uOffset: number,
  rounding: Rounding = 'toward',
  onlyMutable = false,
): void {
  const nn = space.numeric.length;
  const x = cands.x;
  const x0 = space.x0;
  if (!onlyMutable || cands.origin[k] !== o) setOriginal(space, cands, k, o);
  const mut = space.mutableNumeric;
  const { scale, lower, upper, direction, integer, float32 } = space.limits;
  const toward = rounding === 'toward';
  // projectValue inlined (hot path): direction, bounds, integers, float32
  for (let m = 0; m < mut.length; m++) {
    const j = mut[m] as number;
    const a = x0[o * nn + j] as number;
    let v = a + (u[uOffset + m] as number) * (scale[j] as number);
    if (a !== a || v !== v) {
      x[k * nn + j] = a;
      continue;
    }
    const dir = direction[j] as number;
    const lo = dir === 1 ? a : Math.min(lower[j] as number, a);
    const hi = dir === -1 ? a : Math.max(upper[j] as number, a);
    if (v < lo) v = lo;
    else if (v > hi) v = hi;
    if (toward) v = roundToward(space, j, v, a);
    else if (integer[j] === 1) v = projectValue(space, j, v, a, rounding);
    else if (float32[j] === 1) v = Math.fround(v);
    x[k * nn + j] = v;
  }
}

/**
 * projectValue's 'toward' rounding of a value already clamped to its bounds (hot path: its common cases inline):
 * integer steps from an integer original value, then the float32 value towards the original.
 */
function roundToward(space: AttackSpace, j: number, v: number, a: number): number {
  const { integer, float32 } = space.limits;
  if (integer[j] === 1) {
    if (!Number.isInteger(a)) return projectValue(space, j, v, a, 'toward');
    v = a + Math.trunc(v - a);
  }
  return float32[j] === 1 ? float32Toward(v, a) : v;
}

/** Scratch of placeCandidatesOfRow: the row's original values, scales and bounds over the mutable numeric features. */
let rowA = new Float64Array(0);
let rowScale = new Float64Array(0);
let rowLo = new Float64Array(0);
let rowHi = new Float64Array(0);

/**
 * placeCandidate ('toward' rounding, onlyMutable) for `count` candidates of the same original row o: candidate q goes
 * to slot k = first + q·stride, moved by the vector u[k·M, (k+1)·M). The row's bounds are computed once, not per
 * candidate.
 */
export function placeCandidatesOfRow(space: AttackSpace, cands: Candidates, o: number, u: Float64Array, first: number, stride: number, count: number): void {
  const nn = space.numeric.length;
  const mut = space.mutableNumeric;
  const M = mut.length;
  if (rowA.length < M) {
    rowA = new Float64Array(M);
    rowScale = new Float64Array(M);
    rowLo = new Float64Array(M);
    rowHi = new Float64Array(M);
  }
  const { scale, lower, upper, direction } = space.limits;
  const x0 = space.x0;
  for (let m = 0; m < M; m++) {
    const j = mut[m] as number;
    const a = x0[o * nn + j] as number;
    const dir = direction[j] as number;
    rowA[m] = a;
    rowScale[m] = scale[j] as number;
    rowLo[m] = dir === 1 ? a : Math.min(lower[j] as number, a);
    rowHi[m] = dir === -1 ? a : Math.max(upper[j] as number, a);
  }
  const x = cands.x;
  const origin = cands.origin;
  for (let q = 0; q < count; q++) {
    const k = first + q * stride;
    if (origin[k] !== o) setOriginal(space, cands, k, o);
    const uo = k * M;
    const xo = k * nn;
    for (let m = 0; m < M; m++) {
      const j = mut[m] as number;
      const a = rowA[m] as number;
      let v = a + (u[uo + m] as number) * (rowScale[m] as number);
      if (a !== a || v !== v) {
        x[xo + j] = a;
        continue;
      }
      const lo = rowLo[m] as number;
      const hi = rowHi[m] as number;
      if (v < lo) v = lo;
      else if (v > hi) v = hi;
      x[xo + j] = roundToward(space, j, v, a);
    }
  }
}
