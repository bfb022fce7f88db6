/**
 * What each rule (one metric gated by the policy) means, why it matters and how to fix a breach: the help text of
 * SARIF rules and of the "how to fix" notes in the summary. Static, trusted text (no data in it).
 *
 * Rules are `<section>/<metric>` (CheckResult.ruleId). Known metrics have hand-written help; fairness metrics built
 * from a base metric (`<metric>_difference`, `_ratio`, `_group_min`, `_group_max`) get help composed from the base;
 * robustness and explainability rules have their own entries (ROBUSTNESS, EXPLAINABILITY: every `metric` their
 * engines pass to makeCheckResults); baseline rules (`baseline/<performance or fairness metric>`) get regression help
 * composed from the metric's text. Any other rule gets a generic text built from its name.
 */
import { higherIsBetter } from '../baseline/direction.js';
import { DATA_RULES } from './data-rule-help.js';

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

/** A rule with hand-written text in every part (robustness and explainability rules). */
interface RuleText {
  title: string;
  definition: string;
  why: string;
  fix: string;
}

const ROBUSTNESS_FIX =
  'Open the robustness section of the job summary or HTML report: which attack, at which budget, flips which rows and ' +
  'groups. Check that the policy’s constraints are realistic (immutable features, bounds, one-hot groups): an attack ' +
  'that changes what a person cannot change is not a real risk. Then make the decision less brittle: regularise or ' +
  'smooth the model (fewer, shallower trees; weight decay), train with noise or adversarial augmentation on the mutable ' +
  'features, drop features that only add fragile signal, or move the decision threshold away from dense score regions.';

const ROBUSTNESS: Record<string, RuleText> = {
  attack_success_rate: {
    title: 'Attack success rate',
    definition:
      'Share of the correctly classified attacked rows whose decision an attack flipped with a perturbation within the ' +
      'budget (ε in per-feature standard deviations or raw units; for the categorical attack, the number of changed ' +
      'categorical features), respecting the feature constraints of the policy.',
    why: 'A high rate means small, plausible changes to an application change the decision: the model can be gamed, and its decisions are unstable for people near the boundary.',
    fix: ROBUSTNESS_FIX,
  },
  accuracy_under_attack: {
    title: 'Accuracy under attack',
    definition: 'Share of the attacked rows still classified correctly after the attack within the budget (rows the model already gets wrong stay wrong).',
    why: 'It is the accuracy an adversary (or noisy data entry) leaves the model with.',
    fix: ROBUSTNESS_FIX,
  },
  accuracy_drop: {
    title: 'Accuracy drop under attack',
    definition: 'Accuracy of the model on the attacked rows before the attack minus its accuracy after it, at the budget.',
    why: 'A large drop for a small perturbation means the accuracy measured on clean data overstates what the model delivers on slightly different inputs.',
    fix: ROBUSTNESS_FIX,
  },
  median_perturbation: {
    title: 'Median minimal perturbation',
    definition:
      'Median, over all correctly classified attacked rows, of the smallest perturbation the attack found that flips the ' +
      'decision (rows never flipped count as infinite), in the attack’s norm and units.',
    why: 'It is the typical distance from a row to the decision boundary: a small value means most decisions rest on a knife edge.',
    fix: ROBUSTNESS_FIX,
  },
  ks_adversarial: {
    title: 'KS statistic, original vs adversarial scores',
    definition: 'Two-sample Kolmogorov-Smirnov statistic between the score distribution of the attacked rows before and after the attack at the budget.',
    why: 'A large shift means the attack moves the whole score distribution, not just a few rows near the threshold; score-based uses (rankings, pricing) are affected too.',
    fix: ROBUSTNESS_FIX,
  },
  robustness_disparity: {
    title: 'Robustness disparity between groups',
    definition:
      'Largest minus smallest attack success rate over the groups of a sensitive attribute (groups with at least ' +
      'min_group_size correctly classified attacked rows), at the budget.',
    why: 'When the model is easier to attack for one group than for another, that group’s decisions are less stable: a fairness harm even when accuracy is equal.',
    fix:
      'Open the per-group robustness table to see which group is most vulnerable and whether it has enough rows. Look for ' +
      'features whose scale or sparsity differs between groups, and for groups that sit closer to the decision boundary; ' +
      'rebalance the training data or regularise, then re-run the battery.',
  },
  noise_flip_rate: {
    title: 'Decision flip rate under random noise',
    definition:
      'Share of (row, noise draw) pairs whose decision changes when Gaussian noise of the given strength (per-feature ' +
      'standard deviations) is added to the mutable numeric features.',
    why: 'Random noise is what measurement error and data-entry mistakes do: decisions that flip under it are not reproducible.',
    fix: ROBUSTNESS_FIX,
  },
  noise_flip_rate_disparity: {
    title: 'Flip-rate disparity under random noise',
    definition: 'Largest minus smallest decision flip rate under random noise over the groups of a sensitive attribute with enough rows.',
    why: 'Noise that flips one group’s decisions more often than another’s makes the model less reliable for that group.',
    fix:
      'Open the per-group robustness table to see which group flips most; check whether its rows sit closer to the ' +
      'threshold or depend on noisier features, and regularise or recalibrate the model.',
  },
  counterfactual_flip_rate: {
    title: 'Counterfactual flip rate',
    definition:
      'Share of rows whose decision changes when only the sensitive attribute is changed to another of its values (for a ' +
      'numeric attribute such as age: moved to each other bin), everything else unchanged.',
    why: 'A decision that changes with a person’s sex, race or age alone is direct discrimination on that attribute (counterfactual unfairness), whatever the aggregate fairness metrics say.',
    fix:
      'Remove the sensitive attribute from the model’s inputs (and check its proxies in the explainability section), or ' +
      'constrain the model so the attribute cannot move the score; retrain and re-run the counterfactual test.',
  },
  worst_case_success_rate: {
    title: 'Worst-case attack success rate',
    definition:
      'Share of the correctly classified attacked rows that at least one attack of the norm (score-based, decision-based) ' +
      'flipped within the budget ε: per row, the worst case over the attacks. Shown next to the share certified robust ' +
      '(where the model allows a certificate) and what is unknown between the two.',
    why: 'Each attack alone under-counts; the rows any attack flips are what an adversary with all of them achieves.',
    fix: ROBUSTNESS_FIX,
  },
  robust_accuracy: {
    title: 'Robust accuracy',
    definition: 'Share of the attacked rows that are classified correctly and that no attack of the norm flips within the budget ε.',
    why: 'It is the accuracy that survives the strongest attack the battery has, row by row.',
    fix: ROBUSTNESS_FIX,
  },
  counterfactual_mean_abs_score_change: {
    title: 'Counterfactual mean |Δscore|',
    definition: 'Mean absolute change of the score when only the sensitive attribute is changed to another of its values.',
    why: 'Even without flipping decisions, a score that moves with the sensitive attribute changes rankings, prices and limits set from it.',
    fix:
      'Remove the sensitive attribute from the model’s inputs (and check its proxies in the explainability section), or ' +
      'constrain the model so the attribute cannot move the score; retrain and re-run the counterfactual test.',
  },
};

const EXPLAINABILITY_FIX =
  'Open the explainability section: the ranked importance table marks sensitive attributes and their proxies with the ' +
  'association measured. Remove the sensitive column from the model’s inputs, or remove or transform the proxy (coarser ' +
  'categories, a feature that carries the legitimate signal without the association), retrain, and check that the ' +
  'ranking and the fairness metrics move as intended. Raising top_k or the proxy thresholds needs a documented reason.';

/** How every explainability gate's range is formed and used (issue #9). */
const EXPLAINABILITY_RANGE =
  'The value comes with a range (at the policy’s statistics level) over bootstrap resamples of the explained rows and ' +
  'of the background (re-drawn for TreeSHAP, its rows resampled for KernelSHAP): a range that reaches both sides of the ' +
  'limit makes the check inconclusive ' +
  '(insufficient evidence, per on_insufficient) instead of letting the seed decide; a range wholly on one side decides ' +
  'as the value does. More explained rows (explainability.rows) and a larger background narrow it.';

const EXPLAINABILITY: Record<string, RuleText> = {
  sensitive_rank: {
    title: 'Importance rank of a sensitive attribute',
    definition:
      'Rank (1 = most important) of the sensitive attribute’s raw column in the global importance: mean |SHAP| over the ' +
      'explained rows (TreeSHAP for tree ensembles, KernelSHAP otherwise). A column the model does not see ranks last. ' +
      '`min: 6` means the column must not be among the 5 most important features; `max: 3` that it must be among the 3 ' +
      'most important. ' +
      EXPLAINABILITY_RANGE,
    why: 'A sensitive attribute near the top of the ranking means the model’s decisions lean on it directly.',
    fix: EXPLAINABILITY_FIX,
  },
  sensitive_share: {
    title: 'Share of importance of a sensitive attribute',
    definition: 'Mean |SHAP| of the sensitive attribute’s raw column divided by the sum of mean |SHAP| over all columns. ' + EXPLAINABILITY_RANGE,
    why: 'It measures how much of the model’s behaviour the sensitive attribute explains, independent of how many other features there are.',
    fix: EXPLAINABILITY_FIX,
  },
  proxies_in_top_k: {
    title: 'Proxies of a sensitive attribute in the top k',
    definition:
      'Number of features among the k most important that are strongly associated with the sensitive attribute ' +
      '(Cramér’s V for categorical features, the correlation ratio for numeric ones, or normalised mutual information; ' +
      'thresholds in the policy). The message names each proxy with its rank and association, and the strongly ' +
      'associated features ranked just below the top k whose range reaches into it. ' +
      EXPLAINABILITY_RANGE,
    why: 'Dropping a sensitive column does not help when the model relies on a stand-in for it (e.g. relationship for sex): proxies carry the same discrimination.',
    fix: EXPLAINABILITY_FIX,
  },
  stability: {
    title: 'Stability of the importance ranking',
    definition:
      'Spearman rank correlation between the global importance computed on two halves of the explained rows (or from ' +
      'two background samples drawn with different seeds). ' +
      EXPLAINABILITY_RANGE,
    why: 'An unstable ranking cannot support the other explainability gates: the sensitive attribute’s rank would depend on which rows were explained.',
    fix:
      'Explain more rows (explainability.rows), use a larger background, or give KernelSHAP more coalitions ' +
      '(kernel_shap.samples); if the ranking stays unstable, the model relies on many weak, interchangeable features.',
  },
};

/** A performance or fairness metric's title and definition, for the baseline's regression rules. */
function metricTextOf(metric: string): { title: string; definition: string } | undefined {
  const m = METRICS[metric] ?? FAIRNESS[metric];
  if (m) return m;
  for (const [suffix, compose] of SUFFIXES) {
    const base = metric.endsWith(suffix) ? METRICS[metric.slice(0, -suffix.length)] : undefined;
    if (base) return compose(base);
  }
  return undefined;
}

const BASELINE_FIX =
  'Read the before/after table in the PR comment or job summary: the change, its paired confidence interval and whether ' +
  'it is significant. If the regression is real, find what changed between the base branch’s model and this one ' +
  '(training data, features, hyper-parameters, threshold) and fix it; if it is an intended trade-off, raise ' +
  'baseline.max_regression for this metric in the policy with a reviewer who owns the model risk.';

function baselineHelp(name: string, metric: string): RuleHelp | undefined {
  const m = metricTextOf(metric);
  if (!m) return undefined;
  // The same direction the baseline stage uses to call a change a regression.
  const better = higherIsBetter(metric);
  const word = better === true ? 'drop' : better === false ? 'rise' : 'change';
  return {
    name,
    short: `The ${word} of ${m.title.startsWith('Brier') ? m.title : lowerFirst(m.title)} against the base branch’s model is larger than the policy allows.`,
    full:
      `${m.title}, regression against the base branch’s model: the pull request’s model and the base model are scored on ` +
      `the same rows and the worsening of the metric (its ${word}; for fairness metrics, per sensitive attribute) is compared ` +
      `with baseline.max_regression, with a paired bootstrap interval. ${m.title}: ${m.definition}`,
    why: 'A model can clear every absolute threshold and still be worse than the one it replaces; reviewers need to know whether this pull request makes things worse.',
    fix: BASELINE_FIX,
    tags: ['model-risk', 'baseline'],
  };
}

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
export function ruleHelp(ruleId: string, opts: RuleHelpOptions = {}): RuleHelp {
  const help = ruleHelpOf(ruleId);
  // dataset.favourable: negative — the fairness (and fairness baseline) rules read the favourable (negative) class
  const { section, metric } = sectionOf(ruleId);
  const fairness = section === 'fairness' || (section === 'baseline' && (FAIRNESS[metric] !== undefined || SUFFIXES.some(([s]) => metric.endsWith(s))));
  if (opts.favourable === 'negative' && fairness) return { ...help, full: `${help.full} ${FAVOURABLE_NEGATIVE}` };
  return help;
}

export interface RuleHelpOptions {
  /** The report's favourable outcome (report.dataset.favourable.outcome); 'negative' adds how fairness rules read it. */
  favourable?: 'positive' | 'negative';
}

const FAVOURABLE_NEGATIVE =
  'Here the positive class is the adverse outcome (dataset.favourable: negative), so the metric is computed on the ' +
  'favourable (negative) class, as fairlearn with pos_label set to it: the selection rate is the rate of favourable ' +
  'decisions (1 − the adverse-outcome rate), the true and false positive rates are those of the favourable class, and ' +
  'the group with the lowest selection rate is the group flagged adverse most.';

function ruleHelpOf(ruleId: string): RuleHelp {
  if (ruleId === 'model-artifact') {
    return {
      name: 'ModelArtifact',
      short: 'The model file asks for something unsafe or unusual when loaded.',
      full: 'The artifact scan reads the model file as data before it is used: pickle globals outside the allowlist, unknown classes, ONNX custom operator domains, external data and oversized tensors are findings.',
      why: 'A pickle runs code chosen by whoever wrote it when Python loads it; an ONNX file can ask the runtime for custom operator libraries or for data files outside the repository. Either way the pull request decides what runs on the machines that load the model.',
      fix: 'Save the model without the flagged content (plain scikit-learn estimators, no lambdas or custom functions; ONNX with weights inside and standard operators), or export it to ONNX with skl2onnx.',
      tags: ['security', 'model-risk', 'supply-chain'],
    };
  }
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
  if (section === 'robustness' || section === 'explainability') {
    const r = (section === 'robustness' ? ROBUSTNESS : EXPLAINABILITY)[metric];
    if (r) {
      return {
        name,
        short: `${r.title} is outside the policy threshold.`,
        full: `${r.title}: ${r.definition}`,
        why: r.why,
        fix: r.fix,
        tags: ['model-risk', section],
      };
    }
  }
  if (section === 'baseline') {
    const b = baselineHelp(name, metric);
    if (b) return b;
  }
  if (section === 'data' && DATA_RULES[metric]) {
    const d = DATA_RULES[metric];
    return { name, short: `${d.title} is outside the policy threshold.`, full: `${d.title}: ${d.definition}`, why: d.why, fix: d.fix, tags: ['model-risk', 'data'] };
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
