/**
 * The `baseline` section of the Report (issue #6): the pull request's model against the base branch's model, scored
 * on the same rows. Everything the before/after table of the comment needs is here; renderers compute nothing.
 */
import type { Interval } from '../report/types.js';

export interface BaselineModelRef {
  /** Where the model came from, plain text: "base commit 1a2b3c4 (pull request base), models/credit.onnx". */
  source: string;
  sha256: string;
  bytes: number;
}

export type ChangeDirection = 'up' | 'down' | 'flat' | 'unknown';
export type ChangeEffect = 'better' | 'worse' | 'neutral' | 'unknown';

/** One row of the before/after table. */
export interface BaselineMetricChange {
  /** Stable key: 'roc_auc', 'demographic_parity_ratio/sex'. */
  id: string;
  metric: string;
  section: 'performance' | 'fairness';
  /** Sensitive attribute (fairness metrics). */
  scope?: string;
  /** Plain text: 'ROC AUC', 'Demographic parity ratio (sex)'. Renderers escape. */
  title: string;
  /** Value for the base model; null when it cannot be estimated. */
  before: number | null;
  /** Value for the pull request's model. */
  after: number | null;
  /** after - before; null when either is null. */
  delta: number | null;
  /** Paired bootstrap CI of delta (the same resampled rows for both models). */
  deltaInterval?: Interval;
  /** true: higher is better (roc_auc, *_ratio, ...); false: lower is better (brier, *_difference, ...); null: neither. */
  higherIsBetter: boolean | null;
  /** Sign of delta, for the arrow: up (↑), down (↓), flat (=), unknown (delta null). */
  direction: ChangeDirection;
  /** What the change means given higherIsBetter: better, worse, neutral (no direction or no change), unknown. */
  effect: ChangeEffect;
  /** The CI of delta excludes 0 (the change is more than resampling noise at the CI's level). */
  significant: boolean;
  /** Largest allowed worsening (policy baseline.max_regression), when gated. */
  maxRegression?: number;
  /** Id of the CheckResult that gates this change (section 'baseline'), when gated. */
  checkId?: string;
  /** Why a value is missing ("the base model outputs labels only"). */
  note?: string;
}

export interface BaselineReport {
  /**
   * compared: both models scored and compared; unchanged: the model bytes are identical to the base (not rescored,
   * every delta 0); incompatible: the base model could not be scored on this data (see notes).
   */
  status: 'compared' | 'unchanged' | 'incompatible';
  base: BaselineModelRef;
  current: { sha256: string; bytes: number };
  /** Rows both models were scored on. */
  rows: number;
  /** Rows whose decision (score >= threshold) differs between the models; null when not compared. */
  decisionsChanged: number | null;
  /** Which dataset both models were scored on, when the pull request changed it. */
  dataset?: string;
  /** How deltaInterval was computed; null when no interval (unchanged, or resamples 0). */
  interval: { level: number; resamples: number; method: string; seed: number } | null;
  metrics: BaselineMetricChange[];
}
