/**
 * The positive-class score of a tree ensemble as one scalar margin and a transform:
 *   margin(x) = offset + sum over trees of leafValue[leaf reached by x],   score(x) = transform(margin(x)).
 * Folding the classes/targets into one leaf value per node is what lets TreeSHAP run once per explained row.
 * Follows onnxruntime's conventions (checked against onnxruntime 1.30 in the tests) for binary classifiers (skl2onnx:
 * one weight per leaf on class 0 is the margin of class 1). Anything else returns a reason, and the caller falls back to KernelSHAP; the caller also checks the
 * recomputed scores against the model's, so a convention this file gets wrong cannot give silently wrong values.
 */
import { MODE_LEAF, goesTrue, type TreeEnsemble } from './tree-ensemble.js';
import type { ShapSpace } from './types.js';

export interface ScalarTreeScore {
  ensemble: TreeEnsemble;
  /** Per node: contribution of reaching this leaf to the margin (0 for branch nodes). */
  leafValue: Float64Array;
  offset: number;
  transform: 'identity' | 'logistic';
  /** What the margin is: log-odds (logistic transform), or the score itself. */
  marginSpace: ShapSpace;
  /** Plain-text description of the convention used. */
  convention: string;
}

export type ScalarizeResult = { ok: true; score: ScalarTreeScore } | { ok: false; reason: string };

/**
 * @param positiveIndex column of the score output that is the positive class (ModelInfo.positiveIndex)
 * @param sigmoidAfter the graph applies a Sigmoid to the tree output before the score output
 */
export function scalarizeTreeScore(e: TreeEnsemble, positiveIndex: number, sigmoidAfter = false): ScalarizeResult {
  if (e.aggregate === 'MIN' || e.aggregate === 'MAX') return { ok: false, reason: `aggregate_function ${e.aggregate} is not additive` };
  if (e.postTransform === 'PROBIT') return { ok: false, reason: 'post_transform PROBIT is not supported' };
  const used = new Set<number>();
  for (let j = 0; j < e.leafTarget.length; j++) used.add(e.leafTarget[j]);
  const coef = new Float64Array(Math.max(e.targets, 1));
  let offset = 0;
  let transform: 'identity' | 'logistic' = 'identity';
  let convention = '';
  const base = (k: number): number => (k < e.baseValues.length ? e.baseValues[k] : 0);

  if (e.operator === 'TreeEnsembleClassifier' && e.classLabels === 2 && [...used].every((t) => t === 0) && e.baseValues.length <= 1) {
    // Binary classifier with a single score s = base + sum(weights) (skl2onnx's convention): onnxruntime reports
    // [sigmoid(-s), sigmoid(s)] under LOGISTIC, and s as the class-1 score otherwise.
    if (positiveIndex !== 0 && positiveIndex !== 1) return { ok: false, reason: `positive index ${positiveIndex} of a binary classifier` };
    if (e.postTransform === 'LOGISTIC') {
      const sign = positiveIndex === 1 ? 1 : -1;
      coef[0] = sign;
      offset = sign * base(0);
      transform = 'logistic';
      convention = `binary classifier, LOGISTIC: P(class ${positiveIndex}) = sigmoid(${sign < 0 ? '-' : ''}s)`;
    } else if (positiveIndex === 1) {
      coef[0] = 1;
      offset = base(0);
      convention = `binary classifier, ${e.postTransform}: score(class 1) = s`;
    } else {
      return { ok: false, reason: `class 0 of a binary ${e.postTransform} ensemble with one score has no documented formula` };
    }
  } else {
    if (!(positiveIndex >= 0 && positiveIndex < e.targets)) {
      return { ok: false, reason: `positive index ${positiveIndex} outside the ensemble's ${e.targets} outputs` };
    }
    const k = positiveIndex;
    if (e.postTransform === 'NONE') {
      coef[k] = 1;
      offset = base(k);
      convention = `output ${k} = s_${k}`;
    } else if (e.postTransform === 'LOGISTIC') {
      coef[k] = 1;
      offset = base(k);
      transform = 'logistic';
      convention = `output ${k} = sigmoid(s_${k})`;
    } else if ((e.postTransform === 'SOFTMAX' || e.postTransform === 'SOFTMAX_ZERO') && e.targets === 2) {
      coef[k] = 1;
      coef[1 - k] = -1;
      offset = base(k) - base(1 - k);
      transform = 'logistic';
      convention = `two-class softmax: output ${k} = sigmoid(s_${k} - s_${1 - k})`;
    } else {
      return { ok: false, reason: `post_transform ${e.postTransform} over ${e.targets} outputs has no scalar log-odds` };
    }
  }
  if (sigmoidAfter) {
    if (transform === 'logistic') return { ok: false, reason: 'a Sigmoid after a LOGISTIC ensemble' };
    transform = 'logistic';
    convention += ', then Sigmoid';
  }
  const scale = e.aggregate === 'AVERAGE' ? 1 / Math.max(1, e.roots.length) : 1;
  const leafValue = new Float64Array(e.mode.length);
  for (let i = 0; i < e.mode.length; i++) {
    if (e.mode[i] !== MODE_LEAF) continue;
    let v = 0;
    for (let j = e.leafStart[i]; j < e.leafEnd[i]; j++) v += coef[e.leafTarget[j]] * e.leafWeight[j];
    leafValue[i] = v * scale;
  }
  return {
    ok: true,
    score: { ensemble: e, leafValue, offset, transform, marginSpace: transform === 'logistic' ? 'log_odds' : 'probability', convention },
  };
}

export function sigmoid(m: number): number {
  return 1 / (1 + Math.exp(-m));
}

/** Margin of one row (values at x[base + feature]). */
export function treeMargin(s: ScalarTreeScore, x: ArrayLike<number>, base = 0): number {
  const e = s.ensemble;
  let m = s.offset;
  for (let t = 0; t < e.roots.length; t++) {
    let node = e.roots[t];
    while (e.mode[node] !== MODE_LEAF) {
      node = goesTrue(e, node, x[base + e.feature[node]]) ? e.trueChild[node] : e.falseChild[node];
    }
    m += s.leafValue[node];
  }
  return m;
}

/** Margins of n rows of a row-major matrix of the given width. */
export function treeMargins(s: ScalarTreeScore, data: ArrayLike<number>, rows: number, width: number): Float64Array {
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) out[r] = treeMargin(s, data, r * width);
  return out;
}

export function applyTransform(s: ScalarTreeScore, margin: number): number {
  return s.transform === 'logistic' ? sigmoid(margin) : margin;
}
