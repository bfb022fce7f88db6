/** Human names of metrics. */

const TITLES: Record<string, string> = {
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
  if (TITLES[metric]) return TITLES[metric];
  for (const [suffix, words] of SUFFIXES) {
    if (metric.endsWith(suffix)) {
      const base = metric.slice(0, -suffix.length);
      if (TITLES[base]) return `${TITLES[base]}, ${words}`;
    }
  }
  return metric.replace(/_/g, ' ');
}
