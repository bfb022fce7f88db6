/**
 * A LightGBM text model (`booster.save_model()`, binary objective) -> the same in-memory ONNX form as the other
 * translated models. LightGBM compares float64 features with float64 thresholds: `x <= threshold` goes left; a NaN
 * follows the node's default direction when its missing type is NaN, and counts as 0 when it is None. Categorical
 * splits send the categories of the node's bitset left, everything else (unknown, negative, NaN) right. pandas
 * categorical columns (the `pandas_categorical` line) become text inputs mapped to their category codes; features named
 * `column=value` become one text input per column; other named features are numeric inputs.
 */
import { GraphBuilder, T_DOUBLE } from '../sklearn/onnx-builder.js';
import { TranslationError } from '../sklearn/state.js';
import { MODE_LEQ, MODE_MEMBER, emitTreeEnsemble, emptyTree, type IrTree } from '../sklearn/tree-ir.js';
import { buildEncoder, type Translation } from '../sklearn/translate.js';
import { namedInputs } from './inputs.js';

/** Does the text look like a LightGBM model file? */
export function looksLikeLightgbm(bytes: Uint8Array): boolean {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 64));
  return /^tree\r?\nversion=v\d/.test(head);
}

const MAX_TREES = 100_000;

export function translateLightgbm(bytes: Uint8Array): Translation {
  const text = new TextDecoder('utf-8').decode(bytes);
  const lines = text.split(/\r?\n/);
  const header = new Map<string, string>();
  let i = 0;
  for (; i < lines.length && !lines[i].startsWith('Tree='); i++) {
    const eq = lines[i].indexOf('=');
    if (eq > 0) header.set(lines[i].slice(0, eq), lines[i].slice(eq + 1));
  }
  const objective = header.get('objective') ?? '';
  if (!/^binary\b/.test(objective) && !/^cross_entropy\b/.test(objective)) {
    throw new TranslationError(`LightGBM objective "${objective.slice(0, 60)}" is not translated (only binary); export the model to ONNX (onnxmltools.convert_lightgbm) instead`, `LightGBM ${objective.split(' ')[0]}`);
  }
  if (Number(header.get('num_class') ?? '1') !== 1 || Number(header.get('num_tree_per_iteration') ?? '1') !== 1) throw new TranslationError('LightGBM model with more than one tree per iteration (multiclass)', 'LightGBM multiclass');
  if (header.has('average_output')) throw new TranslationError('LightGBM random-forest mode (average_output) is not translated', 'LightGBM rf');
  const sigmoid = /sigmoid:([0-9.eE+-]+)/.exec(objective);
  const scale = /^binary/.test(objective) ? Number(sigmoid?.[1] ?? '1') : 1;
  const nFeatures = Number(header.get('max_feature_idx') ?? 'NaN') + 1;
  if (!(Number.isInteger(nFeatures) && nFeatures >= 1 && nFeatures < 1_000_000)) {
    throw new TranslationError(`LightGBM model without a valid max_feature_idx (a whole number from 0 to 999,998, got ${JSON.stringify((header.get('max_feature_idx') ?? '').slice(0, 40))}); save the model again with LightGBM (Booster.save_model)`);
  }
  const names = (header.get('feature_names') ?? '').split(' ').filter((s) => s !== '');
  const infos = (header.get('feature_infos') ?? '').split(' ');

  const trees: IrTree[] = [];
  while (i < lines.length && lines[i].startsWith('Tree=')) {
    if (trees.length >= MAX_TREES) throw new TranslationError(`LightGBM model with more than ${MAX_TREES} trees`);
    const t = new Map<string, string>();
    i++;
    for (; i < lines.length && lines[i] !== '' && !lines[i].startsWith('Tree='); i++) {
      const eq = lines[i].indexOf('=');
      if (eq > 0) t.set(lines[i].slice(0, eq), lines[i].slice(eq + 1));
    }
    while (i < lines.length && lines[i] === '') i++;
    trees.push(readTree(t, trees.length, nFeatures));
    if (lines[i]?.startsWith('end of trees')) break;
  }
  if (trees.length === 0) throw new TranslationError('LightGBM model without trees');

  // pandas categorical columns: the categorical features (feature_infos not a [min:max] range), in order
  const pc = /\npandas_categorical:(.*)\s*$/.exec(text)?.[1];
  let pandasCats: string[][] | null = null;
  if (pc && pc.trim() !== 'null') {
    try {
      pandasCats = JSON.parse(pc) as string[][];
    } catch {
      throw new TranslationError('LightGBM pandas_categorical line is not JSON');
    }
    // a list of category lists (hostile text may hold anything that parses as JSON)
    if (pandasCats !== null && (!Array.isArray(pandasCats) || pandasCats.some((c) => !Array.isArray(c)))) {
      throw new TranslationError('LightGBM pandas_categorical line is not a list of category lists; save the model again with LightGBM (Booster.save_model) or export it to ONNX');
    }
  }
  const categoryLevels = new Map<number, string[]>();
  if (pandasCats) {
    const catFeatures = infos.map((s, f) => (s && !s.startsWith('[') && s !== 'none' ? f : -1)).filter((f) => f >= 0);
    if (catFeatures.length !== pandasCats.length) throw new TranslationError(`LightGBM model has ${catFeatures.length} categorical features but pandas_categorical lists ${pandasCats.length}`);
    catFeatures.forEach((f, k) => categoryLevels.set(f, pandasCats![k].map(String)));
  }

  const g = new GraphBuilder();
  const built = namedInputs(g, names.length === nFeatures && !names.every((n, k) => n === `Column_${k}`) ? names : null, nFeatures, categoryLevels);
  let margin = emitTreeEnsemble(g, built.x, trees);
  if (scale !== 1) margin = g.op('Mul', [margin, g.constDouble([scale], [1])]);
  const p1 = g.op('Sigmoid', [margin]);
  const p0 = g.op('Sub', [g.constDouble([1], [1]), p1]);
  g.node('Concat', [p0, p1], { axis: { i: 1 } }, { names: ['probabilities'] });
  g.output('probabilities', T_DOUBLE, ['N', 2]);
  const version = header.get('version') ?? '?';
  const onnx = g.build({ producer: 'model-risk-gate lightgbm translator', metadata: { source: 'lightgbm', format_version: version, objective } });
  const scaledTrees = scale === 1 ? trees : trees.map((t) => ({ ...t, value: t.value.map((v) => v * scale) }));
  return {
    onnx,
    encoderOnnx: buildEncoder(g, built.x, nFeatures),
    tree: { name: 'model', cls: 'LightGBM', detail: `${trees.length} trees, ${objective}${categoryLevels.size ? `, ${categoryLevels.size} pandas categorical features` : ''}`, children: [] },
    inputs: built.inputs,
    features: built.features,
    featureRaw: built.featureRaw,
    classes: [0, 1],
    scoring: `sigmoid(${scale === 1 ? '' : `${scale}·`}sum of ${trees.length} trees) (float64 features and thresholds; NaN follows each node's missing rule)`,
    trees: { trees: scaledTrees, offset: 0, logistic: true, marginScale: 1, float32Inputs: false, featuresTensor: built.x },
    sklearnVersion: null,
    notes: [],
    estimators: ['LightGBM'],
    nanInputs: built.inputs.filter((i) => i.type === 'double' && i.name !== 'X').map((i) => i.name),
  };
}

function nums(t: Map<string, string>, key: string, n: number, tree: number): number[] {
  const s = t.get(key);
  if (s === undefined) throw new TranslationError(`LightGBM tree ${tree} has no ${key}`);
  const v = s.split(' ').filter((x) => x !== '').map(Number);
  if (v.length !== n || v.some((x) => Number.isNaN(x))) throw new TranslationError(`LightGBM tree ${tree}: ${key} has ${v.length} values, expected ${n}`);
  return v;
}

/** One LightGBM tree: internal nodes 0..L-2, leaf k as node L-1+k. */
function readTree(t: Map<string, string>, index: number, nFeatures: number): IrTree {
  const L = Number(t.get('num_leaves'));
  if (!(Number.isInteger(L) && L >= 1 && L < 10_000_000)) throw new TranslationError(`LightGBM tree ${index} has num_leaves ${t.get('num_leaves')}`);
  const leaves = nums(t, 'leaf_value', L, index);
  const n = 2 * L - 1;
  const ir: IrTree = emptyTree(n);
  if (L === 1) {
    ir.value[0] = leaves[0];
    return ir;
  }
  const B = L - 1;
  const feat = nums(t, 'split_feature', B, index);
  const thr = nums(t, 'threshold', B, index);
  const dec = nums(t, 'decision_type', B, index);
  const left = nums(t, 'left_child', B, index);
  const right = nums(t, 'right_child', B, index);
  const numCat = Number(t.get('num_cat') ?? '0');
  if (!(Number.isInteger(numCat) && numCat >= 0 && numCat <= B)) throw new TranslationError(`LightGBM tree ${index} has num_cat ${t.get('num_cat')}, expected 0 to ${B}`);
  const boundaries = numCat > 0 ? nums(t, 'cat_boundaries', numCat + 1, index) : [];
  // word offsets into cat_threshold: integers, from 0, never decreasing (a huge one made the bitset loop run for ever)
  if (numCat > 0 && (boundaries[0] !== 0 || boundaries.some((v, k) => !Number.isInteger(v) || (k > 0 && v < boundaries[k - 1])))) {
    throw new TranslationError(`LightGBM tree ${index}: cat_boundaries must be increasing integer offsets from 0, got ${(t.get('cat_boundaries') ?? '').slice(0, 80)}; save the model again with LightGBM (Booster.save_model)`);
  }
  const bits = numCat > 0 ? nums(t, 'cat_threshold', boundaries[numCat], index) : [];
  const node = (c: number): number => (c >= 0 ? c : B + (-c - 1));
  for (let k = 0; k < L; k++) ir.value[B + k] = leaves[k];
  for (let b = 0; b < B; b++) {
    const f = feat[b];
    const l = node(left[b]);
    const r = node(right[b]);
    if (!(f >= 0 && f < nFeatures && l > 0 && l < n && r > 0 && r < n)) throw new TranslationError(`LightGBM tree ${index} node ${b} points out of range`);
    ir.feature[b] = f;
    ir.trueChild[b] = l;
    ir.falseChild[b] = r;
    const d = dec[b];
    const categorical = (d & 1) === 1;
    const defaultLeft = (d & 2) === 2;
    const missingType = (d >> 2) & 3; // 0 none, 1 zero, 2 NaN
    if (categorical) {
      const c = thr[b];
      if (!(Number.isInteger(c) && c >= 0 && c < numCat)) throw new TranslationError(`LightGBM tree ${index} node ${b}: categorical split ${c} of ${numCat}`);
      const members: number[] = [];
      for (let w = boundaries[c]; w < boundaries[c + 1]; w++) {
        const word = bits[w] >>> 0;
        for (let bit = 0; bit < 32; bit++) if (word & (1 << bit)) members.push((w - boundaries[c]) * 32 + bit);
      }
      ir.mode[b] = MODE_MEMBER;
      ir.members[b] = members;
      ir.missingTrue[b] = 0; // NaN, negative and unknown categories go right
      if (members.length === 0) {
        ir.mode[b] = MODE_LEQ;
        ir.threshold[b] = -Infinity;
        ir.members[b] = null;
      }
    } else {
      ir.mode[b] = MODE_LEQ;
      ir.threshold[b] = thr[b];
      if (missingType === 2) ir.missingTrue[b] = defaultLeft ? 1 : 0;
      else if (missingType === 0) ir.missingTrue[b] = 0 <= thr[b] ? 1 : 0; // NaN counts as 0
      else {
        // zero_as_missing: 0 (and NaN) follow the default direction; exact only when that is where 0 goes anyway
        const zeroLeft = 0 <= thr[b];
        if (zeroLeft !== defaultLeft) throw new TranslationError('LightGBM zero_as_missing splits are not translated; retrain with zero_as_missing=False or export to ONNX', 'LightGBM zero_as_missing');
        ir.missingTrue[b] = defaultLeft ? 1 : 0;
      }
    }
  }
  return ir;
}
