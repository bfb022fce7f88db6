/**
 * Certified lower bounds for models whose preprocessing is inside the ONNX graph (issue #14): skl2onnx pipelines
 * (ColumnTransformer → Concat → LinearClassifier / TreeEnsembleClassifier → ZipMap) and the gate's own ONNX translations
 * of scikit-learn / XGBoost models (one input per raw column; Sub/Div scalers, LabelEncoder + Equal one-hot indicators,
 * IsNaN + Where imputers, MatMul + Sigmoid or TreeEnsemble + Sigmoid heads).
 *
 * A symbolic pass evaluates the graph backwards from the score output, on demand, over abstract values: every element
 * of every tensor is one of
 * - a linear form `b + Σ a·x_j + Σ t_c[level] + Σ w·isnan(x_j)` over the attack space's features: numeric features x_j
 *   (valid for non-missing x_j; a missing x_j is replaced by the term's imputed value `imp`, NaN when nothing imputes
 *   it), categorical features as a table of values per level seen in the data (an indicator of a set of levels, an
 *   ordinal code, ...), missingness indicators (fixed per row: the attacks never fill or empty a cell), a constant.
 *   The trees and the classifier's input vector may only hold single-input forms (affine in ONE numeric input, a table
 *   of ONE categorical input, a constant, or forms fixed per row); the linear head may combine them freely.
 * - for trees only: a clipped affine form (MinMaxScaler(clip=True)), and a function of one numeric input at given
 *   values (one-hot / ordinal encodings of a numeric column), which become membership splits on the raw column;
 * - a string element (a categorical input, possibly remapped per level), before LabelEncoder / OneHotEncoder;
 * - a score: a monotone chain (affine maps with constants, Sigmoid) applied to one core, a linear form or a tree
 *   ensemble (TreeEnsemble/TreeEnsembleClassifier/TreeEnsembleRegressor) reading a vector of such elements.
 * Any other operator between the inputs and the score gives no certificate, naming the operator.
 *
 * The decision `score ≥ threshold` is then inverted through the chain into `dir·(core − T) ≥ 0`, and the model is
 * rewritten over a virtual feature matrix in which the attack space's numeric features are raw columns (so perturbation
 * sizes, bounds, directions and relations are those of the attack space): a linear head becomes weights per numeric
 * feature and per categorical level (the exact L∞/L2 solver of certify.ts); a tree split on `fround?(a·x + c) ≤ θ`
 * becomes a split on x at the exact preimage threshold (direction flipped when a < 0, float32 rounding inverted
 * exactly), a split on a categorical element becomes a 0/1 indicator column of the set of levels that go true, and the
 * interval / leaf-box machinery of certify.ts runs unchanged. Missing values: a missing numeric cell is never changed by
 * the attacks, so its terms are fixed per row (imputed constant or NaN, following the graph's own missing rules); a row
 * whose missing cell the trees read through elements that disagree on the imputed value gets no certificate.
 * The certificate is reported only when the model's own scores on the attacked rows equal the symbolic score.
 */
import type { ModelInfo, ModelInput } from '../../model/types.js';
import {
  nodeAttribute,
  tensorDims,
  tensorValues,
  type ModelProto,
  type NodeProto,
  type TensorProto,
} from '../../model/onnx-graph.js';
import { MODE_EQ, MODE_GT, MODE_GTE, MODE_LEAF, MODE_LEQ, MODE_LT, MODE_MEMBER, MODE_NEQ, goesTrue, parseTreeEnsemble, type TreeEnsemble } from '../explainability/tree-ensemble.js';
import { scalarizeTreeScore, treeMargin, type ScalarTreeScore } from '../explainability/tree-score.js';
import type { Relations } from './relations.js';
import type { AttackSpace, CategoricalFeature, NumericFeature } from './space.js';

// ------------------------------------------------------------------------------------------------ abstract values

interface NumTerm {
  j: number;
  a: number;
  /** Raw value used for x_j when the cell is missing (NaN: the term is NaN). */
  imp: number;
}
interface CatTerm {
  c: number;
  /** Value per level of the categorical feature. */
  t: Float64Array;
}
interface Lin {
  k: 'lin';
  b: number;
  num: NumTerm[];
  cat: CatTerm[];
  /** Missingness indicators: w · isnan(x_j). */
  nan: Array<{ j: number; w: number }>;
  /** The value is rounded to float32 after the affine map (a Cast to float). */
  f32: boolean;
  /** A single numeric term clipped to [lo, hi] after the affine map, before the rounding (MinMaxScaler(clip=True)). */
  clip?: [number, number];
}
interface Str {
  k: 'str';
  c: number;
  /** String per level. */
  v: string[];
}
interface SConst {
  k: 'sconst';
  s: string;
}
type Step = { op: 'affine'; a: number; b: number } | { op: 'sigmoid' };
export type Core = { kind: 'lin'; lin: Lin } | { kind: 'tree'; score: ScalarTreeScore; z: Elem[]; op: string };
interface Mono {
  k: 'mono';
  core: Core;
  chain: Step[];
}
interface Bad {
  k: 'bad';
  why: string;
}
/**
 * A function of one numeric input known at finitely many points: `val[q]` at x = pts[q], `dflt` at any other number,
 * `nanV` for a missing x (numeric categories: one-hot / ordinal encodings of a numeric column). Trees only.
 */
interface Disc {
  k: 'disc';
  j: number;
  pts: number[];
  val: number[];
  dflt: number;
  nanV: number;
}
type Elem = Lin | Str | SConst | Mono | Bad | Disc;

/** A tensor: batched ([N, ...dims], per-row elements) or a constant (dims, all elements). */
interface Val {
  batched: boolean;
  dims: number[];
  el: Elem[];
}

class Unsupported extends Error {}

const cst = (v: number): Lin => ({ k: 'lin', b: v, num: [], cat: [], nan: [], f32: false });
const isConst = (e: Elem): boolean => e.k === 'lin' && e.num.length === 0 && e.cat.length === 0 && e.nan.length === 0;
/** A function of one categorical feature (or a constant): evaluated level by level. */
const isTab = (e: Elem): boolean => (e.k === 'lin' && e.num.length === 0 && e.nan.length === 0 && e.cat.length <= 1) || e.k === 'str' || e.k === 'sconst';
const prod = (d: number[]): number => d.reduce((a, b) => a * b, 1);

function fail(msg: string): never {
  throw new Unsupported(msg);
}

function bad(e: Elem): never {
  if (e.k === 'bad') fail(e.why);
  fail('an unsupported value');
}

function scaleLin(l: Lin, s: number): Lin {
  const out: Lin = {
    k: 'lin',
    b: l.b * s,
    num: l.num.map((t) => ({ ...t, a: t.a * s })),
    cat: l.cat.map((t) => ({ c: t.c, t: t.t.map((v) => v * s) })),
    nan: l.nan.map((t) => ({ j: t.j, w: t.w * s })),
    f32: false,
  };
  // s·clip(y, lo, hi) = clip(s·y, s·lo, s·hi) (bounds swapped when s < 0)
  if (l.clip) out.clip = s >= 0 ? [l.clip[0] * s, l.clip[1] * s] : [l.clip[1] * s, l.clip[0] * s];
  return out;
}

function addLin(x: Lin, y: Lin): Lin {
  if (x.clip || y.clip) {
    const [c, k] = x.clip ? [x, y] : [y, x];
    if (!isConst(k)) fail('a clipped input combined with another input (not affine)');
    return { ...c, b: c.b + k.b, clip: [c.clip![0] + k.b, c.clip![1] + k.b], f32: false };
  }
  const cat = x.cat.map((t) => ({ c: t.c, t: t.t.slice() }));
  for (const t of y.cat) {
    const same = cat.find((u) => u.c === t.c);
    if (same) for (let q = 0; q < t.t.length; q++) same.t[q] = (same.t[q] as number) + (t.t[q] as number);
    else cat.push({ c: t.c, t: t.t.slice() });
  }
  return { k: 'lin', b: x.b + y.b, num: [...x.num, ...y.num], cat, nan: [...x.nan, ...y.nan], f32: false };
}

function affineMono(m: Mono, a: number, b: number): Mono {
  if (!(a !== 0 && Number.isFinite(a) && Number.isFinite(b))) fail('a score scaled by 0 or a non-finite constant');
  return { k: 'mono', core: m.core, chain: [...m.chain, { op: 'affine', a, b }] };
}

// ------------------------------------------------------------------------------------------------ the interpreter

interface Ctx {
  space: AttackSpace;
  made: Map<string, NodeProto>;
  inits: Map<string, TensorProto>;
  memo: Map<string, Val>;
  /** Ops evaluated (for the notes). */
  ops: Set<string>;
  /** A float32 rounding inside an affine chain was ignored (linear heads: continuous relaxation). */
  roundingIgnored: boolean;
  /** Table cells and elements allocated so far (bounded). */
  cells: number;
}

/** The level count of categorical feature c. */
function levelsOf(ctx: Ctx, c: number): number {
  return ctx.space.categorical[c]!.levels.length;
}

/** Apply f level by level to tabular operands (one categorical feature at most, or strings of it). */
function tabulate(ctx: Ctx, xs: Elem[], f: (vals: Array<number | string>) => number | string): Elem {
  let c = -1;
  for (const x of xs) {
    const cc = x.k === 'str' ? x.c : x.k === 'lin' && x.cat.length === 1 ? x.cat[0]!.c : -1;
    if (cc >= 0) {
      if (c >= 0 && c !== cc) fail('an operation combining two categorical inputs');
      c = cc;
    }
  }
  const valueAt = (x: Elem, q: number): number | string => {
    if (x.k === 'str') return x.v[q] as string;
    if (x.k === 'sconst') return x.s;
    const l = x as Lin;
    return l.b + (l.cat.length === 1 ? (l.cat[0]!.t[q] as number) : 0);
  };
  if (c < 0) {
    const r = f(xs.map((x) => valueAt(x, 0)));
    return typeof r === 'string' ? { k: 'sconst', s: r } : cst(r);
  }
  const n = levelsOf(ctx, c);
  grow(ctx, n);
  const out: Array<number | string> = new Array(n);
  for (let q = 0; q < n; q++) out[q] = f(xs.map((x) => valueAt(x, q)));
  if (out.every((v) => typeof v === 'string')) return { k: 'str', c, v: out as string[] };
  if (out.some((v) => typeof v === 'string')) fail('an operation mixing strings and numbers');
  return { k: 'lin', b: 0, num: [], cat: [{ c, t: Float64Array.from(out as number[]) }], nan: [], f32: false };
}

/** x_j as a Disc-compatible operand: its numeric input and values (null when the element is not a function of one x_j at points). */
function discView(e: Elem): { j: number; at: (x: number) => number; pts: number[]; dflt: number; nanV: number } | null {
  if (e.k === 'disc') {
    const m = new Map(e.pts.map((x, q) => [x, e.val[q] as number]));
    return { j: e.j, pts: e.pts, at: (x) => m.get(x) ?? e.dflt, dflt: e.dflt, nanV: e.nanV };
  }
  if (e.k === 'lin' && e.num.length === 0 && e.cat.length === 0 && e.nan.length <= 1 && !e.clip) {
    const w = e.nan.length === 1 ? e.nan[0]!.w : 0;
    return { j: e.nan.length === 1 ? e.nan[0]!.j : -1, pts: [], at: () => e.b, dflt: e.b, nanV: e.b + w };
  }
  return null;
}

/** Apply f pointwise to operands that are functions of the same numeric input at points (or constants); null if not. */
function pointwise(ctx: Ctx, xs: Elem[], f: (vals: number[]) => number): Disc | null {
  if (!xs.some((x) => x.k === 'disc')) return null;
  const views = xs.map(discView);
  if (views.some((v) => v === null)) return null;
  let j = -1;
  for (const v of views) {
    if (v!.j < 0) continue;
    if (j >= 0 && v!.j !== j) return null;
    j = v!.j;
  }
  const pts = [...new Set(views.flatMap((v) => v!.pts))].sort((a, b) => a - b);
  grow(ctx, pts.length);
  return {
    k: 'disc',
    j,
    pts,
    val: pts.map((x) => f(views.map((v) => v!.at(x)))),
    dflt: f(views.map((v) => v!.dflt)),
    nanV: f(views.map((v) => v!.nanV)),
  };
}

/** The element x_j (identity: a = 1, b = 0, exact double) when e is that; else null. */
function identityOf(e: Elem): NumTerm | null {
  if (e.k !== 'lin' || e.num.length !== 1 || e.cat.length || e.nan.length || e.clip || e.f32 || e.b !== 0) return null;
  const t = e.num[0]!;
  return t.a === 1 ? t : null;
}

/** [x_j == v] for the identity element of x_j (a missing x_j compares its imputed value, or NaN). */
function equalsPoint(t: NumTerm, v: number): Disc {
  return { k: 'disc', j: t.j, pts: v === v ? [v] : [], val: v === v ? [1] : [], dflt: 0, nanV: t.imp === v ? 1 : 0 };
}

function fullShape(v: Val): number[] {
  return v.batched ? [-1, ...v.dims] : v.dims;
}

/** Numpy broadcasting of elementwise operands (the batch dimension is −1). */
function broadcast(ctx: Ctx, vals: Val[], f: (els: Elem[]) => Elem, op: string): Val {
  const shapes = vals.map(fullShape);
  const R = Math.max(...shapes.map((s) => s.length));
  const out: number[] = new Array(R).fill(1);
  for (let ax = 0; ax < R; ax++) {
    let size = 1;
    for (const s of shapes) {
      const d = s[s.length - R + ax] ?? 1;
      if (d === 1) continue;
      if (size === 1) size = d;
      else if (size !== d) fail(`${op} with shapes that do not broadcast`);
    }
    out[ax] = size;
  }
  const batchAxis = out.indexOf(-1);
  if (batchAxis > 0) fail(`${op} moves the batch dimension`);
  const batched = batchAxis === 0;
  const dims = batched ? out.slice(1) : out;
  const n = prod(dims);
  if (n > MAX_ELEMENTS) fail(`${op} of more than ${MAX_ELEMENTS.toLocaleString('en-US')} values per row`);
  const el: Elem[] = new Array(n);
  const idx: number[] = new Array(dims.length).fill(0);
  for (let p = 0; p < n; p++) {
    let r = p;
    for (let ax = dims.length - 1; ax >= 0; ax--) {
      idx[ax] = r % (dims[ax] as number);
      r = Math.floor(r / (dims[ax] as number));
    }
    const args = vals.map((v, vi) => {
      const s = shapes[vi]!;
      const own = v.batched ? v.dims : s;
      // axes of the operand's own element layout, aligned to the output's trailing axes
      let flat = 0;
      for (let ax = 0; ax < own.length; ax++) {
        const outAx = (batched ? R - 1 : R) - own.length + ax;
        const d = own[ax] as number;
        const i = d === 1 ? 0 : (idx[outAx] as number);
        flat = flat * d + i;
      }
      return v.el[flat] as Elem;
    });
    el[p] = f(args);
  }
  void ctx;
  return { batched, dims, el };
}

function constVal(t: TensorProto): Val {
  const dims = tensorDims(t);
  if (prod(dims) > MAX_ELEMENTS) fail(`a constant of more than ${MAX_ELEMENTS.toLocaleString('en-US')} values`);
  const type = t.dataType ?? 0;
  if (type === 8) {
    const dec = new TextDecoder();
    return { batched: false, dims, el: (t.stringData ?? []).map((s) => ({ k: 'sconst', s: dec.decode(s) }) as SConst) };
  }
  let values: ArrayLike<number>;
  if (type === 9 || type === 2 || type === 3) {
    values = t.rawData && t.rawData.length > 0 ? Array.from(t.rawData) : (t.int32Data ?? []);
  } else {
    try {
      values = tensorValues(t);
    } catch {
      fail(`a constant of type ${type}`);
    }
  }
  return { batched: false, dims, el: Array.from(values, (v) => cst(Number(v))) };
}

function constNumbers(ctx: Ctx, name: string, what: string): number[] {
  const v = evalTensor(ctx, name);
  if (v.batched || !v.el.every(isConst)) fail(`${what} that is not a constant`);
  return v.el.map((e) => (e as Lin).b);
}

function attrInts(node: NodeProto, name: string): number[] | undefined {
  const v = nodeAttribute(node, name);
  return Array.isArray(v) ? (v as number[]) : undefined;
}
function attrNum(node: NodeProto, name: string, dflt: number): number {
  const v = nodeAttribute(node, name);
  return typeof v === 'number' ? v : dflt;
}
function attrStr(node: NodeProto, name: string, dflt: string): string {
  const v = nodeAttribute(node, name);
  return typeof v === 'string' ? v : dflt;
}

/** Select indices along per-row axis k of a batched value. */
function selectAxis(v: Val, k: number, idx: number[]): Val {
  const dims = v.dims;
  const outer = prod(dims.slice(0, k));
  const size = dims[k] as number;
  const inner = prod(dims.slice(k + 1));
  if (outer * idx.length * inner > MAX_ELEMENTS) fail(`a selection of more than ${MAX_ELEMENTS.toLocaleString('en-US')} values per row`);
  const el: Elem[] = [];
  for (let o = 0; o < outer; o++) for (const i of idx) for (let q = 0; q < inner; q++) el.push(v.el[(o * size + i) * inner + q] as Elem);
  const nd = dims.slice();
  nd[k] = idx.length;
  return { batched: true, dims: nd, el };
}

function rowAxis(v: Val, axis: number, op: string): number {
  const R = v.dims.length + 1;
  const a = axis < 0 ? axis + R : axis;
  if (a < 1 || a >= R) fail(`${op} along the batch axis`);
  return a - 1;
}

function needBatched(v: Val, op: string): void {
  if (!v.batched) fail(`${op} on a constant`);
}

/** Sum over i of coef_i · z_i (+ bias) as one element (terms collected once: linear in the number of terms). */
function combine(ctx: Ctx, z: Elem[], coef: (i: number) => number, bias: number): Elem {
  if (z.some((e, i) => e.k === 'disc' && coef(i) !== 0)) {
    // numeric categories (e.g. an ordinal code Σ k·[x == c_k]): pointwise over the one numeric input they read
    const used = z.flatMap((e, i) => (coef(i) !== 0 ? [[e, coef(i)] as const] : []));
    const pw = pointwise(ctx, used.map(([e]) => e), (vals) => vals.reduce((acc, v, q) => acc + (used[q]![1] as number) * v, bias));
    if (pw) return pw;
    fail('a matrix product mixing numeric categories with other inputs (not affine)');
  }
  const out: Lin = cst(bias);
  const tables = new Map<number, Float64Array>();
  for (let i = 0; i < z.length; i++) {
    const w = coef(i);
    if (w === 0) continue;
    const e = z[i] as Elem;
    if (e.k !== 'lin') bad(e.k === 'bad' ? e : { k: 'bad', why: 'a matrix product of strings or scores' });
    if (e.clip) fail('Clip before a linear combination (not affine)');
    if (e.f32 && !isConst(e)) ctx.roundingIgnored = true;
    out.b += w * e.b;
    for (const t of e.num) out.num.push({ j: t.j, a: w * t.a, imp: t.imp });
    for (const t of e.nan) out.nan.push({ j: t.j, w: w * t.w });
    for (const t of e.cat) {
      let acc = tables.get(t.c);
      if (!acc) {
        tables.set(t.c, (acc = new Float64Array(t.t.length)));
        grow(ctx, acc.length);
      }
      for (let q = 0; q < acc.length; q++) acc[q] = (acc[q] as number) + w * (t.t[q] as number);
    }
  }
  for (const [c, t] of tables) out.cat.push({ c, t });
  return out;
}

/** Count allocated table cells and elements; a graph that needs more is not followed (bounded memory). */
const MAX_CELLS = 20_000_000;
const MAX_ELEMENTS = 200_000;
function grow(ctx: Ctx, cells: number): void {
  ctx.cells += cells;
  if (ctx.cells > MAX_CELLS) fail(`a graph whose symbolic form exceeds ${MAX_CELLS.toLocaleString('en-US')} values`);
}

function sigmoidOf(e: Elem): Elem {
  if (e.k === 'disc') return { ...e, val: e.val.map((v) => 1 / (1 + Math.exp(-v))), dflt: 1 / (1 + Math.exp(-e.dflt)), nanV: 1 / (1 + Math.exp(-e.nanV)) };
  if (e.k === 'mono') return { k: 'mono', core: e.core, chain: [...e.chain, { op: 'sigmoid' }] };
  if (e.k === 'lin') {
    if (isConst(e)) return cst(1 / (1 + Math.exp(-e.b)));
    if (e.num.length === 0 && e.nan.length === 0 && e.cat.length === 1) return { ...e, b: 0, cat: [{ c: e.cat[0]!.c, t: e.cat[0]!.t.map((v) => 1 / (1 + Math.exp(-(v + e.b)))) }], f32: false };
    if (e.clip) fail('Clip before a linear score (not affine)');
    return { k: 'mono', core: { kind: 'lin', lin: e }, chain: [{ op: 'sigmoid' }] };
  }
  bad(e);
}

function arith(ctx: Ctx, op: string, x: Elem, y: Elem): Elem {
  if (x.k === 'bad') bad(x);
  if (y.k === 'bad') bad(y);
  if (x.k === 'disc' || y.k === 'disc') {
    const pw = pointwise(ctx, [x, y], ([a, b]) => (op === 'Add' ? a! + b! : op === 'Sub' ? a! - b! : op === 'Mul' ? a! * b! : a! / b!));
    if (pw) return pw;
    fail(`${op} of a numeric category with another input`);
  }
  if (isTab(x) && isTab(y) && x.k !== 'mono' && y.k !== 'mono') {
    const f = op === 'Add' ? (a: number, b: number) => a + b : op === 'Sub' ? (a: number, b: number) => a - b : op === 'Mul' ? (a: number, b: number) => a * b : (a: number, b: number) => a / b;
    return tabulate(ctx, [x, y], ([a, b]) => {
      if (typeof a === 'string' || typeof b === 'string') fail(`${op} on strings`);
      return f(a, b);
    });
  }
  if (x.k === 'mono' || y.k === 'mono') {
    if (x.k === 'mono' && y.k === 'lin' && isConst(y)) {
      const c = y.b;
      if (op === 'Add') return affineMono(x, 1, c);
      if (op === 'Sub') return affineMono(x, 1, -c);
      if (op === 'Mul') return affineMono(x, c, 0);
      if (op === 'Div') return affineMono(x, 1 / c, 0);
    }
    if (y.k === 'mono' && x.k === 'lin' && isConst(x)) {
      const c = x.b;
      if (op === 'Add') return affineMono(y, 1, c);
      if (op === 'Sub') return affineMono(y, -1, c);
      if (op === 'Mul') return affineMono(y, c, 0);
    }
    fail(`${op} combining a score with a non-constant`);
  }
  if (x.k !== 'lin' || y.k !== 'lin') fail(`${op} on strings`);
  if (x.f32 || y.f32) ctx.roundingIgnored = true;
  if (op === 'Add') return addLin(x, y);
  if (op === 'Sub') return addLin(x, scaleLin(y, -1));
  if (op === 'Mul') {
    if (isConst(y)) return scaleLin(x, y.b);
    if (isConst(x)) return scaleLin(y, x.b);
    fail('Mul of two inputs (not affine)');
  }
  if (isConst(y)) return scaleLin(x, 1 / y.b);
  fail('Div by an input (not affine)');
}

const CMP: Record<string, (a: number | string, b: number | string) => boolean> = {
  Equal: (a, b) => a === b,
  Less: (a, b) => a < b,
  Greater: (a, b) => a > b,
  LessOrEqual: (a, b) => a <= b,
  GreaterOrEqual: (a, b) => a >= b,
};

function single(ctx: Ctx, node: NodeProto, i = 0): Val {
  const name = node.input?.[i] ?? '';
  if (!name) fail(`${node.opType} without input ${i}`);
  return evalTensor(ctx, name);
}

function evalNode(ctx: Ctx, node: NodeProto, outIndex: number): Val {
  const op = node.opType ?? '';
  ctx.ops.add(op);
  const ins = node.input ?? [];
  switch (op) {
    case 'Identity':
    case 'ZipMap':
      return single(ctx, node);
    case 'Constant': {
      const t = nodeAttribute(node, 'value');
      if (t && typeof t === 'object' && !Array.isArray(t) && 'dims' in t) return constVal(t as TensorProto);
      fail('a Constant that is not a tensor');
    }
    case 'Cast': {
      const v = single(ctx, node);
      const to = attrNum(node, 'to', 0);
      const map = (e: Elem): Elem => {
        if (e.k === 'bad') bad(e);
        if (to === 11) return e;
        if (e.k === 'mono') {
          if (to === 1) return e; // a score rounded to float32 (the mismatch check covers it)
          fail(`Cast of a score to type ${to}`);
        }
        if (e.k === 'str' || e.k === 'sconst') fail('Cast of a string');
        if (e.k === 'disc') {
          const g = to === 1 ? Math.fround : to === 9 ? (a: number) => (a !== 0 ? 1 : 0) : to === 10 || to === 16 ? null : Math.trunc;
          if (!g) fail('Cast to 16-bit floats');
          return pointwise(ctx, [e], ([a]) => g(a as number))!;
        }
        if (to === 1) {
          if (isTab(e)) return tabulate(ctx, [e], ([a]) => Math.fround(a as number));
          return { ...e, f32: true };
        }
        if (to === 9) {
          if (isTab(e)) return tabulate(ctx, [e], ([a]) => ((a as number) !== 0 ? 1 : 0));
        } else if (to === 6 || to === 7 || to === 2 || to === 3 || to === 4 || to === 5 || to === 12 || to === 13) {
          if (isTab(e)) return tabulate(ctx, [e], ([a]) => Math.trunc(a as number));
        } else if (to === 10 || to === 16) fail('Cast to 16-bit floats');
        fail(`Cast of a numeric input to type ${to} (not affine)`);
      };
      return { ...v, el: v.el.map(map) };
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const a = single(ctx, node, 0);
      const b = single(ctx, node, 1);
      return broadcast(ctx, [a, b], ([x, y]) => arith(ctx, op, x as Elem, y as Elem), op);
    }
    case 'Neg':
      return broadcast(ctx, [single(ctx, node)], ([x]) => arith(ctx, 'Mul', x as Elem, cst(-1)), op);
    case 'Sigmoid':
      return broadcast(ctx, [single(ctx, node)], ([x]) => sigmoidOf(x as Elem), op);
    case 'Equal':
    case 'Less':
    case 'Greater':
    case 'LessOrEqual':
    case 'GreaterOrEqual': {
      const a = single(ctx, node, 0);
      const b = single(ctx, node, 1);
      const f = CMP[op]!;
      return broadcast(
        ctx,
        [a, b],
        ([x, y]) => {
          const X = x as Elem;
          const Y = y as Elem;
          if (isTab(X) && isTab(Y)) return tabulate(ctx, [X, Y], ([p, q]) => (f(p as number, q as number) ? 1 : 0));
          // a numeric input compared for equality with constants: numeric categories (one-hot / ordinal encoders)
          if (op === 'Equal') {
            const tx = identityOf(X);
            const ty = identityOf(Y);
            if (tx && isConst(Y)) return equalsPoint(tx, (Y as Lin).b);
            if (ty && isConst(X)) return equalsPoint(ty, (X as Lin).b);
          }
          const pw = pointwise(ctx, [X, Y], ([p, q]) => (f(p as number, q as number) ? 1 : 0));
          if (pw) return pw;
          fail(`${op} on a numeric input or a score (a threshold, not affine)`);
        },
        op,
      );
    }
    case 'And':
    case 'Or':
    case 'Xor':
    case 'Not': {
      const vals = ins.map((n) => evalTensor(ctx, n));
      return broadcast(
        ctx,
        vals,
        (els) => {
          const logic = (p: Array<number | string>): number => {
            const b = p.map((x) => (x as number) !== 0);
            return (op === 'Not' ? !b[0] : op === 'And' ? b[0] && b[1] : op === 'Or' ? b[0] || b[1] : b[0] !== b[1]) ? 1 : 0;
          };
          if (els.every((e) => isTab(e) && e.k === 'lin')) return tabulate(ctx, els, logic);
          const pw = pointwise(ctx, els, logic);
          if (pw) return pw;
          fail(`${op} on a numeric input`);
        },
        op,
      );
    }
    case 'IsNaN':
      return broadcast(
        ctx,
        [single(ctx, node)],
        ([x]) => {
          const e = x as Elem;
          if (e.k === 'lin' && isTab(e)) return tabulate(ctx, [e], ([a]) => ((a as number) !== (a as number) ? 1 : 0));
          if (e.k === 'disc') return pointwise(ctx, [e], ([a]) => (a !== a ? 1 : 0))!;
          if (e.k === 'lin' && e.num.length === 1 && e.cat.length === 0 && e.nan.length === 0 && Number.isFinite(e.b)) {
            const t = e.num[0]!;
            return t.imp !== t.imp ? { k: 'lin', b: 0, num: [], cat: [], nan: [{ j: t.j, w: 1 }], f32: false } : cst(0);
          }
          fail('IsNaN of a combination of inputs');
        },
        op,
      );
    case 'Where': {
      const [c, a, b] = ins.map((n) => evalTensor(ctx, n)) as [Val, Val, Val];
      return broadcast(
        ctx,
        [c, a, b],
        ([cond, x, y]) => {
          const C = cond as Elem;
          const X = x as Elem;
          const Y = y as Elem;
          if (isConst(C)) return (C as Lin).b !== 0 ? X : Y;
          if (isTab(C) && isTab(X) && isTab(Y)) return tabulate(ctx, [C, X, Y], ([p, q, r]) => ((p as number) !== 0 ? q! : r!));
          const pw = pointwise(ctx, [C, X, Y], ([p, q, r]) => ((p as number) !== 0 ? q! : r!));
          if (pw) return pw;
          // imputation: Where(IsNaN(x_j), const, affine in x_j)
          if (C.k === 'lin' && C.num.length === 0 && C.cat.length === 0 && C.nan.length === 1 && C.b === 0 && C.nan[0]!.w === 1) {
            const j = C.nan[0]!.j;
            if (X.k === 'lin' && isConst(X) && Y.k === 'lin' && !Y.clip && Y.num.length === 1 && Y.cat.length === 0 && Y.nan.length === 0 && Y.num[0]!.j === j && Y.num[0]!.imp !== Y.num[0]!.imp) {
              const t = Y.num[0]!;
              const imp = X.b !== X.b ? Number.NaN : (X.b - Y.b) / t.a;
              if (Y.f32 && X.b === X.b && Math.fround(X.b) !== X.b) fail('an imputed value that is not a float32 after a float32 rounding');
              return { ...Y, num: [{ j, a: t.a, imp }] };
            }
          }
          fail('Where selecting between inputs (only imputation of a missing value, or per category, is affine)');
        },
        op,
      );
    }
    case 'Clip': {
      const v = single(ctx, node);
      const bound = (i: number, attr: string, dflt: number): number => {
        if (ins[i]) {
          const c = constNumbers(ctx, ins[i]!, 'a Clip bound');
          if (c.length !== 1) fail('a Clip bound that is not a scalar');
          return c[0] as number;
        }
        return attrNum(node, attr, dflt);
      };
      const lo = bound(1, 'min', -Infinity);
      const hi = bound(2, 'max', Infinity);
      return {
        ...v,
        el: v.el.map((e) => {
          if (isTab(e)) return tabulate(ctx, [e], ([a]) => Math.min(Math.max(a as number, lo), hi));
          if (e.k === 'disc') return pointwise(ctx, [e], ([a]) => Math.min(Math.max(a as number, lo), hi))!;
          if (e.k === 'lin' && e.num.length === 1 && e.cat.length === 0 && e.nan.length === 0 && !e.f32) {
            const [l0, h0] = e.clip ?? [-Infinity, Infinity];
            return { ...e, clip: [Math.min(Math.max(l0, lo), hi), Math.min(Math.max(h0, lo), hi)] as [number, number] };
          }
          fail('Clip of a combination of inputs or after a float32 rounding');
        }),
      };
    }
    case 'Concat': {
      const vals = ins.map((n) => evalTensor(ctx, n));
      if (vals.some((v) => !v.batched)) {
        if (vals.every((v) => !v.batched)) fail('Concat of constants');
        fail('Concat of a constant with inputs');
      }
      const k = rowAxis(vals[0]!, attrNum(node, 'axis', 0), op);
      const d0 = vals[0]!.dims;
      const outer = prod(d0.slice(0, k));
      const inner = prod(d0.slice(k + 1));
      for (const v of vals) if (v.dims.length !== d0.length || prod(v.dims.slice(0, k)) !== outer || prod(v.dims.slice(k + 1)) !== inner) fail('Concat of tensors of different shapes');
      const el: Elem[] = [];
      for (let o = 0; o < outer; o++) for (const v of vals) el.push(...v.el.slice(o * (v.dims[k] as number) * inner, (o + 1) * (v.dims[k] as number) * inner));
      const dims = d0.slice();
      dims[k] = vals.reduce((s, v) => s + (v.dims[k] as number), 0);
      return { batched: true, dims, el };
    }
    case 'FeatureVectorizer': {
      const vals = ins.map((n) => evalTensor(ctx, n));
      const widths = attrInts(node, 'inputdimensions') ?? vals.map((v) => prod(v.dims));
      if (widths.reduce((a, b) => a + b, 0) > MAX_ELEMENTS) fail(`${op} of more than ${MAX_ELEMENTS.toLocaleString('en-US')} values per row`);
      const el: Elem[] = [];
      vals.forEach((v, i) => {
        needBatched(v, op);
        const w = widths[i] ?? prod(v.dims);
        for (let q = 0; q < w; q++) el.push(q < v.el.length ? (v.el[q] as Elem) : cst(0));
      });
      return { batched: true, dims: [el.length], el };
    }
    case 'Reshape': {
      const v = single(ctx, node);
      needBatched(v, op);
      const shape = constNumbers(ctx, ins[1] ?? '', 'a Reshape shape');
      if (!(shape[0] === -1 || shape[0] === 0)) fail('Reshape that changes the batch dimension');
      const rest = shape.slice(1).map((d, i) => (d === 0 ? (v.dims[i] ?? fail('Reshape copying a missing dimension')) : d));
      const n = prod(v.dims);
      const known = prod(rest.filter((d) => d !== -1));
      const dims = rest.map((d) => (d === -1 ? n / known : d));
      if (shape[0] === 0 && rest.includes(-1)) fail('Reshape with an inferred dimension besides the batch');
      if (prod(dims) !== n || dims.some((d) => !Number.isInteger(d) || d < 0)) fail('Reshape that changes the batch dimension');
      return { batched: true, dims, el: v.el };
    }
    case 'Flatten': {
      const v = single(ctx, node);
      needBatched(v, op);
      if (attrNum(node, 'axis', 1) !== 1) fail('Flatten not at axis 1');
      return { batched: true, dims: [prod(v.dims)], el: v.el };
    }
    case 'Squeeze':
    case 'Unsqueeze': {
      const v = single(ctx, node);
      needBatched(v, op);
      const axes = attrInts(node, 'axes') ?? (ins[1] ? constNumbers(ctx, ins[1], `${op} axes`) : undefined);
      if (op === 'Unsqueeze') {
        if (!axes) fail('Unsqueeze without axes');
        const R = v.dims.length + 1 + axes.length;
        const full = [-1, ...v.dims];
        const sorted = axes.map((a) => (a < 0 ? a + R : a)).sort((a, b) => a - b);
        for (const a of sorted) {
          if (a < 1) fail('Unsqueeze before the batch axis');
          full.splice(a, 0, 1);
        }
        return { batched: true, dims: full.slice(1), el: v.el };
      }
      const R = v.dims.length + 1;
      const drop = new Set((axes ?? v.dims.flatMap((d, i) => (d === 1 ? [i + 1] : []))).map((a) => (a < 0 ? a + R : a)));
      if (drop.has(0)) fail('Squeeze of the batch axis');
      return { batched: true, dims: v.dims.filter((d, i) => !drop.has(i + 1) || d !== 1), el: v.el };
    }
    case 'Slice': {
      const v = single(ctx, node);
      needBatched(v, op);
      const starts = attrInts(node, 'starts') ?? constNumbers(ctx, ins[1] ?? '', 'Slice starts');
      const ends = attrInts(node, 'ends') ?? constNumbers(ctx, ins[2] ?? '', 'Slice ends');
      const axes = attrInts(node, 'axes') ?? (ins[3] ? constNumbers(ctx, ins[3], 'Slice axes') : starts.map((_, i) => i));
      const steps = ins[4] ? constNumbers(ctx, ins[4], 'Slice steps') : starts.map(() => 1);
      let out = v;
      axes.forEach((ax, i) => {
        const k = rowAxis(out, ax, op);
        const size = out.dims[k] as number;
        const step = steps[i] ?? 1;
        if (step === 0) fail('Slice with step 0');
        const clamp = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
        let s = starts[i] as number;
        let e = ends[i] as number;
        if (s < 0) s += size;
        if (e < 0) e += size;
        const idx: number[] = [];
        if (step > 0) {
          s = clamp(s, 0, size);
          e = clamp(e, 0, size);
          for (let q = s; q < e; q += step) idx.push(q);
        } else {
          s = clamp(s, -1, size - 1);
          e = clamp(e, -1, size - 1);
          for (let q = s; q > e; q += step) idx.push(q);
        }
        out = selectAxis(out, k, idx);
      });
      return out;
    }
    case 'Gather':
    case 'ArrayFeatureExtractor': {
      const v = single(ctx, node);
      needBatched(v, op);
      const idx = constNumbers(ctx, ins[1] ?? '', `${op} indices`);
      const k = op === 'Gather' ? rowAxis(v, attrNum(node, 'axis', 0), op) : v.dims.length - 1;
      const size = v.dims[k] as number;
      const norm = idx.map((i) => (i < 0 ? i + size : i));
      if (norm.some((i) => !(i >= 0 && i < size))) fail(`${op} index out of range`);
      const idxDims = evalTensor(ctx, ins[1] ?? '').dims;
      const out = selectAxis(v, k, norm);
      if (op === 'Gather' && idxDims.length === 0) out.dims.splice(k, 1); // a scalar index drops the axis
      return out;
    }
    case 'Scaler': {
      const v = single(ctx, node);
      needBatched(v, op);
      const off = (nodeAttribute(node, 'offset') as number[] | undefined) ?? [];
      const sc = (nodeAttribute(node, 'scale') as number[] | undefined) ?? [];
      const last = v.dims[v.dims.length - 1] ?? 1;
      const at = (a: number[], q: number, d: number): number => (a.length === 0 ? d : a.length === 1 ? (a[0] as number) : (a[q % last] as number));
      return {
        ...v,
        el: v.el.map((e, p) => {
          const s = Math.fround(at(sc, p, 1));
          const o = Math.fround(at(off, p, 0));
          return arith(ctx, 'Mul', arith(ctx, 'Sub', e, cst(o)), cst(s));
        }),
      };
    }
    case 'Imputer': {
      const v = single(ctx, node);
      needBatched(v, op);
      const fills = (nodeAttribute(node, 'imputed_value_floats') as number[] | undefined) ?? (nodeAttribute(node, 'imputed_value_int64s') as number[] | undefined) ?? [];
      const replaced = nodeAttribute(node, 'replaced_value_float') ?? nodeAttribute(node, 'replaced_value_int64');
      const rv = typeof replaced === 'number' ? replaced : 0;
      const last = v.dims[v.dims.length - 1] ?? 1;
      return {
        ...v,
        el: v.el.map((e, p) => {
          const fill = fills.length === 1 ? (fills[0] as number) : (fills[p % last] as number);
          if (fill === undefined) fail('Imputer without a value for every column');
          if (isTab(e)) return tabulate(ctx, [e], ([a]) => (rv !== rv ? (a as number) !== (a as number) : a === rv) ? fill : (a as number));
          if (e.k === 'disc') return pointwise(ctx, [e], ([a]) => ((rv !== rv ? a !== a : a === rv) ? fill : (a as number)))!;
          if (rv === rv) fail('Imputer replacing a number (not NaN) in a numeric input');
          if (e.k === 'lin' && !e.clip && e.num.length === 1 && e.cat.length === 0 && e.nan.length === 0 && e.num[0]!.imp !== e.num[0]!.imp) {
            const t = e.num[0]!;
            return { ...e, num: [{ j: t.j, a: t.a, imp: (fill - e.b) / t.a }] };
          }
          fail('Imputer on a combination of inputs');
        }),
      };
    }
    case 'LabelEncoder': {
      const v = single(ctx, node);
      const ks = nodeAttribute(node, 'keys_strings') as string[] | undefined;
      const ki = (nodeAttribute(node, 'keys_int64s') ?? nodeAttribute(node, 'keys_floats')) as number[] | undefined;
      const vs = nodeAttribute(node, 'values_strings') as string[] | undefined;
      const vi = (nodeAttribute(node, 'values_int64s') ?? nodeAttribute(node, 'values_floats')) as number[] | undefined;
      if (!(ks || ki) || !(vs || vi)) fail('LabelEncoder with tensor keys or values');
      const map = new Map<string | number, string | number>();
      (ks ?? ki ?? []).forEach((k, i) => map.set(k, (vs ?? vi ?? [])[i] as string | number));
      const floatValues = !vs && nodeAttribute(node, 'values_int64s') === undefined;
      const dflt: string | number = vs ? attrStr(node, 'default_string', '_Unused') : floatValues ? attrNum(node, 'default_float', -0) : attrNum(node, 'default_int64', -1);
      return {
        ...v,
        el: v.el.map((e) => {
          if (e.k === 'disc' && !vs) return pointwise(ctx, [e], ([a]) => (map.get(a as number) ?? dflt) as number)!;
          if (!isTab(e)) fail('LabelEncoder of a numeric input');
          return tabulate(ctx, [e], ([a]) => map.get(a as string | number) ?? dflt);
        }),
      };
    }
    case 'OneHotEncoder': {
      const v = single(ctx, node);
      const cats = (nodeAttribute(node, 'cats_strings') as string[] | undefined) ?? (nodeAttribute(node, 'cats_int64s') as number[] | undefined);
      if (!cats) fail('OneHotEncoder without categories');
      if (v.el.length * cats.length > MAX_ELEMENTS) fail(`${op} of more than ${MAX_ELEMENTS.toLocaleString('en-US')} values per row`);
      const el: Elem[] = [];
      for (const e of v.el) {
        const t = identityOf(e);
        if (t && typeof cats[0] === 'number') {
          for (const cat of cats) el.push(equalsPoint(t, cat as number));
          continue;
        }
        if (e.k === 'disc') {
          for (const cat of cats) el.push(pointwise(ctx, [e], ([a]) => (a === cat ? 1 : 0))!);
          continue;
        }
        if (!isTab(e)) fail('OneHotEncoder of a numeric input');
        for (const cat of cats) el.push(tabulate(ctx, [e], ([a]) => (a === cat ? 1 : 0)));
      }
      return { batched: v.batched, dims: [...v.dims, cats.length], el };
    }
    case 'Normalizer': {
      const v = single(ctx, node);
      if (!v.el.every((e) => e.k === 'mono')) fail('Normalizer on features (not affine)');
      if (attrStr(node, 'norm', 'MAX') !== 'L1') fail(`Normalizer ${attrStr(node, 'norm', 'MAX')} of scores`);
      return v; // class probabilities that already sum to one (checked against the model's scores)
    }
    case 'MatMul':
    case 'Gemm': {
      const a = single(ctx, node, 0);
      needBatched(a, op);
      const wv = single(ctx, node, 1);
      if (wv.batched || !wv.el.every(isConst) || wv.dims.length !== 2) fail(`${op} with weights that are not a constant matrix`);
      const transA = op === 'Gemm' ? attrNum(node, 'transA', 0) : 0;
      const transB = op === 'Gemm' ? attrNum(node, 'transB', 0) : 0;
      if (transA) fail('Gemm with transA');
      if (a.dims.length !== 1) fail(`${op} on a tensor of rank ${a.dims.length + 1}`);
      const d = a.dims[0] as number;
      const [r0, r1] = wv.dims as [number, number];
      const [rows, cols] = transB ? [r1, r0] : [r0, r1];
      if (rows !== d) fail(`${op} with mismatched shapes`);
      const W = (i: number, k: number): number => (wv.el[transB ? k * r1 + i : i * r1 + k] as Lin).b;
      const alpha = op === 'Gemm' ? attrNum(node, 'alpha', 1) : 1;
      const beta = op === 'Gemm' ? attrNum(node, 'beta', 1) : 1;
      let bias: number[] = new Array(cols).fill(0);
      if (op === 'Gemm' && ins[2]) {
        const c = constNumbers(ctx, ins[2], 'a Gemm bias');
        bias = bias.map((_, k) => beta * ((c.length === 1 ? c[0] : c[k]) as number));
      }
      const el: Elem[] = [];
      for (let k = 0; k < cols; k++) el.push(combine(ctx, a.el, (i) => alpha * W(i, k), bias[k] as number));
      return { batched: true, dims: [cols], el };
    }
    case 'LinearClassifier':
    case 'LinearRegressor': {
      const v = single(ctx, node);
      needBatched(v, op);
      const z = v.el;
      const d = z.length;
      const coef = (nodeAttribute(node, 'coefficients') as number[] | undefined) ?? [];
      const inter = (nodeAttribute(node, 'intercepts') as number[] | undefined) ?? [];
      const rows = coef.length / d;
      if (!Number.isInteger(rows) || rows < 1) fail(`${op} coefficients do not fit its ${d} inputs`);
      const post = attrStr(node, 'post_transform', 'NONE');
      const s0 = Array.from({ length: rows }, (_, r) => combine(ctx, z, (i) => coef[r * d + i] as number, (inter[r] as number) ?? 0));
      if (s0.some((x) => x.k !== 'lin')) fail(`numeric categories before a ${op} (not affine)`);
      const s = s0 as Lin[];
      if (op === 'LinearRegressor') {
        if (outIndex !== 0 || post !== 'NONE') fail(`${op} with post_transform ${post}`);
        return { batched: true, dims: [rows], el: s };
      }
      if (outIndex === 0) return { batched: true, dims: [1], el: [{ k: 'bad', why: 'a predicted label' }] };
      if (rows > 2) fail(`${op} with more than two classes`);
      const scores: Lin[] = rows === 2 ? s : [scaleLin(s[0]!, -1), s[0]!];
      let el: Elem[];
      if (post === 'NONE') el = scores;
      else if (post === 'LOGISTIC') el = scores.map((x) => sigmoidOf(x));
      else if ((post === 'SOFTMAX' || post === 'SOFTMAX_ZERO') && rows === 2) el = [sigmoidOf(addLin(scores[0]!, scaleLin(scores[1]!, -1))), sigmoidOf(addLin(scores[1]!, scaleLin(scores[0]!, -1)))];
      else fail(`${op} with post_transform ${post}`);
      // a plain linear score is a score too (monotone chain of length 0)
      return { batched: true, dims: [el.length], el: el.map((e) => (e.k === 'lin' ? ({ k: 'mono', core: { kind: 'lin', lin: e }, chain: [] } as Mono) : e)) };
    }
    case 'TreeEnsembleClassifier':
    case 'TreeEnsembleRegressor':
    case 'TreeEnsemble': {
      if (node.domain !== 'ai.onnx.ml') fail(`${op} outside the ai.onnx.ml domain`);
      const v = single(ctx, node);
      needBatched(v, op);
      let e: TreeEnsemble;
      try {
        e = parseTreeEnsemble(node);
      } catch (err) {
        fail(`the ${op} could not be read (${err instanceof Error ? err.message : String(err)})`);
      }
      if (e.featureCount > v.el.length) fail(`the ${op} reads feature ${e.featureCount - 1} of ${v.el.length}`);
      if (op === 'TreeEnsembleClassifier' && outIndex === 0) return { batched: true, dims: [1], el: [{ k: 'bad', why: 'a predicted label' }] };
      const n = op === 'TreeEnsembleClassifier' ? Math.max(2, e.targets) : e.targets;
      const el: Elem[] = [];
      for (let k = 0; k < n; k++) {
        const r = scalarizeTreeScore(e, k, false);
        if (!r.ok) el.push({ k: 'bad', why: r.reason });
        else el.push({ k: 'mono', core: { kind: 'tree', score: r.score, z: v.el, op }, chain: r.score.transform === 'logistic' ? [{ op: 'sigmoid' }] : [] });
      }
      return { batched: true, dims: [n], el };
    }
    default:
      fail(`${op}${node.domain && node.domain !== 'ai.onnx' ? ` (${node.domain})` : ''}`);
  }
}

function evalTensor(ctx: Ctx, name: string): Val {
  const got = ctx.memo.get(name);
  if (got) return got;
  // the tensors `name` depends on, in post-order (iterative: deep graphs do not exhaust the stack; cycles are refused)
  const order: string[] = [];
  const state = new Map<string, 1 | 2>(); // 1: on the path, 2: done
  const stack: Array<[string, number]> = [[name, 0]];
  state.set(name, 1);
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const [t, k] = top;
    const node = ctx.inits.has(t) ? undefined : ctx.made.get(t);
    const deps = node ? (node.input ?? []).filter((x) => x) : [];
    if (k < deps.length) {
      top[1] = k + 1;
      const d = deps[k]!;
      if (ctx.memo.has(d) || state.get(d) === 2) continue;
      if (state.get(d) === 1) fail('a cycle in the graph');
      state.set(d, 1);
      stack.push([d, 0]);
      if (state.size > 200_000) fail('a graph of more than 200,000 tensors');
      continue;
    }
    stack.pop();
    state.set(t, 2);
    order.push(t);
  }
  for (const t of order) {
    if (ctx.memo.has(t)) continue;
    let v: Val;
    const init = ctx.inits.get(t);
    const node = ctx.made.get(t);
    if (init) v = constVal(init);
    else if (node) v = evalNode(ctx, node, (node.output ?? []).indexOf(t));
    else v = inputVal(ctx, t);
    if (v.el.length > MAX_ELEMENTS) fail(`a tensor of more than ${MAX_ELEMENTS.toLocaleString('en-US')} values per row`);
    grow(ctx, v.el.length);
    ctx.memo.set(t, v);
  }
  return ctx.memo.get(name)!;
}

function inputVal(ctx: Ctx, name: string): Val {
  const { space } = ctx;
  const input = space.input;
  if (input.kind === 'matrix') {
    if (name !== input.input) fail(`the graph reads ${name}, which the gate does not feed`);
    const el: Elem[] = new Array(input.width).fill(null).map(() => cst(0));
    space.numeric.forEach((f, j) => {
      if (f.source.kind === 'matrix') el[f.source.column] = { k: 'lin', b: 0, num: [{ j, a: 1, imp: Number.NaN }], cat: [], nan: [], f32: true };
    });
    const covered = new Set(space.numeric.flatMap((f) => (f.source.kind === 'matrix' ? [f.source.column] : [])));
    space.categorical.forEach((f, c) => {
      if (f.source.kind !== 'one-hot') return;
      const ind = f.source.indicators;
      for (const col of f.source.columns) {
        covered.add(col);
        el[col] = { k: 'lin', b: 0, num: [], cat: [{ c, t: Float64Array.from(ind, (x) => (x === col ? 1 : 0)) }], nan: [], f32: false };
      }
    });
    if (covered.size !== input.width) fail('a feature matrix column the attack space does not describe');
    return { batched: true, dims: [input.width], el };
  }
  const j = space.numeric.findIndex((f) => f.source.kind === 'tensor' && f.source.input === name);
  if (j >= 0) {
    const f = space.numeric[j]!;
    return { batched: true, dims: [1], el: [{ k: 'lin', b: 0, num: [{ j, a: 1, imp: Number.NaN }], cat: [], nan: [], f32: f.float32 }] };
  }
  const c = space.categorical.findIndex((f) => f.source.kind === 'tensor' && f.source.input === name);
  if (c >= 0) return { batched: true, dims: [1], el: [{ k: 'str', c, v: space.categorical[c]!.levels.slice() }] };
  fail(`the graph reads ${name}, which is not a model input the attacks describe`);
}

// ------------------------------------------------------------------------------------------------ reading the model

export interface SymbolicScore {
  core: Core;
  /** Decision ⇔ dir·(core − T) ≥ 0. */
  dir: 1 | -1;
  T: number;
  /** The model's score from the core value. */
  score: (core: number) => number;
  /** The chain ends in a Sigmoid-derived probability (mismatches compared on the log-odds scale). */
  logOdds: boolean;
  ops: string[];
  roundingIgnored: boolean;
}

const exactLogit = (p: number): number => Math.log(p / (1 - p));

/**
 * The score output of the graph as a monotone chain over one core (linear form or tree ensemble), in the attack space's
 * features; a reason string when the graph has anything else between the inputs and the score.
 */
export function readSymbolic(proto: ModelProto, info: Pick<ModelInfo, 'scoreOutput' | 'positiveIndex'>, space: AttackSpace, threshold: number): SymbolicScore | string {
  const graph = proto.graph;
  if (!graph) return 'the model has no graph';
  const ctx: Ctx = { space, made: new Map(), inits: new Map(), memo: new Map(), ops: new Set(), roundingIgnored: false, cells: 0 };
  for (const n of graph.node ?? []) for (const o of n.output ?? []) if (o) ctx.made.set(o, n);
  for (const t of graph.initializer ?? []) if (t.name) ctx.inits.set(t.name, t);
  // graph inputs of the matrix: their declared shape; the rest follow from the attack space
  let v: Val;
  try {
    v = evalTensor(ctx, info.scoreOutput);
  } catch (e) {
    if (e instanceof Unsupported) return `the graph has an operation the certificate cannot follow between the inputs and the score: ${e.message}`;
    // a graph the pass cannot take apart (too deep for the stack, malformed attributes): no certificate, never a crash
    return `the graph could not be followed symbolically (${e instanceof RangeError ? 'too deep' : e instanceof Error ? e.message.split('\n')[0]!.slice(0, 200) : String(e)})`;
  }
  const el = v.el.length === 1 ? v.el[0] : v.el[info.positiveIndex];
  if (!el || el.k === 'bad') return `the score is not a function the certificate can follow${el?.k === 'bad' ? ` (${el.why})` : ''}`;
  let m: Mono;
  if (el.k === 'mono') m = el;
  else if (el.k === 'lin' && el.num.length > 0 && !el.clip) m = { k: 'mono', core: { kind: 'lin', lin: el }, chain: [] };
  else if (el.k === 'disc') return 'the score is a lookup on the values of a numeric input (numeric categories before a linear model): not affine';
  else return 'the score does not depend on the numeric inputs';
  // invert the chain: decision ⇔ dir·(y − t) ≥ 0
  let t = threshold;
  let dir: 1 | -1 = 1;
  let logOdds = false;
  for (let q = m.chain.length - 1; q >= 0; q--) {
    const s = m.chain[q]!;
    if (s.op === 'affine') {
      t = (t - s.b) / s.a;
      if (s.a < 0) dir = dir === 1 ? -1 : 1;
    } else {
      if (!(t > 0 && t < 1)) return `the decision threshold ${threshold} is outside the range of the score: every row has the same decision`;
      t = exactLogit(t);
      logOdds = true;
    }
  }
  const chain = m.chain;
  const score = (y: number): number => {
    let x = y;
    for (const s of chain) x = s.op === 'affine' ? s.a * x + s.b : 1 / (1 + Math.exp(-x));
    return x;
  };
  return { core: m.core, dir, T: t, score, logOdds, ops: [...ctx.ops].sort(), roundingIgnored: ctx.roundingIgnored };
}

// ------------------------------------------------------------------------------------------------ virtual matrix

/** Value of a linear form at original row o (missing cells replaced as the graph does). */
export function evalLin(space: AttackSpace, l: Lin, o: number): number {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  let v = l.b;
  for (const t of l.num) {
    const x = space.x0[o * nn + t.j] as number;
    v += t.a * (x !== x ? t.imp : x);
  }
  for (const t of l.cat) v += t.t[space.c0[o * nc + t.c] as number] as number;
  for (const t of l.nan) {
    const x = space.x0[o * nn + t.j] as number;
    if (x !== x) v += t.w;
  }
  if (l.clip) v = Math.min(Math.max(v, l.clip[0]), l.clip[1]);
  return l.f32 ? Math.fround(v) : v;
}

/**
 * The attack space restricted to `rows` (original row indices; row i of the result is rows[i]): the certificate only
 * needs the attacked rows, and the virtual matrix is built for those alone.
 */
export function subsetSpace(space: AttackSpace, rows: ArrayLike<number>): AttackSpace {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const n = rows.length;
  const x0 = new Float64Array(n * nn);
  const c0 = new Int32Array(n * nc);
  for (let i = 0; i < n; i++) {
    const o = rows[i] as number;
    x0.set(space.x0.subarray(o * nn, (o + 1) * nn), i * nn);
    c0.set(space.c0.subarray(o * nc, (o + 1) * nc), i * nc);
  }
  return { ...space, rows: n, x0, c0 };
}

interface VirtualSpace {
  space: AttackSpace;
  width: number;
  data: Float64Array;
}

/**
 * A copy of the attack space over a virtual feature matrix: numeric feature j is column j (raw values; a missing cell
 * holds `missingValue[j]`), then the extra columns (categorical indicators / fixed per-row values) filled by `extra`.
 * Typed as a Float32Array for the shared helpers, held as float64 so that raw double inputs keep their values.
 */
function virtualSpace(space: AttackSpace, catColumns: number[][], catIndicators: Int32Array[], extraCols: number, fill: (o: number, row: Float64Array) => void, missingValue: Float64Array): VirtualSpace {
  const nn = space.numeric.length;
  const width = nn + extraCols;
  const rows = space.rows;
  const data = new Float64Array(rows * width);
  for (let o = 0; o < rows; o++) {
    const row = data.subarray(o * width, (o + 1) * width);
    for (let j = 0; j < nn; j++) {
      const x = space.x0[o * nn + j] as number;
      row[j] = x !== x ? (missingValue[j] as number) : x;
    }
    fill(o, row);
  }
  const numeric: NumericFeature[] = space.numeric.map((f, j) => ({ ...f, source: { kind: 'matrix', column: j } }));
  const categorical: CategoricalFeature[] = space.categorical.map((f, c) => ({ ...f, source: { kind: 'one-hot', indicators: catIndicators[c]!, columns: catColumns[c]! } }));
  const input: ModelInput = {
    kind: 'matrix',
    rows,
    input: '(virtual)',
    width,
    data: data as unknown as Float32Array,
    featureNames: Array.from({ length: width }, (_, k) => (k < nn ? space.numeric[k]!.name : `(derived ${k - nn})`)),
    oneHotGroups: {},
  };
  return { space: { ...space, input, numeric, categorical }, width, data };
}

export interface LinearPlan {
  kind: 'linear';
  space: AttackSpace;
  lm: { w: Float64Array; b: number };
  /** Signed margin of original row o: the decision is positive iff ≥ 0. */
  margin: (o: number) => number;
  /** The model's score of row o as the graph computes it. */
  modelScore: (o: number) => number;
}

export interface TreePlan {
  kind: 'trees';
  space: AttackSpace;
  /** Over the virtual columns, signed: the decision is positive iff margin ≥ T. */
  score: ScalarTreeScore;
  T: number;
  ensemble: TreeEnsemble;
  modelScore: (o: number) => number;
  /** Rows (original indices) whose missing cells the virtual matrix cannot represent: no certificate. */
  unrepresentable: Set<number>;
  op: string;
}

/** Certificate inputs for a linear core. */
export function linearPlan(space: AttackSpace, sym: SymbolicScore): LinearPlan {
  const core = sym.core as Extract<Core, { kind: 'lin' }>;
  const lin = core.lin;
  const nn = space.numeric.length;
  const catColumns: number[][] = space.categorical.map(() => []);
  const catIndicators: Int32Array[] = space.categorical.map((f) => new Int32Array(f.levels.length).fill(-1));
  let col = nn;
  const w: number[] = new Array(nn).fill(0);
  for (const t of lin.num) w[t.j] = (w[t.j] as number) + sym.dir * t.a;
  space.categorical.forEach((f, c) => {
    for (let q = 0; q < f.levels.length; q++) {
      catIndicators[c]![q] = col;
      catColumns[c]!.push(col);
      let v = 0;
      for (const t of lin.cat) if (t.c === c) v += t.t[q] as number;
      w.push(sym.dir * v);
      col++;
    }
  });
  const nc = space.categorical.length;
  const vs = virtualSpace(
    space,
    catColumns,
    catIndicators,
    col - nn,
    (o, row) => {
      for (let c = 0; c < nc; c++) row[catIndicators[c]![space.c0[o * nc + c] as number] as number] = 1;
    },
    new Float64Array(nn).fill(Number.NaN),
  );
  const margin = (o: number): number => sym.dir * (evalLin(space, lin, o) - sym.T);
  return { kind: 'linear', space: vs.space, lm: { w: Float64Array.from(w), b: 0 }, margin, modelScore: (o) => sym.score(evalLin(space, lin, o)) };
}

// float32 neighbours
const f32buf = new Float32Array(1);
const i32buf = new Int32Array(f32buf.buffer);
function nextUp32(f: number): number {
  f32buf[0] = f;
  if (f === 0) return 1.401298464324817e-45;
  i32buf[0] = (i32buf[0] as number) + (f > 0 ? 1 : -1);
  return f32buf[0] as number;
}
function nextDown32(f: number): number {
  return -nextUp32(-f);
}

/**
 * The set {y : fround(y) ≤ θ} (strict: < θ) as a half-line {y ≤ m} (closed) or {y < m} (open), θ finite.
 */
function roundedLe(theta: number, strict: boolean): { m: number; closed: boolean } {
  let F = Math.fround(theta);
  if (F > theta || (strict && F === theta)) F = nextDown32(F);
  const up = nextUp32(F);
  if (!Number.isFinite(up)) return { m: Infinity, closed: true };
  const mid = (F + up) / 2;
  // ties round to even: the midpoint rounds to F when F's last mantissa bit is 0
  f32buf[0] = F;
  const even = ((i32buf[0] as number) & 1) === 0;
  return { m: mid, closed: even };
}

/** A threshold split on z = fround?(clip?(a·x + b)) as a split on x: mode and threshold (±∞ when always / never true). */
function convertSplit(mode: number, theta: number, a: number, b: number, f32: boolean, clip?: [number, number]): { mode: number; threshold: number } {
  // region where the node goes true, as y ≤/< m or y ≥/> m
  let le: boolean; // true-region is a lower half-line in y
  let m = theta;
  let closed: boolean;
  if (mode === MODE_LEQ || mode === MODE_LT) {
    le = true;
    closed = mode === MODE_LEQ;
    if (f32 && Number.isFinite(theta)) ({ m, closed } = roundedLe(theta, mode === MODE_LT));
  } else {
    le = false;
    closed = mode === MODE_GTE;
    if (f32 && Number.isFinite(theta)) {
      // fround(y) ≥ θ ⇔ ¬(fround(y) < θ);  fround(y) > θ ⇔ ¬(fround(y) ≤ θ)
      const r = roundedLe(theta, mode === MODE_GTE);
      m = r.m;
      closed = !r.closed;
    }
  }
  if (clip) {
    // clip(y) in [lo, hi]: the half-line of clip(y) is the same half-line of y, or all / nothing
    const [lo, hi] = clip;
    let all: boolean | null = null;
    if (le) {
      if (closed ? m >= hi : m > hi) all = true;
      else if (closed ? m < lo : m <= lo) all = false;
    } else if (closed ? m <= lo : m < lo) all = true;
    else if (closed ? m > hi : m >= hi) all = false;
    // always: x ≤ +∞; never: x < −∞ (NaN keeps the node's missing rule)
    if (all !== null) return all ? { mode: MODE_LEQ, threshold: Infinity } : { mode: MODE_LT, threshold: -Infinity };
  }
  // y = a·x + b
  const t = (m - b) / a;
  if (a < 0) le = !le;
  return { mode: le ? (closed ? MODE_LEQ : MODE_LT) : closed ? MODE_GTE : MODE_GT, threshold: t };
}

/** Certificate inputs for a tree-ensemble core: the ensemble rewritten over the virtual columns. */
export function treePlan(space: AttackSpace, rel: Relations, sym: SymbolicScore): TreePlan | string {
  const core = sym.core as Extract<Core, { kind: 'tree' }>;
  const s0 = core.score;
  const e0 = s0.ensemble;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const coupled = new Set(rel.functional.filter((p) => space.numeric[p.numeric]!.mutable).map((p) => p.categorical));
  const n = e0.mode.length;
  const feature = new Int32Array(n).fill(-1);
  const mode = e0.mode.slice();
  const threshold = e0.threshold.slice();
  const missingTrue = e0.missingTrue.slice();
  const trueChild = e0.trueChild.slice();
  const falseChild = e0.falseChild.slice();
  const memberStart = e0.memberStart.slice();
  const memberEnd = e0.memberEnd.slice();
  const memberValues: number[] = Array.from(e0.memberValues);
  // extra columns: categorical level sets (key c:mask) and fixed per-row elements (key: element index)
  const catCols = new Map<string, { col: number; c: number; inSet: Uint8Array }>();
  const fixedCols = new Map<number, { col: number; lin: Lin }>();
  let next = nn;
  /** Imputed raw value per numeric feature used by the trees' elements (undefined: none yet; null: they disagree). */
  const imp: Array<number | null | undefined> = new Array(nn).fill(undefined);
  const sameImp = (x: number, y: number): boolean => x === y || (x !== x && y !== y);
  for (let node = 0; node < n; node++) {
    if (e0.mode[node] === MODE_LEAF) continue;
    const fz = e0.feature[node] as number;
    const z = core.z[fz] as Elem;
    const m = e0.mode[node] as number;
    if (z.k === 'disc') {
      // a function of x_j at points: the node goes true on a finite set of x values, or everywhere but one
      const goes = (v: number): boolean => goesTrue(e0, node, v);
      const dT = goes(z.dflt);
      const nT = goes(z.nanV);
      const except = z.pts.filter((_, q) => goes(z.val[q] as number) !== dT);
      const prev = imp[z.j];
      if (prev === undefined) imp[z.j] = Number.NaN;
      else if (prev !== null && prev === prev) imp[z.j] = null; // a missing x_j must stay NaN in the virtual column
      feature[node] = z.j;
      if (except.length === 0) {
        // every number goes the same way: x ≤ +∞ (always) or x < −∞ (never); a NaN by missingTrue
        mode[node] = dT ? MODE_LEQ : MODE_LT;
        threshold[node] = dT ? Infinity : -Infinity;
        missingTrue[node] = nT ? 1 : 0;
        continue;
      }
      mode[node] = MODE_MEMBER;
      memberStart[node] = memberValues.length;
      memberValues.push(...except);
      memberEnd[node] = memberValues.length;
      threshold[node] = except[0] as number;
      if (dT) {
        // true everywhere but the exceptions: membership routes to the original false child
        trueChild[node] = e0.falseChild[node] as number;
        falseChild[node] = e0.trueChild[node] as number;
        missingTrue[node] = nT ? 0 : 1;
      } else missingTrue[node] = nT ? 1 : 0;
      continue;
    }
    if (z.k !== 'lin') return `the ${core.op} reads ${z.k === 'bad' ? z.why : 'a string or a score'} (feature ${fz})`;
    if (z.num.length === 1 && z.cat.length === 0 && z.nan.length === 0 && z.num[0]!.a !== 0) {
      const t = z.num[0]!;
      const prev = imp[t.j];
      if (prev === undefined) imp[t.j] = t.imp;
      else if (prev !== null && !sameImp(prev, t.imp)) imp[t.j] = null;
      feature[node] = t.j;
      if (m === MODE_LEQ || m === MODE_LT || m === MODE_GTE || m === MODE_GT) {
        const cv = convertSplit(m, e0.threshold[node] as number, t.a, z.b, z.f32, z.clip);
        mode[node] = cv.mode;
        threshold[node] = cv.threshold;
      } else if (!(t.a === 1 && z.b === 0 && !z.f32 && !z.clip && (m === MODE_EQ || m === MODE_NEQ || m === MODE_MEMBER))) {
        return `the ${core.op} compares a scaled numeric input for equality (feature ${fz})`;
      }
      continue;
    }
    if (z.num.length === 0 && z.nan.length === 0 && z.cat.length === 1) {
      // a function of one categorical input: the set of levels that go to the true child
      const ct = z.cat[0]!;
      const inSet = Uint8Array.from(ct.t, (v) => (goesTrue(e0, node, v + z.b) ? 1 : 0));
      const key = `${ct.c}:${inSet.join('')}`;
      let entry = catCols.get(key);
      if (!entry) catCols.set(key, (entry = { col: next++, c: ct.c, inSet }));
      feature[node] = entry.col;
      mode[node] = MODE_GT;
      threshold[node] = 0.5;
      missingTrue[node] = 0;
      continue;
    }
    // fixed per row: constants, missingness indicators, forms of immutable inputs and uncoupled categories
    if (z.num.every((t) => !space.numeric[t.j]!.mutable || t.a === 0) && z.cat.every((t) => !coupled.has(t.c))) {
      let entry = fixedCols.get(fz);
      if (!entry) fixedCols.set(fz, (entry = { col: next++, lin: z }));
      feature[node] = entry.col;
      continue;
    }
    return `the ${core.op} reads a combination of several inputs (feature ${fz}): no per-feature split`;
  }
  const catColumns: number[][] = space.categorical.map(() => []);
  for (const v of catCols.values()) catColumns[v.c]!.push(v.col);
  const catIndicators = space.categorical.map((f) => new Int32Array(f.levels.length).fill(-1));
  const missingValue = Float64Array.from(imp, (v) => (typeof v === 'number' ? v : Number.NaN));
  const unrepresentable = new Set<number>();
  for (let o = 0; o < space.rows; o++) for (let j = 0; j < nn; j++) if (imp[j] === null && (space.x0[o * nn + j] as number) !== (space.x0[o * nn + j] as number)) unrepresentable.add(o);
  const cats = [...catCols.values()];
  const fixed = [...fixedCols.values()];
  const vs = virtualSpace(
    space,
    catColumns,
    catIndicators,
    next - nn,
    (o, row) => {
      for (const v of cats) row[v.col] = v.inSet[space.c0[o * nc + v.c] as number] as number;
      for (const v of fixed) row[v.col] = evalLin(space, v.lin, o);
    },
    missingValue,
  );
  const ensemble: TreeEnsemble = { ...e0, feature, mode, threshold, missingTrue, trueChild, falseChild, memberStart, memberEnd, memberValues: Float64Array.from(memberValues), featureCount: vs.width };
  const signed: ScalarTreeScore = {
    ...s0,
    ensemble,
    leafValue: sym.dir === 1 ? s0.leafValue : s0.leafValue.map((v) => -v),
    offset: sym.dir * s0.offset,
  };
  const plain: ScalarTreeScore = { ...s0, ensemble };
  const width = vs.width;
  const modelScore = (o: number): number => sym.score(treeMargin(plain, vs.data, o * width));
  return { kind: 'trees', space: vs.space, score: signed, T: sym.dir * sym.T, ensemble, modelScore, unrepresentable, op: core.op };
}
