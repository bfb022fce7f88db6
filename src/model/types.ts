/** What the rest of the gate sees of an ONNX model: its signature and a batched scoring function. */

/** Input of the model for N rows, in the layout the model wants. */
export type ModelInput = MatrixInput | ColumnsInput;

/** One float matrix [N, d], row-major. */
export interface MatrixInput {
  kind: 'matrix';
  rows: number;
  /** ONNX input name. */
  input: string;
  width: number;
  data: Float32Array;
  /** Name of each of the d features (e.g. 'age', 'workclass=Private'). */
  featureNames: string[];
  /** For features built from a one-hot rule: raw column -> indices of its indicator features. */
  oneHotGroups: Record<string, number[]>;
}

/** One [N,1] tensor per ONNX input, each fed from a dataset column. */
export interface ColumnsInput {
  kind: 'columns';
  rows: number;
  /** Input name -> values. string inputs: string[]; float: Float32Array; double: Float64Array; int64: BigInt64Array. */
  tensors: Record<string, InputTensorData>;
  /** Input name -> dataset column it came from. */
  sourceColumns: Record<string, string>;
}

export type InputTensorData =
  | { type: 'string'; data: string[] }
  | { type: 'float32'; data: Float32Array }
  | { type: 'float64'; data: Float64Array }
  | { type: 'int64'; data: BigInt64Array }
  | { type: 'int32'; data: Int32Array };

export interface ModelInputSignature {
  name: string;
  type: string; // 'float32' | 'string' | 'int64' | 'float64' | ...
  shape: Array<number | string | null>;
  /** Issue #11: the (translated) model reads a missing cell as NaN, so the CSV may leave this numeric input blank. */
  missing?: 'nan';
}

export interface ModelInfo {
  file: string;
  sha256: string;
  bytes: number;
  producer: string;
  inputs: ModelInputSignature[];
  outputs: ModelInputSignature[];
  /** Output read for scores. */
  scoreOutput: string;
  /** 'probabilities' [N,C] | 'probability' [N,1] or [N] | 'label' (no scores: threshold metrics only). */
  outputKind: 'probabilities' | 'probability' | 'label';
  positiveIndex: number;
  /** True when a ZipMap output was bypassed by rewriting the graph in memory. */
  zipMapBypassed: boolean;
  /** 'onnxruntime-node' | 'onnxruntime-web (wasm)' */
  runtime: string;
  runtimeVersion: string;
  /** Plain-text notes for the report (e.g. "label-only model: score metrics skipped"). */
  notes: string[];
  /** Issue #11: what the scan of the model file found (pickle globals, ONNX custom domains, external data, ...). */
  artifact?: import('./sklearn/artifact.js').ArtifactScan;
  /** Issue #11: the model was translated in memory from scikit-learn (.joblib/.pkl) or XGBoost JSON. */
  translated?: {
    format: string;
    /** Estimator tree, e.g. 'Pipeline(ColumnTransformer(StandardScaler, OneHotEncoder), LogisticRegression)'. */
    estimator: string;
    sklearnVersion?: string;
    /** Model inputs (raw columns). */
    inputs: string[];
    encodedFeatures: number;
    scoring: string;
    classes: Array<string | number>;
  };
}

export interface ScoringModel {
  readonly info: ModelInfo;
  /**
   * Positive-class score per row (P(positive) in [0,1]); for a label-only model, the predicted label as 0/1.
   * Splits into batches of the policy's batch size; each batch is one onnxruntime call.
   */
  score(input: ModelInput): Promise<Float32Array>;
  /** Number of rows scored so far (model queries), for budgets and benchmarks. */
  readonly queries: number;
  /** Issue #11: the trees of a translated model on its encoded features (exact TreeSHAP through preprocessing). */
  readonly treeView?: import('./sklearn/tree-view.js').TranslatedTreeView;
  dispose(): Promise<void>;
}
