/** Human names of metrics, and which metrics are plain binomial proportions (for exact intervals). */
import type { ConfusionCounts } from '../metrics/types.js';

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

/** successes/trials when the metric is a plain proportion of the confusion counts, else undefined. */
export function proportionOf(metric: string, c: ConfusionCounts): { successes: number; trials: number } | undefined {
  const n = c.tp + c.fp + c.tn + c.fn;
  switch (metric) {
    case 'accuracy': return { successes: c.tp + c.tn, trials: n };
    case 'selection_rate': return { successes: c.tp + c.fp, trials: n };
    case 'base_rate': return { successes: c.tp + c.fn, trials: n };
    case 'precision': return { successes: c.tp, trials: c.tp + c.fp };
    case 'recall':
    case 'true_positive_rate': return { successes: c.tp, trials: c.tp + c.fn };
    case 'false_negative_rate': return { successes: c.fn, trials: c.tp + c.fn };
    case 'false_positive_rate': return { successes: c.fp, trials: c.fp + c.tn };
    case 'true_negative_rate': return { successes: c.tn, trials: c.fp + c.tn };
    default: return undefined;
  }
}
