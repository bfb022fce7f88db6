/**
 * fairlearn's named disparity metrics, each a thin reading of the group aggregates of one MetricFrame-like result
 * (groupAggregates / groupMetrics). Same definitions as fairlearn 0.11 `fairlearn.metrics`.
 */
import type { AggregateName, FairlearnSummary, MetricName, MetricValues } from './types.js';

export type GroupAggregates = Record<AggregateName, MetricValues>;
export type DisparityMethod = 'between_groups' | 'to_overall';
export type TwoMetricAggregation = 'worst_case' | 'mean';

function difference(a: GroupAggregates, metric: MetricName, method: DisparityMethod): number | null {
  const v = method === 'between_groups' ? a.difference_between_groups[metric] : a.difference_to_overall[metric];
  return v ?? null;
}

function ratio(a: GroupAggregates, metric: MetricName, method: DisparityMethod): number | null {
  const v = method === 'between_groups' ? a.ratio_between_groups[metric] : a.ratio_to_overall[metric];
  return v ?? null;
}

/** Python's built-in max(a, b) on floats with NaN as fairlearn applies it to a Series: a NaN first wins, a NaN second is ignored. */
function pythonMax(a: number | null, b: number | null): number | null {
  if (a === null) return null;
  if (b === null) return a;
  return b > a ? b : a;
}

/** Python's built-in min(a, b), same NaN behaviour as pythonMax. */
function pythonMin(a: number | null, b: number | null): number | null {
  if (a === null) return null;
  if (b === null) return a;
  return b < a ? b : a;
}

/** pandas Series.mean(): mean of the non-null values; null when none. */
function meanSkippingNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return (a + b) / 2;
}

/**
 * Demographic parity difference: max_a E[ŷ | A=a] − min_a E[ŷ | A=a] (between_groups), or
 * max_a |E[ŷ | A=a] − E[ŷ]| (to_overall): the selection_rate difference.
 */
export function demographicParityDifference(a: GroupAggregates, method: DisparityMethod = 'between_groups'): number | null {
  return difference(a, 'selection_rate', method);
}

/**
 * Demographic parity ratio: min_a E[ŷ | A=a] / max_a E[ŷ | A=a] (between_groups), or min_a of
 * E[ŷ | A=a] / E[ŷ] inverted when > 1 (to_overall). null when every selection rate is 0 (0/0).
 */
export function demographicParityRatio(a: GroupAggregates, method: DisparityMethod = 'between_groups'): number | null {
  return ratio(a, 'selection_rate', method);
}

/**
 * Equalized odds difference: with D_TPR and D_FPR the true and false positive rate differences,
 * max(D_TPR, D_FPR) (agg 'worst_case', Python's max: a null D_TPR gives null) or their mean (agg 'mean').
 */
export function equalizedOddsDifference(
  a: GroupAggregates,
  method: DisparityMethod = 'between_groups',
  agg: TwoMetricAggregation = 'worst_case',
): number | null {
  const tpr = difference(a, 'true_positive_rate', method);
  const fpr = difference(a, 'false_positive_rate', method);
  return agg === 'worst_case' ? pythonMax(tpr, fpr) : meanSkippingNull(tpr, fpr);
}

/**
 * Equalized odds ratio: with R_TPR and R_FPR the true and false positive rate ratios, min(R_TPR, R_FPR)
 * (agg 'worst_case', Python's min: a null R_TPR gives null, a null R_FPR is ignored) or their mean (agg 'mean').
 */
export function equalizedOddsRatio(
  a: GroupAggregates,
  method: DisparityMethod = 'between_groups',
  agg: TwoMetricAggregation = 'worst_case',
): number | null {
  const tpr = ratio(a, 'true_positive_rate', method);
  const fpr = ratio(a, 'false_positive_rate', method);
  return agg === 'worst_case' ? pythonMin(tpr, fpr) : meanSkippingNull(tpr, fpr);
}

/** Equal opportunity difference: max_a TPR_a − min_a TPR_a (or the largest |TPR_a − TPR| to_overall). */
export function equalOpportunityDifference(a: GroupAggregates, method: DisparityMethod = 'between_groups'): number | null {
  return difference(a, 'true_positive_rate', method);
}

/** Equal opportunity ratio: min_a TPR_a / max_a TPR_a (or to_overall as for demographicParityRatio). */
export function equalOpportunityRatio(a: GroupAggregates, method: DisparityMethod = 'between_groups'): number | null {
  return ratio(a, 'true_positive_rate', method);
}

/** The fairlearn disparity figures of the reference files, from one attribute's aggregates. */
export function fairlearnSummary(a: GroupAggregates): FairlearnSummary {
  return {
    demographic_parity_difference: demographicParityDifference(a),
    demographic_parity_difference_to_overall: demographicParityDifference(a, 'to_overall'),
    demographic_parity_ratio: demographicParityRatio(a),
    demographic_parity_ratio_to_overall: demographicParityRatio(a, 'to_overall'),
    equalized_odds_difference: equalizedOddsDifference(a),
    equalized_odds_difference_agg_mean: equalizedOddsDifference(a, 'between_groups', 'mean'),
    equalized_odds_ratio: equalizedOddsRatio(a),
    equalized_odds_ratio_agg_mean: equalizedOddsRatio(a, 'between_groups', 'mean'),
    equal_opportunity_difference: equalOpportunityDifference(a),
    equal_opportunity_ratio: equalOpportunityRatio(a),
  };
}
