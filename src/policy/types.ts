/**
 * The policy after YAML/JSON parsing and ajv validation against policies/schema.json, defaults filled in.
 * Keys keep the policy file's snake_case so that what users write and what the code reads are the same words.
 * Every value's source position is available through PolicyDocument.locate(pointer).
 */
import type { SourceLocation } from '../util/errors.js';

export interface Threshold {
  /** Gate fails when the value is below min. */
  min?: number;
  /** Gate fails when the value is above max. */
  max?: number;
  /** Verdict rule (issue #6): 'point' = compare the point estimate; 'interval' = fail only when the whole CI is beyond. */
  rule?: 'point' | 'interval';
  /** What an "insufficient evidence" outcome does to the verdict (issue #6). */
  on_insufficient?: 'fail' | 'warn' | 'pass';
  /** Severity of a breach: 'error' fails the build, 'warning' only warns. Default 'error'. */
  severity?: 'error' | 'warning';
}

export interface FairnessThreshold extends Threshold {
  /** Sensitive attributes / intersections (by name) this check applies to. Default: all of them. */
  attributes?: string[];
  /** fairlearn's method for differences and ratios. Default 'between_groups'. */
  method?: 'between_groups' | 'to_overall';
  /** For equalized odds: 'worst_case' (fairlearn default) or 'mean'. */
  agg?: 'worst_case' | 'mean';
}

export interface OneHotRule {
  /** Numeric columns copied as float, in order. */
  numeric: string[];
  /** Categorical columns, each with its categories in the order the model was trained on; one 0/1 indicator each. */
  categorical: Record<string, string[]>;
}

export interface FeatureSpec {
  /** Dataset columns, in the order of the model's feature matrix. */
  columns?: string[];
  /** One-hot rule over raw columns (numeric first, then one indicator per listed category; unknown -> all zeros). */
  one_hot?: OneHotRule;
  /** A JSON file with { numeric_columns, categorical_columns, categories } or { feature_names } (path relative to the workspace). */
  file?: string;
}

export interface ModelSpec {
  path: string;
  /** Output to read scores from; default: the probability-like output found automatically. */
  output?: string;
  /** Column of a [N,C] probability output that is the positive class. Default 1 for [N,2], 0 for [N,1]. */
  positive_index?: number;
  /** Decision threshold on the positive score: y_pred = score >= threshold. Default 0.5. */
  threshold: number;
  /** How the feature matrix is built, for models with one float matrix input. */
  features?: FeatureSpec;
  /** Rows per onnxruntime call. Default 8192. */
  batch_size: number;
}

export interface DatasetSpec {
  path: string;
  /** Label column. */
  label: string;
  /** Value of the label column that is the positive class (compared as text). */
  positive_label: string | number | boolean;
  /**
   * Which class is the outcome people want (issue #9): 'positive' (default) or 'negative' (the positive class is the
   * adverse outcome: default, fraud, re-offence). Fairness metrics are computed on the favourable class; performance
   * metrics stay on the positive class.
   */
  favourable?: 'positive' | 'negative';
  /** Cell texts read as missing in numeric columns. Default ['', '?', 'NA', 'NaN']. */
  missing_values: string[];
  /** Refuse datasets with more rows than this. Default 1,000,000. */
  max_rows: number;
  /** Field separator of a text file; 'auto' (default) detects it (issue #13). */
  delimiter?: 'auto' | ',' | ';' | '\t' | '|';
  /** Renames `model_input: file_column` applied when reading (issue #13). */
  columns?: Record<string, string>;
}

export interface SensitiveSpec {
  /** Dataset column. */
  column: string;
  /** Name of the attribute in reports; default the column, or `<column>_bin` when binned. */
  name: string;
  /** Bin edges for a numeric column: [25, 45] -> '<25', '25-45' (both ends inclusive), '>45'. */
  bins?: number[];
  /** Labels of the bins (one more than edges). */
  labels?: string[];
}

export interface ChecksSpec {
  /** Performance metric name -> threshold. */
  performance: Record<string, Threshold>;
  /** Fairness metric name -> threshold (applies to every attribute unless `attributes` says otherwise). */
  fairness: Record<string, FairnessThreshold>;
  /** Issue #3; shape defined in src/checks/robustness/policy.ts. */
  robustness?: Record<string, unknown>;
  /** Issue #4; shape defined in src/checks/explainability/policy.ts. */
  explainability?: Record<string, unknown>;
}

export interface Policy {
  version: 1;
  seed: number;
  model: ModelSpec;
  dataset: DatasetSpec;
  sensitive: SensitiveSpec[];
  /** Intersections of sensitive attributes by name, e.g. [['sex', 'age_bin']] -> attribute 'sex_x_age_bin'. */
  intersections: string[][];
  /** Groups with fewer rows are reported as insufficient data and never pass or fail a gate. Default 30. */
  min_group_size: number;
  /** Fewest cases a group's rate may rest on (positives for a TPR, negatives for an FPR, predicted positives for precision). */
  min_denominator: number;
  checks: ChecksSpec;
  /** Issue #6: confidence intervals and verdict rule; shape in src/stats/policy.ts. */
  statistics?: Record<string, unknown>;
  /** Issue #6: baseline comparison. */
  baseline?: Record<string, unknown>;
  /** Issue #13: data checks (drift, integrity, leakage, representation); shape in src/checks/data/types.ts. */
  data?: Record<string, unknown>;
  report: {
    /** Allow raw example rows in reports (off by default: evaluation data is often personal data). */
    include_examples: boolean;
  };
}

/** A JSON pointer into the policy document, as path segments: ['checks', 'performance', 'roc_auc', 'min']. */
export type PolicyPointer = ReadonlyArray<string | number>;

export interface PolicyDocument {
  policy: Policy;
  /** Path of the policy file as the user gave it. */
  file: string;
  /** SHA-256 of the policy file bytes. */
  sha256: string;
  /** Source position of the value at a pointer (falls back to the nearest existing parent, then to line 1). */
  locate(pointer: PolicyPointer): SourceLocation;
}
