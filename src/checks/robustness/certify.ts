/**
 * Certified lower bounds on the minimal flipping perturbation of each attacked row (issue #14): what the attacks'
 * upper bounds are compared with ("certified robust at ε for x%, attacked at y%, unknown between").
 *
 * - Linear models (ONNX [Cast/Identity] → [Scaler] → LinearClassifier/LinearRegressor → [Normalizer/ZipMap/Sigmoid]
 *   on a feature matrix): the log-odds is f(x) = w·x + b, so the smallest perturbation (in units u_j = Δx_j / scale_j,
 *   over the mutable numeric features, inside the bounds and allowed directions) that reaches f = 0 is solved exactly:
 *   L∞: the smallest t with Σ_j |c_j|·min(t, room_j) ≥ |f| (c_j = w_j·scale_j, room_j the room in the helpful
 *   direction); L2: u_j = min(room_j, λ|c_j|) with Σ |c_j| u_j = |f|, radius ‖u‖₂. Integer features are relaxed to
 *   continuous (the bound stays sound; 'exact' is then false). A numeric feature tied to a categorical one by a
 *   functional relation moves with it (a discrete set of (value, level) options), which L∞ handles exactly and L2 by a
 *   sound relaxation (each option's cost against the whole radius).
 * - Tree ensembles (TreeEnsembleClassifier/Regressor/TreeEnsemble reading the feature matrix): interval (box)
 *   propagation — the feasible L∞ box of radius ε (which contains the L2 ball) reaches a set of leaves per tree; if
 *   the sum of the lowest (highest) reachable leaf values keeps the decision, no perturbation in the box flips it. The
 *   radius is the smallest box edge position (|threshold − x_j| / scale_j over the split thresholds) at which that
 *   fails: a sound lower bound, exact for a single tree.
 * The graph read is checked against the model's own scores on the attacked rows; a mismatch gives no certificate.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { ModelInfo, ModelInput } from '../../model/types.js';
import { decodeModel, nodeAttribute, type ModelProto, type NodeProto } from '../../model/onnx-graph.js';
import { resolvePolicyPath } from '../../policy/load.js';
import type { PolicyDocument } from '../../policy/types.js';
import { MODE_LEAF, MODE_LEQ, MODE_LT, MODE_GTE, MODE_GT, MODE_MEMBER, MODE_NEQ, goesTrue, parseTreeEnsemble, type TreeEnsemble } from '../explainability/tree-ensemble.js';
import { locateTreeEnsemble } from '../explainability/tree-graph.js';
import { linearPlan, readSymbolic, subsetSpace, treePlan } from './certify-columns.js';
import { scalarizeTreeScore, type ScalarTreeScore } from '../explainability/tree-score.js';
import { logit } from './oracle.js';
import type { AttackInstances } from './outcome.js';
import type { Relations } from './relations.js';
import type { AttackSpace } from './space.js';
import type { AttackNorm } from './types.js';

export type CertificationMethod = 'linear' | 'tree_interval' | 'none';

export interface Certificate {
  method: CertificationMethod;
  /** True when the radii are the exact minima (not only lower bounds). */
  exact: Record<AttackNorm, boolean>;
  /** Per instance and norm: certified radius (no perturbation of smaller size flips the row); NaN for rows not certified (incorrect rows). */
  radius: Partial<Record<AttackNorm, Float64Array>>;
  notes: string[];
}

const PASS_THROUGH = new Set(['Identity', 'Cast', 'Normalizer', 'ZipMap', 'Sigmoid']);

function none(reason: string): Certificate {
  return { method: 'none', exact: { linf: false, l2: false }, radius: {}, notes: [reason] };
}

/**
 * The model's ONNX graph: `bytes` when the caller has them (e.g. the ONNX translation of a scikit-learn/XGBoost model),
 * else the model file read again (checked to be the bytes that were loaded).
 */
export async function loadModelGraph(doc: PolicyDocument, info: ModelInfo, bytes?: Uint8Array): Promise<ModelProto | string> {
  if (bytes) {
    try {
      return decodeModel(bytes);
    } catch {
      return 'the model graph could not be decoded';
    }
  }
  try {
    const bytes = new Uint8Array(await readFile(resolvePolicyPath(doc as PolicyDocument & { workspace?: string }, doc.policy.model.path)));
    if (createHash('sha256').update(bytes).digest('hex') !== info.sha256) return 'the model file changed after it was loaded';
    return decodeModel(bytes);
  } catch {
    return 'the model graph could not be read (not an ONNX file the gate can decode)';
  }
}

interface LinearModel {
  /** f(x) = Σ w[col]·x[col] + b over the matrix columns. */
  w: Float64Array;
  b: number;
}

function floats(node: NodeProto, name: string): number[] | undefined {
  const v = nodeAttribute(node, name);
  return Array.isArray(v) && (v.length === 0 || typeof v[0] === 'number') ? (v as number[]) : undefined;
}

/** The linear log-odds of a LinearClassifier graph on a feature matrix, or a reason. */
function readLinear(proto: ModelProto, info: ModelInfo, input: ModelInput): LinearModel | string {
  const graph = proto.graph;
  if (!graph || input.kind !== 'matrix') return 'not a model on one feature matrix';
  const nodes = graph.node ?? [];
  const lin = nodes.filter((n) => n.opType === 'LinearClassifier' || n.opType === 'LinearRegressor');
  if (lin.length !== 1) return 'not a linear model';
  const node = lin[0]!;
  const made = new Map<string, NodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) made.set(o, n);
  // walk back to the graph input: pass-throughs and at most one Scaler
  let scaler: NodeProto | null = null;
  let x = node.input?.[0] ?? '';
  for (let g = 0; g < 16 && made.has(x); g++) {
    const p = made.get(x)!;
    if (p.opType === 'Scaler' && !scaler) scaler = p;
    else if (p.opType !== 'Identity' && p.opType !== 'Cast') return `the linear model reads a tensor computed by ${p.opType ?? '?'}`;
    x = p.input?.[0] ?? '';
  }
  if (x !== input.input) return 'the linear model does not read the model input';
  // and forward to the score output: only pass-throughs
  const score = node.opType === 'LinearClassifier' ? node.output?.[1] : node.output?.[0];
  let y = info.scoreOutput;
  for (let g = 0; g < 16 && y !== score; g++) {
    const p = made.get(y);
    if (!p || !PASS_THROUGH.has(p.opType ?? '')) return 'the linear model output is transformed before the score';
    y = p.input?.[0] ?? '';
  }
  if (y !== score) return 'the score output does not come from the linear model';
  const d = input.width;
  const coef = floats(node, 'coefficients') ?? [];
  const inter = floats(node, 'intercepts') ?? [];
  const rows = coef.length / d;
  if (!Number.isInteger(rows) || rows < 1 || rows > 2) return 'the linear model has more than two score rows';
  const w = new Float64Array(d);
  let b: number;
  const pos = info.positiveIndex;
  if (rows === 2) {
    // skl2onnx binary: row 1 = −row 0; P(class k) = sigmoid(s_k) after the L1 normalisation
    for (let j = 0; j < d; j++) if (Math.abs((coef[j] as number) + (coef[d + j] as number)) > 1e-6 * Math.max(1, Math.abs(coef[j] as number))) return 'a two-row linear model whose rows are not opposite';
    const k = pos === 0 ? 0 : 1;
    for (let j = 0; j < d; j++) w[j] = coef[k * d + j] as number;
    b = (inter[k] as number) ?? 0;
  } else {
    const sign = pos === 0 ? -1 : 1;
    for (let j = 0; j < d; j++) w[j] = sign * (coef[j] as number);
    b = sign * ((inter[0] as number) ?? 0);
  }
  if (scaler) {
    const off = floats(scaler, 'offset') ?? [];
    const sc = floats(scaler, 'scale') ?? [];
    const at = (a: number[], j: number): number => (a.length === 1 ? (a[0] as number) : ((a[j] as number) ?? 0));
    for (let j = 0; j < d; j++) {
      const s = sc.length === 0 ? 1 : at(sc, j);
      const o = off.length === 0 ? 0 : at(off, j);
      b -= w[j]! * s * o;
      w[j] = w[j]! * s;
    }
  }
  return { w, b };
}

/** Rows whose recomputed margin disagrees with the model's score (beyond float32 noise). */
function mismatches(space: AttackSpace, inst: AttackInstances, f: (o: number) => number, logOdds: boolean): number {
  let bad = 0;
  for (let i = 0; i < inst.rows.length; i++) {
    const s = inst.s0[i] as number;
    const m = f(inst.rows[i] as number);
    if (logOdds) {
      if (s < 1e-4 || s > 1 - 1e-4) {
        if ((s >= 0.5) !== (m >= 0)) bad++;
        continue;
      }
      if (Math.abs(logit(s) - m) > 1e-3 * Math.max(1, Math.abs(m))) bad++;
    } else if (Math.abs(s - m) > 1e-4 * Math.max(1, Math.abs(m))) bad++;
  }
  return bad;
}

function matrixColumn(space: AttackSpace, j: number): number {
  const s = space.numeric[j]!.source;
  return s.kind === 'matrix' ? s.column : -1;
}

/** The model input row of original row o (float values as the model sees them). */
function inputRow(space: AttackSpace, o: number): Float32Array {
  const input = space.input as Extract<ModelInput, { kind: 'matrix' }>;
  return input.data.subarray(o * input.width, (o + 1) * input.width);
}

// ---------------------------------------------------------------------------------------------------- linear

interface Option {
  /** Reduction of |f| and cost (units). */
  red: number;
  cost: number;
}

function linearRadius(space: AttackSpace, rel: Relations, lm: LinearModel, o: number, f: number, norm: AttackNorm): { radius: number; exact: boolean } {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const need = Math.abs(f);
  const dirSign = f > 0 ? -1 : 1; // f must move this way
  const coupled = new Set(rel.functional.map((p) => p.numeric));
  const c: number[] = [];
  const room: number[] = [];
  let exact = true;
  for (const j of space.mutableNumeric) {
    if (coupled.has(j)) continue;
    const col = matrixColumn(space, j);
    const a = space.x0[o * nn + j] as number;
    if (col < 0 || a !== a) continue;
    const cj = (lm.w[col] as number) * (space.limits.scale[j] as number);
    if (cj === 0) continue;
    if (space.limits.integer[j] === 1) exact = false;
    // helpful direction of x_j: sign(dirSign·cj)
    const up = dirSign * cj > 0;
    const dir = space.limits.direction[j] as number;
    if ((up && dir === -1) || (!up && dir === 1)) continue;
    const bound = up ? Math.max(space.limits.upper[j] as number, a) : Math.min(space.limits.lower[j] as number, a);
    const r = Math.abs(bound - a) / (space.limits.scale[j] as number);
    if (!(r > 0)) continue;
    c.push(Math.abs(cj));
    room.push(r);
  }
  // functional pairs: discrete options (value, level) of each mutable coupled numeric feature
  const groups: Option[][] = [];
  const input = space.input as Extract<ModelInput, { kind: 'matrix' }>;
  for (const p of rel.functional) {
    const j = p.numeric;
    if (!space.numeric[j]!.mutable) continue;
    const a = space.x0[o * nn + j] as number;
    const col = matrixColumn(space, j);
    const cf = space.categorical[p.categorical]!;
    if (a !== a || col < 0 || cf.source.kind !== 'one-hot') continue;
    exact = exact && norm === 'linf';
    const l0 = space.c0[o * nc + p.categorical] as number;
    const ind = cf.source.indicators;
    const opts: Option[] = [];
    for (let q = 0; q < p.values.length; q++) {
      const v = p.values[q] as number;
      const level = p.levelOfValue[q] as number;
      if (v === a) continue;
      const dirJ = space.limits.direction[j] as number;
      if ((dirJ === 1 && v < a) || (dirJ === -1 && v > a)) continue;
      if (v < Math.min(space.limits.lower[j] as number, a) || v > Math.max(space.limits.upper[j] as number, a)) continue;
      let df = (lm.w[col] as number) * (v - a);
      const from = ind[l0] as number;
      const to = ind[level] as number;
      if (from >= 0) df -= lm.w[from] as number;
      if (to >= 0) df += lm.w[to] as number;
      const red = dirSign * df;
      if (red > 0) opts.push({ red, cost: Math.abs(v - a) / (space.limits.scale[j] as number) });
    }
    if (opts.length > 0) groups.push(opts);
  }
  void input;
  const groupGain = (t: number): number => {
    let g = 0;
    for (const opts of groups) {
      let best = 0;
      for (const op of opts) if (op.cost <= t && op.red > best) best = op.red;
      g += best;
    }
    return g;
  };
  let total = groupGain(Infinity);
  for (let q = 0; q < c.length; q++) total += (c[q] as number) * (room[q] as number);
  if (total < need) return { radius: Infinity, exact };

  if (norm === 'linf') {
    // breakpoints: rooms and option costs; between them the reduction is linear in t
    const bps = [...room, ...groups.flatMap((g) => g.map((op) => op.cost))].filter((v) => v > 0).sort((a, b) => a - b);
    const reduction = (t: number): { value: number; slope: number } => {
      let value = groupGain(t);
      let slope = 0;
      for (let q = 0; q < c.length; q++) {
        const r = room[q] as number;
        if (t < r) {
          value += (c[q] as number) * t;
          slope += c[q] as number;
        } else value += (c[q] as number) * r;
      }
      return { value, slope };
    };
    let prev = 0;
    for (const bp of [...bps, Infinity]) {
      // on [prev, bp): value(prev) + slope·(t − prev) with the groups as at prev
      const at = reduction(prev);
      if (at.value >= need) return { radius: prev, exact };
      if (at.slope > 0) {
        const t = prev + (need - at.value) / at.slope;
        if (t < bp) return { radius: t, exact };
      }
      if (!Number.isFinite(bp)) break;
      prev = bp;
    }
    return { radius: Infinity, exact };
  }

  // L2, continuous part: u_q = min(room_q, λ c_q); reduction(λ) = Σ c_q min(room_q, λ c_q), norm(λ) = ‖u‖₂
  const order = c.map((_, q) => q).sort((p, q) => (room[p] as number) / (c[p] as number) - (room[q] as number) / (c[q] as number));
  const solveLambdaForReduction = (target: number): number => {
    // piecewise linear in λ: sweep breakpoints λ_q = room_q / c_q
    let sat = 0; // reduction of saturated features
    let slope = 0; // Σ c_q² of unsaturated
    for (const q of order) slope += (c[q] as number) ** 2;
    let prevL = 0;
    for (const q of order) {
      const lq = (room[q] as number) / (c[q] as number);
      const valAt = sat + slope * lq;
      if (valAt >= target) return prevL + (target - (sat + slope * prevL)) / slope;
      sat += (c[q] as number) * (room[q] as number);
      slope -= (c[q] as number) ** 2;
      prevL = lq;
    }
    return slope > 0 ? prevL + (target - (sat + slope * prevL)) / slope : Infinity;
  };
  const normAt = (lam: number): number => {
    let s = 0;
    for (let q = 0; q < c.length; q++) s += Math.min(room[q] as number, lam * (c[q] as number)) ** 2;
    return Math.sqrt(s);
  };
  if (groups.length === 0) {
    const lam = solveLambdaForReduction(need);
    return { radius: Number.isFinite(lam) ? normAt(lam) : Infinity, exact };
  }
  // with discrete options: the largest continuous reduction within radius t, plus each option's gain within t (sound)
  const contReduction = (t: number): number => {
    let lo = 0;
    let hi = 1;
    while (normAt(hi) < t && hi < 1e300) {
      const before = normAt(hi);
      hi *= 2;
      if (normAt(hi) === before) break;
    }
    for (let it = 0; it < 100; it++) {
      const mid = (lo + hi) / 2;
      if (normAt(mid) <= t) lo = mid;
      else hi = mid;
    }
    let r = 0;
    for (let q = 0; q < c.length; q++) r += (c[q] as number) * Math.min(room[q] as number, lo * (c[q] as number));
    return r;
  };
  let lo = 0;
  let hi = 1;
  while (contReduction(hi) + groupGain(hi) < need) {
    hi *= 2;
    if (hi > 1e12) return { radius: Infinity, exact: false };
  }
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    if (contReduction(mid) + groupGain(mid) >= need) hi = mid;
    else lo = mid;
  }
  return { radius: lo, exact: false };
}

// ---------------------------------------------------------------------------------------------------- trees

/** Lowest and highest reachable leaf value of each tree within the box [lo, hi] (per input column), summed. */
function boxBounds(s: ScalarTreeScore, lo: Float64Array, hi: Float64Array, stack: Int32Array): [number, number] {
  const e = s.ensemble;
  let mlo = s.offset;
  let mhi = s.offset;
  for (let t = 0; t < e.roots.length; t++) {
    let tmin = Infinity;
    let tmax = -Infinity;
    let top = 0;
    stack[top++] = e.roots[t] as number;
    while (top > 0) {
      const node = stack[--top] as number;
      if (e.mode[node] === MODE_LEAF) {
        const v = s.leafValue[node] as number;
        if (v < tmin) tmin = v;
        if (v > tmax) tmax = v;
        continue;
      }
      const f = e.feature[node] as number;
      const a = lo[f] as number;
      const b = hi[f] as number;
      const mode = e.mode[node] as number;
      let toTrue: boolean;
      let toFalse: boolean;
      if (a === b || a !== a) {
        toTrue = goesTrue(e, node, a);
        toFalse = !toTrue;
      } else if (mode === MODE_LEQ || mode === MODE_LT || mode === MODE_GTE || mode === MODE_GT) {
        // monotone comparisons: the ends of the interval decide
        const ta = goesTrue(e, node, a);
        const tb = goesTrue(e, node, b);
        toTrue = ta || tb;
        toFalse = !ta || !tb;
      } else {
        // equality and membership on an interval: true only if the interval holds the value (or a member), so that
        // certification changes status only where a box edge reaches one (those values are breakpoints too)
        const t = e.threshold[node] as number;
        let hit: boolean;
        if (mode === MODE_MEMBER) {
          hit = false;
          for (let k = e.memberStart[node] as number; k < (e.memberEnd[node] as number); k++) {
            const v = e.memberValues[k] as number;
            if (v >= a && v <= b) hit = true;
          }
        } else hit = t >= a && t <= b;
        toTrue = mode === MODE_NEQ ? true : hit;
        toFalse = mode === MODE_NEQ ? hit : true;
      }
      if (toTrue) stack[top++] = e.trueChild[node] as number;
      if (toFalse) stack[top++] = e.falseChild[node] as number;
    }
    mlo += tmin;
    mhi += tmax;
  }
  return [mlo, mhi];
}

interface TreeContext {
  score: ScalarTreeScore;
  /** Split thresholds per input column (ascending, distinct). */
  thresholds: Map<number, Float64Array>;
  stack: Int32Array;
}

function treeRadius(space: AttackSpace, rel: Relations, tc: TreeContext, o: number, d0: number, T: number): number {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const row = inputRow(space, o);
  const width = row.length;
  const lo = new Float64Array(width);
  const hi = new Float64Array(width);
  const mut = space.mutableNumeric;
  const coupledGroups = rel.functional.filter((p) => space.numeric[p.numeric]!.mutable && space.categorical[p.categorical]!.source.kind === 'one-hot');
  /** Is the row certified within the box of radius eps (strictly inside: eps itself is included)? */
  const certified = (eps: number): boolean => {
    for (let k = 0; k < width; k++) lo[k] = hi[k] = row[k] as number;
    for (const j of mut) {
      const col = matrixColumn(space, j);
      const a = space.x0[o * nn + j] as number;
      if (col < 0 || a !== a) continue;
      const s = space.limits.scale[j] as number;
      const dir = space.limits.direction[j] as number;
      const l = dir === 1 ? a : Math.max(Math.min(space.limits.lower[j] as number, a), a - eps * s);
      const h = dir === -1 ? a : Math.min(Math.max(space.limits.upper[j] as number, a), a + eps * s);
      lo[col] = Math.min(l, row[col] as number);
      hi[col] = Math.max(h, row[col] as number);
    }
    for (const p of coupledGroups) {
      const a = space.x0[o * nn + p.numeric] as number;
      const s = space.limits.scale[p.numeric] as number;
      let moves = false;
      for (const v of p.values) if (v !== a && Math.abs(v - a) <= eps * s) moves = true;
      if (!moves) continue;
      const cf = space.categorical[p.categorical]!;
      if (cf.source.kind !== 'one-hot') continue;
      for (const col of cf.source.columns) {
        lo[col] = 0;
        hi[col] = 1;
      }
    }
    void nc;
    const [mlo, mhi] = boxBounds(tc.score, lo, hi, tc.stack);
    const slack = 1e-5 * Math.max(1, Math.abs(T));
    return d0 === 1 ? mlo >= T + slack : mhi < T - slack;
  };
  if (!certified(0)) return 0;
  // breakpoints: where a box edge crosses a split threshold (or reaches a coupled value)
  const bps: number[] = [];
  for (const j of mut) {
    const col = matrixColumn(space, j);
    const a = space.x0[o * nn + j] as number;
    if (col < 0 || a !== a) continue;
    const s = space.limits.scale[j] as number;
    const th = tc.thresholds.get(col);
    // a threshold at the row's own value is a breakpoint at 0: the route can change as soon as the value moves
    // (x < 40 at x = 40; a member value left behind)
    if (th) for (const t of th) bps.push(Math.abs(t - a) / s);
  }
  for (const p of coupledGroups) {
    const a = space.x0[o * nn + p.numeric] as number;
    for (const v of p.values) if (v !== a) bps.push(Math.abs(v - a) / (space.limits.scale[p.numeric] as number));
  }
  const uniq = [...new Set(bps)].sort((a, b) => a - b);
  if (uniq.length === 0) return Infinity;
  // largest k such that the box just past breakpoint k-1 is certified; the radius is breakpoint k (an infimum)
  const past = (k: number): number => (uniq[k] as number) * (1 + 1e-9) + 1e-12;
  if (certified(past(uniq.length - 1))) return Infinity;
  let lo2 = -1; // certified past lo2 (−1: before the first breakpoint, known certified at 0)
  let hi2 = uniq.length - 1; // not certified past hi2
  while (hi2 - lo2 > 1) {
    const mid = (lo2 + hi2) >> 1;
    if (certified(past(mid))) lo2 = mid;
    else hi2 = mid;
  }
  return uniq[hi2] as number;
}

// ------------------------------------------------------------------------------- trees: exact by leaf boxes

/** Ensembles of at most this many trees are solved exactly (when every row's search fits EXACT_MAX_VISITS). */
export const EXACT_MAX_TREES = 8;
const EXACT_MAX_VISITS = 200_000;

/** A leaf and the box of inputs that reach it: per constrained column, the interval and whether each end is open. */
interface LeafBox {
  value: number;
  cols: Int32Array;
  lo: Float64Array;
  hi: Float64Array;
  loOpen: Uint8Array;
  hiOpen: Uint8Array;
}

/** The leaf boxes of every tree, or null when a split is not a threshold comparison (EQ, NEQ, MEMBER). */
function leafBoxes(s: ScalarTreeScore): LeafBox[][] | null {
  const e = s.ensemble;
  const out: LeafBox[][] = [];
  for (let t = 0; t < e.roots.length; t++) {
    const leaves: LeafBox[] = [];
    const walk = (node: number, cons: Map<number, [number, number, number, number]>): boolean => {
      if (e.mode[node] === MODE_LEAF) {
        const cols = Int32Array.from(cons.keys());
        const get = (q: number): [number, number, number, number] => cons.get(cols[q] as number)!;
        leaves.push({
          value: s.leafValue[node] as number,
          cols,
          lo: Float64Array.from(cols, (_, q) => get(q)[0]),
          hi: Float64Array.from(cols, (_, q) => get(q)[1]),
          loOpen: Uint8Array.from(cols, (_, q) => get(q)[2]),
          hiOpen: Uint8Array.from(cols, (_, q) => get(q)[3]),
        });
        return true;
      }
      const mode = e.mode[node] as number;
      if (mode !== MODE_LEQ && mode !== MODE_LT && mode !== MODE_GTE && mode !== MODE_GT) return false;
      const f = e.feature[node] as number;
      const th = e.threshold[node] as number;
      const cur = cons.get(f) ?? [-Infinity, Infinity, 0, 0];
      // x <= t (LEQ true, GT false), x < t (LT true, GTE false), x >= t (GTE true, LT false), x > t (GT true, LEQ false)
      const upper = (open: number): [number, number, number, number] => (th < cur[1] || (th === cur[1] && open) ? [cur[0], th, cur[2], open] : cur);
      const lower = (open: number): [number, number, number, number] => (th > cur[0] || (th === cur[0] && open) ? [th, cur[1], open, cur[3]] : cur);
      const tBox = mode === MODE_LEQ ? upper(0) : mode === MODE_LT ? upper(1) : mode === MODE_GTE ? lower(0) : lower(1);
      const fBox = mode === MODE_LEQ ? lower(1) : mode === MODE_LT ? lower(0) : mode === MODE_GTE ? upper(1) : upper(0);
      for (const [child, box] of [
        [e.trueChild[node] as number, tBox],
        [e.falseChild[node] as number, fBox],
      ] as const) {
        if (box[0] > box[1] || (box[0] === box[1] && (box[2] || box[3]))) continue; // empty
        const next = new Map(cons);
        next.set(f, box);
        if (!walk(child, next)) return false;
      }
      return true;
    };
    if (!walk(e.roots[t] as number, new Map())) return null;
    out.push(leaves);
  }
  return out;
}

interface ExactContext {
  boxes: LeafBox[][];
  /** Per input column: mutable (index of the numeric feature) or -1. */
  mutableOf: Int32Array;
  offset: number;
  /** Suffix sums of the smallest / largest leaf value of trees t.. (index t). */
  minAfter: Float64Array;
  maxAfter: Float64Array;
}

function exactContext(space: AttackSpace, s: ScalarTreeScore, boxes: LeafBox[][]): ExactContext {
  const width = (space.input as Extract<ModelInput, { kind: 'matrix' }>).width;
  const mutableOf = new Int32Array(width).fill(-1);
  for (const j of space.mutableNumeric) {
    const col = matrixColumn(space, j);
    if (col >= 0) mutableOf[col] = j;
  }
  const T = boxes.length;
  const minAfter = new Float64Array(T + 1);
  const maxAfter = new Float64Array(T + 1);
  for (let t = T - 1; t >= 0; t--) {
    let lo = Infinity;
    let hi = -Infinity;
    for (const b of boxes[t]!) {
      lo = Math.min(lo, b.value);
      hi = Math.max(hi, b.value);
    }
    minAfter[t] = (minAfter[t + 1] as number) + lo;
    maxAfter[t] = (maxAfter[t + 1] as number) + hi;
  }
  return { boxes, mutableOf, offset: s.offset, minAfter, maxAfter };
}

/**
 * The exact smallest perturbation (norm, units) that moves row o into a combination of leaves (one per tree) whose
 * boxes intersect inside the feasible ranges and whose sum flips the decision, with the nearest point of that box
 * (integers relaxed); null when the search exceeds its budget. Depth-first over the trees, pruned by the distance
 * found so far and by the sums the remaining trees can still reach.
 */
export function exactTreeRadius(space: AttackSpace, ec: ExactContext, o: number, d0: number, T: number, norm: AttackNorm): { radius: number; witness: Float64Array | null } | null {
  const row = inputRow(space, o);
  const width = row.length;
  const nn = space.numeric.length;
  const lo = new Float64Array(width).fill(-Infinity);
  const hi = new Float64Array(width).fill(Infinity);
  const loOpen = new Uint8Array(width);
  const hiOpen = new Uint8Array(width);
  // feasible interval of each mutable column (bounds, direction)
  const fLo = new Float64Array(width);
  const fHi = new Float64Array(width);
  const scale = new Float64Array(width).fill(1);
  // a missing cell is never changed: fixed for this row (the matrix may hold an imputed value there)
  const mutableOf = ec.mutableOf.slice();
  for (let col = 0; col < width; col++) {
    const j = mutableOf[col] as number;
    if (j < 0) continue;
    const a = space.x0[o * nn + j] as number;
    if (a !== a) {
      mutableOf[col] = -1;
      continue;
    }
    const dir = space.limits.direction[j] as number;
    fLo[col] = dir === 1 ? a : Math.min(space.limits.lower[j] as number, a);
    fHi[col] = dir === -1 ? a : Math.max(space.limits.upper[j] as number, a);
    scale[col] = space.limits.scale[j] as number;
  }
  const slack = 1e-5 * Math.max(1, Math.abs(T));
  let best = Infinity;
  let bestBox: { lo: Float64Array; hi: Float64Array; loOpen: Uint8Array; hiOpen: Uint8Array } | null = null;
  let visits = 0;
  const colDist = (col: number, l: number, h: number): number => {
    const j = mutableOf[col] as number;
    const a = row[col] as number;
    if (j < 0) return a >= l && a <= h ? 0 : Infinity; // open ends checked separately
    const L = Math.max(l, fLo[col] as number);
    const H = Math.min(h, fHi[col] as number);
    if (L > H) return Infinity;
    return (a < L ? L - a : a > H ? a - H : 0) / (scale[col] as number);
  };
  const search = (t: number, sum: number, dist: number): boolean => {
    if (dist >= best) return true;
    const reachLo = sum + (ec.minAfter[t] as number);
    const reachHi = sum + (ec.maxAfter[t] as number);
    if (d0 === 1 ? reachLo >= T - slack : reachHi < T + slack) return true; // cannot flip from here
    if (t === ec.boxes.length) {
      // every tree chose a leaf: the box flips the decision when the sum crosses the threshold (with float slack)
      if (d0 === 1 ? sum < T - slack : sum >= T + slack) {
        best = dist;
        bestBox = { lo: lo.slice(), hi: hi.slice(), loOpen: loOpen.slice(), hiOpen: hiOpen.slice() };
      }
      return true;
    }
    for (const leaf of ec.boxes[t]!) {
      if (++visits > EXACT_MAX_VISITS) return false;
      // intersect, remembering what to restore
      const n = leaf.cols.length;
      const saved: number[] = [];
      let ok = true;
      let d = dist;
      let sq = norm === 'l2' ? dist * dist : 0;
      for (let q = 0; q < n; q++) {
        const col = leaf.cols[q] as number;
        saved.push(col, lo[col] as number, hi[col] as number, loOpen[col] as number, hiOpen[col] as number);
        const before = colDist(col, lo[col] as number, hi[col] as number);
        const l = leaf.lo[q] as number;
        const h = leaf.hi[q] as number;
        if (l > (lo[col] as number) || (l === lo[col] && leaf.loOpen[q])) {
          lo[col] = l;
          loOpen[col] = leaf.loOpen[q] as number;
        }
        if (h < (hi[col] as number) || (h === hi[col] && leaf.hiOpen[q])) {
          hi[col] = h;
          hiOpen[col] = leaf.hiOpen[q] as number;
        }
        const L = lo[col] as number;
        const H = hi[col] as number;
        if (L > H || (L === H && (loOpen[col] || hiOpen[col]))) ok = false;
        const a = row[col] as number;
        if (ok && (mutableOf[col] as number) < 0 && ((loOpen[col] && a === L) || (hiOpen[col] && a === H))) ok = false;
        const after = ok ? colDist(col, L, H) : Infinity;
        if (!Number.isFinite(after)) ok = false;
        if (!ok) break;
        if (norm === 'linf') d = Math.max(d, after);
        else sq += after * after - before * before;
      }
      if (ok) {
        const nd = norm === 'linf' ? d : Math.sqrt(Math.max(0, sq));
        if (!search(t + 1, sum + leaf.value, nd)) return false;
      }
      for (let q = saved.length - 5; q >= 0; q -= 5) {
        const col = saved[q] as number;
        lo[col] = saved[q + 1] as number;
        hi[col] = saved[q + 2] as number;
        loOpen[col] = saved[q + 3] as number;
        hiOpen[col] = saved[q + 4] as number;
      }
    }
    return true;
  };
  if (!search(0, ec.offset, 0)) return null;
  if (!bestBox) return { radius: Infinity, witness: null };
  // the nearest point of the box (inside its open ends by a hair)
  const box = bestBox as { lo: Float64Array; hi: Float64Array; loOpen: Uint8Array; hiOpen: Uint8Array };
  const witness = Float64Array.from(row);
  for (let col = 0; col < width; col++) {
    if ((mutableOf[col] as number) < 0) continue;
    const L = Math.max(box.lo[col] as number, fLo[col] as number);
    const H = Math.min(box.hi[col] as number, fHi[col] as number);
    const a = row[col] as number;
    const hair = 1e-7 * Math.max(1, Math.abs(a)) * (scale[col] as number > 0 ? 1 : 1);
    if (a < L) witness[col] = box.loOpen[col] && L === box.lo[col] ? L + hair : L;
    else if (a > H) witness[col] = box.hiOpen[col] && H === box.hi[col] ? H - hair : H;
  }
  return { radius: best, witness };
}

// ---------------------------------------------------------------------------------------------------- entry

export interface CertifyOptions {
  space: AttackSpace;
  relations: Relations;
  inst: AttackInstances;
  threshold: number;
  norms: AttackNorm[];
  info: ModelInfo;
  /** The decoded model graph, or why there is none. */
  proto: ModelProto | string;
  /** Epoch ms after which rows left get no certificate (radius 0: nothing claimed); default none. */
  deadline?: number;
}

export function certify(opts: CertifyOptions): Certificate {
  const { space, relations: rel, inst, threshold, norms, info, proto } = opts;
  if (typeof proto === 'string') return none(proto);
  if (info.outputKind === 'label') return none('the model outputs labels only: no certificate');
  // one input per column (preprocessing inside the graph): the symbolic pass of certify-columns.ts
  if (space.input.kind !== 'matrix') return certifyGraph(opts, proto);
  const T = logit(threshold);

  const lm = readLinear(proto, info, space.input);
  if (typeof lm !== 'string') {
    const fOf = (o: number): number => {
      const row = inputRow(space, o);
      let f = lm.b;
      for (let k = 0; k < row.length; k++) f += (lm.w[k] as number) * (row[k] as number);
      return f;
    };
    const bad = mismatches(space, inst, fOf, true);
    if (bad > 0) return none(`the linear read of the graph disagrees with the model's scores on ${bad} rows: no certificate`);
    return linearCertificate(space, rel, inst, norms, lm, (o) => fOf(o) - T);
  }

  const where = locateTreeEnsemble(proto, info, space.input);
  if (!where.ok) {
    // preprocessing inside the graph of a feature-matrix model (e.g. a translated scikit-learn pipeline)
    const viaGraph = certifyGraph(opts, proto);
    if (viaGraph.method !== 'none') return viaGraph;
    return none(where.hasTrees ? `no certificate: ${where.reason}` : 'no certificate for this kind of model (linear models and tree ensembles only)');
  }
  let e: TreeEnsemble;
  try {
    e = parseTreeEnsemble(where.node);
  } catch (err) {
    return none(`the tree ensemble could not be read (${err instanceof Error ? err.message : String(err)}): no certificate`);
  }
  const sc = scalarizeTreeScore(e, info.positiveIndex, where.sigmoidAfter);
  if (!sc.ok) return none(`no certificate: ${sc.reason}`);
  const s = sc.score;
  const logOdds = s.transform === 'logistic';
  const stack = new Int32Array(e.mode.length + 1);
  const margin = (o: number): number => {
    const row = inputRow(space, o);
    const lo = Float64Array.from(row);
    return boxBounds(s, lo, lo, stack)[0];
  };
  const bad = mismatches(space, inst, margin, logOdds);
  if (bad > 0) return none(`the tree ensemble read from the graph disagrees with the model's scores on ${bad} rows: no certificate`);
  return treeCertificate(space, rel, inst, norms, e, s, logOdds ? T : threshold, opts.deadline);
}

/** The exact linear certificate over a (possibly virtual) feature matrix; margin(o): signed, positive decision iff ≥ 0. */
export function linearCertificate(space: AttackSpace, rel: Relations, inst: AttackInstances, norms: AttackNorm[], lm: LinearModel, margin: (o: number) => number): Certificate {
  const n = inst.rows.length;
  const cert: Certificate = { method: 'linear', exact: { linf: true, l2: true }, radius: {}, notes: [] };
  for (const norm of norms) {
    const r = new Float64Array(n).fill(Number.NaN);
    let exact = true;
    for (let i = 0; i < n; i++) {
      if (!inst.correct[i]) continue;
      const o = inst.rows[i] as number;
      const res = linearRadius(space, rel, lm, o, margin(o), norm);
      r[i] = res.radius;
      exact &&= res.exact;
    }
    cert.radius[norm] = r;
    cert.exact[norm] = exact;
  }
  if (!cert.exact.linf || !cert.exact.l2) cert.notes.push('integer features and functional relations are relaxed: the certified radii are lower bounds');
  return cert;
}

/** Interval bounds (and exact leaf boxes for small ensembles) of a scalarised ensemble over a (possibly virtual) feature matrix; decision positive iff margin ≥ Tm. */
export function treeCertificate(space: AttackSpace, rel: Relations, inst: AttackInstances, norms: AttackNorm[], e: TreeEnsemble, s: ScalarTreeScore, Tm: number, deadline0?: number): Certificate {
  const n = inst.rows.length;
  const stack = new Int32Array(e.mode.length + 1);
  const thresholds = new Map<number, Set<number>>();
  for (let node = 0; node < e.mode.length; node++) {
    if (e.mode[node] === MODE_LEAF) continue;
    const f = e.feature[node] as number;
    let set = thresholds.get(f);
    if (!set) thresholds.set(f, (set = new Set()));
    if (e.mode[node] === MODE_MEMBER) for (let k = e.memberStart[node] as number; k < (e.memberEnd[node] as number); k++) set.add(e.memberValues[k] as number);
    else if (Number.isFinite(e.threshold[node] as number)) set.add(e.threshold[node] as number);
  }
  const tc: TreeContext = { score: s, thresholds: new Map([...thresholds].map(([k, v]) => [k, Float64Array.from(v).sort()])), stack };
  const cert: Certificate = { method: 'tree_interval', exact: { linf: false, l2: false }, radius: {}, notes: [] };
  const r = new Float64Array(n).fill(Number.NaN);
  const deadline = deadline0 ?? Infinity;
  let late = 0;
  for (let i = 0; i < n; i++) {
    if (!inst.correct[i]) continue;
    // past the time limit a row gets radius 0: no claim is made about it (sound, and said in the notes)
    if (Date.now() > deadline) {
      r[i] = 0;
      late++;
      continue;
    }
    r[i] = treeRadius(space, rel, tc, inst.rows[i] as number, inst.d0[i] as number, Tm);
  }
  if (late > 0) cert.notes.push(`the time limit was reached: ${late} rows got no certificate (counted as not certified)`);
  for (const norm of norms) cert.radius[norm] = r;
  // small ensembles: exact by enumerating leaf boxes (per norm), when no functional pair moves a one-hot group
  const coupled = rel.functional.some((p) => space.numeric[p.numeric]!.mutable);
  const boxes = e.roots.length <= EXACT_MAX_TREES && !coupled ? leafBoxes(s) : null;
  if (boxes) {
    const ec = exactContext(space, s, boxes);
    const relaxed = space.mutableNumeric.some((j) => space.limits.integer[j] === 1);
    for (const norm of norms) {
      const exact = new Float64Array(n).fill(Number.NaN);
      let complete = true;
      for (let i = 0; i < n && complete; i++) {
        if (!inst.correct[i]) continue;
        if (Date.now() > deadline) complete = false;
        const o = inst.rows[i] as number;
        if (inputRow(space, o).some((v) => v !== v)) complete = false;
        const res = complete ? exactTreeRadius(space, ec, o, inst.d0[i] as number, Tm, norm) : null;
        if (!res) complete = false;
        else exact[i] = Math.max(res.radius, r[i] as number);
      }
      if (complete) {
        cert.radius[norm] = exact;
        cert.exact[norm] = !relaxed;
      }
    }
    if (cert.exact.linf || cert.exact.l2) cert.notes.push(`exact: every combination of leaves of the ${e.roots.length} trees enumerated (leaf boxes)`);
    else if (Object.values(cert.radius).some((x) => x !== r)) cert.notes.push(`leaf boxes of the ${e.roots.length} trees enumerated; integer features relaxed, so the radii are lower bounds`);
  }
  // the interval radii are what is reported unless the leaf boxes replaced them (then the note above says so)
  if (!cert.exact.linf && !cert.exact.l2 && Object.values(cert.radius).some((x) => x === r)) {
    cert.notes.push(
      `interval bounds over ${e.roots.length} trees: a box of radius ε around the row (inside the bounds and directions) is shown to keep the decision${norms.includes('l2') ? '; the L2 radius is the L∞ one (the L2 ball lies in the box)' : ''}`,
    );
  }
  return cert;
}

/**
 * Models whose preprocessing is inside the graph: the symbolic pass (certify-columns.ts) rewrites the linear head or
 * the trees over the attack space's own features, then the solvers above run on that virtual feature matrix.
 */
export function certifyGraph(opts: CertifyOptions, proto: ModelProto): Certificate {
  const { relations: rel, threshold, norms, info } = opts;
  // the attacked rows only (row i of the sub-space is instance i)
  const space = subsetSpace(opts.space, opts.inst.rows);
  const inst: AttackInstances = { ...opts.inst, rows: Uint32Array.from(opts.inst.rows, (_, i) => i) };
  const sym = readSymbolic(proto, info, space, threshold);
  if (typeof sym === 'string') return none(`${sym}: no certificate`);
  const read = `read through the graph's preprocessing (${sym.ops.join(', ')})${sym.roundingIgnored ? '; its float32 arithmetic is taken as exact (radii within float32 rounding, ~1e-7 relative)' : ''}`;
  if (sym.core.kind === 'lin') {
    const plan = linearPlan(space, sym);
    const bad = mismatches(plan.space, inst, (o) => (sym.logOdds ? logit(plan.modelScore(o)) : plan.modelScore(o)), sym.logOdds);
    if (bad > 0) return none(`the linear read of the graph disagrees with the model's scores on ${bad} rows: no certificate`);
    const cert = linearCertificate(plan.space, rel, inst, norms, plan.lm, plan.margin);
    cert.notes.unshift(`linear model ${read}`);
    return cert;
  }
  const plan = treePlan(space, rel, sym);
  if (typeof plan === 'string') return none(`${plan}: no certificate`);
  const bad = mismatches(plan.space, inst, (o) => (sym.logOdds ? logit(plan.modelScore(o)) : plan.modelScore(o)), sym.logOdds);
  if (bad > 0) return none(`the tree ensemble read from the graph disagrees with the model's scores on ${bad} rows: no certificate`);
  const cert = treeCertificate(plan.space, rel, inst, norms, plan.ensemble, plan.score, plan.T, opts.deadline);
  cert.notes.unshift(`${plan.op} ${read}`);
  let skipped = 0;
  for (let i = 0; i < inst.rows.length; i++) {
    if (!inst.correct[i] || !plan.unrepresentable.has(inst.rows[i] as number)) continue;
    for (const r of Object.values(cert.radius)) if (r) r[i] = 0;
    skipped++;
  }
  if (skipped > 0) {
    cert.exact = { linf: false, l2: false };
    cert.notes.push(`${skipped} rows with a missing value the trees read through differently imputed elements got no certificate`);
  }
  return cert;
}

/** For tests and tools: the exact leaf-box solver of a scalarised tree ensemble (null: unsupported splits). */
export function treeExactSolver(space: AttackSpace, s: ScalarTreeScore): ((o: number, d0: number, T: number, norm: AttackNorm) => ReturnType<typeof exactTreeRadius>) | null {
  const boxes = leafBoxes(s);
  if (!boxes) return null;
  const ec = exactContext(space, s, boxes);
  return (o, d0, T, norm) => exactTreeRadius(space, ec, o, d0, T, norm);
}
