/** The metric names a policy may use under checks.performance and checks.fairness. */
import { LABEL_METRICS, SCORE_METRICS } from '../metrics/types.js';

/** checks.performance keys: every metric of metrics/types.ts (scikit-learn names; `ks` included). */
export const PERFORMANCE_METRIC_NAMES: readonly string[] = [...LABEL_METRICS, ...SCORE_METRICS];

/** The fairlearn disparity metrics known by name. */
export const NAMED_FAIRNESS_METRICS = [
  'demographic_parity_difference',
  'demographic_parity_ratio',
  'equalized_odds_difference',
  'equalized_odds_ratio',
  'equal_opportunity_difference',
  'equal_opportunity_ratio',
] as const;

/** Suffixes that turn any performance metric into a fairness metric: `false_positive_rate_difference`. */
export const FAIRNESS_AGGREGATE_SUFFIXES = ['difference', 'ratio', 'group_min', 'group_max'] as const;

/** Every valid checks.fairness key (the named ones, then `<metric>_<aggregate>` for each metric). */
export const FAIRNESS_METRIC_NAMES: readonly string[] = [
  ...NAMED_FAIRNESS_METRICS,
  ...PERFORMANCE_METRIC_NAMES.flatMap((m) => FAIRNESS_AGGREGATE_SUFFIXES.map((s) => `${m}_${s}`)),
];

const performanceSet = new Set(PERFORMANCE_METRIC_NAMES);
const fairnessSet = new Set(FAIRNESS_METRIC_NAMES);

export function isPerformanceMetricName(name: string): boolean {
  return performanceSet.has(name);
}

export function isFairnessMetricName(name: string): boolean {
  return fairnessSet.has(name);
}

/** Whether `method` (between_groups / to_overall) means anything for this fairness metric. */
export function fairnessMetricHasMethod(name: string): boolean {
  return !name.endsWith('_group_min') && !name.endsWith('_group_max');
}

/** Whether `agg` (worst_case / mean) means anything for this fairness metric. */
export function fairnessMetricHasAgg(name: string): boolean {
  return name.startsWith('equalized_odds_');
}
