/**
 * Turns a measured value and a policy threshold into CheckResults. The single place where pass / fail /
 * insufficient evidence is decided, so that every section (performance, fairness, robustness, explainability,
 * baseline) follows the same rule (issue #6):
 *
 * - the confidence interval: Wilson (or Clopper-Pearson) for plain rates (`estimate.proportion`), else a seeded
 *   stratified bootstrap of `estimate.recompute` (policy `statistics`: level, resamples, bca | percentile | basic);
 *   the rng is `createRng(policy.seed).fork('stats/<check id>')`, so a check's interval does not depend on the order
 *   in which checks run;
 * - the verdict rule (threshold.rule, default statistics.rule = 'point'): see src/stats/verdict.ts;
 * - insufficient evidence (a reason from the caller, an undefined value, a metric undefined on too many resamples, a
 *   wide CI containing the threshold) -> outcome per threshold.on_insufficient (default statistics.on_insufficient =
 *   'warn');
 * - a one-sided p-value for a breach is kept in `evidence` for the multiple-testing correction
 *   (src/stats/correction.ts, applied by the gate across all checks).
 *
 * Message format (plain text, renderers escape):
 *   pass:          "ROC AUC = 0.9212 [0.9165, 0.9257] 95% CI, required ≥ 0.85"
 *   fail:          "ROC AUC = 0.8123 [0.7801, 0.8402] 95% CI breaches min 0.85 by 0.0377"
 *   insufficient:  "Equal opportunity difference (race) = 0.21 [0.02, 0.45] 95% CI: insufficient evidence (the 95% CI
 *                   contains the threshold 0.1 and is 0.43 wide, more than inconclusive_width 0.1); required ≤ 0.1"
 *   a caveat, when there is one, follows in parentheses.
 */
import type { PolicyDocument, PolicyPointer, Threshold } from '../policy/types.js';
import type { CheckEvidence, CheckResult, CheckSection, Interval } from '../report/types.js';
import { estimateInterval, type EstimateSpec, type IntervalEstimate } from '../stats/estimate.js';
import { formatNumber, formatWithInterval } from '../stats/format.js';
import { inconclusiveScale, resolveStatistics, type StatisticsSettings } from '../stats/policy.js';
import { decideVerdict, levelText } from '../stats/verdict.js';
import { createRng } from '../util/rng.js';

export { formatNumber } from '../stats/format.js';

export interface CheckInput {
  doc: PolicyDocument;
  section: CheckSection;
  metric: string;
  /** Stable id: `${section}/${metric}` plus `/${scope}` when scoped. */
  scope?: string;
  title: string;
  value: number | null;
  /** An interval computed by the caller (used as is; no p-value then). Otherwise `estimate` gives one. */
  interval?: Interval;
  threshold: Threshold;
  /** Pointer to the threshold object in the policy, e.g. ['checks', 'performance', 'roc_auc']. */
  pointer: PolicyPointer;
  /**
   * When set, the value could not be estimated reliably (small group, missing class): outcome per on_insufficient.
   * Name the group and the cause: "group 'Other' has no actual positives, so its true positive rate cannot be estimated".
   */
  insufficientReason?: string;
  /**
   * When set, the check did not run (the time budget ran out in its stage, or its computation could not be done):
   * status 'not-run', outcome per statistics.on_not_run (default fail). Say what ran out and what to change.
   */
  notRunReason?: string;
  details?: Record<string, unknown>;
  /**
   * How to re-estimate the value on a resample (issue #6: confidence intervals). recompute(rows) evaluates the same
   * quantity on the given row indices (with repeats); strata gives a stratum code per row (label x group) for a
   * stratified bootstrap. proportion, when the value is a plain binomial rate, allows a Wilson/Clopper-Pearson interval.
   * recompute must return null when the quantity is undefined on the rows (e.g. a TPR of a group without positives),
   * never a conventional 0.
   */
  estimate?: EstimateSpec;
  /**
   * An interval with its one-sided p-values computed by the caller, e.g. from a bootstrap shared by several checks
   * (the baseline's paired bootstrap). Used instead of `estimate`.
   */
  intervalEstimate?: IntervalEstimate;
  /** Appended to the message in parentheses, e.g. "0.9212 → 0.9044". */
  context?: string;
}

/** Settings are resolved once per policy document. */
const settingsCache = new WeakMap<PolicyDocument, StatisticsSettings>();

export function statisticsOf(doc: PolicyDocument): StatisticsSettings {
  let s = settingsCache.get(doc);
  if (!s) {
    s = resolveStatistics(doc.policy);
    settingsCache.set(doc, s);
  }
  return s;
}

/** The run's wall-clock deadline: every bootstrap of this policy's checks stops there (the gate sets it once). */
export function setRunDeadline(doc: PolicyDocument, deadline: number): void {
  statisticsOf(doc).deadline = deadline;
}

function checkId(input: Pick<CheckInput, 'section' | 'metric' | 'scope'>): string {
  return `${input.section}/${input.metric}${input.scope !== undefined ? `/${input.scope}` : ''}`;
}

export function makeCheckResults(input: CheckInput): CheckResult[] {
  const { threshold } = input;
  const kinds: Array<['min' | 'max', number]> = [];
  if (threshold.min !== undefined) kinds.push(['min', threshold.min]);
  if (threshold.max !== undefined) kinds.push(['max', threshold.max]);
  if (kinds.length === 0) return [];
  const settings = statisticsOf(input.doc);
  const estimate = computeInterval(input, settings);
  return kinds.map(([kind, limit]) => makeOne(input, kind, limit, settings, estimate, kinds.length === 2));
}

function computeInterval(input: CheckInput, settings: StatisticsSettings): IntervalEstimate | null {
  const value = input.value;
  if (input.insufficientReason !== undefined || input.notRunReason !== undefined || value === null || !Number.isFinite(value)) return null;
  if (input.interval) return null;
  if (input.intervalEstimate) return input.intervalEstimate;
  if (!input.estimate) return null;
  const rng = createRng(input.doc.policy.seed).fork(`stats/${checkId(input)}`);
  return estimateInterval(value, input.estimate, settings, rng);
}

function makeOne(
  input: CheckInput,
  kind: 'min' | 'max',
  limit: number,
  settings: StatisticsSettings,
  estimate: IntervalEstimate | null,
  both: boolean,
): CheckResult {
  const { doc, section, metric, scope, threshold } = input;
  const value = input.value === null || !Number.isFinite(input.value) ? null : input.value;
  const ruleId = `${section}/${metric}`;
  const id = `${checkId(input)}${both ? `/${kind}` : ''}`;
  const loc = doc.locate([...input.pointer, kind]);
  const location = { file: loc.file, line: loc.line ?? 1, column: loc.column ?? 1 };
  const severity = threshold.severity ?? 'error';
  const onInsufficient = threshold.on_insufficient ?? settings.onInsufficient;
  const rule = threshold.rule ?? settings.rule;
  const width = settings.inconclusiveWidth(metric) * inconclusiveScale(metric, limit);
  const op = kind === 'min' ? '≥' : '≤';
  const margin = value === null ? null : kind === 'min' ? value - limit : limit - value;

  const estimated = estimate && Number.isFinite(estimate.interval.low) ? estimate.interval : undefined;
  const interval: Interval | undefined = input.interval ?? estimated;
  let insufficientReason = input.insufficientReason;
  const resampled = (input.estimate !== undefined && settings.resamples > 0) || input.intervalEstimate !== undefined;
  if (insufficientReason === undefined && value !== null && resampled && !input.interval && !(estimate?.truncated && !estimated)) {
    const share = estimate === null ? 1 : estimate.undefinedShare;
    if (share > settings.maxUndefinedResamples) {
      insufficientReason = `the value is undefined on ${formatNumber(share * 100, 1)}% of the bootstrap resamples (a group or class is too small to estimate it)`;
    }
  }
  if (estimate?.truncated) {
    // the time budget cut the bootstrap short: under rule 'interval' the verdict needs the interval, so it did not run
    if (rule === 'interval' && input.notRunReason === undefined) input = { ...input, notRunReason: estimate.truncated };
  }
  const verdict = input.notRunReason !== undefined
    ? { status: 'not-run' as const, basis: 'point' as const, reason: input.notRunReason }
    : decideVerdict({ kind, limit, value, interval, rule, inconclusiveWidth: width, insufficientReason });
  const status = verdict.status;
  const onNotRun = settings.onNotRun;
  const outcome = outcomeOf(status, severity, onInsufficient, onNotRun);

  const shown = `${input.title} = ${formatWithInterval(value, interval)}`;
  let message: string;
  if (status === 'not-run') {
    message = `${input.title}: not run (${verdict.reason}); required ${op} ${formatNumber(limit)}`;
  } else if (status === 'insufficient') {
    const what = 'insufficientKind' in verdict && verdict.insufficientKind === 'inconclusive' ? 'inconclusive' : 'insufficient data';
    const reason = (verdict.reason ?? '').replace(/^inconclusive: /, '');
    message = `${value === null ? input.title : shown}: ${what} (${reason}); required ${op} ${formatNumber(limit)}`;
  } else if (status === 'pass') {
    message = `${shown}, required ${op} ${formatNumber(limit)}`;
  } else {
    message = `${shown} breaches ${kind} ${formatNumber(limit)} by ${formatNumber(Math.abs(margin as number))}`;
    if (verdict.basis === 'interval' && interval) message += ` (the whole ${levelText(interval.level)} CI is ${kind === 'min' ? 'below' : 'above'} it)`;
  }
  if (input.context) message += ` (${input.context})`;
  if ('caveat' in verdict && verdict.caveat) message += ` (${verdict.caveat})`;
  if (estimate?.truncated && status !== 'not-run') message += ` (${estimate.truncated})`;

  const evidence: CheckEvidence = { rule, basis: verdict.basis, inconclusiveWidth: width, onInsufficient, onNotRun, severity };
  if (status === 'insufficient') evidence.insufficientKind = 'insufficientKind' in verdict && verdict.insufficientKind ? verdict.insufficientKind : 'data';
  if (estimate && status !== 'insufficient' && status !== 'not-run') {
    const p = kind === 'min' ? estimate.pValueBelow(limit) : estimate.pValueAbove(limit);
    if (Number.isFinite(p)) evidence.pValue = p;
  }
  if (estimate && estimate.undefinedShare > 0) evidence.undefinedShare = estimate.undefinedShare;
  if (estimate?.standardError !== undefined) evidence.standardError = estimate.standardError;

  const result: CheckResult = {
    id,
    ruleId,
    section,
    metric,
    title: input.title,
    value,
    threshold: { kind, value: limit },
    status,
    outcome,
    margin,
    message,
    location,
    evidence,
  };
  if (scope !== undefined) result.scope = scope;
  if (interval) result.interval = interval;
  if (input.details) result.details = input.details;
  return result;
}

/**
 * The outcome model (README "Outcomes"): which statuses can make the gate green.
 *   pass          -> pass
 *   fail          -> fail (severity error) or warn (severity warning)
 *   insufficient  -> on_insufficient: warn (default), fail or pass
 *   not-run       -> on_not_run: fail (default) or warn; never pass
 * The gate's verdict is fail when any outcome is fail.
 */
export function outcomeOf(
  status: CheckResult['status'],
  severity: 'error' | 'warning',
  onInsufficient: 'fail' | 'warn' | 'pass',
  onNotRun: 'fail' | 'warn' = 'fail',
): CheckResult['outcome'] {
  if (status === 'pass') return 'pass';
  if (status === 'fail') return severity === 'warning' ? 'warn' : 'fail';
  if (status === 'not-run') return onNotRun;
  return onInsufficient;
}
