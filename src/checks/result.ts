/**
 * Turns a measured value and a policy threshold into a CheckResult. The single place where pass/fail is decided,
 * so that every section (performance, fairness, robustness, explainability, baseline) follows the same rule.
 */
import type { PolicyDocument, PolicyPointer, Threshold } from '../policy/types.js';
import type { CheckResult, CheckSection, Interval } from '../report/types.js';

export interface CheckInput {
  doc: PolicyDocument;
  section: CheckSection;
  metric: string;
  /** Stable id: `${section}/${metric}` plus `/${scope}` when scoped. */
  scope?: string;
  title: string;
  value: number | null;
  interval?: Interval;
  threshold: Threshold;
  /** Pointer to the threshold object in the policy, e.g. ['checks', 'performance', 'roc_auc']. */
  pointer: PolicyPointer;
  /** When set, the value could not be estimated reliably (small group, missing class): outcome per on_insufficient. */
  insufficientReason?: string;
  details?: Record<string, unknown>;
  /**
   * How to re-estimate the value on a resample (issue #6: confidence intervals). recompute(rows) evaluates the same
   * quantity on the given row indices (with repeats); strata gives a stratum code per row (label x group) for a
   * stratified bootstrap. proportion, when the value is a plain binomial rate, allows a Wilson/Clopper-Pearson interval.
   */
  estimate?: {
    recompute(rows: Uint32Array): number | null;
    strata: Int32Array;
    proportion?: { successes: number; trials: number };
  };
}

export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return Number(v.toFixed(digits)).toString();
}

export function makeCheckResults(input: CheckInput): CheckResult[] {
  const out: CheckResult[] = [];
  const { threshold } = input;
  if (threshold.min !== undefined) out.push(makeOne(input, 'min', threshold.min));
  if (threshold.max !== undefined) out.push(makeOne(input, 'max', threshold.max));
  return out;
}

function makeOne(input: CheckInput, kind: 'min' | 'max', limit: number): CheckResult {
  const { doc, section, metric, scope, value, threshold } = input;
  const ruleId = `${section}/${metric}`;
  const both = threshold.min !== undefined && threshold.max !== undefined;
  const id = `${ruleId}${scope !== undefined ? `/${scope}` : ''}${both ? `/${kind}` : ''}`;
  const loc = doc.locate([...input.pointer, kind]);
  const location = { file: loc.file, line: loc.line ?? 1, column: loc.column ?? 1 };
  const severity = threshold.severity ?? 'error';
  const op = kind === 'min' ? '≥' : '≤';
  const margin = value === null || Number.isNaN(value) ? null : kind === 'min' ? value - limit : limit - value;

  let status: CheckResult['status'];
  let reason = input.insufficientReason;
  if (reason === undefined && (value === null || Number.isNaN(value))) reason = 'the value is undefined on this data';
  if (reason !== undefined) status = 'insufficient';
  else status = (margin as number) >= 0 ? 'pass' : 'fail';

  let outcome: CheckResult['outcome'];
  if (status === 'pass') outcome = 'pass';
  else if (status === 'fail') outcome = severity === 'warning' ? 'warn' : 'fail';
  else {
    const on = threshold.on_insufficient ?? 'warn';
    outcome = on === 'fail' ? 'fail' : on === 'warn' ? 'warn' : 'pass';
  }

  const shown = `${input.title} = ${formatNumber(value)}`;
  let message: string;
  if (status === 'insufficient') message = `${input.title}: insufficient evidence (${reason}); required ${op} ${formatNumber(limit)}`;
  else if (status === 'pass') message = `${shown}, required ${op} ${formatNumber(limit)}`;
  else message = `${shown} breaches ${kind} ${formatNumber(limit)} by ${formatNumber(Math.abs(margin as number))}`;

  const result: CheckResult = {
    id,
    ruleId,
    section,
    metric,
    title: input.title,
    value: value === null || Number.isNaN(value) ? null : value,
    threshold: { kind, value: limit },
    status,
    outcome,
    margin,
    message,
    location,
  };
  if (scope !== undefined) result.scope = scope;
  if (input.interval) result.interval = input.interval;
  if (input.details) result.details = input.details;
  return result;
}
