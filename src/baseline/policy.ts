/**
 * The `baseline` section of the policy (issue #6), defaults filled in. Shape: policies/schema.json $defs/baseline.
 *
 * baseline:
 *   enabled: true
 *   max_regression:                   # metric -> largest allowed worsening versus the base model
 *     roc_auc: 0.01                   # may not drop by more than 0.01
 *     brier: 0.005                    # may not rise by more than 0.005
 *     demographic_parity_ratio: 0.02  # per sensitive attribute, may not fall by more than 0.02
 *     equalized_odds_difference: { max: 0.02, attributes: [sex], rule: interval }
 *   metrics: [accuracy]               # extra rows for the before/after table
 *   dataset: pr                       # pr | base: which dataset both models are scored on when the PR changed it
 *   max_model_bytes: 1073741824
 */
import type { Policy, Threshold } from '../policy/types.js';

export interface RegressionLimit {
  metric: string;
  /** Largest allowed worsening. */
  max: number;
  attributes?: string[];
  method?: 'between_groups' | 'to_overall';
  agg?: 'worst_case' | 'mean';
  /** The threshold object handed to makeCheckResults ({ max, rule, on_insufficient, severity }). */
  threshold: Threshold;
  /** True when the policy wrote a bare number (the threshold's own position is then the metric key). */
  shorthand: boolean;
}

export interface BaselineSettings {
  enabled: boolean;
  limits: RegressionLimit[];
  extraMetrics: string[];
  dataset: 'pr' | 'base';
  maxModelBytes: number;
}

type LimitObject = {
  max: number;
  attributes?: string[];
  method?: 'between_groups' | 'to_overall';
  agg?: 'worst_case' | 'mean';
  rule?: 'point' | 'interval';
  on_insufficient?: 'fail' | 'warn' | 'pass';
  severity?: 'error' | 'warning';
};

export const DEFAULT_MAX_BASE_MODEL_BYTES = 1024 * 1024 * 1024;

export function resolveBaselineSettings(policy: Pick<Policy, 'baseline'>): BaselineSettings {
  const b = (policy.baseline ?? {}) as {
    enabled?: boolean;
    max_regression?: Record<string, number | LimitObject>;
    metrics?: string[];
    dataset?: 'pr' | 'base';
    max_model_bytes?: number;
  };
  const limits: RegressionLimit[] = Object.entries(b.max_regression ?? {}).map(([metric, v]) => {
    if (typeof v === 'number') return { metric, max: v, threshold: { max: v }, shorthand: true };
    const threshold: Threshold = { max: v.max };
    if (v.rule) threshold.rule = v.rule;
    if (v.on_insufficient) threshold.on_insufficient = v.on_insufficient;
    if (v.severity) threshold.severity = v.severity;
    const limit: RegressionLimit = { metric, max: v.max, threshold, shorthand: false };
    if (v.attributes) limit.attributes = v.attributes;
    if (v.method) limit.method = v.method;
    if (v.agg) limit.agg = v.agg;
    return limit;
  });
  return {
    enabled: b.enabled ?? true,
    limits,
    extraMetrics: b.metrics ?? [],
    dataset: b.dataset ?? 'pr',
    maxModelBytes: b.max_model_bytes ?? DEFAULT_MAX_BASE_MODEL_BYTES,
  };
}
