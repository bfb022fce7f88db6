/** Which way is better for each metric, so that a regression is a drop or a rise as appropriate. */

const HIGHER_IS_BETTER = new Set([
  'accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'true_positive_rate', 'true_negative_rate', 'roc_auc',
  'average_precision', 'ks',
]);
const LOWER_IS_BETTER = new Set(['false_positive_rate', 'false_negative_rate', 'brier', 'log_loss']);

/**
 * true when a higher value is better, false when lower is better, null when neither (count, base_rate,
 * selection_rate, mean_score, and group min/max of those). Fairness: *_ratio (1 = parity) higher is better,
 * *_difference (0 = parity) lower is better; <metric>_group_min / _group_max follow the base metric.
 */
export function higherIsBetter(metric: string): boolean | null {
  if (HIGHER_IS_BETTER.has(metric)) return true;
  if (LOWER_IS_BETTER.has(metric)) return false;
  if (metric.endsWith('_ratio')) return true;
  if (metric.endsWith('_difference')) return false;
  for (const suffix of ['_group_min', '_group_max']) {
    if (metric.endsWith(suffix)) return higherIsBetter(metric.slice(0, -suffix.length));
  }
  return null;
}
