/**
 * Reading a scikit-learn estimator's fitted state from plain pickle data, with a clear refusal when a state is missing
 * or has the wrong shape (TranslationError: the caller turns it into a UserError located at the model file).
 */
import { isNdArray, toFloat64, toStrings } from '../pickle/numpy.js';
import { NdArray, PyDict, PyGlobal, PyObject, describe, type PyValue } from '../pickle/values.js';

export class TranslationError extends Error {
  constructor(
    message: string,
    /** Set when the refusal is about an estimator the translator does not support. */
    readonly unsupported?: string,
  ) {
    super(message);
    this.name = 'TranslationError';
  }
}

/** Supported estimators, for messages and the README. */
export const SUPPORTED_ESTIMATORS = [
  'Pipeline',
  'ColumnTransformer',
  'StandardScaler',
  'MinMaxScaler',
  'MaxAbsScaler',
  'RobustScaler',
  'SimpleImputer',
  'OneHotEncoder',
  'OrdinalEncoder',
  'FunctionTransformer(func=None)',
  'LogisticRegression (binary)',
  'DecisionTreeClassifier',
  'RandomForestClassifier',
  'ExtraTreesClassifier',
  'GradientBoostingClassifier',
  'HistGradientBoostingClassifier',
];

export const EXPORT_RECIPE =
  'export the model to ONNX instead (skl2onnx: `onnx = skl2onnx.to_onnx(model, X[:1])`; PyTorch: `torch.onnx.export(model, x, "model.onnx")`) and point model.path at the .onnx file';

export function unsupported(cls: string, why = ''): TranslationError {
  const short = cls.slice(cls.lastIndexOf('.') + 1);
  return new TranslationError(
    `${short}${why ? ` (${why})` : ''} is not an estimator the gate can translate; supported: ${SUPPORTED_ESTIMATORS.join(', ')}, and XGBoost JSON (binary:logistic); ${EXPORT_RECIPE}`,
    short,
  );
}

/** The oldest and newest scikit-learn versions whose pickled state this translator reads. */
export const SKLEARN_MIN = [0, 24];
export const SKLEARN_MAX_EXCLUSIVE = [1, 10];

export function parseVersion(v: string): number[] {
  return v.split(/[.+-]/).slice(0, 3).map((p) => Number.parseInt(p, 10) || 0);
}

export function checkVersion(o: PyObject): string | undefined {
  const v = o.attr('_sklearn_version');
  if (typeof v !== 'string') return undefined;
  const [a, b] = parseVersion(v);
  const cmp = (x: number[]): number => (a !== x[0] ? a - x[0] : b - x[1]);
  if (cmp(SKLEARN_MIN) < 0 || cmp(SKLEARN_MAX_EXCLUSIVE) >= 0) {
    throw new TranslationError(
      `${o.shortName} was saved by scikit-learn ${v}; the gate reads the state of scikit-learn ${SKLEARN_MIN.join('.')} to ${SKLEARN_MAX_EXCLUSIVE[0]}.${SKLEARN_MAX_EXCLUSIVE[1] - 1}; ${EXPORT_RECIPE}`,
    );
  }
  return v;
}

export function isEstimator(v: PyValue): v is PyObject {
  return v instanceof PyObject && v.cls.startsWith('sklearn.');
}

function what(o: PyObject, name: string): string {
  return `${o.shortName}.${name}`;
}

export function attr(o: PyObject, name: string): PyValue {
  if (!o.hasAttr(name)) throw new TranslationError(`${what(o, name)} is missing: the estimator is not fitted, or was saved by an unexpected scikit-learn version`);
  return o.attr(name);
}

export function arr(o: PyObject, name: string, ndim?: number): NdArray {
  const v = attr(o, name);
  if (!isNdArray(v)) throw new TranslationError(`${what(o, name)} is ${describe(v)}, not an array`);
  if (ndim !== undefined && v.shape.length !== ndim) throw new TranslationError(`${what(o, name)} has shape [${v.shape.join(', ')}], expected ${ndim} dimension(s)`);
  return v;
}

export function floats(o: PyObject, name: string, length?: number): Float64Array {
  const a = arr(o, name);
  const out = toFloat64(a);
  if (length !== undefined && out.length !== length) throw new TranslationError(`${what(o, name)} has ${out.length} values, expected ${length}`);
  return out;
}

/** Float array attribute or null when the attribute is None. */
export function floatsOrNone(o: PyObject, name: string, length?: number): Float64Array | null {
  const v = o.attr(name);
  if (v === null || v === undefined) return null;
  return floats(o, name, length);
}

export function num(o: PyObject, name: string): number {
  const v = attr(o, name);
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (isNdArray(v) && v.size === 1) return toFloat64(v)[0];
  throw new TranslationError(`${what(o, name)} is ${describe(v)}, not a number`);
}

export function str(o: PyObject, name: string, fallback?: string): string {
  const v = o.attr(name);
  if (typeof v === 'string') return v;
  if ((v === undefined || v === null) && fallback !== undefined) return fallback;
  throw new TranslationError(`${what(o, name)} is ${describe(v)}, not a text`);
}

export function bool(o: PyObject, name: string, fallback: boolean): boolean {
  const v = o.attr(name);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  return fallback;
}

/** A list of values from a list, tuple or 1-D array. */
export function list(v: PyValue, what: string): PyValue[] {
  if (Array.isArray(v)) return v;
  if (isNdArray(v)) return v.dtype.kind === 'O' || 'US'.includes(v.dtype.kind) ? toStrings(v) : Array.from(toFloat64(v));
  throw new TranslationError(`${what} is ${describe(v)}, not a list`);
}

/** Feature names an estimator was fitted on (feature_names_in_), or null. */
export function featureNamesIn(o: PyObject): string[] | null {
  const v = o.attr('feature_names_in_');
  if (v === undefined || v === null) return null;
  const names = list(v, what(o, 'feature_names_in_'));
  if (!names.every((n) => typeof n === 'string')) throw new TranslationError(`${what(o, 'feature_names_in_')} holds non-text names`);
  return names as string[];
}

export function classesOf(o: PyObject): Array<string | number> {
  const v = attr(o, 'classes_');
  const items = list(v, what(o, 'classes_'));
  return items.map((c) => (typeof c === 'string' || typeof c === 'number' ? c : typeof c === 'boolean' ? Number(c) : String(describe(c))));
}

export function isGlobal(v: PyValue, qualified?: string): v is PyGlobal {
  return v instanceof PyGlobal && (qualified === undefined || v.qualified === qualified);
}

export { PyDict, PyObject, NdArray };
