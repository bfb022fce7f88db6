/**
 * The Report: plain JSON, the single source of truth between checks and renderers. Versioned; documented by
 * policies/report.schema.json. Renderers show only what is here and compute nothing.
 */
import type { AttributeResult, PerformanceResult } from '../metrics/types.js';
import type { BaselineReport } from '../baseline/types.js';
import type { ModelInfo } from '../model/types.js';

export const REPORT_SCHEMA_VERSION = 1;

export interface FileFingerprint {
  path: string;
  sha256: string;
  bytes: number;
}

export interface PolicyLocation {
  /** Policy file path relative to the workspace (SARIF/annotation anchor). */
  file: string;
  line: number;
  column: number;
}

export interface Interval {
  low: number;
  high: number;
  /** e.g. 0.95 */
  level: number;
  /** 'wilson' | 'clopper-pearson' | 'bootstrap-percentile' | 'bootstrap-bca' | ... */
  method: string;
  /** True when the bounds are whole numbers by construction (a rank's or a count's range): shown without decimals. */
  integer?: boolean;
}

/**
 * What the evidence says (the outcome model, README "Outcomes"):
 * - pass / fail: decided (by the point value under rule 'point', by the whole CI under rule 'interval');
 * - insufficient: the data cannot decide (a group or class too small, a value undefined, under rule 'interval' a CI
 *   that straddles the limit and is wider than inconclusive_width); outcome per on_insufficient (default warn);
 * - not-run: the check was cut off (time budget) or could not be computed; outcome per on_not_run (default fail), so a
 *   check that did not run never turns a breach into a green gate unless the policy opts into warn.
 */
export type CheckStatus = 'pass' | 'fail' | 'insufficient' | 'not-run';

/** How a check's status was decided (issue #6; written by src/checks/result.ts, updated by src/stats/correction.ts). */
export interface CheckEvidence {
  /** Verdict rule asked for: 'point' (compare the value) or 'interval' (fail only when the whole CI is beyond). */
  rule: 'point' | 'interval';
  /** What the decision rested on ('interval' asked without an interval falls back to 'point'). */
  basis: 'point' | 'interval';
  /** A CI containing the threshold and wider than this (metric units) is insufficient evidence. */
  inconclusiveWidth: number;
  onInsufficient: 'fail' | 'warn' | 'pass';
  /** Effect of status not-run (statistics.on_not_run, default fail). */
  onNotRun?: 'fail' | 'warn';
  /** Why the status is insufficient: 'data' (too few rows/cases), 'inconclusive' (rule 'interval': a wide CI straddles the limit), 'multiple-testing'. */
  insufficientKind?: 'data' | 'inconclusive' | 'multiple-testing';
  severity: 'error' | 'warning';
  /** One-sided p-value of a breach: H0 "the true value meets the threshold" (from the interval's method). */
  pValue?: number;
  /** pValue after the multiple-testing correction, when the policy asks for one. */
  adjustedPValue?: number;
  correction?: 'holm' | 'benjamini-hochberg';
  /** The family the correction ran over ('performance/roc_auc', 'fairness', 'all') and its size. */
  family?: string;
  familySize?: number;
  /** Share of bootstrap resamples on which the metric was undefined. */
  undefinedShare?: number;
  /** Bootstrap standard error of the value. */
  standardError?: number;
}
export type CheckOutcome = 'pass' | 'warn' | 'fail';
export type CheckSection = 'performance' | 'fairness' | 'robustness' | 'explainability' | 'baseline' | 'data';

export interface CheckResult {
  /** Stable id, used for SARIF rule/fingerprint: 'performance/roc_auc', 'fairness/demographic_parity_ratio/sex'. */
  id: string;
  /** Rule id shared by every scope of one metric: 'performance/roc_auc', 'fairness/demographic_parity_ratio'. */
  ruleId: string;
  section: CheckSection;
  metric: string;
  /** Human title: 'ROC AUC', 'Demographic parity ratio (sex)'. Plain text; renderers escape. */
  title: string;
  /** Attribute / group / feature this result is about, when any. */
  scope?: string;
  value: number | null;
  interval?: Interval;
  threshold: { kind: 'min' | 'max'; value: number };
  /** What the evidence says. */
  status: CheckStatus;
  /** Effect on the verdict (policy decides what 'insufficient' and warnings do). */
  outcome: CheckOutcome;
  /** Signed distance to the threshold, positive = on the passing side (value - min, or max - value); null if no value. */
  margin: number | null;
  /** One line of plain text explaining the result (names the value, threshold and, when not passing, why). */
  message: string;
  /** Position of the threshold in the policy file. */
  location: PolicyLocation;
  /** Extra plain data for renderers (e.g. the worst group), JSON only. */
  details?: Record<string, unknown>;
  /** Issue #6: the verdict rule, p-value and correction behind `status`. */
  evidence?: CheckEvidence;
}

export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'model-risk-gate'; version: string };
  /** ISO time of the run: the only field allowed to differ between two runs on the same inputs. */
  createdAt: string;
  verdict: 'pass' | 'fail';
  /** Counts of outcomes. */
  summary: { checks: number; passed: number; failed: number; warned: number; insufficient: number; notRun?: number };
  /** The time budget and where it was spent (issue #9): exhausted names the stage that ran out of time. */
  budget?: { ms: number; exhausted?: string };
  seed: number;
  policy: FileFingerprint & { name?: string };
  model: FileFingerprint & {
    info: Omit<ModelInfo, 'file' | 'sha256' | 'bytes'>;
  };
  dataset: FileFingerprint & {
    rows: number;
    columns: number;
    label: string;
    positiveLabel: string;
    positives: number;
    /**
     * The favourable outcome (policy dataset.favourable; absent in older reports = the positive class). When it is the
     * negative class, `fairness` and every fairness check are on the favourable class; `performance` stays positive.
     */
    favourable?: { outcome: 'positive' | 'negative'; label: string; adverseLabel: string };
  };
  /** Decision threshold used for y_pred. */
  threshold: number;
  minGroupSize: number;
  checks: CheckResult[];
  performance: PerformanceResult;
  fairness: AttributeResult[];
  /** Issue #3. */
  robustness?: import('../checks/robustness/types.js').RobustnessReport;
  /** Issue #4. */
  explainability?: import('../checks/explainability/types.js').ExplainabilityReport;
  /** Issue #6: the pull request's model against the base branch's model (src/baseline/types.ts). */
  baseline?: BaselineReport;
  /** What the pull request changes in the policy against its base commit (absent when there is no base to compare). */
  policyChanges?: import('../baseline/policy-changes.js').PolicyComparison;
  /** Issue #13: checks on the data before the model (drift, integrity, leakage, representation). */
  data?: import('../checks/data/types.js').DataReport;
  /** Plain-text notes shown in every renderer (warnings about the model, data, skipped checks). */
  notes: string[];
  /** Wall time per stage in ms (not part of determinism). */
  timings: Record<string, number>;
}
