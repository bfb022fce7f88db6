/**
 * ONNX tree ensembles (ai.onnx.ml TreeEnsembleClassifier, TreeEnsembleRegressor and the opset-5 TreeEnsemble) read
 * into flat typed arrays: one entry per node, leaves included, global node indices.
 *
 * Node rule (as onnxruntime): at a branch node on feature f with threshold t, the row goes to the true child when
 * `compare(x[f], t)` holds, or when x[f] is NaN and the node's missing-value track is true; else to the false child.
 */
import {
  findAttribute,
  int64ToNumber,
  nodeAttribute,
  tensorValues,
  type Int64Like,
  type NodeProto,
  type TensorProto,
} from '../../model/onnx-graph.js';

export const MODE_LEQ = 0;
export const MODE_LT = 1;
export const MODE_GTE = 2;
export const MODE_GT = 3;
export const MODE_EQ = 4;
export const MODE_NEQ = 5;
export const MODE_MEMBER = 6;
export const MODE_LEAF = 7;

const MODE_NAMES: Record<string, number> = {
  BRANCH_LEQ: MODE_LEQ,
  BRANCH_LT: MODE_LT,
  BRANCH_GTE: MODE_GTE,
  BRANCH_GT: MODE_GT,
  BRANCH_EQ: MODE_EQ,
  BRANCH_NEQ: MODE_NEQ,
  BRANCH_MEMBER: MODE_MEMBER,
  LEAF: MODE_LEAF,
};

export type TreeOperator = 'TreeEnsembleClassifier' | 'TreeEnsembleRegressor' | 'TreeEnsemble';
export type PostTransform = 'NONE' | 'LOGISTIC' | 'SOFTMAX' | 'SOFTMAX_ZERO' | 'PROBIT';
export type Aggregate = 'SUM' | 'AVERAGE' | 'MIN' | 'MAX';

export interface TreeEnsemble {
  operator: TreeOperator;
  /** Root node index of each tree. */
  roots: Int32Array;
  /** Per node: input feature index (-1 for a leaf). */
  feature: Int32Array;
  /** Per node: split threshold (float32 values as doubles, as stored). */
  threshold: Float64Array;
  /** Per node: MODE_* (MODE_LEAF for leaves). */
  mode: Uint8Array;
  trueChild: Int32Array;
  falseChild: Int32Array;
  /** Per node: 1 when a missing (NaN) value goes to the true child. */
  missingTrue: Uint8Array;
  /** BRANCH_MEMBER sets: node -> [memberStart, memberEnd) in memberValues. */
  memberStart: Int32Array;
  memberEnd: Int32Array;
  memberValues: Float64Array;
  /** Leaf contributions: node -> [leafStart, leafEnd) in leafTarget / leafWeight (empty for branches). */
  leafStart: Int32Array;
  leafEnd: Int32Array;
  leafTarget: Int32Array;
  leafWeight: Float64Array;
  /** Classes (classifier) or targets (regressor) the weights address. */
  targets: number;
  /** Number of class labels of a classifier (0 for regressors). */
  classLabels: number;
  baseValues: Float64Array;
  postTransform: PostTransform;
  aggregate: Aggregate;
  /** 1 + the largest feature index used. */
  featureCount: number;
  maxDepth: number;
}

export class TreeParseError extends Error {}

function ints(node: NodeProto, name: string): number[] | undefined {
  const v = nodeAttribute(node, name);
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v as number[];
  throw new TreeParseError(`attribute ${name} is not a list`);
}

function floatsOrTensor(node: NodeProto, name: string): Float64Array | undefined {
  const tensor = findAttribute(node, `${name}_as_tensor`);
  if (tensor?.t) return tensorValues(tensor.t as TensorProto);
  const v = nodeAttribute(node, name);
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return Float64Array.from(v as number[]);
  if (typeof v === 'object' && v !== null && 'dataType' in v) return tensorOf(v as TensorProto);
  throw new TreeParseError(`attribute ${name} is not a list of numbers`);
}

/** Values of a tensor attribute, including uint8 / float16 tensors (the opset-5 TreeEnsemble's nodes_modes, splits). */
function tensorOf(t: TensorProto): Float64Array {
  const type = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (type === 2 /* uint8 */) {
    if (raw) return Float64Array.from(raw);
    return Float64Array.from(t.int32Data ?? []);
  }
  if (type === 10 /* float16 */) {
    const halves: number[] = [];
    if (raw) for (let i = 0; i + 1 < raw.length; i += 2) halves.push(raw[i] | (raw[i + 1] << 8));
    else halves.push(...(t.int32Data ?? []));
    return Float64Array.from(halves.map(halfToFloat));
  }
  return tensorValues(t);
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

function tensorAttr(node: NodeProto, name: string): Float64Array | undefined {
  const a = findAttribute(node, name);
  if (!a) return undefined;
  if (a.t) return tensorOf(a.t as TensorProto);
  return floatsOrTensor(node, name);
}

function str(node: NodeProto, name: string, def: string): string {
  const v = nodeAttribute(node, name);
  return typeof v === 'string' ? v : def;
}

function intAttr(node: NodeProto, name: string, def: number): number {
  const a = findAttribute(node, name);
  if (!a || a.i === undefined || a.i === null) return def;
  return int64ToNumber(a.i as Int64Like);
}

const POST_TRANSFORMS: PostTransform[] = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'];
const AGGREGATES_V5: Aggregate[] = ['AVERAGE', 'SUM', 'MIN', 'MAX'];

function need<T>(v: T | undefined, name: string): T {
  if (v === undefined) throw new TreeParseError(`missing attribute ${name}`);
  return v;
}

/** Read a TreeEnsembleClassifier / TreeEnsembleRegressor / TreeEnsemble node. Throws TreeParseError on malformed input. */
export function parseTreeEnsemble(node: NodeProto): TreeEnsemble {
  const op = node.opType as TreeOperator;
  if (op === 'TreeEnsemble') return parseV5(node);
  if (op !== 'TreeEnsembleClassifier' && op !== 'TreeEnsembleRegressor') throw new TreeParseError(`not a tree ensemble: ${op}`);
  const classifier = op === 'TreeEnsembleClassifier';
  const treeIds = need(ints(node, 'nodes_treeids'), 'nodes_treeids');
  const nodeIds = need(ints(node, 'nodes_nodeids'), 'nodes_nodeids');
  const featureIds = need(ints(node, 'nodes_featureids'), 'nodes_featureids');
  const modes = need(nodeAttribute(node, 'nodes_modes') as string[] | undefined, 'nodes_modes');
  const values = floatsOrTensor(node, 'nodes_values') ?? new Float64Array(treeIds.length);
  const trueIds = need(ints(node, 'nodes_truenodeids'), 'nodes_truenodeids');
  const falseIds = need(ints(node, 'nodes_falsenodeids'), 'nodes_falsenodeids');
  const missing = ints(node, 'nodes_missing_value_tracks_true') ?? [];
  const prefix = classifier ? 'class' : 'target';
  const wTree = need(ints(node, `${prefix}_treeids`), `${prefix}_treeids`);
  const wNode = need(ints(node, `${prefix}_nodeids`), `${prefix}_nodeids`);
  const wId = need(ints(node, `${prefix}_ids`), `${prefix}_ids`);
  const wVal = need(floatsOrTensor(node, `${prefix}_weights`), `${prefix}_weights`);
  const n = treeIds.length;
  if ([nodeIds, featureIds, modes, trueIds, falseIds].some((a) => a.length !== n) || values.length !== n) {
    throw new TreeParseError('node attribute lists have different lengths');
  }
  if (wNode.length !== wTree.length || wId.length !== wTree.length || wVal.length !== wTree.length) {
    throw new TreeParseError('weight attribute lists have different lengths');
  }

  const key = (t: number, id: number): string => `${t}:${id}`;
  const index = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const k = key(treeIds[i], nodeIds[i]);
    if (index.has(k)) throw new TreeParseError(`duplicate node ${k}`);
    index.set(k, i);
  }
  const e: TreeEnsemble = emptyEnsemble(op, n);
  const isChild = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const m = MODE_NAMES[modes[i]];
    if (m === undefined) throw new TreeParseError(`unknown node mode ${modes[i]}`);
    e.mode[i] = m;
    e.threshold[i] = values[i];
    e.missingTrue[i] = missing[i] ? 1 : 0;
    if (m === MODE_LEAF) {
      e.feature[i] = -1;
      e.trueChild[i] = -1;
      e.falseChild[i] = -1;
      continue;
    }
    if (m === MODE_MEMBER) throw new TreeParseError('BRANCH_MEMBER in a legacy tree ensemble');
    e.feature[i] = featureIds[i];
    const tc = index.get(key(treeIds[i], trueIds[i]));
    const fc = index.get(key(treeIds[i], falseIds[i]));
    if (tc === undefined || fc === undefined) throw new TreeParseError(`node ${key(treeIds[i], nodeIds[i])} points to a missing child`);
    e.trueChild[i] = tc;
    e.falseChild[i] = fc;
    isChild[tc] = 1;
    isChild[fc] = 1;
  }
  // Roots: per tree id, the node no other node points to.
  const roots = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    if (!isChild[i]) {
      if (roots.has(treeIds[i])) throw new TreeParseError(`tree ${treeIds[i]} has more than one root`);
      roots.set(treeIds[i], i);
    }
  }
  e.roots = Int32Array.from([...roots.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i));

  // Leaf weights, grouped per node.
  const perNode: number[][] = Array.from({ length: n }, () => []);
  for (let j = 0; j < wTree.length; j++) {
    const i = index.get(key(wTree[j], wNode[j]));
    if (i === undefined) throw new TreeParseError(`weight for missing node ${key(wTree[j], wNode[j])}`);
    if (e.mode[i] !== MODE_LEAF) throw new TreeParseError(`weight on branch node ${key(wTree[j], wNode[j])}`);
    perNode[i].push(j);
  }
  fillLeaves(e, perNode, wId, wVal);

  if (classifier) {
    const labelsInt = ints(node, 'classlabels_int64s');
    const labelsStr = nodeAttribute(node, 'classlabels_strings') as string[] | undefined;
    e.classLabels = labelsInt?.length ?? labelsStr?.length ?? 0;
    e.targets = Math.max(e.classLabels, maxPlusOne(wId));
    e.aggregate = 'SUM';
  } else {
    e.targets = Math.max(intAttr(node, 'n_targets', 1), maxPlusOne(wId));
    e.aggregate = str(node, 'aggregate_function', 'SUM') as Aggregate;
  }
  e.baseValues = floatsOrTensor(node, 'base_values') ?? new Float64Array(0);
  e.postTransform = str(node, 'post_transform', 'NONE') as PostTransform;
  finish(e);
  return e;
}

function parseV5(node: NodeProto): TreeEnsemble {
  const featureIds = need(ints(node, 'nodes_featureids'), 'nodes_featureids');
  const splits = need(tensorAttr(node, 'nodes_splits'), 'nodes_splits');
  const modes = need(tensorAttr(node, 'nodes_modes'), 'nodes_modes');
  const trueIds = need(ints(node, 'nodes_truenodeids'), 'nodes_truenodeids');
  const falseIds = need(ints(node, 'nodes_falsenodeids'), 'nodes_falsenodeids');
  const trueLeaf = ints(node, 'nodes_trueleafs') ?? [];
  const falseLeaf = ints(node, 'nodes_falseleafs') ?? [];
  const missing = ints(node, 'nodes_missing_value_tracks_true') ?? [];
  const leafTargets = need(ints(node, 'leaf_targetids'), 'leaf_targetids');
  const leafWeights = need(tensorAttr(node, 'leaf_weights'), 'leaf_weights');
  const roots = need(ints(node, 'tree_roots'), 'tree_roots');
  const members = tensorAttr(node, 'membership_values');
  const nb = featureIds.length;
  const nl = leafTargets.length;
  if ([splits.length, modes.length, trueIds.length, falseIds.length].some((l) => l !== nb)) {
    throw new TreeParseError('node attribute lists have different lengths');
  }
  if (leafWeights.length !== nl) throw new TreeParseError('leaf attribute lists have different lengths');
  const e = emptyEnsemble('TreeEnsemble', nb + nl);
  let memberCursor = 0;
  for (let i = 0; i < nb; i++) {
    const m = modes[i];
    if (!(m >= MODE_LEQ && m <= MODE_MEMBER)) throw new TreeParseError(`unknown node mode ${m}`);
    e.mode[i] = m;
    e.feature[i] = featureIds[i];
    e.threshold[i] = splits[i];
    e.missingTrue[i] = missing[i] ? 1 : 0;
    const tc = trueLeaf[i] ? nb + trueIds[i] : trueIds[i];
    const fc = falseLeaf[i] ? nb + falseIds[i] : falseIds[i];
    if (!(tc >= 0 && tc < nb + nl && fc >= 0 && fc < nb + nl)) throw new TreeParseError(`node ${i} points outside the tree`);
    e.trueChild[i] = tc;
    e.falseChild[i] = fc;
    if (m === MODE_MEMBER) {
      if (!members) throw new TreeParseError('BRANCH_MEMBER without membership_values');
      const start = memberCursor;
      while (memberCursor < members.length && !Number.isNaN(members[memberCursor])) memberCursor++;
      e.memberStart[i] = start;
      e.memberEnd[i] = memberCursor;
      memberCursor++; // skip the NaN separator
    }
  }
  if (members) e.memberValues = members;
  const perNode: number[][] = Array.from({ length: nb + nl }, () => []);
  for (let j = 0; j < nl; j++) {
    const i = nb + j;
    e.mode[i] = MODE_LEAF;
    e.feature[i] = -1;
    e.trueChild[i] = -1;
    e.falseChild[i] = -1;
    perNode[i].push(j);
  }
  fillLeaves(e, perNode, leafTargets, leafWeights);
  e.roots = Int32Array.from(roots);
  e.targets = Math.max(intAttr(node, 'n_targets', 1), maxPlusOne(leafTargets));
  e.aggregate = AGGREGATES_V5[intAttr(node, 'aggregate_function', 1)] ?? 'SUM';
  e.postTransform = POST_TRANSFORMS[intAttr(node, 'post_transform', 0)] ?? 'NONE';
  e.baseValues = new Float64Array(0);
  finish(e);
  return e;
}

function maxPlusOne(a: number[]): number {
  let m = 0;
  for (const v of a) if (v + 1 > m) m = v + 1;
  return m;
}

function emptyEnsemble(operator: TreeOperator, n: number): TreeEnsemble {
  return {
    operator,
    roots: new Int32Array(0),
    feature: new Int32Array(n),
    threshold: new Float64Array(n),
    mode: new Uint8Array(n),
    trueChild: new Int32Array(n),
    falseChild: new Int32Array(n),
    missingTrue: new Uint8Array(n),
    memberStart: new Int32Array(n),
    memberEnd: new Int32Array(n),
    memberValues: new Float64Array(0),
    leafStart: new Int32Array(n),
    leafEnd: new Int32Array(n),
    leafTarget: new Int32Array(0),
    leafWeight: new Float64Array(0),
    targets: 1,
    classLabels: 0,
    baseValues: new Float64Array(0),
    postTransform: 'NONE',
    aggregate: 'SUM',
    featureCount: 0,
    maxDepth: 0,
  };
}

function fillLeaves(e: TreeEnsemble, perNode: number[][], ids: number[], weights: Float64Array): void {
  let total = 0;
  for (const list of perNode) total += list.length;
  e.leafTarget = new Int32Array(total);
  e.leafWeight = new Float64Array(total);
  let c = 0;
  for (let i = 0; i < perNode.length; i++) {
    e.leafStart[i] = c;
    for (const j of perNode[i]) {
      if (!(ids[j] >= 0)) throw new TreeParseError(`negative class/target id ${ids[j]}`);
      e.leafTarget[c] = ids[j];
      e.leafWeight[c] = weights[j];
      c++;
    }
    e.leafEnd[i] = c;
  }
}

/** Feature count and depth; rejects cycles and negative feature ids. */
function finish(e: TreeEnsemble): void {
  let featureCount = 0;
  for (let i = 0; i < e.feature.length; i++) {
    if (e.mode[i] !== MODE_LEAF) {
      if (e.feature[i] < 0) throw new TreeParseError(`node ${i} has a negative feature id`);
      if (e.feature[i] + 1 > featureCount) featureCount = e.feature[i] + 1;
    }
  }
  e.featureCount = featureCount;
  let maxDepth = 0;
  const n = e.feature.length;
  for (const root of e.roots) {
    if (!(root >= 0 && root < n)) throw new TreeParseError(`tree root ${root} out of range`);
    const stack: Array<[number, number]> = [[root, 0]];
    let visited = 0;
    while (stack.length > 0) {
      const [node, depth] = stack.pop() as [number, number];
      if (++visited > n) throw new TreeParseError('a tree has a cycle');
      if (depth > maxDepth) maxDepth = depth;
      if (e.mode[node] !== MODE_LEAF) {
        stack.push([e.trueChild[node], depth + 1], [e.falseChild[node], depth + 1]);
      }
    }
  }
  if (maxDepth > 64) throw new TreeParseError(`trees deeper than 64 levels (${maxDepth}) are not supported`);
  e.maxDepth = maxDepth;
}

/** True when value goes to the true child of branch node i (onnxruntime's rule). */
export function goesTrue(e: TreeEnsemble, i: number, value: number): boolean {
  if (value !== value) {
    if (e.missingTrue[i]) return true;
  }
  const t = e.threshold[i];
  switch (e.mode[i]) {
    case MODE_LEQ:
      return value <= t;
    case MODE_LT:
      return value < t;
    case MODE_GTE:
      return value >= t;
    case MODE_GT:
      return value > t;
    case MODE_EQ:
      return value === t;
    case MODE_NEQ:
      return value !== t;
    case MODE_MEMBER: {
      for (let k = e.memberStart[i]; k < e.memberEnd[i]; k++) if (e.memberValues[k] === value) return true;
      return false;
    }
    default:
      return false;
  }
}

export function countLeaves(e: TreeEnsemble): number {
  let leaves = 0;
  for (let i = 0; i < e.mode.length; i++) if (e.mode[i] === MODE_LEAF) leaves++;
  return leaves;
}
