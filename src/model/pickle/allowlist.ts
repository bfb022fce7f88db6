/**
 * The only globals a pickle may name. Each entry says what the reader builds (as plain data) when the pickle calls it;
 * nothing is ever imported or executed. Anything else stops the read with a finding naming the global.
 *
 * scikit-learn classes: the estimators we translate and the objects they hold are listed; any other class of the
 * `sklearn` package (a CamelCase name in a `sklearn.` module) is read as inert data too, so an unsupported estimator is
 * refused by name at translation instead of as "unsafe"; a scikit-learn *function* (lowercase name) is never allowed.
 */

export type GlobalKind =
  /** A class: calling it (NEWOBJ, REDUCE, copyreg._reconstructor) makes a PyObject of that class. */
  | 'class'
  /** A type used as a value only (numpy.float64 as `dtype=` parameter, numpy.ndarray as joblib's subclass). */
  | 'type'
  | 'copyreg._reconstructor'
  | 'numpy._reconstruct'
  | 'numpy.dtype'
  | 'numpy.scalar'
  | 'numpy._frombuffer'
  | 'codecs.encode'
  | 'builtins.slice'
  | 'builtins.set'
  | 'builtins.frozenset'
  | 'builtins.bytearray'
  | 'collections.OrderedDict'
  | 'cython.unpickle'
  /** numpy random state constructors: an inert object (the model never draws). */
  | 'inert';

const NUMPY_CORES = ['numpy.core', 'numpy._core'];

const EXACT: Record<string, GlobalKind> = {
  'copyreg._reconstructor': 'copyreg._reconstructor',
  'copy_reg._reconstructor': 'copyreg._reconstructor',
  'numpy.dtype': 'numpy.dtype',
  'numpy.ndarray': 'type',
  'numpy.memmap': 'type',
  '_codecs.encode': 'codecs.encode',
  'codecs.encode': 'codecs.encode',
  'builtins.slice': 'builtins.slice',
  'builtins.set': 'builtins.set',
  'builtins.frozenset': 'builtins.frozenset',
  'builtins.bytearray': 'builtins.bytearray',
  'builtins.object': 'type',
  'builtins.float': 'type',
  'builtins.int': 'type',
  'builtins.str': 'type',
  'builtins.bool': 'type',
  'builtins.list': 'type',
  'builtins.dict': 'type',
  'builtins.tuple': 'type',
  'builtins.bytes': 'type',
  'builtins.type': 'type',
  '__builtin__.object': 'type',
  'collections.OrderedDict': 'collections.OrderedDict',
  // a partial application is inert data here (its function must itself pass this list); scikit-learn >= 1.4's
  // HistGradientBoosting preprocessor holds FunctionTransformer(partial(check_array, ...))
  'functools.partial': 'class',
  'sklearn.utils.validation.check_array': 'type',
  'joblib.numpy_pickle.NumpyArrayWrapper': 'class',
  'sklearn.externals.joblib.numpy_pickle.NumpyArrayWrapper': 'class',
  'numpy.random._pickle.__randomstate_ctor': 'inert',
  'numpy.random._pickle.__generator_ctor': 'inert',
  'numpy.random._pickle.__bit_generator_ctor': 'inert',
  'numpy.random.mtrand.RandomState': 'inert',
  'numpy.random._mt19937.MT19937': 'inert',
  'numpy.random._pcg64.PCG64': 'inert',
  'numpy.random.__RandomState_ctor': 'inert',
};
for (const core of NUMPY_CORES) {
  EXACT[`${core}.multiarray._reconstruct`] = 'numpy._reconstruct';
  EXACT[`${core}.multiarray.scalar`] = 'numpy.scalar';
  EXACT[`${core}.numeric._frombuffer`] = 'numpy._frombuffer';
}
for (const t of [
  'float64', 'float32', 'float16', 'int64', 'int32', 'int16', 'int8', 'uint64', 'uint32', 'uint16', 'uint8', 'bool_',
  'object_', 'str_', 'bytes_', 'intp', 'uintp', 'double', 'single', 'longlong', 'ulonglong', 'int_', 'float_', 'bool',
]) {
  EXACT[`numpy.${t}`] = 'type';
}

/** scikit-learn classes the translator reads (or that supported estimators hold). Listed for the README / inspect. */
export const KNOWN_SKLEARN_CLASSES = new Set([
  'sklearn.pipeline.Pipeline',
  'sklearn.compose._column_transformer.ColumnTransformer',
  'sklearn.preprocessing._data.StandardScaler',
  'sklearn.preprocessing._data.MinMaxScaler',
  'sklearn.preprocessing._data.MaxAbsScaler',
  'sklearn.preprocessing._data.RobustScaler',
  'sklearn.impute._base.SimpleImputer',
  'sklearn.impute._base.MissingIndicator',
  'sklearn.preprocessing._encoders.OneHotEncoder',
  'sklearn.preprocessing._encoders.OrdinalEncoder',
  'sklearn.linear_model._logistic.LogisticRegression',
  'sklearn.tree._classes.DecisionTreeClassifier',
  'sklearn.tree._classes.DecisionTreeRegressor',
  'sklearn.tree._classes.ExtraTreeClassifier',
  'sklearn.tree._classes.ExtraTreeRegressor',
  'sklearn.tree._tree.Tree',
  'sklearn.ensemble._forest.RandomForestClassifier',
  'sklearn.ensemble._forest.ExtraTreesClassifier',
  'sklearn.ensemble._gb.GradientBoostingClassifier',
  'sklearn.ensemble._gb_losses.BinomialDeviance',
  'sklearn.ensemble._gb_losses.ExponentialLoss',
  'sklearn.dummy.DummyClassifier',
  'sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier',
  'sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor',
  'sklearn.ensemble._hist_gradient_boosting.binning._BinMapper',
  'sklearn._loss.loss.HalfBinomialLoss',
  'sklearn._loss.link.LogitLink',
  'sklearn._loss.link.Interval',
  'sklearn.preprocessing._label.LabelEncoder',
  'sklearn.preprocessing._function_transformer.FunctionTransformer',
]);

export interface GlobalDecision {
  allowed: boolean;
  kind?: GlobalKind;
  /** For allowed scikit-learn classes outside KNOWN_SKLEARN_CLASSES. */
  unknownClass?: boolean;
}

/** May the pickle name `module.name`, and what does calling it build? */
export function resolveGlobal(module: string, name: string): GlobalDecision {
  const q = `${module}.${name}`;
  const exact = EXACT[q];
  if (exact) return { allowed: true, kind: exact };
  // numpy's random generators (a fitted estimator's rng state): constructors and Cython unpicklers, read as inert data
  if (module.startsWith('numpy.random.') && (/^__pyx_unpickle_[A-Za-z_]\w*$/.test(name) || /^__\w+_ctor$/.test(name) || /^(RandomState|Generator|SeedSequence|MT19937|PCG64|PCG64DXSM|Philox|SFC64|BitGenerator)$/.test(name))) {
    return { allowed: true, kind: 'inert' };
  }
  // scikit-learn's Cython loss objects pickle under the bare module name `_loss` (scikit-learn 1.1+): inert data
  if (module === '_loss' && /^Cy[A-Z][A-Za-z0-9]*$/.test(name)) return { allowed: true, kind: 'class', unknownClass: false };
  if (module === 'sklearn' || module.startsWith('sklearn.')) {
    if (/^__pyx_unpickle_[A-Za-z_]\w*$/.test(name)) return { allowed: true, kind: 'cython.unpickle', unknownClass: false };
    if (/^_?[A-Z][A-Za-z0-9_]*$/.test(name)) return { allowed: true, kind: 'class', unknownClass: !KNOWN_SKLEARN_CLASSES.has(q) };
  }
  return { allowed: false };
}

/** Globals a Python loader would execute with arbitrary effect: named as "dangerous" in findings. */
export function isDangerous(module: string, name: string): boolean {
  const m = module.split('.')[0];
  if (['os', 'posix', 'nt', 'subprocess', 'sys', 'socket', 'shutil', 'pty', 'runpy', 'importlib', 'ctypes', 'webbrowser', 'urllib', 'requests', 'http', 'multiprocessing', 'asyncio', 'code', 'pickle', '_pickle', 'marshal', 'pip', 'platform', 'pathlib', 'io', 'tempfile', 'commands', 'popen2', 'dill', 'torch', 'numpy.testing'].includes(m)) return true;
  if ((m === 'builtins' || m === '__builtin__') && ['eval', 'exec', 'compile', 'open', '__import__', 'getattr', 'setattr', 'delattr', 'globals', 'locals', 'vars', 'input', 'breakpoint', 'apply', 'execfile', 'file'].includes(name)) return true;
  return false;
}
