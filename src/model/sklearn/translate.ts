/**
 * A fitted scikit-learn estimator (plain pickle data) -> an in-memory ONNX graph computing its predict_proba.
 *
 * Inputs: one [N,1] tensor per raw column named as in feature_names_in_ (double for numbers, string for text columns
 * that an encoder reads), or one double matrix `X` [N,d] when the model was fitted without column names. Everything
 * is computed in float64 as scikit-learn does; trees that scikit-learn evaluates on float32 inputs (DecisionTree,
 * RandomForest, ExtraTrees, GradientBoosting) get their features cast to float32 and back, so every comparison is
 * scikit-learn's float32-input-vs-float64-threshold comparison.
 *
 * Output: `probabilities` [N,2] float64 (class order = classes_).
 */
import { toFloat64 } from '../pickle/numpy.js';
import { NdArray, PyGlobal, PyObject, PySlice, describe, isTuple, type PyValue } from '../pickle/values.js';
import { GraphBuilder, T_DOUBLE, T_INT64, T_STRING } from './onnx-builder.js';
import { irFromPredictor, irFromTree, knownCategoriesOf } from './sklearn-trees.js';
import {
  TranslationError,
  arr,
  attr,
  bool,
  checkVersion,
  classesOf,
  featureNamesIn,
  floats,
  floatsOrNone,
  list,
  num,
  str,
  unsupported,
} from './state.js';
import { emitTreeEnsemble, type IrTree } from './tree-ir.js';

/** One block of features flowing between steps: a [N, width] double tensor, or a [N,1] string tensor. */
interface Feat {
  tensor: string;
  width: number;
  type: 'double' | 'string';
  /** Raw column of each feature. */
  raws: string[];
  /** Name of each feature (scikit-learn's get_feature_names_out style). */
  names: string[];
  /** A raw column not yet materialised (its type is decided by the first step that reads it). */
  lazyRaw?: { name: string; index: number };
}

export interface EstimatorNode {
  name: string;
  cls: string;
  detail: string;
  children: EstimatorNode[];
}

export interface TreePart {
  trees: IrTree[];
  /** margin = offset + sum(trees); score = sigmoid(margin * marginScale) when logistic, else margin. */
  offset: number;
  logistic: boolean;
  /** Multiply the margin by this before the sigmoid (2 for scikit-learn's exponential loss). */
  marginScale: number;
  /** The trees compare float32-rounded features. */
  float32Inputs: boolean;
  /** Tensor the trees read (the encoded features, float32-rounded when float32Inputs). */
  featuresTensor: string;
}

export interface Translation {
  onnx: Uint8Array;
  /** ONNX model computing only the encoded features the trees read (tree models), for TreeSHAP; `output` names them. */
  encoderOnnx: { bytes: Uint8Array; output: string } | null;
  tree: EstimatorNode;
  inputs: Array<{ name: string; type: 'double' | 'string' }>;
  /** Width of the encoded feature matrix the final estimator reads. */
  features: string[];
  /** Raw column of each encoded feature. */
  featureRaw: string[];
  classes: Array<string | number>;
  /** How the score is computed, one line. */
  scoring: string;
  trees: TreePart | null;
  sklearnVersion: string | null;
  notes: string[];
  /** Estimator class names met, outermost first. */
  estimators: string[];
  /** Numeric inputs whose missing cells (NaN) the model handles (an imputer reads them, or a NaN-aware tree model). */
  nanInputs: string[];
}

const PASSTHROUGH_NAMES = new Set(['passthrough']);

class Translator {
  readonly g = new GraphBuilder();
  readonly notes: string[] = [];
  readonly estimators: string[] = [];
  sklearnVersion: string | null = null;
  private readonly rawInputs = new Map<string, { type: 'double' | 'string'; tensor: string }>();
  private matrixInput: { tensor: string; width: number } | null = null;
  rawNames: string[] = [];
  /** Per raw column: does every step that reads it handle NaN (a NaN-imputer)? */
  private readonly rawNanSafe = new Map<string, boolean>();
  /** The final estimator handles NaN itself (HistGradientBoosting). */
  finalNanAware = false;

  constructor(readonly root: PyObject) {}

  version(o: PyObject): void {
    const v = checkVersion(o);
    if (v && !this.sklearnVersion) this.sklearnVersion = v;
  }

  // ------------------------------------------------------------------------------------------------ raw inputs

  rawTable(names: string[] | null, width: number): Feat[] {
    if (names) {
      this.rawNames = names;
      return names.map((name, index) => ({ tensor: '', width: 1, type: 'double', raws: [name], names: [name], lazyRaw: { name, index } }));
    }
    this.rawNames = Array.from({ length: width }, (_, i) => `x${i}`);
    const x = 'X';
    this.g.input(x, T_DOUBLE, ['N', width]);
    this.matrixInput = { tensor: x, width };
    return this.rawNames.map((name, index) => ({ tensor: '', width: 1, type: 'double', raws: [name], names: [name], lazyRaw: { name, index } }));
  }

  /** The feature block as a tensor of the wanted type (creates graph inputs for raw columns). */
  materialize(f: Feat, type: 'double' | 'string', who: string, nanSafe = false): Feat {
    if (f.lazyRaw && type === 'double') this.rawNanSafe.set(f.lazyRaw.name, (this.rawNanSafe.get(f.lazyRaw.name) ?? true) && nanSafe);
    if (!f.lazyRaw) {
      if (f.type !== type) throw new TranslationError(`${who} reads ${f.names.join(', ')} as ${type === 'string' ? 'text' : 'numbers'}, but an earlier step made them ${f.type === 'string' ? 'text' : 'numbers'}`);
      return f;
    }
    const { name, index } = f.lazyRaw;
    if (this.matrixInput) {
      if (type === 'string') throw new TranslationError(`${who} reads column ${index} as text, but a model fitted without column names takes one number matrix`);
      const tensor = this.g.op('Slice', [this.matrixInput.tensor, this.g.constInt64([index], [1]), this.g.constInt64([index + 1], [1]), this.g.constInt64([1], [1])]);
      return { tensor, width: 1, type, raws: f.raws, names: f.names };
    }
    const known = this.rawInputs.get(name);
    if (known) {
      if (known.type !== type) throw new TranslationError(`column ${name} is read as text by one step and as numbers by another; the gate feeds each column with one type`);
      return { tensor: known.tensor, width: 1, type, raws: f.raws, names: f.names };
    }
    this.g.input(name, type === 'string' ? T_STRING : T_DOUBLE, ['N', 1]);
    this.rawInputs.set(name, { type, tensor: name });
    return { tensor: name, width: 1, type, raws: f.raws, names: f.names };
  }

  nanInputs(): string[] {
    if (this.matrixInput) return [];
    return [...this.rawInputs.entries()].filter(([name, v]) => v.type === 'double' && (this.finalNanAware || this.rawNanSafe.get(name) === true)).map(([name]) => name);
  }

  inputs(): Array<{ name: string; type: 'double' | 'string' }> {
    if (this.matrixInput) return [{ name: 'X', type: 'double' }];
    const order = new Map(this.rawNames.map((n, i) => [n, i]));
    return [...this.rawInputs.entries()]
      .sort((a, b) => (order.get(a[0]) ?? 0) - (order.get(b[0]) ?? 0))
      .map(([name, v]) => ({ name, type: v.type }));
  }

  /** Concatenate double blocks into one [N, d] tensor. */
  concat(feats: Feat[], who: string): Feat {
    const m = this.matrixInput;
    if (m && feats.length === m.width && feats.every((f, i) => f.lazyRaw?.index === i)) {
      return { tensor: m.tensor, width: m.width, type: 'double', raws: feats.map((f) => f.raws[0]), names: feats.map((f) => f.names[0]) };
    }
    const ds = feats.map((f) => this.materialize(f, 'double', who));
    if (ds.length === 0) throw new TranslationError(`${who} receives no features`);
    const tensor = ds.length === 1 ? ds[0].tensor : this.g.op('Concat', ds.map((d) => d.tensor), { axis: { i: 1 } });
    return { tensor, width: ds.reduce((a, d) => a + d.width, 0), type: 'double', raws: ds.flatMap((d) => d.raws), names: ds.flatMap((d) => d.names) };
  }

  // ------------------------------------------------------------------------------------------------ steps

  /** A transformer applied to a table of feature blocks. */
  transform(est: PyValue, table: Feat[], stepName: string): { out: Feat[]; node: EstimatorNode } {
    if (est === null || (typeof est === 'string' && PASSTHROUGH_NAMES.has(est))) {
      return { out: table, node: { name: stepName, cls: 'passthrough', detail: '', children: [] } };
    }
    if (est === 'drop') return { out: [], node: { name: stepName, cls: 'drop', detail: '', children: [] } };
    if (!(est instanceof PyObject)) throw new TranslationError(`step ${stepName} is ${describe(est)}, not an estimator`);
    this.version(est);
    this.estimators.push(est.shortName);
    const width = table.reduce((a, f) => a + f.width, 0);
    const nIn = est.attr('n_features_in_');
    if (typeof nIn === 'number' && nIn !== width) throw new TranslationError(`${est.shortName} (step ${stepName}) was fitted on ${nIn} features but receives ${width} here`);
    switch (est.shortName) {
      case 'Pipeline':
        return this.pipelineTransform(est, table, stepName);
      case 'ColumnTransformer':
        return this.columnTransformer(est, table, stepName);
      case 'StandardScaler':
        return this.elementwise(est, table, stepName, 'StandardScaler');
      case 'MinMaxScaler':
      case 'MaxAbsScaler':
      case 'RobustScaler':
        return this.elementwise(est, table, stepName, est.shortName);
      case 'SimpleImputer':
        return this.imputer(est, table, stepName);
      case 'OneHotEncoder':
        return this.oneHot(est, table, stepName);
      case 'OrdinalEncoder':
        return this.ordinal(est, table, stepName);
      case 'FunctionTransformer': {
        const func = est.attr('func');
        // func=None, or check_array (HistGradientBoosting's own preprocessor): identity on numbers
        const checkArray = (f: PyValue): boolean => f instanceof PyGlobal && f.qualified === 'sklearn.utils.validation.check_array';
        const identity = func === null || func === undefined || checkArray(func) || (func instanceof PyObject && func.cls === 'functools.partial' && checkArray(func.args[0]));
        if (!identity) throw unsupported(est.cls, `func=${func instanceof PyGlobal ? func.qualified : describe(func)}`);
        return { out: table, node: { name: stepName, cls: 'FunctionTransformer', detail: 'identity (func=None)', children: [] } };
      }
      default:
        throw unsupported(est.cls);
    }
  }

  pipelineTransform(p: PyObject, table: Feat[], stepName: string): { out: Feat[]; node: EstimatorNode } {
    const steps = pipelineSteps(p);
    const children: EstimatorNode[] = [];
    let t = table;
    for (const [name, est] of steps) {
      const r = this.transform(est, t, name);
      t = r.out;
      children.push(r.node);
    }
    return { out: t, node: { name: stepName, cls: 'Pipeline', detail: '', children } };
  }

  columnTransformer(ct: PyObject, table: Feat[], stepName: string): { out: Feat[]; node: EstimatorNode } {
    const perFeature = this.splitToColumns(table);
    const names = featureNamesIn(ct) ?? perFeature.map((f) => f.names[0]);
    if (perFeature.length !== names.length) throw new TranslationError(`ColumnTransformer was fitted on ${names.length} columns but receives ${perFeature.length}`);
    const fitted = attr(ct, 'transformers_');
    if (!Array.isArray(fitted)) throw new TranslationError('ColumnTransformer.transformers_ is not a list');
    const weightsV = ct.attr('transformer_weights');
    const out: Feat[] = [];
    const children: EstimatorNode[] = [];
    for (const entry of fitted) {
      if (!Array.isArray(entry) || entry.length < 3) throw new TranslationError('ColumnTransformer.transformers_ holds a malformed entry');
      const [tname, trans, cols] = entry;
      const name = String(tname);
      const idx = selectColumns(cols, names, `ColumnTransformer transformer ${name}`);
      if (idx.length === 0) continue;
      if (trans === 'drop') {
        children.push({ name, cls: 'drop', detail: idx.map((i) => names[i]).join(', '), children: [] });
        continue;
      }
      const r = this.transform(trans, idx.map((i) => perFeature[i]), name);
      r.node.detail = r.node.detail ? `${r.node.detail}; columns ${idx.map((i) => names[i]).join(', ')}` : `columns ${idx.map((i) => names[i]).join(', ')}`;
      children.push(r.node);
      let res = r.out;
      const w = weightsV && typeof weightsV === 'object' && 'get' in weightsV ? (weightsV as { get(k: string): PyValue }).get(name) : undefined;
      if (typeof w === 'number' && w !== 1) {
        res = res.map((f) => {
          const d = this.materialize(f, 'double', `transformer_weights[${name}]`);
          return { ...d, tensor: this.g.op('Mul', [d.tensor, this.g.constDouble([w], [1])]) };
        });
      }
      out.push(...res);
    }
    return { out, node: { name: stepName, cls: 'ColumnTransformer', detail: `${names.length} input columns`, children } };
  }

  /** Split blocks into width-1 features (Slice), keeping lazy raw columns lazy. */
  splitToColumns(table: Feat[]): Feat[] {
    const out: Feat[] = [];
    for (const f of table) {
      if (f.width === 1) {
        out.push(f);
        continue;
      }
      for (let j = 0; j < f.width; j++) {
        const tensor = this.g.op('Slice', [f.tensor, this.g.constInt64([j], [1]), this.g.constInt64([j + 1], [1]), this.g.constInt64([1], [1])]);
        out.push({ tensor, width: 1, type: 'double', raws: [f.raws[j]], names: [f.names[j]] });
      }
    }
    return out;
  }

  /** Per-feature affine transformers (scalers). */
  elementwise(est: PyObject, table: Feat[], stepName: string, kind: string): { out: Feat[]; node: EstimatorNode } {
    const width = table.reduce((a, f) => a + f.width, 0);
    const ops: Array<{ op: 'Sub' | 'Div' | 'Mul' | 'Add'; values: Float64Array }> = [];
    let clip: [number, number] | null = null;
    let detail = '';
    if (kind === 'StandardScaler') {
      const withMean = bool(est, 'with_mean', true);
      const withStd = bool(est, 'with_std', true);
      if (withMean) ops.push({ op: 'Sub', values: floats(est, 'mean_', width) });
      const scale = withStd ? floatsOrNone(est, 'scale_', width) : null;
      if (scale) ops.push({ op: 'Div', values: scale });
      detail = `with_mean=${withMean}, with_std=${withStd}`;
    } else if (kind === 'MinMaxScaler') {
      ops.push({ op: 'Mul', values: floats(est, 'scale_', width) });
      ops.push({ op: 'Add', values: floats(est, 'min_', width) });
      if (bool(est, 'clip', false)) {
        const fr = list(attr(est, 'feature_range'), 'MinMaxScaler.feature_range');
        clip = [Number(fr[0]), Number(fr[1])];
      }
      detail = clip ? `clip to [${clip.join(', ')}]` : '';
    } else if (kind === 'MaxAbsScaler') {
      ops.push({ op: 'Div', values: floats(est, 'scale_', width) });
    } else if (kind === 'RobustScaler') {
      const center = bool(est, 'with_centering', true) ? floatsOrNone(est, 'center_', width) : null;
      const scale = bool(est, 'with_scaling', true) ? floatsOrNone(est, 'scale_', width) : null;
      if (center) ops.push({ op: 'Sub', values: center });
      if (scale) ops.push({ op: 'Div', values: scale });
    }
    const out: Feat[] = [];
    let at = 0;
    // one block for all features (one node per operation instead of one per column; the same float64 arithmetic)
    const blocks = table.length > 1 ? [this.concat(table, kind)] : table;
    for (const f0 of blocks) {
      const f = this.materialize(f0, 'double', kind);
      let t = f.tensor;
      for (const o of ops) t = this.g.op(o.op, [t, this.g.constDouble(o.values.subarray(at, at + f.width), [1, f.width])]);
      if (clip) t = this.g.op('Clip', [t, this.g.constDouble([clip[0]], []), this.g.constDouble([clip[1]], [])]);
      out.push({ ...f, tensor: t });
      at += f.width;
    }
    return { out, node: { name: stepName, cls: kind, detail, children: [] } };
  }

  imputer(est: PyObject, table: Feat[], stepName: string): { out: Feat[]; node: EstimatorNode } {
    const stats = arr(est, 'statistics_', 1);
    const width = table.reduce((a, f) => a + f.width, 0);
    if (stats.size !== width) throw new TranslationError(`SimpleImputer.statistics_ has ${stats.size} values for ${width} features`);
    const mv = est.attr('missing_values');
    const strategy = str(est, 'strategy', 'mean');
    const textual = stats.dtype.kind === 'O' || stats.dtype.kind === 'U';
    const out: Feat[] = [];
    /** The step's inputs as materialized (before imputation), for the missing indicators. */
    const seen: Feat[] = [];
    let detail = `strategy=${strategy}`;
    if (textual) {
      const values = list(stats, 'SimpleImputer.statistics_');
      let at = 0;
      for (const f0 of table) {
        const v = values[at++];
        if (typeof v === 'number') {
          // numeric column imputed with a number inside an object array
          const f = this.materialize(f0, 'double', 'SimpleImputer', isNanMarker(mv));
          seen.push(f);
          out.push({ ...f, tensor: this.imputeDouble(f.tensor, mv, [v]) });
          continue;
        }
        const f = this.materialize(f0, 'string', 'SimpleImputer');
        seen.push(f);
        if (typeof mv === 'string') {
          const isMissing = this.g.op('Equal', [f.tensor, this.g.constString([mv], [1, 1])]);
          out.push({ ...f, tensor: this.g.op('Where', [isMissing, this.g.constString([String(v)], [1, 1]), f.tensor]) });
        } else {
          // NaN / None marks missing text cells, which a CSV column of text never holds: identity
          out.push(f);
        }
      }
      detail += ' (text)';
    } else {
      const s = toFloat64(stats);
      if (s.some((x) => Number.isNaN(x))) throw unsupported(est.cls, 'a feature with no observed value (statistic NaN), which scikit-learn drops');
      let at = 0;
      for (const f0 of table) {
        const f = this.materialize(f0, 'double', 'SimpleImputer', isNanMarker(mv));
        seen.push(f);
        out.push({ ...f, tensor: this.imputeDouble(f.tensor, mv, Array.from(s.subarray(at, at + f.width))) });
        at += f.width;
      }
    }
    const indicator = est.attr('indicator_');
    if (indicator instanceof PyObject) {
      // add_indicator=True: one 0/1 column per feature listed in indicator_.features_, after the imputed features
      const cols = this.splitToColumns(seen);
      const which = list(attr(indicator, 'features_'), 'MissingIndicator.features_').map(Number);
      for (const j of which) {
        const c = cols[j];
        if (!c) throw new TranslationError(`SimpleImputer's MissingIndicator lists feature ${j} of ${cols.length}`);
        let mask: string;
        if (c.type === 'string') mask = this.g.op('Equal', [c.tensor, this.g.constString([typeof mv === 'string' ? mv : '\u0000(never)'], [1, 1])]);
        else mask = isNanMarker(mv) ? this.g.op('IsNaN', [c.tensor]) : this.g.op('Equal', [c.tensor, this.g.constDouble([Number(mv)], [1])]);
        out.push({ tensor: this.g.op('Cast', [mask], { to: { i: T_DOUBLE } }), width: 1, type: 'double', raws: c.raws, names: [`missingindicator_${c.names[0]}`] });
      }
      detail += `, add_indicator (${which.length})`;
    } else if (bool(est, 'add_indicator', false)) {
      throw new TranslationError('SimpleImputer(add_indicator=True) has no fitted indicator_');
    }
    return { out, node: { name: stepName, cls: 'SimpleImputer', detail, children: [] } };
  }

  imputeDouble(tensor: string, mv: PyValue, fill: number[]): string {
    let missing: string;
    if (mv === null || mv === undefined || (typeof mv === 'number' && Number.isNaN(mv))) missing = this.g.op('IsNaN', [tensor]);
    else if (typeof mv === 'number') missing = this.g.op('Equal', [tensor, this.g.constDouble([mv], [1])]);
    else throw new TranslationError(`SimpleImputer.missing_values is ${describe(mv)} on a numeric column`);
    return this.g.op('Where', [missing, this.g.constDouble(fill, [1, fill.length]), tensor]);
  }

  /** categories_ of an encoder, one list per feature. */
  categories(est: PyObject, width: number): PyValue[][] {
    const cats = attr(est, 'categories_');
    if (!Array.isArray(cats) || cats.length !== width) throw new TranslationError(`${est.shortName}.categories_ has ${Array.isArray(cats) ? cats.length : 0} entries for ${width} features`);
    return cats.map((c, i) => {
      if (!(c instanceof NdArray) || c.shape.length !== 1) throw new TranslationError(`${est.shortName}.categories_[${i}] is not a 1-D array`);
      return list(c, `${est.shortName}.categories_[${i}]`);
    });
  }

  /**
   * [N, m] double indicators of `keep` (category indices) for one column: 1 where the value is that category.
   * Text columns: a LabelEncoder maps the text to its index (unknown -> -1). Numeric columns: Equal per category.
   */
  indicators(f0: Feat, cats: PyValue[], keep: number[], who: string): Feat {
    const textual = cats.some((c) => typeof c === 'string');
    if (textual && !cats.every((c) => typeof c === 'string' || c === null || (typeof c === 'number' && Number.isNaN(c)))) {
      throw new TranslationError(`${who}: categories mix text and numbers`);
    }
    const f = this.materialize(f0, textual ? 'string' : 'double', who);
    let bools: string;
    if (textual) {
      const idx = this.categoryIndex(f.tensor, cats);
      bools = this.g.op('Equal', [idx, this.g.constInt64(keep, [1, keep.length])]);
    } else {
      const values = keep.map((k) => Number(cats[k]));
      const nanAt = values.findIndex((v) => Number.isNaN(v));
      bools = this.g.op('Equal', [f.tensor, this.g.constDouble(values, [1, values.length])]);
      if (nanAt >= 0) {
        const isNan = this.g.op('IsNaN', [f.tensor]);
        const mask = keep.map((_, j) => (j === nanAt ? 1 : 0));
        const nanCol = this.g.op('And', [isNan, this.g.op('Cast', [this.g.constDouble(mask, [1, keep.length])], { to: { i: 9 } })]);
        bools = this.g.op('Or', [bools, nanCol]);
      }
    }
    const tensor = this.g.op('Cast', [bools], { to: { i: T_DOUBLE } });
    return { tensor, width: keep.length, type: 'double', raws: keep.map(() => f.raws[0]), names: keep.map((k) => `${f.names[0]}_${String(cats[k])}`) };
  }

  /** int64 [N,1] index of a text value among `cats` (-1 when unknown). */
  categoryIndex(tensor: string, cats: PyValue[]): string {
    const keys: string[] = [];
    const vals: number[] = [];
    cats.forEach((c, i) => {
      if (typeof c === 'string') {
        keys.push(c);
        vals.push(i);
      }
    });
    return this.g.op('LabelEncoder', [tensor], { keys_strings: { strings: keys }, values_int64s: { ints: vals }, default_int64: { i: -1 } }, 'ai.onnx.ml');
  }

  oneHot(est: PyObject, table: Feat[], stepName: string): { out: Feat[]; node: EstimatorNode } {
    const cols = this.splitToColumns(table);
    const cats = this.categories(est, cols.length);
    if (bool(est, '_infrequent_enabled', false)) throw unsupported(est.cls, 'infrequent categories (min_frequency / max_categories)');
    const handle = str(est, 'handle_unknown', 'error');
    const dropIdx = est.attr('drop_idx_');
    const drops: Array<number | null> = cols.map((_, i) => {
      if (dropIdx === null || dropIdx === undefined) return null;
      const v = list(dropIdx as PyValue, 'OneHotEncoder.drop_idx_')[i];
      return typeof v === 'number' && Number.isFinite(v) ? v : null;
    });
    const out = cols.map((c, i) => {
      const keep = cats[i].map((_, k) => k).filter((k) => k !== drops[i]);
      return this.indicators(c, cats[i], keep, 'OneHotEncoder');
    }).filter((f) => f.width > 0);
    if (handle === 'error') this.notes.push('OneHotEncoder(handle_unknown="error"): a category not seen in training, which scikit-learn would reject, is encoded as all zeros');
    const dropText = drops.some((d) => d !== null) ? `, drop=${describe(est.attr('drop'))}` : '';
    return { out, node: { name: stepName, cls: 'OneHotEncoder', detail: `handle_unknown=${handle}${dropText}; ${out.reduce((a, f) => a + f.width, 0)} indicators`, children: [] } };
  }

  ordinal(est: PyObject, table: Feat[], stepName: string): { out: Feat[]; node: EstimatorNode } {
    const cols = this.splitToColumns(table);
    const cats = this.categories(est, cols.length);
    if (bool(est, '_infrequent_enabled', false)) throw unsupported(est.cls, 'infrequent categories (min_frequency / max_categories)');
    const handle = str(est, 'handle_unknown', 'error');
    const unknownV = est.attr('unknown_value');
    const unknown = handle === 'use_encoded_value' ? (typeof unknownV === 'number' ? unknownV : NaN) : NaN;
    const missingV = est.attr('encoded_missing_value');
    const encodedMissing = typeof missingV === 'number' ? missingV : NaN;
    if (handle === 'error') this.notes.push('OrdinalEncoder(handle_unknown="error"): a category not seen in training, which scikit-learn would reject, is encoded as NaN');
    const out: Feat[] = cols.map((c0, i) => {
      const cs = cats[i];
      const textual = cs.some((c) => typeof c === 'string');
      const c = this.materialize(c0, textual ? 'string' : 'double', 'OrdinalEncoder');
      let code: string;
      if (textual) {
        const idx = this.categoryIndex(c.tensor, cs);
        const d = this.g.op('Cast', [idx], { to: { i: T_DOUBLE } });
        const isUnknown = this.g.op('Less', [idx, this.g.constInt64([0], [1])]);
        code = this.g.op('Where', [isUnknown, this.g.constDouble([unknown], [1]), d]);
      } else {
        // numeric categories: index = sum_k k * [x == c_k]; no match -> unknown; NaN -> encoded_missing_value
        const values = cs.map((v) => Number(v));
        const finite = values.map((v, k) => [v, k] as const).filter(([v]) => !Number.isNaN(v));
        const eq = this.g.op('Cast', [this.g.op('Equal', [c.tensor, this.g.constDouble(finite.map(([v]) => v), [1, finite.length])])], { to: { i: T_DOUBLE } });
        const idx = this.g.op('MatMul', [eq, this.g.constDouble(finite.map(([, k]) => k), [finite.length, 1])]);
        const any = this.g.op('MatMul', [eq, this.g.constDouble(finite.map(() => 1), [finite.length, 1])]);
        const matched = this.g.op('Greater', [any, this.g.constDouble([0.5], [1])]);
        code = this.g.op('Where', [matched, idx, this.g.constDouble([unknown], [1])]);
        code = this.g.op('Where', [this.g.op('IsNaN', [c.tensor]), this.g.constDouble([encodedMissing], [1]), code]);
      }
      return { tensor: code, width: 1, type: 'double' as const, raws: c.raws, names: c.names };
    });
    return { out, node: { name: stepName, cls: 'OrdinalEncoder', detail: `handle_unknown=${handle}${handle === 'use_encoded_value' ? `, unknown_value=${unknown}` : ''}`, children: [] } };
  }

  // ------------------------------------------------------------------------------------------------ classifiers

  classifier(est: PyObject, table0: Feat[], stepName: string): { node: EstimatorNode; p1: string; features: Feat; trees: TreePart | null; scoring: string; classes: Array<string | number> } {
    this.version(est);
    this.estimators.push(est.shortName);
    let table = table0;
    const inWidth = table.reduce((a, f) => a + f.width, 0);
    const pre = est.shortName === 'HistGradientBoostingClassifier' ? est.attr('_preprocessor') : undefined;
    if (est.shortName === 'HistGradientBoostingClassifier') this.finalNanAware = true;
    let preNode: EstimatorNode | null = null;
    if (pre instanceof PyObject) {
      // scikit-learn >= 1.4: categorical features are ordinal-encoded (and moved first) by an internal ColumnTransformer
      const r = this.transform(pre, table, '_preprocessor');
      table = r.out;
      preNode = r.node;
    }
    const x = this.concat(table, est.shortName);
    const nIn = est.attr('n_features_in_');
    if (typeof nIn === 'number' && nIn !== (pre instanceof PyObject ? inWidth : x.width)) throw new TranslationError(`${est.shortName} was fitted on ${nIn} features but the preceding steps make ${x.width}`);
    const classes = est.hasAttr('classes_') ? classesOf(est) : [];
    if (classes.length !== 2) throw unsupported(est.cls, `${classes.length} classes; only binary classifiers are translated`);
    const node = (detail: string): EstimatorNode => ({ name: stepName, cls: est.shortName, detail, children: preNode ? [preNode] : [] });
    switch (est.shortName) {
      case 'LogisticRegression': {
        const coef = arr(est, 'coef_', 2);
        if (coef.shape[0] !== 1 || coef.shape[1] !== x.width) throw new TranslationError(`LogisticRegression.coef_ has shape [${coef.shape.join(', ')}], expected [1, ${x.width}]`);
        const w = toFloat64(coef);
        const b = floats(est, 'intercept_', 1);
        const multi = str(est, 'multi_class', 'auto');
        const solver = str(est, 'solver', 'lbfgs');
        const softmax = multi === 'multinomial' && solver !== 'liblinear';
        let z = this.g.op('Add', [this.g.op('MatMul', [x.tensor, this.g.constDouble(w, [x.width, 1])]), this.g.constDouble(b, [1])]);
        if (softmax) z = this.g.op('Mul', [z, this.g.constDouble([2], [1])]);
        const p1 = this.g.op('Sigmoid', [z]);
        return { node: node(`${x.width} coefficients${softmax ? ', multinomial' : ''}`), p1, features: x, trees: null, scoring: `sigmoid(${softmax ? '2·' : ''}(x·coef + intercept))`, classes };
      }
      case 'DecisionTreeClassifier':
      case 'ExtraTreeClassifier':
      case 'RandomForestClassifier':
      case 'ExtraTreesClassifier': {
        const members: PyObject[] = est.shortName.endsWith('TreeClassifier') || est.shortName === 'ExtraTreeClassifier' ? [est] : forestMembers(est);
        const T = members.length;
        const trees = members.map((m, i) => {
          if (m !== est) this.version(m);
          const nc = m.attr('n_classes_');
          if (typeof nc === 'number' && nc !== 2) throw new TranslationError(`${est.shortName} tree ${i} has ${nc} classes`);
          const no = m.attr('n_outputs_');
          if (typeof no === 'number' && no !== 1) throw unsupported(est.cls, 'multi-output');
          return irFromTree(attr(m, 'tree_'), x.width, (row) => {
            if (row.length < 2) throw new TranslationError(`${est.shortName} tree ${i} has ${row.length} values per node`);
            const s = row[0] + row[1];
            return s === 0 ? 0 : row[1] / s;
          }, `${est.shortName}.estimators_[${i}]`);
        });
        const part = this.treePart(x, trees, { scale: 1 / T, offset: 0, logistic: false, marginScale: 1, float32: true });
        return { node: node(`${T} tree${T > 1 ? 's' : ''}, ${countNodes(trees)} nodes`), p1: part.score, features: x, trees: part.part, scoring: `mean over ${T} tree(s) of the leaf's class-1 fraction (float32 features, float64 thresholds)`, classes };
      }
      case 'GradientBoostingClassifier': {
        const loss = str(est, 'loss', 'log_loss');
        if (!['log_loss', 'deviance', 'exponential'].includes(loss)) throw unsupported(est.cls, `loss=${loss}`);
        const stages = arr(est, 'estimators_', 2);
        if (stages.shape[1] !== 1) throw unsupported(est.cls, `${stages.shape[1]} trees per stage`);
        const lr = num(est, 'learning_rate');
        const objs = stages.objects ?? [];
        const nStages = typeof est.attr('n_estimators_') === 'number' ? (est.attr('n_estimators_') as number) : objs.length;
        const trees = objs.slice(0, nStages).map((m, i) => {
          if (!(m instanceof PyObject)) throw new TranslationError(`GradientBoostingClassifier.estimators_[${i}] is not a tree`);
          return irFromTree(attr(m, 'tree_'), x.width, (row) => row[0], `GradientBoostingClassifier.estimators_[${i}]`);
        });
        const init = gbInit(est, loss);
        const exp = loss === 'exponential';
        const part = this.treePart(x, trees, { scale: lr, offset: init, logistic: true, marginScale: exp ? 2 : 1, float32: true });
        return { node: node(`${trees.length} stages, learning_rate=${lr}, loss=${loss}`), p1: part.score, features: x, trees: part.part, scoring: `sigmoid(${exp ? '2·' : ''}(${init.toPrecision(6)} + ${lr}·sum of ${trees.length} regression trees)) (float32 features, float64 thresholds)`, classes };
      }
      case 'HistGradientBoostingClassifier': {
        const loss = str(est, 'loss', 'log_loss');
        if (!['log_loss', 'auto', 'binary_crossentropy'].includes(loss)) throw unsupported(est.cls, `loss=${loss}`);
        const k = est.attr('n_trees_per_iteration_');
        if (typeof k === 'number' && k !== 1) throw unsupported(est.cls, `${k} trees per iteration`);
        const preds = attr(est, '_predictors');
        if (!Array.isArray(preds)) throw new TranslationError('HistGradientBoostingClassifier._predictors is not a list');
        const known = knownCategoriesOf(est, x.width);
        const trees = preds.map((it, i) => {
          if (!Array.isArray(it) || it.length !== 1) throw new TranslationError(`HistGradientBoostingClassifier._predictors[${i}] does not hold one predictor`);
          return irFromPredictor(it[0], x.width, known, `HistGradientBoostingClassifier._predictors[${i}]`);
        });
        const base = toFloat64(arr(est, '_baseline_prediction'));
        if (base.length !== 1) throw new TranslationError(`HistGradientBoostingClassifier._baseline_prediction has ${base.length} values`);
        const part = this.treePart(x, trees, { scale: 1, offset: base[0], logistic: true, marginScale: 1, float32: false });
        const cats = known.filter((c) => c !== null).length;
        return { node: node(`${trees.length} iterations${cats ? `, ${cats} native categorical features` : ''}`), p1: part.score, features: x, trees: part.part, scoring: `sigmoid(${base[0].toPrecision(6)} + sum of ${trees.length} trees) (float64 features and thresholds; NaN and unknown categories follow each node's missing direction)`, classes };
      }
      default:
        throw unsupported(est.cls);
    }
  }

  treePart(x: Feat, trees: IrTree[], o: { scale: number; offset: number; logistic: boolean; marginScale: number; float32: boolean }): { score: string; part: TreePart } {
    let input = x.tensor;
    if (o.float32) input = this.g.op('Cast', [this.g.op('Cast', [input], { to: { i: 1 } })], { to: { i: T_DOUBLE } });
    const scaled = trees.map((t) => (o.scale === 1 ? t : { ...t, value: t.value.map((v) => v * o.scale) }));
    let margin = emitTreeEnsemble(this.g, input, scaled);
    if (o.offset !== 0) margin = this.g.op('Add', [margin, this.g.constDouble([o.offset], [1])]);
    let score = margin;
    if (o.logistic) {
      if (o.marginScale !== 1) score = this.g.op('Mul', [score, this.g.constDouble([o.marginScale], [1])]);
      score = this.g.op('Sigmoid', [score]);
    }
    return { score, part: { trees: scaled, offset: o.offset, logistic: o.logistic, marginScale: o.marginScale, float32Inputs: o.float32, featuresTensor: input } };
  }
}

function isNanMarker(mv: PyValue): boolean {
  return mv === null || mv === undefined || (typeof mv === 'number' && Number.isNaN(mv));
}

function countNodes(trees: IrTree[]): number {
  return trees.reduce((a, t) => a + t.feature.length, 0);
}

function forestMembers(est: PyObject): PyObject[] {
  const v = attr(est, 'estimators_');
  const items = Array.isArray(v) ? v : v instanceof NdArray && v.objects ? v.objects : null;
  if (!items || items.length === 0) throw new TranslationError(`${est.shortName}.estimators_ holds no trees`);
  return items.map((m, i) => {
    if (!(m instanceof PyObject) || !/Tree(Classifier)?$/.test(m.shortName)) throw new TranslationError(`${est.shortName}.estimators_[${i}] is ${describe(m)}`);
    return m;
  });
}

/** GradientBoostingClassifier's initial raw prediction (log-odds of the prior, or 0 for init='zero'). */
function gbInit(est: PyObject, loss: string): number {
  const init = est.attr('init_');
  if (init === 'zero') return 0;
  if (!(init instanceof PyObject) || init.shortName !== 'DummyClassifier') throw unsupported(est.cls, `init=${describe(init)}`);
  const strategy = str(init, '_strategy', str(init, 'strategy', 'prior'));
  if (strategy !== 'prior') throw unsupported(est.cls, `init DummyClassifier(strategy=${strategy})`);
  const prior = floats(init, 'class_prior_', 2);
  const eps = 1.1920928955078125e-7; // np.finfo(np.float32).eps
  const p = Math.min(Math.max(prior[1], eps), 1 - eps);
  // BinomialDeviance: log(p / (1 - p)); ExponentialLoss: 0.5 * log(p / (1 - p))
  const logit = Math.log(p / (1 - p));
  return loss === 'exponential' ? 0.5 * logit : logit;
}

/** (name, estimator) steps of a Pipeline. */
export function pipelineSteps(p: PyObject): Array<[string, PyValue]> {
  const steps = attr(p, 'steps');
  if (!Array.isArray(steps) || steps.length === 0) throw new TranslationError('Pipeline.steps is empty or not a list');
  return steps.map((s, i) => {
    if (!Array.isArray(s) || s.length !== 2) throw new TranslationError(`Pipeline.steps[${i}] is not a (name, estimator) pair`);
    return [String(s[0]), s[1]];
  });
}

/** Column indices a ColumnTransformer entry selects. */
export function selectColumns(cols: PyValue, names: string[], who: string): number[] {
  const n = names.length;
  const byName = (s: string): number => {
    const i = names.indexOf(s);
    if (i < 0) throw new TranslationError(`${who} selects column ${s}, which is not among the fitted columns`);
    return i;
  };
  const byIndex = (i: number): number => {
    const j = i < 0 ? n + i : i;
    if (!(Number.isInteger(j) && j >= 0 && j < n)) throw new TranslationError(`${who} selects column index ${i} of ${n}`);
    return j;
  };
  if (typeof cols === 'string') return [byName(cols)];
  if (typeof cols === 'number') return [byIndex(cols)];
  if (cols instanceof PySlice) {
    const { start, stop, step } = cols;
    if (typeof start === 'string' || typeof stop === 'string') {
      const a = start === null ? 0 : byName(String(start));
      const b = stop === null ? n - 1 : byName(String(stop));
      return range(a, b + 1, 1);
    }
    const s = typeof step === 'number' ? step : 1;
    const a = typeof start === 'number' ? (start < 0 ? n + start : start) : 0;
    const b = typeof stop === 'number' ? (stop < 0 ? n + stop : Math.min(stop, n)) : n;
    return range(a, b, s);
  }
  if (cols === null || cols === undefined) return [];
  let items: PyValue[];
  if (Array.isArray(cols)) items = cols;
  else if (cols instanceof NdArray) items = list(cols, who);
  // _RemainderColsList (scikit-learn 1.5+): a UserList, its columns in `data`
  else if (cols instanceof PyObject && Array.isArray(cols.attr('data'))) items = cols.attr('data') as PyValue[];
  else if (cols instanceof PyObject && (cols.listItems.length > 0 || cols.shortName === '_RemainderColsList')) items = cols.listItems;
  else if (cols instanceof PyObject) throw new TranslationError(`${who} selects its columns with ${cols.shortName}, whose resolved columns the file does not hold`);
  else throw new TranslationError(`${who} selects columns with ${describe(cols)}`);
  if (cols instanceof NdArray && cols.dtype.kind === 'b') return items.map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
  if (items.length === n && items.every((v) => typeof v === 'boolean')) return items.map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
  return items.map((v) => (typeof v === 'string' ? byName(v) : typeof v === 'number' ? byIndex(v) : byIndex(Number(v))));
}

function range(a: number, b: number, s: number): number[] {
  const out: number[] = [];
  if (s > 0) for (let i = a; i < b; i += s) out.push(i);
  return out;
}

/** Translate a fitted estimator (a Pipeline, or a bare classifier) read from a pickle. */
export function translateSklearn(root: PyValue): Translation {
  if (!(root instanceof PyObject) || !root.cls.startsWith('sklearn.')) {
    throw new TranslationError(`the file holds ${describe(root)}, not a scikit-learn estimator; ${'save the fitted estimator itself with joblib.dump(model, path)'}`);
  }
  const tr = new Translator(root);
  tr.version(root);
  let steps: Array<[string, PyValue]>;
  if (root.shortName === 'Pipeline') {
    steps = pipelineSteps(root).filter(([, e]) => e !== null && e !== 'passthrough');
    tr.estimators.push('Pipeline');
  } else steps = [['model', root]];
  if (steps.length === 0) throw new TranslationError('the Pipeline has no estimator');
  const [lastName, last] = steps[steps.length - 1];
  if (!(last instanceof PyObject)) throw new TranslationError(`the last step ${lastName} is ${describe(last)}, not a classifier`);
  const first = steps[0][1] as PyObject;
  const names = first instanceof PyObject ? featureNamesIn(first) : null;
  const nIn = first instanceof PyObject ? first.attr('n_features_in_') : undefined;
  if (!names && typeof nIn !== 'number') throw new TranslationError(`${first instanceof PyObject ? first.shortName : 'the first step'} has neither feature_names_in_ nor n_features_in_: is it fitted?`);
  let table = tr.rawTable(names, names ? names.length : (nIn as number));
  const children: EstimatorNode[] = [];
  for (const [name, est] of steps.slice(0, -1)) {
    const r = tr.transform(est, table, name);
    table = r.out;
    children.push(r.node);
  }
  const c = tr.classifier(last, table, lastName);
  children.push(c.node);
  const g = tr.g;
  const p0 = g.op('Sub', [g.constDouble([1], [1]), c.p1]);
  g.node('Concat', [p0, c.p1], { axis: { i: 1 } }, { names: ['probabilities'] });
  g.output('probabilities', T_DOUBLE, ['N', 2]);
  const inputs = tr.inputs();
  const metadata = { source: 'scikit-learn', estimator: root.shortName, sklearn_version: tr.sklearnVersion ?? 'unknown', classes: JSON.stringify(c.classes) };
  const onnx = g.build({ producer: 'model-risk-gate sklearn translator', metadata, graphName: root.shortName });
  let encoderOnnx: Translation["encoderOnnx"] = null;
  if (c.trees) encoderOnnx = buildEncoder(g, c.trees.featuresTensor, c.features.width);
  const tree: EstimatorNode = root.shortName === 'Pipeline' ? { name: 'model', cls: 'Pipeline', detail: '', children } : children[children.length - 1];
  return {
    onnx,
    encoderOnnx,
    tree,
    inputs,
    features: c.features.names,
    featureRaw: c.features.raws,
    classes: c.classes,
    scoring: c.scoring,
    trees: c.trees,
    sklearnVersion: tr.sklearnVersion,
    notes: [...new Set(tr.notes)],
    estimators: tr.estimators,
    nanInputs: tr.nanInputs(),
  };
}

/** The same graph up to the tensor the trees read (pruned), as its only output. */
export function buildEncoder(g: GraphBuilder, tensor: string, width: number): { bytes: Uint8Array; output: string } {
  const needed = new Set([tensor]);
  const keep: typeof g.nodes = [];
  for (let i = g.nodes.length - 1; i >= 0; i--) {
    const n = g.nodes[i];
    if ((n.output ?? []).some((o) => needed.has(o))) {
      keep.unshift(n);
      for (const inp of n.input ?? []) needed.add(inp);
    }
  }
  const e = new GraphBuilder();
  e.nodes.push(...keep);
  e.initializers.push(...g.initializers.filter((t) => needed.has(t.name ?? '')));
  e.inputs.push(...g.inputs.filter((v) => needed.has(v.name ?? '')));
  if (e.inputs.length === 0) e.inputs.push(...g.inputs);
  let output = tensor;
  if (keep.length === 0) {
    // the trees read a graph input directly: pass it through
    output = 'features';
    e.node('Identity', [tensor], {}, { names: [output] });
  }
  e.output(output, T_DOUBLE, ['N', width]);
  return { bytes: e.build({ producer: 'model-risk-gate sklearn translator (encoder)' }), output };
}

export { T_INT64 };
export { isTuple };
