/**
 * Trees of any source (scikit-learn Tree, HistGradientBoosting predictors, XGBoost JSON) in one form, emitted as one
 * opset-5 ai.onnx.ml TreeEnsemble on a float64 input with float64 thresholds and leaf values (no float32 rounding of
 * thresholds: a float32-input model casts its features to float32 and back before the trees, which gives exactly its
 * float32-vs-float64 comparisons).
 */
import { GraphBuilder, doubleTensor, uint8Tensor } from './onnx-builder.js';
import { TranslationError } from './state.js';

export const MODE_LEQ = 0;
export const MODE_LT = 1;
export const MODE_MEMBER = 6;

export interface IrTree {
  /** Per node; -1 feature for a leaf. */
  feature: Int32Array;
  threshold: Float64Array;
  /** Child taken when the condition holds ('true'), and otherwise. -1 for leaves. */
  trueChild: Int32Array;
  falseChild: Int32Array;
  /** MODE_LEQ / MODE_LT / MODE_MEMBER. */
  mode: Uint8Array;
  /** 1: a NaN goes to the true child. */
  missingTrue: Uint8Array;
  /** BRANCH_MEMBER sets per node. */
  members: Array<number[] | null>;
  /** Leaf value (margin contribution), per node. */
  value: Float64Array;
}

export function isLeaf(t: IrTree, i: number): boolean {
  return t.feature[i] < 0;
}

/** Add a TreeEnsemble node summing the trees (times `scale`, plus `leafOffset` on the first tree's leaves). */
export function emitTreeEnsemble(g: GraphBuilder, input: string, trees: IrTree[], opts: { scale?: number; firstTreeOffset?: number; perLeaf?: (v: number) => number } = {}): string {
  const featureIds: number[] = [];
  const splits: number[] = [];
  const modes: number[] = [];
  const trueIds: number[] = [];
  const falseIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseLeafs: number[] = [];
  const missing: number[] = [];
  const leafWeights: number[] = [];
  const members: number[] = [];
  const roots: number[] = [];
  const f = opts.perLeaf ?? ((v: number) => v * (opts.scale ?? 1));
  trees.forEach((t, ti) => {
    const n = t.feature.length;
    const branchIndex = new Int32Array(n).fill(-1);
    const leafIndex = new Int32Array(n).fill(-1);
    const leafValue = (i: number): number => f(t.value[i]) + (ti === 0 ? (opts.firstTreeOffset ?? 0) : 0);
    // number branch nodes and leaves in a walk from the root (only reachable nodes are emitted)
    const order: number[] = [];
    const stack = [0];
    const seen = new Uint8Array(n);
    while (stack.length > 0) {
      const i = stack.pop() as number;
      if (i < 0 || i >= n || seen[i]) throw new TranslationError(`tree ${ti + 1} of the model is not a tree: node ${i} ${i < 0 || i >= n ? 'is out of range' : 'is reached twice (a cycle or a shared node)'}; the file is damaged or was edited by hand — save the model again`);
      seen[i] = 1;
      order.push(i);
      if (!isLeaf(t, i)) stack.push(t.falseChild[i], t.trueChild[i]);
    }
    for (const i of order) {
      if (isLeaf(t, i)) {
        leafIndex[i] = leafWeights.length;
        leafWeights.push(leafValue(i));
      } else {
        branchIndex[i] = featureIds.length;
        featureIds.push(0);
        splits.push(0);
        modes.push(0);
        trueIds.push(0);
        falseIds.push(0);
        trueLeafs.push(0);
        falseLeafs.push(0);
        missing.push(0);
      }
    }
    if (isLeaf(t, 0)) {
      // a single-leaf tree: one branch node whose two children are that leaf
      const b = featureIds.length;
      featureIds.push(0);
      splits.push(0);
      modes.push(MODE_LEQ);
      trueIds.push(leafIndex[0]);
      falseIds.push(leafIndex[0]);
      trueLeafs.push(1);
      falseLeafs.push(1);
      missing.push(0);
      roots.push(b);
      return;
    }
    roots.push(branchIndex[0]);
    for (const i of order) {
      if (isLeaf(t, i)) continue;
      const b = branchIndex[i];
      featureIds[b] = t.feature[i];
      modes[b] = t.mode[i];
      splits[b] = t.mode[i] === MODE_MEMBER ? 0 : t.threshold[i];
      missing[b] = t.missingTrue[i];
      const tc = t.trueChild[i];
      const fc = t.falseChild[i];
      trueLeafs[b] = isLeaf(t, tc) ? 1 : 0;
      falseLeafs[b] = isLeaf(t, fc) ? 1 : 0;
      trueIds[b] = isLeaf(t, tc) ? leafIndex[tc] : branchIndex[tc];
      falseIds[b] = isLeaf(t, fc) ? leafIndex[fc] : branchIndex[fc];
    }
    // membership values in the order of the BRANCH_MEMBER nodes in nodes_*
    const memberNodes = order.filter((i) => !isLeaf(t, i) && t.mode[i] === MODE_MEMBER).sort((a, b) => branchIndex[a] - branchIndex[b]);
    for (const i of memberNodes) {
      members.push(...(t.members[i] ?? []), NaN);
    }
  });
  const attrs: Record<string, import('./onnx-builder.js').AttrValue> = {
    aggregate_function: { i: 1 },
    leaf_targetids: { ints: new Array(leafWeights.length).fill(0) },
    leaf_weights: { t: doubleTensor('leaf_weights', leafWeights, [leafWeights.length]) },
    n_targets: { i: 1 },
    nodes_falseleafs: { ints: falseLeafs },
    nodes_falsenodeids: { ints: falseIds },
    nodes_featureids: { ints: featureIds },
    nodes_missing_value_tracks_true: { ints: missing },
    nodes_modes: { t: uint8Tensor('nodes_modes', modes) },
    nodes_splits: { t: doubleTensor('nodes_splits', splits, [splits.length]) },
    nodes_trueleafs: { ints: trueLeafs },
    nodes_truenodeids: { ints: trueIds },
    post_transform: { i: 0 },
    tree_roots: { ints: roots },
  };
  if (members.length > 0) attrs.membership_values = { t: doubleTensor('membership_values', members, [members.length]) };
  return g.node('TreeEnsemble', [input], attrs, { domain: 'ai.onnx.ml', prefix: 'tree_sum' })[0];
}

/** Score of one row from IR trees (for tests and sanity checks): sum of leaf values. */
export function irScore(trees: IrTree[], x: ArrayLike<number>): number {
  let s = 0;
  for (const t of trees) {
    let i = 0;
    while (!isLeaf(t, i)) {
      const v = x[t.feature[i]];
      let cond: boolean;
      if (Number.isNaN(v)) cond = t.missingTrue[i] === 1;
      else if (t.mode[i] === MODE_MEMBER) cond = (t.members[i] ?? []).includes(v);
      else if (t.mode[i] === MODE_LT) cond = v < t.threshold[i];
      else cond = v <= t.threshold[i];
      i = cond ? t.trueChild[i] : t.falseChild[i];
    }
    s += t.value[i];
  }
  return s;
}

/** An IR tree of n nodes, every node a leaf of value 0 until filled in (shared by the scikit-learn, XGBoost and LightGBM readers). */
export function emptyTree(n: number): IrTree {
  return {
    feature: new Int32Array(n).fill(-1),
    threshold: new Float64Array(n),
    trueChild: new Int32Array(n).fill(-1),
    falseChild: new Int32Array(n).fill(-1),
    mode: new Uint8Array(n),
    missingTrue: new Uint8Array(n),
    members: new Array(n).fill(null),
    value: new Float64Array(n),
  };
}
