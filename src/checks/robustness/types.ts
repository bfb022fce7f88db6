/**
 * The robustness section of the Report (issue #3): plain JSON, aggregates only (example rows only when
 * policy.report.include_examples is true). Renderers show what is here and compute nothing.
 *
 * Vocabulary:
 * - attacked rows: a sample of the dataset stratified by label (`rows` in the policy);
 * - correct rows: attacked rows the model classifies correctly; attack success rate = flipped correct rows / correct rows;
 * - accuracy under attack = rows still classified correctly after the attack / attacked rows (rows the model already
 *   gets wrong stay wrong: the attacker leaves them alone);
 * - perturbation: the norm of (adversarial − original) over the numeric features, in the policy's units
 *   ('std': each feature's change divided by its standard deviation in the data; 'raw': feature units); for the
 *   categorical attack, the number of categorical features changed; for noise, the noise strength.
 */
import type { CurvePoint } from '../../metrics/types.js';

export type AttackNorm = 'linf' | 'l2';
export type PerturbationMeasure = AttackNorm | 'l0' | 'strength';
export type AttackKind = 'noise' | 'score_attack' | 'decision_attack' | 'categorical_attack';
/** Why an attack (or the whole battery) stopped before it was done. */
export type StopReason = 'deadline' | 'query_budget';

export interface EcdfCurves {
  /**
   * Empirical CDF of the scores of the original rows: x = score, y = F(score); at most 200 points for the largest
   * budget of an attack and 60 for the others; coordinates rounded to 6 significant digits.
   */
  original: CurvePoint[];
  /** Empirical CDF of the scores of their attacked versions. */
  adversarial: CurvePoint[];
}

export interface KsComparison {
  /** Two-sample KS statistic between the original and the adversarial score distributions (null without rows). */
  statistic: number | null;
  /** Score at which the two CDFs are farthest apart. */
  at: number | null;
  curves: EcdfCurves;
}

export interface Distribution {
  count: number;
  median: number | null;
  mean: number | null;
  min: number | null;
  max: number | null;
  /** Quantiles (linear interpolation) at 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95. */
  quantiles: Record<string, number>;
}

export interface GroupRobustness {
  /** Group key ('Female', 'Female|<25'). */
  key: string;
  rows: number;
  correct: number;
  successes: number;
  /** successes / correct; null when the group has no correct row. */
  successRate: number | null;
  /** Attacked rows (correct or not) whose decision changed / rows. */
  flipRate: number | null;
  accuracyUnderAttack: number | null;
  /** Median perturbation over the group's successful rows. */
  medianPerturbation: number | null;
  /** KS statistic between the group's original and attacked scores (null without rows). */
  ks: number | null;
  /** correct >= min_group_size; only sufficient groups enter the disparity. */
  sufficient: boolean;
  insufficientReason?: string;
}

export interface GroupingRobustness {
  /** Grouping name ('sex', 'sex_x_age_bin'). */
  grouping: string;
  groups: GroupRobustness[];
  /** Max minus min success rate over the sufficient groups; null with fewer than two. */
  disparity: number | null;
  /** Max minus min flip rate over the sufficient groups (the noise test's disparity); null with fewer than two. */
  flipRateDisparity: number | null;
  /** Groups with the highest / lowest success rate (sufficient groups only). */
  mostVulnerable: string | null;
  leastVulnerable: string | null;
}

/** Results of one attack at one budget (an ε of a norm, a noise strength, a number of categorical changes). */
export interface BudgetResult {
  /** ε (score attack, decision attack), strength (noise), maximum changes (categorical). */
  budget: number;
  rows: number;
  correct: number;
  /** Correct rows flipped within the budget. */
  successes: number;
  successRate: number | null;
  /** Accuracy of the model on the attacked rows before the attack. */
  accuracyOriginal: number | null;
  accuracyUnderAttack: number | null;
  /** accuracyOriginal − accuracyUnderAttack. */
  accuracyDrop: number | null;
  /** Fraction of all attacked (row, repeat) pairs whose decision changed (noise: also rows the model got wrong). */
  flipRate: number | null;
  /** Mean |score(adversarial) − score(original)| over the attacked rows. */
  meanAbsScoreChange: number | null;
  ks: KsComparison;
  groups: GroupingRobustness[];
}

export interface AttackResult {
  /** Stable key: 'noise', 'score_attack/linf', 'score_attack/l2', 'decision_attack/l2', 'categorical_attack'. */
  key: string;
  kind: AttackKind;
  /** Plain-text title ('Score-based attack (L∞, NES gradient)'). */
  title: string;
  /** How perturbations are measured. */
  measure: PerturbationMeasure;
  /** 'std' | 'raw' for norms; 'features' for l0; 'std' | 'raw' for noise strength. */
  units: string;
  /** One entry per budget, ascending. */
  budgets: BudgetResult[];
  /** Smallest perturbation found per successful correct row (over every budget). */
  perturbation: Distribution;
  /**
   * Median over ALL correct rows of the smallest perturbation found, rows without any counting as +∞: when fewer than
   * half flipped, the median is only known to exceed `value` (the largest size searched), and lowerBound is true.
   */
  medianPerturbation: { value: number; lowerBound: boolean } | null;
  /** Fraction of correct rows flipped with a perturbation <= x (x = every budget and every found perturbation). */
  successCurve: CurvePoint[];
  /** Model rows scored by this attack. */
  queries: number;
  /** onnxruntime batches (score calls) and the mean rows per call: every step is one call. */
  calls: number;
  meanRowsPerCall: number;
  /** Null when the attack ran to completion. */
  stopped: StopReason | null;
  /** Plain-text remarks (e.g. 'no mutable numeric feature: nothing to attack'). */
  notes: string[];
  /** Parameters actually used (steps, samples, gradient estimator, ...). */
  parameters: Record<string, number | string | boolean>;
  /** Only with policy.report.include_examples: a few successful adversarial examples as feature changes. */
  examples?: AdversarialExample[];
  /** Which features the successful examples (the smallest per flipped correct row) change, and by how much. */
  featureChanges?: FeatureChange[];
  /** Decision attack: correct rows for which no starting point flipped the decision (neither flipped nor robust). */
  noStart?: number;
}

/** How often and how far a feature is moved among successful adversarial examples. */
export interface FeatureChange {
  feature: string;
  kind: 'numeric' | 'categorical';
  /** Examples that change it, and their share of all examples counted. */
  examples: number;
  share: number;
  /** Numeric: mean and largest |change| in the policy's units over the examples that change it (null for categorical). */
  meanAbsChange: number | null;
  maxAbsChange: number | null;
}

/** The worst case over the attacks of one norm at one ε: a row counts as flipped when any attack flipped it. */
export interface WorstCaseBudget {
  epsilon: number;
  rows: number;
  correct: number;
  successes: number;
  successRate: number | null;
  /** Rows classified correctly and flipped by no attack / attacked rows. */
  robustAccuracy: number | null;
  /** Correct rows certified robust at ε (null without a certificate) and their share of the correct rows. */
  certified: number | null;
  certifiedRate: number | null;
  /** Correct rows neither flipped nor certified (null without a certificate). */
  unknown: number | null;
}

export interface WorstCaseResult {
  /** 'worst_case/linf' | 'worst_case/l2'. */
  key: string;
  norm: AttackNorm;
  units: string;
  /** Attacks combined (their keys). */
  attacks: string[];
  budgets: WorstCaseBudget[];
}

export interface CertificationResult {
  /** 'linear' (exact minimal perturbation), 'tree_interval' (interval bounds on tree ensembles) or 'none'. */
  method: 'linear' | 'tree_interval' | 'none';
  /** Per norm: whether the radii are exact minima (else sound lower bounds). */
  exact: Partial<Record<AttackNorm, boolean>>;
  /** Per norm: certified radius over the correct rows (+∞ = no perturbation in the constraints flips the row). */
  radius: Partial<Record<AttackNorm, Distribution & { unbounded: number }>>;
  notes: string[];
}

/** One attacked row under one attack (or the worst case of a norm). No feature values. */
export interface RowOutcome {
  /** Dataset row index (0-based). */
  row: number;
  /** Attack key ('score_attack/linf', ..., 'worst_case/linf'). */
  attack: string;
  correct: boolean;
  /** Flipped at the attack's largest budget. */
  flipped: boolean;
  /** Smallest perturbation found (null: none), 6 significant digits. */
  perturbation: number | null;
  /** 'no_start': the decision attack found no starting point (not shown robust either). */
  status: 'flipped' | 'not_flipped' | 'no_start' | 'not_attacked';
  /** Worst-case entries with a certificate: certified radius (null: +∞ or not certified). */
  certified?: number | null;
}

/** A relation between features in force (issue #14). */
export interface RelationInfo {
  kind: 'functional' | 'combination' | 'less_equal' | 'sum';
  features: string[];
  source: 'learned' | 'policy';
  /** Functional: allowed value pairs; combination: allowed combinations. */
  values?: number;
  /** Combination: combinations ruled out (learned pairs: never seen although independence predicts >= 5 rows). */
  excluded?: number;
}

export interface AdversarialExample {
  row: number;
  scoreOriginal: number;
  scoreAdversarial: number;
  perturbation: number;
  changes: Array<{ feature: string; from: number | string; to: number | string }>;
}

export interface CounterfactualGroup {
  /** The attribute's value on the original rows (group key). */
  key: string;
  rows: number;
  /** Rows whose decision changes for at least one other value of the attribute. */
  flipRate: number | null;
  meanAbsScoreChange: number | null;
  /** Mean signed change score(counterfactual) − score(original). */
  meanScoreChange: number | null;
}

export interface CounterfactualTransition {
  from: string;
  to: string;
  pairs: number;
  flipRate: number | null;
  meanScoreChange: number | null;
}

export interface CounterfactualResult {
  /** Sensitive attribute name (policy.sensitive[].name). */
  attribute: string;
  column: string;
  /** Model feature that carries it ('sex' one-hot group, string input 'sex', numeric 'age'); null if the model does not see it. */
  feature: string | null;
  /** 'category' (other categories) | 'bins' (numeric value moved to the median of each other bin) | 'none'. */
  method: 'category' | 'bins' | 'none';
  /** Values tried: the categories, or per bin the value used. */
  values: Array<{ key: string; value: string | number }>;
  rows: number;
  pairs: number;
  /** Fraction of rows whose decision changes for at least one other value. */
  flipRate: number | null;
  /** Fraction of (row, other value) pairs whose decision changes. */
  pairFlipRate: number | null;
  meanAbsScoreChange: number | null;
  maxAbsScoreChange: number | null;
  groups: CounterfactualGroup[];
  transitions: CounterfactualTransition[];
  queries: number;
  stopped: StopReason | null;
  notes: string[];
  /** Features changed with the attribute to keep the rows consistent with the relations (rows changed, rows that could not be). */
  dependents?: Array<{ feature: string; changed: number; unresolved: number }>;
}

export interface FeatureConstraintSummary {
  feature: string;
  kind: 'numeric' | 'categorical';
  mutable: boolean;
  /** Why immutable: 'sensitive' | 'policy' | 'not in mutable' | 'constant' | 'more than 500 values'. */
  reason?: string;
  /** Numeric: bounds (null = unbounded), integer, direction, std (data), scale (units). */
  lower?: number | null;
  upper?: number | null;
  integer?: boolean;
  direction?: 'any' | 'increase' | 'decrease';
  std?: number;
  /** Categorical: number of values an attack may choose (seen in the data). */
  values?: number;
  /** Categorical: 'one-hot' (indicator group of a feature matrix) | 'string input'. */
  encoding?: string;
}

export interface RobustnessReport {
  seed: number;
  /** Positive-score threshold of the decisions being attacked. */
  threshold: number;
  units: 'std' | 'raw';
  bounds: 'data' | 'none';
  sample: { rows: number; positives: number; negatives: number; correct: number; method: string; datasetRows: number };
  constraints: FeatureConstraintSummary[];
  attacks: AttackResult[];
  counterfactual: CounterfactualResult[];
  /** Relations between features every candidate was projected onto. */
  relations?: RelationInfo[];
  /** Per norm: the worst case over the attacks of that norm, with certified shares where the model allows. */
  worstCase?: WorstCaseResult[];
  certification?: CertificationResult;
  /** Over all attacks: which features the successful examples change. */
  featureChanges?: FeatureChange[];
  /**
   * Per attacked row and attack (score, decision, categorical; noise is left out: its instances are random draws, not
   * attacks on a row) and per worst case: flipped, smallest perturbation, status (no raw values).
   */
  rowOutcomes?: RowOutcome[];
  /** Model rows scored by the whole battery. */
  queries: number;
  /** Null when everything ran; otherwise why the battery stopped early (results are partial). */
  stopped: StopReason | null;
  notes: string[];
}
