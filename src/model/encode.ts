/**
 * The model's inputs built from the dataset, in the layout the model wants:
 *
 * - one tensor per model input, matched BY NAME to a dataset column (a scikit-learn pipeline exported with one input
 *   per raw column): string inputs get the cell texts (missing-value texts such as `?` included, as in training),
 *   numeric inputs get the numbers converted to the input's type;
 * - or one float matrix [N, d], row-major, from `model.features`: a list of columns, a one-hot rule over raw columns
 *   (numeric columns first, then one 0/1 indicator per listed category; a value not listed gives all zeros), or a JSON
 *   file holding either.
 *
 * Every mismatch (missing column, text in a numeric input, a missing value, the wrong width) is a UserError that names
 * the column, the input and the line, and says what to do.
 */
import { statSync } from 'node:fs';
import { readRegularFileSync } from '../util/safe-fs.js';
import { lineOfRow } from '../data/csv.js';
import type { CategoricalColumn, Column, Dataset, NumericColumn } from '../data/types.js';
import { resolvePolicyPath } from '../policy/load.js';
import { closestNames, didYouMean, listNames } from '../policy/suggest.js';
import type { FeatureSpec, OneHotRule, PolicyPointer } from '../policy/types.js';
import { UserError, type SourceLocation } from '../util/errors.js';
import type { ColumnsInput, InputTensorData, MatrixInput, ModelInput, ModelInputSignature } from './types.js';

export interface EncodeOptions {
  /** Repository root (model.features.file is relative to it). */
  workspace: string;
  /** Policy file as users know it (for messages). */
  policyFile: string;
  /** Position of a policy value, when the policy document is at hand (messages then name the policy line). */
  locate?: (pointer: PolicyPointer) => SourceLocation;
}

/** A features file bigger than this is not a feature list. */
export const MAX_FEATURE_FILE_BYTES = 10 * 1024 * 1024;

/** Separator of an indicator feature's name: `workclass=Private`. */
export const ONE_HOT_SEPARATOR = '=';

export function encodeModelInput(
  dataset: Dataset,
  inputs: ModelInputSignature[],
  features: FeatureSpec | undefined,
  opts: EncodeOptions,
): ModelInput {
  const policyAt = (pointer: PolicyPointer): SourceLocation => opts.locate?.(pointer) ?? { file: opts.policyFile };
  if (inputs.length === 0) throw new UserError('the model declares no inputs; export it with its input signature', policyAt(['model', 'path']));

  if (features !== undefined) {
    if (inputs.length !== 1) {
      throw new UserError(
        `the model has ${inputs.length} inputs (${listNames(inputs.map((i) => i.name))}), one per column, so it needs no ` +
          `feature matrix; remove \`model.features\` from the policy`,
        policyAt(['model', 'features']),
      );
    }
    return encodeMatrix(dataset, inputs[0], features, opts, policyAt);
  }
  if (inputs.length === 1 && isFeatureMatrixInput(inputs[0], dataset)) {
    const sig = inputs[0];
    throw new UserError(
      `model input \`${sig.name}\` is one ${elemType(sig.type)} matrix ${shapeText(sig)}; say how to build it from ` +
        `the dataset's columns with \`model.features\` (\`columns\`, \`one_hot\` or \`file\`)`,
      policyAt(['model']),
    );
  }
  return encodeColumns(dataset, inputs);
}

/** A single float input [N, d] with d != 1 whose name is not a dataset column. */
function isFeatureMatrixInput(sig: ModelInputSignature, dataset: Dataset): boolean {
  const t = elemType(sig.type);
  if (t !== 'float32' && t !== 'float64') return false;
  if (sig.shape.length !== 2) return false;
  if (sig.shape[1] === 1) return false;
  return !dataset.byName.has(sig.name);
}

/** ONNX type names as onnxruntime-node and tools spell them -> one spelling. */
export function elemType(type: string): string {
  const t = type.replace(/^tensor\((.*)\)$/, '$1');
  if (t === 'float') return 'float32';
  if (t === 'double') return 'float64';
  return t;
}

function shapeText(sig: ModelInputSignature): string {
  return `[${sig.shape.map((d) => (d === null || d === undefined ? 'N' : String(d))).join(', ')}]`;
}

// ------------------------------------------------------------------------------------------ one tensor per column

function encodeColumns(dataset: Dataset, inputs: ModelInputSignature[]): ColumnsInput {
  const tensors: Record<string, InputTensorData> = {};
  const sourceColumns: Record<string, string> = {};
  const header = { file: dataset.file, line: 1 };
  const problems: UserError[] = [];
  for (const sig of inputs) {
    const column = dataset.byName.get(sig.name);
    if (!column) {
      const names = dataset.columns.map((c) => c.name);
      problems.push(
        new UserError(
          `the model needs input \`${sig.name}\` (${elemType(sig.type)} ${shapeText(sig)}) but the dataset has no column ` +
            `named so; ${didYouMean(sig.name, names) || 'add the column (model inputs are matched to columns by name)'}`,
          header,
        ),
      );
      continue;
    }
    try {
      tensors[sig.name] = columnTensor(dataset, column, sig);
      sourceColumns[sig.name] = column.name;
    } catch (e) {
      if (e instanceof UserError) problems.push(e);
      else throw e;
    }
  }
  if (problems.length > 0) throw new UserError(problems[0].message, problems[0].location, problems.slice(1));
  return { kind: 'columns', rows: dataset.rows, tensors, sourceColumns };
}

function columnTensor(dataset: Dataset, column: Column, sig: ModelInputSignature): InputTensorData {
  const type = elemType(sig.type);
  const n = dataset.rows;
  if (type === 'string') {
    if (column.kind === 'categorical') {
      const { codes, levels } = column;
      const data = new Array<string>(n);
      for (let i = 0; i < n; i++) data[i] = levels[codes[i]];
      return { type: 'string', data };
    }
    // A column of numbers fed to a text input: the numbers as text (a missing value as the empty text).
    const data = new Array<string>(n);
    const { values } = column;
    for (let i = 0; i < n; i++) data[i] = Number.isNaN(values[i]) ? '' : String(values[i]);
    return { type: 'string', data };
  }
  if (type !== 'float32' && type !== 'float64' && type !== 'int64' && type !== 'int32') {
    throw new UserError(
      `model input \`${sig.name}\` has type ${type}, which the gate cannot feed from a CSV column; export the model with ` +
        `float, double, int64 or string inputs`,
      { file: dataset.file, line: 1 },
    );
  }
  const numeric = requireNumbers(dataset, column, `model input \`${sig.name}\` (${type})`, sig.missing === 'nan' && (type === 'float32' || type === 'float64'));
  const values = numeric.values;
  switch (type) {
    case 'float32':
      return { type: 'float32', data: Float32Array.from(values) };
    case 'float64':
      return { type: 'float64', data: Float64Array.from(values) };
    case 'int64':
    case 'int32': {
      requireIntegers(dataset, numeric, `model input \`${sig.name}\` (${type})`, type === 'int32');
      if (type === 'int32') return { type: 'int32', data: Int32Array.from(values) };
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = BigInt(values[i]);
      return { type: 'int64', data };
    }
  }
  throw new Error(`unreachable: ${type}`);
}

/** The column as numbers without missing values, or a UserError naming the first offending line. */
function requireNumbers(dataset: Dataset, column: Column, what: string, nanAllowed = false): NumericColumn {
  if (column.kind === 'categorical') {
    const row = firstTextRow(column);
    const text = column.levels[column.codes[row]];
    throw new UserError(
      `column \`${column.name}\` holds text (\`${clip(text)}\` on this line) but ${what} takes numbers; ` +
        `fix the value, or map the column to numbers before evaluation`,
      { file: dataset.file, line: lineOfRow(dataset, row) },
    );
  }
  if (column.missing > 0 && !nanAllowed) {
    const row = column.values.findIndex((v) => Number.isNaN(v));
    throw new UserError(
      `column \`${column.name}\` has a missing value on this line (and ${column.missing - 1} more) but ${what} ` +
        `cannot take one; fill in or drop the rows with missing values`,
      { file: dataset.file, line: lineOfRow(dataset, row) },
    );
  }
  return column;
}

function requireIntegers(dataset: Dataset, column: NumericColumn, what: string, int32: boolean): void {
  const { values } = column;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || !Number.isSafeInteger(v) || (int32 && (v < -2147483648 || v > 2147483647))) {
      throw new UserError(
        `column \`${column.name}\` has ${v} on this line but ${what} takes whole numbers; round the values or export ` +
          `the model with a float input`,
        { file: dataset.file, line: lineOfRow(dataset, i) },
      );
    }
  }
}

/** First row whose text is not a plain number (the value that made the column text). */
function firstTextRow(column: CategoricalColumn): number {
  const bad = column.levels.map((l) => !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(l));
  for (let i = 0; i < column.codes.length; i++) if (bad[column.codes[i]]) return i;
  return 0;
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}

// ------------------------------------------------------------------------------------------------ feature matrix

/** One feature of the matrix: a numeric column as it is, or a 0/1 indicator of one category of a raw column. */
type FeaturePlan =
  | { kind: 'numeric'; name: string; column: string; group?: string }
  | { kind: 'indicator'; name: string; column: string; category: string };

interface FeatureSource {
  plan: FeaturePlan[];
  /** Where the feature list comes from, for messages. */
  origin: SourceLocation;
  /** Pointer in the policy of the list, for messages. */
  pointer: PolicyPointer;
}

function encodeMatrix(
  dataset: Dataset,
  sig: ModelInputSignature,
  features: FeatureSpec,
  opts: EncodeOptions,
  policyAt: (p: PolicyPointer) => SourceLocation,
): MatrixInput {
  const type = elemType(sig.type);
  if (type !== 'float32' && type !== 'float64') {
    throw new UserError(
      `model input \`${sig.name}\` is ${type} ${shapeText(sig)}, not a float matrix; remove \`model.features\` (the model takes raw columns)`,
      policyAt(['model', 'features']),
    );
  }
  const source = featurePlan(dataset, features, opts, policyAt);
  const width = source.plan.length;
  const declared = sig.shape.length === 2 ? sig.shape[1] : undefined;
  if (typeof declared === 'number' && declared !== width) {
    throw new UserError(
      `the model's input \`${sig.name}\` takes ${declared} features per row but \`model.features\` gives ${width}; ` +
        `list exactly the model's ${declared} features, in training order`,
      source.origin,
    );
  }
  return fillMatrix(dataset, sig.name, source);
}

function featurePlan(
  dataset: Dataset,
  features: FeatureSpec,
  opts: EncodeOptions,
  policyAt: (p: PolicyPointer) => SourceLocation,
): FeatureSource {
  if (features.columns) {
    const pointer = ['model', 'features', 'columns'];
    return { plan: planFromNames(dataset, features.columns, policyAt(pointer)), origin: policyAt(pointer), pointer };
  }
  if (features.one_hot) {
    const pointer = ['model', 'features', 'one_hot'];
    return { plan: planFromRule(dataset, features.one_hot, policyAt(pointer)), origin: policyAt(pointer), pointer };
  }
  if (features.file) {
    const pointer = ['model', 'features', 'file'];
    const at = policyAt(pointer);
    const abs = resolvePolicyPath(
      { file: opts.policyFile, locate: (p) => policyAt(p), workspace: opts.workspace },
      features.file,
      pointer,
    );
    const fileLoc = { file: features.file };
    const content = readFeatureFile(abs, features.file, at);
    if (content.rule) {
      const plan = planFromRule(dataset, content.rule, fileLoc);
      if (content.featureNames) checkNamesMatch(dataset, plan, content.featureNames, fileLoc);
      return { plan, origin: fileLoc, pointer };
    }
    return { plan: planFromNames(dataset, content.featureNames ?? [], fileLoc), origin: fileLoc, pointer };
  }
  throw new UserError('`model.features` needs one of `columns`, `one_hot` or `file`', policyAt(['model', 'features']));
}

interface FeatureFile {
  rule?: OneHotRule;
  featureNames?: string[];
}

function readFeatureFile(abs: string, display: string, at: SourceLocation): FeatureFile {
  const size = statSync(abs).size;
  if (size > MAX_FEATURE_FILE_BYTES) {
    throw new UserError(`features file \`${display}\` is ${size} bytes, more than ${MAX_FEATURE_FILE_BYTES}; it should be a short JSON list`, at);
  }
  // fd-checked, bounded read (issue #10); the parse error names the position only, never the file's text
  const bytes = readRegularFileSync(abs, { maxBytes: MAX_FEATURE_FILE_BYTES, what: 'features', where: { file: display } });
  let json: unknown;
  try {
    json = JSON.parse(bytes.toString('utf8'));
  } catch (e) {
    const at = /position (\d+)/.exec((e as Error).message);
    throw new UserError(`the features file is not valid JSON${at ? ` (at character ${at[1]})` : ''}; fix the JSON`, { file: display });
  }
  const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  const obj = (typeof json === 'object' && json !== null && !Array.isArray(json) ? json : {}) as Record<string, unknown>;
  const out: FeatureFile = {};
  if (isStrings(obj.feature_names)) out.featureNames = obj.feature_names;
  if (obj.numeric_columns !== undefined || obj.categorical_columns !== undefined || obj.categories !== undefined) {
    const numeric = obj.numeric_columns ?? [];
    const categoricalColumns = obj.categorical_columns ?? [];
    const categories = (obj.categories ?? {}) as Record<string, unknown>;
    if (!isStrings(numeric) || !isStrings(categoricalColumns) || typeof categories !== 'object' || Array.isArray(categories)) {
      throw new UserError(
        'the features file needs `numeric_columns` (list of names), `categorical_columns` (list of names) and `categories` ' +
          '(column -> list of categories); or just `feature_names`',
        { file: display },
      );
    }
    const categorical: Record<string, string[]> = {};
    for (const c of categoricalColumns) {
      const cats = categories[c];
      if (!Array.isArray(cats)) {
        throw new UserError(`the features file lists categorical column \`${c}\` but gives no \`categories.${c}\`; add its categories`, {
          file: display,
        });
      }
      categorical[c] = cats.map((x) => String(x));
    }
    out.rule = { numeric, categorical };
  }
  if (!out.rule && !out.featureNames) {
    throw new UserError(
      'the features file has neither `feature_names` nor `numeric_columns`/`categorical_columns`/`categories`; add one of them',
      { file: display },
    );
  }
  return out;
}

/** Features named after dataset columns; `col=value` names not in the dataset become indicators of raw column `col`. */
function planFromNames(dataset: Dataset, names: string[], at: SourceLocation): FeaturePlan[] {
  const problems: string[] = [];
  const plan: FeaturePlan[] = [];
  for (const name of names) {
    const sep = name.indexOf(ONE_HOT_SEPARATOR);
    const prefix = sep > 0 ? name.slice(0, sep) : undefined;
    if (dataset.byName.has(name)) {
      plan.push(prefix !== undefined ? { kind: 'numeric', name, column: name, group: prefix } : { kind: 'numeric', name, column: name });
    } else if (prefix !== undefined && dataset.byName.has(prefix)) {
      plan.push({ kind: 'indicator', name, column: prefix, category: name.slice(sep + 1) });
    } else {
      const sk = sklearnFeature(dataset, name, at);
      if (sk) plan.push(sk);
      else problems.push(name);
    }
  }
  if (problems.length > 0) {
    const names = dataset.columns.map((c) => c.name);
    // a scikit-learn name (`num__agee`): suggest the column under the same transformer prefix (`num__age`)
    const cut = problems[0].lastIndexOf(SKLEARN_PREFIX_SEPARATOR);
    const prefix = cut > 0 ? problems[0].slice(0, cut + SKLEARN_PREFIX_SEPARATOR.length) : '';
    const close = prefix ? closestNames(problems[0].slice(prefix.length), names, 2) : [];
    const hint = close.length > 0 ? `did you mean ${close.map((c) => `\`${prefix}${c}\``).join(' or ')}?` : didYouMean(problems[0], names);
    throw new UserError(
      `feature ${listNames(problems, 5)} ${problems.length === 1 ? 'is' : 'are'} not a column of ${dataset.file}` +
        (hint ? `; ${hint}` : '; list dataset columns, `column=value` indicators of a dataset column, or scikit-learn names (`num__age`, `cat__sex_Female`)'),
      at,
    );
  }
  return plan;
}

/** Separator scikit-learn's ColumnTransformer puts between a transformer's name and its feature: `num__age`. */
const SKLEARN_PREFIX_SEPARATOR = '__';

/**
 * A name from scikit-learn's `get_feature_names_out()` read as the raw column it stands for: `num__age` -> the numeric
 * column `age`; `cat__checking_status_A11` (a OneHotEncoder's `<column>_<category>`) -> the indicator
 * `checking_status=A11`; nested transformers (`outer__inner__age`) and `remainder__x` alike. The feature is then named
 * in this tool's terms (`age`, `checking_status=A11`), so reports, explanations and attacks see raw columns. The matrix
 * gets the column's raw values: a scaler in the scikit-learn pipeline must be inside the ONNX graph too.
 * Undefined when no reading of the name is a dataset column.
 */
function sklearnFeature(dataset: Dataset, name: string, at: SourceLocation): FeaturePlan | undefined {
  let rest = name;
  for (let k = rest.indexOf(SKLEARN_PREFIX_SEPARATOR); k > 0; k = rest.indexOf(SKLEARN_PREFIX_SEPARATOR)) {
    rest = rest.slice(k + SKLEARN_PREFIX_SEPARATOR.length);
    if (dataset.byName.has(rest)) return { kind: 'numeric', name: rest, column: rest };
    const hit = oneHotReading(dataset, rest);
    if (hit) {
      if (hit.category === 'infrequent_sklearn') {
        throw new UserError(
          `feature \`${clip(name)}\` is scikit-learn's indicator of the infrequent categories of \`${clip(hit.column)}\`, which a features file cannot ` +
            `rebuild; list the features as \`column=category\` indicators, or train the encoder without min_frequency / max_categories`,
          at,
        );
      }
      return { kind: 'indicator', name: `${hit.column}${ONE_HOT_SEPARATOR}${hit.category}`, column: hit.column, category: hit.category };
    }
  }
  return undefined;
}

/** `<column>_<category>` (OneHotEncoder's naming): the dataset column it starts with, preferring one that has the category. */
function oneHotReading(dataset: Dataset, text: string): { column: string; category: string } | undefined {
  let best: { column: string; category: string; known: boolean } | undefined;
  for (const c of dataset.columns) {
    if (!text.startsWith(`${c.name}_`) || text.length === c.name.length + 1) continue;
    const category = text.slice(c.name.length + 1);
    const known = c.kind === 'categorical' ? c.levels.includes(category) : category.trim() !== '' && Number.isFinite(Number(category));
    if (!best || (known && !best.known) || (known === best.known && c.name.length > best.column.length)) best = { column: c.name, category, known };
  }
  return best && { column: best.column, category: best.category };
}

function planFromRule(dataset: Dataset, rule: OneHotRule, at: SourceLocation): FeaturePlan[] {
  const plan: FeaturePlan[] = [];
  const names = dataset.columns.map((c) => c.name);
  const missing: string[] = [];
  for (const c of rule.numeric) {
    if (!dataset.byName.has(c)) missing.push(c);
    plan.push({ kind: 'numeric', name: c, column: c });
  }
  for (const [c, categories] of Object.entries(rule.categorical)) {
    if (!dataset.byName.has(c)) missing.push(c);
    for (const category of categories) plan.push({ kind: 'indicator', name: `${c}${ONE_HOT_SEPARATOR}${category}`, column: c, category });
  }
  if (missing.length > 0) {
    const hint = didYouMean(missing[0], names);
    throw new UserError(
      `the one-hot rule uses column${missing.length === 1 ? '' : 's'} ${listNames(missing, 5)}, not in ${dataset.file}` +
        (hint ? `; ${hint}` : '; use the dataset\'s column names'),
      at,
    );
  }
  return plan;
}

function checkNamesMatch(dataset: Dataset, plan: FeaturePlan[], featureNames: string[], at: SourceLocation): void {
  if (featureNames.length !== plan.length) {
    throw new UserError(
      `the features file's rule builds ${plan.length} features but its \`feature_names\` lists ${featureNames.length}; make them agree`,
      at,
    );
  }
  const same = (f: FeaturePlan, given: string): boolean => f.name === given || (!given.includes(ONE_HOT_SEPARATOR) && sklearnFeature(dataset, given, at)?.name === f.name);
  const k = plan.findIndex((f, i) => !same(f, featureNames[i]));
  if (k !== -1) {
    throw new UserError(
      `the features file's rule gives feature ${k + 1} as \`${plan[k].name}\` but \`feature_names\` says \`${featureNames[k]}\`; make them agree`,
      at,
    );
  }
}

function fillMatrix(dataset: Dataset, input: string, source: FeatureSource): MatrixInput {
  const { plan } = source;
  const rows = dataset.rows;
  const width = plan.length;
  const data = new Float32Array(rows * width);
  const oneHotGroups: Record<string, number[]> = {};
  // Indicators of the same raw column are filled in one pass over the rows.
  const indicatorsByColumn = new Map<string, Array<{ j: number; category: string }>>();
  plan.forEach((f, j) => {
    const group = f.kind === 'indicator' ? f.column : f.group;
    if (group !== undefined) (oneHotGroups[group] ??= []).push(j);
    if (f.kind === 'indicator') {
      let list = indicatorsByColumn.get(f.column);
      if (!list) indicatorsByColumn.set(f.column, (list = []));
      list.push({ j, category: f.category });
    }
  });

  plan.forEach((f, j) => {
    if (f.kind !== 'numeric') return;
    const column = requireNumbers(dataset, dataset.byName.get(f.column)!, `feature \`${f.name}\``);
    const { values } = column;
    for (let r = 0, o = j; r < rows; r++, o += width) data[o] = values[r];
  });

  for (const [columnName, indicators] of indicatorsByColumn) {
    const column = dataset.byName.get(columnName)!;
    if (column.kind === 'categorical') {
      // Level code -> feature index (or -1: a value not listed gives all zeros).
      const target = new Int32Array(column.levels.length).fill(-1);
      const byText = new Map(indicators.map((ind) => [ind.category, ind.j]));
      column.levels.forEach((level, code) => {
        const j = byText.get(level);
        if (j !== undefined) target[code] = j;
      });
      const { codes } = column;
      for (let r = 0, base = 0; r < rows; r++, base += width) {
        const j = target[codes[r]];
        if (j !== -1) data[base + j] = 1;
      }
    } else {
      // A numeric raw column one-hot encoded (e.g. codes 1..4): a category matches by number.
      const byValue = new Map<number, number>();
      for (const ind of indicators) {
        const v = Number(ind.category);
        if (ind.category.trim() !== '' && Number.isFinite(v) && !byValue.has(v)) byValue.set(v, ind.j);
      }
      const { values } = column;
      for (let r = 0, base = 0; r < rows; r++, base += width) {
        const j = byValue.get(values[r]);
        if (j !== undefined) data[base + j] = 1;
      }
    }
  }
  return { kind: 'matrix', rows, input, width, data, featureNames: plan.map((f) => f.name), oneHotGroups };
}
