/**
 * What each rule (one metric gated by the policy) means, why it matters and how to fix a breach: the help text of
 * SARIF rules and of the "how to fix" notes in the summary. Static, trusted text (no data in it).
 *
 * Rules are `<section>/<metric>` (CheckResult.ruleId). Known metrics have hand-written help; fairness metrics built
 * from a base metric (`<metric>_difference`, `_ratio`, `_group_min`, `_group_max`) get help composed from the base;
 * any other rule (robustness, explainability, baseline: other issues) gets a generic text built from its title,
 * until its owner adds an entry to RULE_HELP.
 */

export interface RuleHelp {
  /** PascalCase identifier-like name (SARIF reportingDescriptor.name), e.g. 'PerformanceRocAuc'. */
  name: string;
  /** One sentence (SARIF shortDescription). */
  short: string;
  /** What the metric is, as a definition (SARIF fullDescription). */
  full: string;
  /** Why it matters. */
  why: string;
  /** How to fix a breach. */
  fix: string;
  tags: string[];
}

interface MetricText {
  title: string;
  definition: string;
  /** 'higher' when larger values are better. */
  better: 'higher' | 'lower' | 'closer-to-threshold';
  why: string;
}

const PERFORMANCE_FIX =
  'Compare this model with the one on the base branch on the same data; check the training data and features for ' +
  'leakage or drift, the positive label and the score output the policy names, and the decision threshold ' +
  '(model.threshold). Retrain or recalibrate, or, if the new value is intended, change the threshold in the policy ' +
  'with a reviewer who owns the model risk.';

const METRICS: Record<string, MetricText> = {
  count: { title: 'Rows', definition: 'Number of evaluation rows.', better: 'higher', why: 'Too few rows make every other number unreliable.' },
  base_rate: {
    title: 'Base rate',
    definition: 'Share of rows whose true label is the positive class: mean(y_true).',
    better: 'closer-to-threshold',
    why: 'A base rate far from the one the model was built for means the evaluation data is not the population it will score.',
  },
  selection_rate: {
    title: 'Selection rate',
    definition: 'Share of rows the model predicts positive at the decision threshold: mean(y_pred).',
    better: 'closer-to-threshold',
    why: 'It is how many people receive the positive decision; unexpected shifts change the business and the people affected.',
  },
  accuracy: {
    title: 'Accuracy',
    definition: 'Share of rows predicted correctly: (TP + TN) / n.',
    better: 'higher',
    why: 'Overall correctness; on imbalanced data read it next to balanced accuracy and recall.',
  },
  balanced_accuracy: {
    title: 'Balanced accuracy',
    definition: 'Mean of the true positive rate and the true negative rate: (TPR + TNR) / 2.',
    better: 'higher',
    why: 'Accuracy that is not inflated by always predicting the majority class.',
  },
  precision: {
    title: 'Precision',
    definition: 'Share of positive predictions that are correct: TP / (TP + FP) (0 when there are no positive predictions).',
    better: 'higher',
    why: 'Low precision means many people receive a positive decision they should not have.',
  },
  recall: {
    title: 'Recall',
    definition: 'Share of actual positives the model finds: TP / (TP + FN).',
    better: 'higher',
    why: 'Low recall means many true positives are missed.',
  },
  f1: {
    title: 'F1',
    definition: 'Harmonic mean of precision and recall: 2·P·R / (P + R).',
    better: 'higher',
    why: 'One number that falls when either precision or recall falls.',
  },
  true_positive_rate: {
    title: 'True positive rate',
    definition: 'TP / (TP + FN), the same as recall.',
    better: 'higher',
    why: 'Share of deserving cases that receive the positive decision.',
  },
  false_positive_rate: {
    title: 'False positive rate',
    definition: 'FP / (FP + TN).',
    better: 'lower',
    why: 'Share of negative cases wrongly given the positive decision.',
  },
  true_negative_rate: {
    title: 'True negative rate',
    definition: 'TN / (TN + FP) (specificity).',
    better: 'higher',
    why: 'Share of negative cases correctly rejected.',
  },
  false_negative_rate: {
    title: 'False negative rate',
    definition: 'FN / (FN + TP) = 1 - recall.',
    better: 'lower',
    why: 'Share of positive cases the model misses.',
  },
  mean_score: {
    title: 'Mean score',
    definition: 'Mean of the positive-class score.',
    better: 'closer-to-threshold',
    why: 'A calibrated model has a mean score close to the base rate.',
  },
  roc_auc: {
    title: 'ROC AUC',
    definition:
      'Area under the ROC curve: the probability that a random positive row scores higher than a random negative row ' +
      '(scikit-learn roc_auc_score; undefined when only one class is present).',
    better: 'higher',
    why: 'Ranking quality independent of the decision threshold; a drop means the model separates the classes worse.',
  },
  average_precision: {
    title: 'Average precision',
    definition: 'Area under the precision-recall curve as a step function (scikit-learn average_precision_score).',
    better: 'higher',
    why: 'Ranking quality that focuses on the positive class; informative on imbalanced data.',
  },
  brier: {
    title: 'Brier score',
    definition: 'Mean squared difference between the score and the true label: mean((score - y_true)²).',
    better: 'lower',
    why: 'Measures calibration and sharpness: scores used as probabilities must be close to observed frequencies.',
  },
  log_loss: {
    title: 'Log loss',
    definition: 'Mean negative log-likelihood of the true label under the score (scikit-learn log_loss).',
    better: 'lower',
    why: 'Penalises confident wrong scores heavily.',
  },
  ks: {
    title: 'KS statistic',
    definition:
      'Two-sample Kolmogorov-Smirnov statistic: the largest gap between the score distributions of actual positives and actual negatives.',
    better: 'higher',
    why: 'A standard separation measure in credit scoring.',
  },
};

interface FairnessText {
  title: string;
  definition: string;
  why: string;
}

const FAIRNESS: Record<string, FairnessText> = {
  demographic_parity_difference: {
    title: 'Demographic parity difference',
    definition:
      'Largest minus smallest selection rate (share predicted positive) across the groups of a sensitive attribute ' +
      '(fairlearn demographic_parity_difference; 0 = every group is selected at the same rate).',
    why: 'Groups receiving the positive decision at very different rates is the first sign of disparate impact.',
  },
  demographic_parity_ratio: {
    title: 'Demographic parity ratio',
    definition:
      'Smallest divided by largest selection rate across the groups of a sensitive attribute ' +
      '(fairlearn demographic_parity_ratio; 1 = parity). The "four-fifths rule" asks for at least 0.8.',
    why: 'A low ratio means one group is selected far less often than another (disparate impact).',
  },
  equalized_odds_difference: {
    title: 'Equalized odds difference',
    definition:
      'The larger of the true-positive-rate difference and the false-positive-rate difference between groups ' +
      '(fairlearn equalized_odds_difference; 0 = equal error rates).',
    why: 'Groups with different error rates bear different costs of the model’s mistakes.',
  },
  equalized_odds_ratio: {
    title: 'Equalized odds ratio',
    definition:
      'The smaller of the true-positive-rate ratio and the false-positive-rate ratio between groups ' +
      '(fairlearn equalized_odds_ratio; 1 = equal error rates).',
    why: 'Groups with different error rates bear different costs of the model’s mistakes.',
  },
  equal_opportunity_difference: {
    title: 'Equal opportunity difference',
    definition: 'Largest minus smallest true positive rate across groups (fairlearn; 0 = equal opportunity).',
    why: 'Deserving members of one group are recognised less often than those of another.',
  },
  equal_opportunity_ratio: {
    title: 'Equal opportunity ratio',
    definition: 'Smallest divided by largest true positive rate across groups (fairlearn; 1 = equal opportunity).',
    why: 'Deserving members of one group are recognised less often than those of another.',
  },
};

const FAIRNESS_FIX =
  'Open the per-group table of this attribute in the job summary to see which groups drive the gap, and whether they ' +
  'have enough rows. Check the training data for under-represented or mislabelled groups and for features that ' +
  'proxy the sensitive attribute; consider reweighting or resampling, a fairness-constrained learner, or ' +
  'group-aware post-processing of the threshold. Change the policy threshold only with a documented justification.';

const GENERIC_FIX =
  'Read the check’s message and the report for the measured value and what drives it; fix the model or data, or ' +
  'change the threshold in the policy with a documented justification.';

/** 'Selection rate' -> 'selection rate', but 'ROC AUC' and 'KS statistic' stay as they are. */
function lowerFirst(title: string): string {
  return /^[A-Z][a-z]/.test(title) ? title[0].toLowerCase() + title.slice(1) : title;
}

const SUFFIXES: Array<[string, (base: MetricText) => { title: string; definition: string }]> = [
  ['_difference', (b) => ({ title: `${b.title}, difference between groups`, definition: `Largest minus smallest ${lowerFirst(b.title)} across the groups of a sensitive attribute (fairlearn MetricFrame.difference()). ${b.definition}` })],
  ['_ratio', (b) => ({ title: `${b.title}, ratio between groups`, definition: `Smallest divided by largest ${lowerFirst(b.title)} across the groups of a sensitive attribute (fairlearn MetricFrame.ratio()). ${b.definition}` })],
  ['_group_min', (b) => ({ title: `${b.title}, lowest group`, definition: `Smallest ${lowerFirst(b.title)} over the groups of a sensitive attribute with enough rows. ${b.definition}` })],
  ['_group_max', (b) => ({ title: `${b.title}, highest group`, definition: `Largest ${lowerFirst(b.title)} over the groups of a sensitive attribute with enough rows. ${b.definition}` })],
];

/** 'performance/roc_auc' -> 'PerformanceRocAuc' */
export function ruleName(ruleId: string): string {
  const name = ruleId
    .split(/[^A-Za-z0-9]+/)
    .filter((p) => p.length > 0)
    .map((p) => p[0].toUpperCase() + p.slice(1))
    .join('');
  return name.length > 0 ? name : 'Rule';
}

function sectionOf(ruleId: string): { section: string; metric: string } {
  const slash = ruleId.indexOf('/');
  return slash < 0 ? { section: '', metric: ruleId } : { section: ruleId.slice(0, slash), metric: ruleId.slice(slash + 1) };
}

/**
 * Help for a rule. Rules without an entry get a generic text naming the metric with letters and digits only, so
 * that the result is safe in plain text and markdown alike.
 */
export function ruleHelp(ruleId: string): RuleHelp {
  const { section, metric } = sectionOf(ruleId);
  const name = ruleName(ruleId);
  if (section === 'performance' && METRICS[metric]) {
    const m = METRICS[metric];
    return {
      name,
      short: `${m.title} on the evaluation set is outside the policy threshold.`,
      full: `${m.title}: ${m.definition}`,
      why: m.why,
      fix: PERFORMANCE_FIX,
      tags: ['model-risk', 'performance'],
    };
  }
  if (section === 'fairness') {
    const f = FAIRNESS[metric];
    if (f) {
      return {
        name,
        short: `${f.title} across the groups of a sensitive attribute is outside the policy threshold.`,
        full: `${f.title}: ${f.definition}`,
        why: f.why,
        fix: FAIRNESS_FIX,
        tags: ['model-risk', 'fairness'],
      };
    }
    for (const [suffix, compose] of SUFFIXES) {
      const base = metric.endsWith(suffix) ? METRICS[metric.slice(0, -suffix.length)] : undefined;
      if (base) {
        const c = compose(base);
        return {
          name,
          short: `${c.title} is outside the policy threshold.`,
          full: `${c.title}: ${c.definition}`,
          why: `Differences between groups in ${lowerFirst(base.title)} mean the model does not serve every group equally well. ${base.why}`,
          fix: FAIRNESS_FIX,
          tags: ['model-risk', 'fairness'],
        };
      }
    }
  }
  const words = metric.replace(/[^A-Za-z0-9]+/g, ' ').trim();
  const title = words.length > 0 ? words[0].toUpperCase() + words.slice(1) : 'Check';
  const sectionWord = /^[a-z]+$/.test(section) ? section : 'model';
  return {
    name,
    short: `${title} is outside the policy threshold.`,
    full: `${title}: a ${sectionWord} check of model-risk-gate.`,
    why: `The policy requires this ${sectionWord} property of the model to stay within its threshold.`,
    fix: GENERIC_FIX,
    tags: sectionWord === 'model' ? ['model-risk'] : ['model-risk', sectionWord],
  };
}

/** The help as plain text (SARIF help.text). */
export function ruleHelpText(h: RuleHelp): string {
  return `${h.full}\n\nWhy it matters: ${h.why}\n\nHow to fix: ${h.fix}`;
}

/** The help as markdown (SARIF help.markdown). Every text in it is static or letters and digits only. */
export function ruleHelpMarkdown(h: RuleHelp): string {
  return `${h.full}\n\n**Why it matters.** ${h.why}\n\n**How to fix.** ${h.fix}`;
}
