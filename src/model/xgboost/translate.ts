/**
 * An XGBoost `save_model` JSON (gbtree, binary:logistic) -> the same in-memory ONNX form as a translated scikit-learn
 * model. XGBoost reads its features as float32 and sends a row left when `x < split_condition` (float32), NaN along
 * `default_left`. Feature names of the form `column=value` become one text input per column (one-hot indicators
 * computed in the graph: an unknown value gives all zeros); other named features are numeric inputs; without names,
 * one double matrix `X`.
 */
import { GraphBuilder, T_DOUBLE } from '../sklearn/onnx-builder.js';
import { TranslationError } from '../sklearn/state.js';
import { MODE_LT, emitTreeEnsemble, emptyTree, type IrTree } from '../sklearn/tree-ir.js';
import { buildEncoder, type Translation } from '../sklearn/translate.js';
import { namedInputs } from './inputs.js';

type Json = Record<string, unknown>;

function obj(v: unknown, what: string): Json {
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw new TranslationError(`XGBoost JSON: ${what} is missing or not an object`);
  return v as Json;
}
function arrOf(v: unknown, what: string, n?: number): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number')) throw new TranslationError(`XGBoost JSON: ${what} is not a list of numbers`);
  if (n !== undefined && v.length !== n) throw new TranslationError(`XGBoost JSON: ${what} has ${v.length} entries, expected ${n}`);
  return v as number[];
}
/** A JSON value named for a message without walking it (String/JSON.stringify of a list nested 100,000 deep overflow the stack). */
function shown(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'a list' : 'an object';
}
function numText(v: unknown, what: string): number {
  const s = Array.isArray(v) ? v[0] : v;
  const n = typeof s === 'number' ? s : typeof s === 'string' ? Number(s.replace(/^\[|\]$/g, '')) : NaN;
  if (!Number.isFinite(n)) throw new TranslationError(`XGBoost JSON: ${what} is ${Array.isArray(v) ? `[${shown(s)}${v.length > 1 ? ', …' : ''}]` : shown(v)}`);
  return n;
}
/** Most features a translated model may have (names and indicator inputs are built per feature). */
const MAX_FEATURES = 1_000_000;

/** Is this parsed JSON an XGBoost model? */
export function looksLikeXgboost(doc: unknown): boolean {
  return !!doc && typeof doc === 'object' && 'learner' in (doc as Json) && typeof (doc as Json).learner === 'object';
}

export function translateXgboost(doc: unknown): Translation {
  const root = obj(doc, 'the document');
  const learner = obj(root.learner, 'learner');
  const version = Array.isArray(root.version) && root.version.every((x) => typeof x === 'number') ? (root.version as number[]).join('.') : 'unknown';
  const objective = obj(learner.objective, 'learner.objective');
  const objName = typeof objective.name === 'string' ? objective.name : shown(objective.name);
  if (objName !== 'binary:logistic' && objName !== 'reg:logistic') {
    throw new TranslationError(`XGBoost objective ${objName} is not translated (only binary:logistic); export the model to ONNX (onnxmltools.convert_xgboost) instead`, `XGBoost ${objName}`);
  }
  const booster = obj(learner.gradient_booster, 'learner.gradient_booster');
  if (booster.name !== 'gbtree') throw new TranslationError(`XGBoost booster ${shown(booster.name)} is not translated (only gbtree)`, `XGBoost ${shown(booster.name)}`);
  const model = obj(booster.model, 'gradient_booster.model');
  const mp = obj(learner.learner_model_param, 'learner.learner_model_param');
  const nFeatures = numText(mp.num_feature, 'num_feature');
  if (!(Number.isInteger(nFeatures) && nFeatures >= 1 && nFeatures <= MAX_FEATURES)) {
    throw new TranslationError(`XGBoost JSON: num_feature is ${nFeatures}, expected a whole number from 1 to ${MAX_FEATURES.toLocaleString('en-US')}; save the model again with xgboost (Booster.save_model) or export it to ONNX`);
  }
  const baseScore = numText(mp.base_score, 'base_score');
  if (!(baseScore > 0 && baseScore < 1)) throw new TranslationError(`XGBoost base_score ${baseScore} is not a probability`);
  const treesJson = model.trees;
  if (!Array.isArray(treesJson)) throw new TranslationError('XGBoost JSON: gradient_booster.model.trees is not a list');
  const gparam = obj(model.gbtree_model_param ?? {}, 'gbtree_model_param');
  const perIter = gparam.num_parallel_tree !== undefined ? numText(gparam.num_parallel_tree, 'num_parallel_tree') : 1;
  let nTrees = treesJson.length;
  const attrs = (learner.attributes ?? {}) as Json;
  if (attrs.best_iteration !== undefined) nTrees = Math.min(nTrees, (numText(attrs.best_iteration, 'best_iteration') + 1) * perIter);
  const info = model.tree_info;
  if (Array.isArray(info) && info.some((c) => c !== 0)) throw new TranslationError('XGBoost JSON: trees for more than one class');

  const trees: IrTree[] = treesJson.slice(0, nTrees).map((tj, ti) => {
    const t = obj(tj, `trees[${ti}]`);
    const left = arrOf(t.left_children, `trees[${ti}].left_children`);
    const n = left.length;
    const right = arrOf(t.right_children, `trees[${ti}].right_children`, n);
    const idx = arrOf(t.split_indices, `trees[${ti}].split_indices`, n);
    const cond = arrOf(t.split_conditions, `trees[${ti}].split_conditions`, n);
    const dl = arrOf(t.default_left, `trees[${ti}].default_left`, n);
    const st = t.split_type === undefined ? new Array(n).fill(0) : arrOf(t.split_type, `trees[${ti}].split_type`, n);
    const ir: IrTree = emptyTree(n);
    for (let i = 0; i < n; i++) {
      if (left[i] === -1) {
        ir.value[i] = Math.fround(cond[i]);
        continue;
      }
      if (st[i] !== 0) throw new TranslationError('XGBoost categorical splits are not translated; one-hot encode the categories or export to ONNX', 'XGBoost categorical split');
      if (!(left[i] > 0 && left[i] < n && right[i] > 0 && right[i] < n && idx[i] >= 0 && idx[i] < nFeatures)) {
        throw new TranslationError(`XGBoost JSON: trees[${ti}] node ${i} points out of range`);
      }
      ir.feature[i] = idx[i];
      ir.threshold[i] = Math.fround(cond[i]);
      ir.mode[i] = MODE_LT;
      ir.trueChild[i] = left[i];
      ir.falseChild[i] = right[i];
      ir.missingTrue[i] = dl[i] ? 1 : 0;
    }
    return ir;
  });

  const names = Array.isArray(learner.feature_names) && learner.feature_names.length === nFeatures ? (learner.feature_names as unknown[]) : null;
  // the names become graph input names: each must be a text (a hostile file may put numbers, lists or objects there)
  const badName = names?.findIndex((nm) => typeof nm !== 'string') ?? -1;
  if (badName >= 0) {
    throw new TranslationError(`XGBoost JSON: learner.feature_names[${badName}] is not a text (it is ${names![badName] === null ? 'null' : Array.isArray(names![badName]) ? 'a list' : typeof names![badName]}); save the model again with xgboost (Booster.save_model) or export it to ONNX`);
  }
  const g = new GraphBuilder();
  const featureRaw: string[] = [];
  const features: string[] = [];
  // one input per raw column (indicators `column=value` grouped back into a string column), as LightGBM's reader does
  const named = namedInputs(g, names as string[] | null, nFeatures);
  const { x, inputs } = named;
  features.push(...named.features);
  featureRaw.push(...named.featureRaw);
  const x32 = g.op('Cast', [g.op('Cast', [x], { to: { i: 1 } })], { to: { i: T_DOUBLE } });
  const baseMargin = Math.log(baseScore / (1 - baseScore));
  let margin = emitTreeEnsemble(g, x32, trees);
  margin = g.op('Add', [margin, g.constDouble([baseMargin], [1])]);
  const p1 = g.op('Sigmoid', [margin]);
  const p0 = g.op('Sub', [g.constDouble([1], [1]), p1]);
  g.node('Concat', [p0, p1], { axis: { i: 1 } }, { names: ['probabilities'] });
  g.output('probabilities', T_DOUBLE, ['N', 2]);
  const onnx = g.build({ producer: 'model-risk-gate xgboost translator', metadata: { source: 'xgboost', xgboost_version: version, objective: objName } });
  const encoderOnnx = buildEncoder(g, x32, nFeatures);
  return {
    onnx,
    encoderOnnx,
    tree: { name: 'model', cls: 'XGBoost gbtree', detail: `${trees.length} trees, ${objName}, base_score=${baseScore}, XGBoost ${version}`, children: [] },
    inputs,
    features,
    featureRaw,
    classes: [0, 1],
    scoring: `sigmoid(logit(${baseScore}) + sum of ${trees.length} trees), features as float32, x < split goes left, NaN follows default_left`,
    trees: { trees, offset: baseMargin, logistic: true, marginScale: 1, float32Inputs: true, featuresTensor: x32 },
    sklearnVersion: null,
    notes: [],
    estimators: ['XGBoost'],
    nanInputs: inputs.filter((i) => i.type === 'double' && i.name !== 'X').map((i) => i.name),
  };
}
