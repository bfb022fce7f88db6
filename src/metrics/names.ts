/** Human names of metrics and of the fairness metrics built on them (one table for checks and renderers). */
import type { MetricName } from './types.js';

/** Display name of each base metric. */
export const METRIC_TITLES: Record<MetricName, string> = {
  count: 'Rows',
  base_rate: 'Base rate',
  selection_rate: 'Selection rate',
  accuracy: 'Accuracy',
  balanced_accuracy: 'Balanced accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  true_positive_rate: 'True positive rate',
  false_positive_rate: 'False positive rate',
  true_negative_rate: 'True negative rate',
  false_negative_rate: 'False negative rate',
  mean_score: 'Mean score',
  roc_auc: 'ROC AUC',
  average_precision: 'Average precision',
  brier: 'Brier score',
  log_loss: 'Log loss',
  ks: 'KS statistic',
};

/** Column-header name of a base metric: the display name, with the four confusion-matrix rates abbreviated. */
export function metricShortTitle(metric: MetricName): string {
  return METRIC_SHORT_TITLES[metric] ?? METRIC_TITLES[metric] ?? metric;
}

const METRIC_SHORT_TITLES: Partial<Record<MetricName, string>> = {
  true_positive_rate: 'TPR',
  false_positive_rate: 'FPR',
  true_negative_rate: 'TNR',
  false_negative_rate: 'FNR',
};

const FAIRNESS_TITLES: Record<string, string> = {
  demographic_parity_difference: 'Demographic parity difference',
  demographic_parity_ratio: 'Demographic parity ratio',
  equalized_odds_difference: 'Equalized odds difference',
  equalized_odds_ratio: 'Equalized odds ratio',
  equal_opportunity_difference: 'Equal opportunity difference',
  equal_opportunity_ratio: 'Equal opportunity ratio',
};

const SUFFIXES: Array<[string, string]> = [
  ['_difference', 'difference between groups'],
  ['_ratio', 'ratio between groups'],
  ['_group_min', 'lowest group'],
  ['_group_max', 'highest group'],
];

export function metricTitle(metric: string): string {
  const titles: Record<string, string> = METRIC_TITLES;
  if (titles[metric]) return titles[metric];
  if (FAIRNESS_TITLES[metric]) return FAIRNESS_TITLES[metric];
  for (const [suffix, words] of SUFFIXES) {
    if (metric.endsWith(suffix)) {
      const base = metric.slice(0, -suffix.length);
      if (titles[base]) return `${titles[base]}, ${words}`;
    }
  }
  return metric.replace(/_/g, ' ');
}
