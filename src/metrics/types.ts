/** Metric names and result shapes shared by metrics/, checks/ and report/. Names follow scikit-learn/fairlearn. */

/** Metrics that need only y_true and y_pred (plus the base rate). */
export const LABEL_METRICS = [
  'count',
  'base_rate',
  'selection_rate',
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'true_positive_rate',
  'false_positive_rate',
  'true_negative_rate',
  'false_negative_rate',
] as const;

/** Metrics that need scores. */
export const SCORE_METRICS = ['mean_score', 'roc_auc', 'average_precision', 'brier', 'log_loss', 'ks'] as const;

export type LabelMetricName = (typeof LABEL_METRICS)[number];
export type ScoreMetricName = (typeof SCORE_METRICS)[number];
export type MetricName = LabelMetricName | ScoreMetricName;

/** null = undefined for this data (e.g. ROC AUC of a single-class group). */
export type MetricValues = Partial<Record<MetricName, number | null>>;

export interface ConfusionCounts {
  tn: number;
  fp: number;
  fn: number;
  tp: number;
}

export interface CurvePoint {
  x: number;
  y: number;
  /** Score threshold at this point, when the curve is a threshold sweep. */
  threshold?: number;
}

/** Curves kept in the Report for charts (downsampled to at most ~200 points, always keeping the ends). */
export interface PerformanceCurves {
  /** x = FPR, y = TPR. */
  roc: CurvePoint[];
  /** x = recall, y = precision. */
  pr: CurvePoint[];
  /** x = threshold, y = precision (precision against threshold). */
  precisionByThreshold: CurvePoint[];
  /** Empirical CDFs of the score: x = score, y = F(score), for actual positives and actual negatives. */
  ksPositives: CurvePoint[];
  ksNegatives: CurvePoint[];
}

export interface PerformanceResult {
  confusion: ConfusionCounts;
  metrics: MetricValues;
  /** KS: the score at which the two CDFs are farthest apart. */
  ksAt: number | null;
  curves: PerformanceCurves | null;
}

export interface GroupResult {
  /** 'Female' or 'Female|<25' */
  key: string;
  /** attribute -> value */
  group: Record<string, string>;
  count: number;
  /** count >= min_group_size (and, where relevant, both classes present). Insufficient groups are excluded from aggregates. */
  sufficient: boolean;
  /** Why not sufficient, in words ("12 rows < min_group_size 30"). */
  insufficientReason?: string;
  confusion: ConfusionCounts;
  metrics: MetricValues;
}

export type AggregateName =
  | 'group_min'
  | 'group_max'
  | 'difference_between_groups'
  | 'difference_to_overall'
  | 'ratio_between_groups'
  | 'ratio_to_overall';

export interface FairlearnSummary {
  demographic_parity_difference: number | null;
  demographic_parity_difference_to_overall: number | null;
  demographic_parity_ratio: number | null;
  demographic_parity_ratio_to_overall: number | null;
  equalized_odds_difference: number | null;
  equalized_odds_difference_agg_mean: number | null;
  equalized_odds_ratio: number | null;
  equalized_odds_ratio_agg_mean: number | null;
  equal_opportunity_difference: number | null;
  equal_opportunity_ratio: number | null;
}

/** MetricFrame-like result for one sensitive attribute or intersection. */
export interface AttributeResult {
  name: string;
  attributes: string[];
  overall: MetricValues;
  groups: GroupResult[];
  /** Aggregates over the sufficient groups only. */
  aggregates: Record<AggregateName, MetricValues>;
  fairlearn: FairlearnSummary;
  /** Keys of groups left out of the aggregates (too small / empty). */
  insufficientGroups: string[];
}
