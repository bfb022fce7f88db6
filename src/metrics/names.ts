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

// ---------------------------------------------------------------------------------------------------------------
// The favourable outcome (policy dataset.favourable, issue #9)

/** Which class the fairness metrics are about (report.dataset.favourable). */
export interface OutcomeTerms {
  /** 'negative': the positive class is the adverse outcome, and fairness metrics are on the negative class. */
  outcome: 'positive' | 'negative';
  /** Label text of the favourable class ('good'). */
  label: string;
  /** Label text of the adverse class ('bad'). */
  adverseLabel: string;
}

/** Whether fairness metrics are on the negative class (so their class-dependent names must say so). */
export function favoursNegative(terms: OutcomeTerms | undefined): terms is OutcomeTerms {
  return terms?.outcome === 'negative';
}

/** A label text inside a title: as it is when it reads as a word (`good`), in quotes otherwise (`"0"`, `"<=50K"`). */
export function labelWords(label: string): string {
  const s = label.length > 40 ? `${label.slice(0, 39)}…` : label;
  return /^[A-Za-z][A-Za-z_-]*( [A-Za-z][A-Za-z_-]*)*$/.test(s) ? s : `"${s}"`;
}

/** Base metrics whose value depends on which class is positive, named for the favourable class L. */
const FAVOURABLE_BASE_TITLES: Partial<Record<MetricName, (l: string) => string>> = {
  base_rate: (l) => `Base rate of ${l}`,
  selection_rate: (l) => `Rate of ${l} decisions`,
  precision: (l) => `Precision of ${l}`,
  recall: (l) => `Recall of ${l}`,
  f1: (l) => `F1 of ${l}`,
  true_positive_rate: (l) => `True positive rate of ${l}`,
  false_positive_rate: (l) => `False positive rate of ${l}`,
  true_negative_rate: (l) => `True negative rate of ${l}`,
  false_negative_rate: (l) => `False negative rate of ${l}`,
  mean_score: (l) => `Mean score of ${l}`,
  average_precision: (l) => `Average precision of ${l}`,
};

const FAVOURABLE_SHORT_TITLES: Partial<Record<MetricName, (l: string) => string>> = {
  base_rate: (l) => `Actually ${l}`,
  selection_rate: (l) => `Decided ${l}`,
  true_positive_rate: (l) => `TPR (${l})`,
  false_positive_rate: (l) => `FPR (${l})`,
  true_negative_rate: (l) => `TNR (${l})`,
  false_negative_rate: (l) => `FNR (${l})`,
  precision: (l) => `Precision (${l})`,
};

const FAVOURABLE_NAMED_TITLES: Record<string, (l: string) => string> = {
  demographic_parity_difference: (l) => `Demographic parity difference of ${l} decisions`,
  demographic_parity_ratio: (l) => `Demographic parity ratio of ${l} decisions`,
  equalized_odds_difference: (l) => `Equalized odds difference (TPR and FPR of ${l})`,
  equalized_odds_ratio: (l) => `Equalized odds ratio (TPR and FPR of ${l})`,
  equal_opportunity_difference: (l) => `Equal opportunity difference (TPR of ${l})`,
  equal_opportunity_ratio: (l) => `Equal opportunity ratio (TPR of ${l})`,
};

/**
 * Title of a metric of the fairness section (a base metric per group, or a fairness metric such as
 * `selection_rate_group_min`): metricTitle, except that when the favourable outcome is the negative class every
 * class-dependent metric names the favourable class ('Rate of good decisions, lowest group'). Symmetric metrics
 * (accuracy, ROC AUC, Brier, log loss, KS, counts) keep their names.
 */
export function fairnessMetricTitle(metric: string, terms?: OutcomeTerms): string {
  if (!favoursNegative(terms)) return metricTitle(metric);
  const l = labelWords(terms.label);
  const named = FAVOURABLE_NAMED_TITLES[metric];
  if (named) return named(l);
  const base = FAVOURABLE_BASE_TITLES[metric as MetricName];
  if (base) return base(l);
  for (const [suffix, words] of SUFFIXES) {
    if (metric.endsWith(suffix)) {
      const title = FAVOURABLE_BASE_TITLES[metric.slice(0, -suffix.length) as MetricName];
      if (title) return `${title(l)}, ${words}`;
    }
  }
  return metricTitle(metric);
}

/** Column-header name of a base metric in a per-group table: metricShortTitle, naming the favourable class when it is negative. */
export function fairnessShortTitle(metric: MetricName, terms?: OutcomeTerms): string {
  if (!favoursNegative(terms)) return metricShortTitle(metric);
  const short = FAVOURABLE_SHORT_TITLES[metric];
  return short ? short(labelWords(terms.label)) : fairnessMetricTitle(metric, terms);
}
