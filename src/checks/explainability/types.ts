/**
 * The explainability section of the Report (issue #4): plain JSON, no raw rows (feature values of explained rows only
 * when policy.report.include_examples is true). Renderers show what is here and compute nothing.
 */

/** Which attribution method produced the SHAP values. */
export type ShapMethod = 'tree_shap' | 'kernel_shap' | 'exact_shapley';

/**
 * Output space of the attributions. 'probability' = the positive-class score the gate uses; 'log_odds' = log(P/(1-P))
 * (for a tree ensemble with a LOGISTIC post-transform: the ensemble's raw margin); 'margin' = a tree ensemble's raw sum
 * when it is neither a probability nor a log-odds.
 */
export type ShapSpace = 'probability' | 'log_odds' | 'margin';

export interface ImportanceEntry {
  /** Raw dataset column (a one-hot group or a string input counts as one). */
  feature: string;
  /** 1 = most important. Ties share no rank: order is by value, then by name. */
  rank: number;
  /** Mean |SHAP| over the explained rows, in the ranking space. */
  meanAbsShap: number;
  /** meanAbsShap / sum of meanAbsShap over all features (0 when the sum is 0). */
  share: number;
  /** Mean signed SHAP value (direction of the average effect). */
  meanShap: number;
  /** True when the column is (the source of) a sensitive attribute in the policy. */
  sensitive: boolean;
  /** Sensitive attributes this feature is a proxy of (association at or above the policy threshold). */
  proxyOf: string[];
}

export interface PermutationImportanceEntry {
  feature: string;
  rank: number;
  /** Mean over repeats of (baseline metric - metric with the column shuffled); for losses, (shuffled - baseline). */
  mean: number;
  /** Standard deviation over repeats (population, as scikit-learn's permutation_importance). */
  std: number;
  /** One value per repeat, in repeat order. */
  values: number[];
}

export interface PermutationImportanceResult {
  metric: string;
  /** Metric of the unshuffled model on the rows used. */
  baseline: number;
  repeats: number;
  /** Rows used (all rows, or a seeded sample of max_rows). */
  rows: number;
  /** Ranked, most important first. */
  features: PermutationImportanceEntry[];
  modelCalls: number;
  modelRows: number;
}

export interface AssociationEntry {
  /** Sensitive attribute name (as in the policy). */
  attribute: string;
  /** Raw column. */
  feature: string;
  /** cramers_v (categorical feature), correlation_ratio (numeric feature). */
  measure: 'cramers_v' | 'correlation_ratio';
  value: number;
  /** Normalised mutual information (0..1) between the feature (numeric: quantile-binned) and the attribute. */
  mutualInformation: number;
  /** Importance rank of the feature (null when it is not a model input). */
  rank: number | null;
  /** At or above the policy threshold for its measure (or for mutual information, when one is set). */
  strong: boolean;
  /** strong and rank <= top_k. */
  proxyInTopK: boolean;
}

export interface StabilityResult {
  /** 'halves': the explained rows split in two (even/odd positions); 'seeds': a second background drawn with another seed. */
  method: 'halves' | 'seeds';
  /** Spearman rank correlation of the two global importances. */
  spearman: number | null;
  /** Feature order of the second importance (most important first). */
  otherOrder: string[];
}

export interface TreeEnsembleSummary {
  /** ONNX operator the trees were read from. */
  operator: string;
  trees: number;
  nodes: number;
  leaves: number;
  maxDepth: number;
  postTransform: string;
  /** Max |model score - score recomputed from the parsed trees| over the explained and background rows. */
  maxScoreDifference: number;
  /** Interventional TreeSHAP per model input feature (each indicator its own player), mean |value| over explained rows. */
  perModelFeature: Array<{ feature: string; meanAbsShap: number }>;
}

export interface KernelShapSummary {
  /** Coalitions per explained row (excluding the empty and full coalitions); all 2^M - 2 when exact. */
  coalitions: number;
  /** True when every coalition was enumerated (exact Shapley values of the raw-column game). */
  exact: boolean;
  /** Coalition sizes enumerated completely before sampling the rest. */
  completeSizes: number[];
  paired: boolean;
}

export interface RowAttribution {
  /** Row index in the evaluation dataset (0-based, header excluded). */
  row: number;
  /** Model output at the row, in the ranking space. */
  output: number;
  /** SHAP value per feature, in the order of ExplainabilityReport.features. */
  values: number[];
  /** Raw feature values of the row: only when policy.report.include_examples is true. */
  example?: Record<string, string | number | null>;
}

/** How the explainability gates' ranges were obtained (issue #9 item 8). */
export interface ImportanceUncertainty {
  /** 'bootstrap': resamples of the explained rows' attributions, cycling over the background draws. */
  method: 'bootstrap';
  /** Bootstrap resamples done (statistics.resamples, fewer only when the time limit stopped them). */
  resamples: number;
  /** Background draws the resamples cycle over: the reported one plus the re-drawn ones. */
  backgrounds: number;
  /** Why there are no more background draws than that (e.g. KernelSHAP's cost, a background that is every row). */
  backgroundsReason?: string;
  /**
   * KernelSHAP: the background rows (this many) were resampled too, by weight, in every resample on the reported
   * background — its values are linear in the background's weights, so no model call is needed.
   */
  backgroundRowsResampled?: number;
  /** Confidence level of the ranges (statistics.level). */
  level: number;
  /** Model rows scored for the re-drawn backgrounds (KernelSHAP; 0 for TreeSHAP). */
  modelRows: number;
  /** Per feature, in ranking order: the central range of its rank (integers) and of its share. */
  features: Array<{ feature: string; rankLow: number; rankHigh: number; shareLow: number; shareHigh: number }>;
}

export interface ExplainabilityReport {
  method: ShapMethod;
  /** Why this method ran (e.g. "the graph is one TreeEnsembleClassifier on the input matrix"). */
  methodReason: string;
  /** Space of the ranking, the shares, the per-row values and the gates. */
  space: ShapSpace;
  seed: number;
  /** Players (raw columns) in input order; `rows[].values` follow this order. */
  features: string[];
  /** Model input features making up each player (one entry for a plain column; the indicators of a one-hot group). */
  featureInputs: Record<string, string[]>;
  background: { size: number; method: 'sample' | 'kmeans'; fromRows: number };
  explainedRows: number;
  /** v(empty set): the background's mean output, per space computed. */
  expectedValue: Partial<Record<ShapSpace, number>>;
  /** max over explained rows of |sum(values) + expected value - model output|, per space computed. */
  additivityError: Partial<Record<ShapSpace, number>>;
  /** Ranked global importance, most important first. */
  importance: ImportanceEntry[];
  /** Per-row attributions for a sample of the explained rows (report_rows). */
  rows: RowAttribution[];
  /** Number of ctx.model.score calls and rows scored by the SHAP computation (TreeSHAP: 0). */
  modelCalls: number;
  modelRows: number;
  tree?: TreeEnsembleSummary;
  kernel?: KernelShapSummary;
  permutation: PermutationImportanceResult | null;
  /** Association of every model feature with every sensitive attribute. */
  associations: AssociationEntry[];
  stability: StabilityResult | null;
  topK: number;
  /** True when the deadline cut the computation short (fewer rows than asked were explained). */
  truncated: boolean;
  /** Ranges of the ranks and shares behind the gates; absent when statistics.resamples is 0 or nothing was explained. */
  uncertainty?: ImportanceUncertainty;
}
