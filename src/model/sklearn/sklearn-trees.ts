/**
 * scikit-learn trees into the tree IR: `sklearn.tree._tree.Tree` (DecisionTree*, RandomForest, ExtraTrees,
 * GradientBoosting stages) and HistGradientBoosting's TreePredictor (numeric thresholds, missing-value direction,
 * native categorical bitsets checked against the known categories).
 */
import { hasField, recordField, toFloat64 } from '../pickle/numpy.js';
import { NdArray, PyObject, type PyValue } from '../pickle/values.js';
import { arr, attr, TranslationError } from './state.js';
import { MODE_LEQ, MODE_MEMBER, type IrTree, emptyTree } from './tree-ir.js';


/**
 * A fitted `Tree` as IR; `leafValue(values, node)` folds the node's value row ([n_outputs * max_n_classes]) into the
 * leaf's margin contribution. `nFeatures` bounds the feature indices.
 */
export function irFromTree(treeObj: PyValue, nFeatures: number, leafValue: (row: Float64Array) => number, owner: string): IrTree {
  if (!(treeObj instanceof PyObject) || !treeObj.cls.endsWith('_tree.Tree')) throw new TranslationError(`${owner}.tree_ is not a scikit-learn Tree`);
  const nodes = arr(treeObj, 'nodes', 1);
  const values = arr(treeObj, 'values');
  const n = nodes.size;
  if (n === 0) throw new TranslationError(`${owner}.tree_ has no nodes`);
  if (values.shape[0] !== n) throw new TranslationError(`${owner}.tree_.values has ${values.shape[0]} rows for ${n} nodes`);
  const left = recordField(nodes, 'left_child');
  const right = recordField(nodes, 'right_child');
  const feature = recordField(nodes, 'feature');
  const threshold = recordField(nodes, 'threshold');
  const missingLeft = hasField(nodes, 'missing_go_to_left') ? recordField(nodes, 'missing_go_to_left') : null;
  const v = toFloat64(values);
  const width = v.length / n;
  const t = emptyTree(n);
  for (let i = 0; i < n; i++) {
    if (left[i] === -1) {
      t.value[i] = leafValue(v.subarray(i * width, (i + 1) * width));
      continue;
    }
    const l = left[i];
    const r = right[i];
    const f = feature[i];
    if (!(l > 0 && l < n && r > 0 && r < n && f >= 0 && f < nFeatures)) throw new TranslationError(`${owner}.tree_ node ${i} has children ${l}/${r} or feature ${f} out of range`);
    t.feature[i] = f;
    t.threshold[i] = threshold[i];
    t.mode[i] = MODE_LEQ;
    t.trueChild[i] = l;
    t.falseChild[i] = r;
    t.missingTrue[i] = missingLeft && missingLeft[i] ? 1 : 0;
  }
  return t;
}

/** Bits set in row `row` of a [n, 8] uint32 bitset array. */
function bitsetMembers(bitsets: Uint32Array, words: number, row: number): number[] {
  const out: number[] = [];
  for (let w = 0; w < words; w++) {
    const word = bitsets[row * words + w];
    if (word === 0) continue;
    for (let b = 0; b < 32; b++) if (word & (1 << b)) out.push(w * 32 + b);
  }
  return out;
}

function uint32s(a: NdArray): Uint32Array {
  const f = toFloat64(a);
  return Uint32Array.from(f);
}

/**
 * A HistGradientBoosting TreePredictor as IR. Numeric node: x <= num_threshold goes left, NaN follows
 * missing_go_to_left. Categorical node (sklearn's predictor): a category in the left bitset goes left, another known
 * category goes right, anything else (unknown category, negative, NaN) follows missing_go_to_left.
 */
export function irFromPredictor(pred: PyValue, nFeatures: number, knownCategories: Array<number[] | null>, owner: string): IrTree {
  if (!(pred instanceof PyObject)) throw new TranslationError(`${owner} holds ${String(pred)} instead of a TreePredictor`);
  const nodes = arr(pred, 'nodes', 1);
  const n = nodes.size;
  if (n === 0) throw new TranslationError(`${owner} has an empty predictor`);
  const value = recordField(nodes, 'value');
  const feature = recordField(nodes, 'feature_idx');
  const thr = recordField(nodes, 'num_threshold');
  const missLeft = recordField(nodes, 'missing_go_to_left');
  const left = recordField(nodes, 'left');
  const right = recordField(nodes, 'right');
  const isLeaf = recordField(nodes, 'is_leaf');
  const isCat = hasField(nodes, 'is_categorical') ? recordField(nodes, 'is_categorical') : null;
  const bitsetIdx = hasField(nodes, 'bitset_idx') ? recordField(nodes, 'bitset_idx') : null;
  let raw: Uint32Array | null = null;
  let words = 8;
  const rawAttr = pred.attr('raw_left_cat_bitsets');
  if (rawAttr instanceof NdArray && rawAttr.size > 0) {
    if (rawAttr.shape.length !== 2) throw new TranslationError(`${owner}.raw_left_cat_bitsets has shape [${rawAttr.shape.join(', ')}]`);
    words = rawAttr.shape[1];
    raw = uint32s(rawAttr);
  }
  const t = emptyTree(n);
  for (let i = 0; i < n; i++) {
    if (isLeaf[i]) {
      t.value[i] = value[i];
      continue;
    }
    const f = feature[i];
    const l = left[i];
    const r = right[i];
    if (!(f >= 0 && f < nFeatures && l > 0 && l < n && r > 0 && r < n)) throw new TranslationError(`${owner} node ${i} has children ${l}/${r} or feature ${f} out of range`);
    t.feature[i] = f;
    if (isCat && isCat[i]) {
      if (!raw || !bitsetIdx) throw new TranslationError(`${owner} has a categorical split without raw_left_cat_bitsets`);
      const row = bitsetIdx[i];
      if (!(row >= 0 && (row + 1) * words <= raw.length)) throw new TranslationError(`${owner} node ${i} points outside raw_left_cat_bitsets`);
      const leftSet = bitsetMembers(raw, words, row);
      const known = knownCategories[f];
      if (!known) throw new TranslationError(`${owner} splits feature ${f} as categorical but the bin mapper has no known categories for it`);
      const leftSetS = new Set(leftSet);
      if (missLeft[i]) {
        // right iff a known category outside the left set; everything else (incl. NaN) left
        const rightSet = known.filter((c) => !leftSetS.has(c));
        t.mode[i] = MODE_MEMBER;
        t.members[i] = rightSet;
        t.trueChild[i] = r;
        t.falseChild[i] = l;
        t.missingTrue[i] = 0;
      } else {
        t.mode[i] = MODE_MEMBER;
        t.members[i] = leftSet;
        t.trueChild[i] = l;
        t.falseChild[i] = r;
        t.missingTrue[i] = 0;
      }
      if ((t.members[i] as number[]).length === 0) {
        // an empty set: the condition never holds (x <= -inf is false for every number and for NaN)
        t.mode[i] = MODE_LEQ;
        t.threshold[i] = -Infinity;
        t.members[i] = null;
      }
    } else {
      t.mode[i] = MODE_LEQ;
      t.threshold[i] = thr[i];
      t.trueChild[i] = l;
      t.falseChild[i] = r;
      t.missingTrue[i] = missLeft[i] ? 1 : 0;
    }
  }
  return t;
}

/** Known categories per feature of a fitted HistGradientBoosting's _bin_mapper (null for numeric features). */
export function knownCategoriesOf(hgb: PyObject, nFeatures: number): Array<number[] | null> {
  const mapper = attr(hgb, '_bin_mapper');
  if (!(mapper instanceof PyObject)) throw new TranslationError('HistGradientBoostingClassifier._bin_mapper is missing');
  const kc = mapper.attr('known_categories');
  const out: Array<number[] | null> = new Array(nFeatures).fill(null);
  if (kc === null || kc === undefined) return out;
  if (!Array.isArray(kc) || kc.length !== nFeatures) throw new TranslationError(`HistGradientBoostingClassifier._bin_mapper.known_categories has ${Array.isArray(kc) ? kc.length : 0} entries for ${nFeatures} features`);
  kc.forEach((v, f) => {
    if (v instanceof NdArray) out[f] = Array.from(toFloat64(v));
  });
  return out;
}
