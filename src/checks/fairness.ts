/**
 * Fairness gates. Every fairness metric is a few lines on top of one grouping engine (metrics/groups: a MetricFrame):
 * pick the underlying per-group metric(s), then an aggregate (difference, ratio, group min/max) over the groups that
 * have enough rows. Names and conventions follow fairlearn:
 *   demographic_parity_*  = selection_rate aggregate
 *   equal_opportunity_*   = true_positive_rate aggregate
 *   equalized_odds_*      = worst (or mean) of the true_positive_rate and false_positive_rate aggregates
 *   <metric>_difference / _ratio / _group_min / _group_max for any metric of metrics/types.ts
 * A group too small to mean anything, or one where the metric's denominator is empty (no actual positives for a TPR),
 * never passes or fails a gate silently: the check is reported as insufficient evidence, naming the group.
 */
import type { AggregateName, AttributeResult, GroupResult, MetricName } from '../metrics/index.js';
import { fairnessEstimate } from '../stats/estimators.js';
import type { FairnessThreshold } from '../policy/types.js';
import type { CheckResult } from '../report/types.js';
import type { CheckContext } from './context.js';
import { hasScores, isScoreMetric } from './performance.js';
import { makeCheckResults } from './result.js';
import { metricTitle } from './titles.js';

export type FairnessAggregate = 'difference' | 'ratio' | 'group_min' | 'group_max';

export interface FairnessMetricPlan {
  /** Underlying per-group metrics. */
  bases: MetricName[];
  aggregate: FairnessAggregate;
  /** How several bases combine (equalized odds): worst case or mean. */
  combine: 'worst' | 'mean';
}

const NAMED: Record<string, { bases: MetricName[]; aggregate: FairnessAggregate }> = {
  demographic_parity_difference: { bases: ['selection_rate'], aggregate: 'difference' },
  demographic_parity_ratio: { bases: ['selection_rate'], aggregate: 'ratio' },
  equal_opportunity_difference: { bases: ['true_positive_rate'], aggregate: 'difference' },
  equal_opportunity_ratio: { bases: ['true_positive_rate'], aggregate: 'ratio' },
  equalized_odds_difference: { bases: ['true_positive_rate', 'false_positive_rate'], aggregate: 'difference' },
  equalized_odds_ratio: { bases: ['true_positive_rate', 'false_positive_rate'], aggregate: 'ratio' },
};

/** How a fairness metric name is computed; undefined for an unknown name (the policy loader rejects those). */
export function planFairnessMetric(metric: string, threshold: Pick<FairnessThreshold, 'agg'> = {}): FairnessMetricPlan | undefined {
  const combine = threshold.agg === 'mean' ? 'mean' : 'worst';
  const named = NAMED[metric];
  if (named) return { ...named, combine };
  for (const aggregate of ['group_min', 'group_max', 'difference', 'ratio'] as const) {
    const suffix = `_${aggregate}`;
    if (metric.endsWith(suffix)) return { bases: [metric.slice(0, -suffix.length) as MetricName], aggregate, combine };
  }
  return undefined;
}

function aggregateKey(aggregate: FairnessAggregate, method: 'between_groups' | 'to_overall'): AggregateName {
  if (aggregate === 'group_min' || aggregate === 'group_max') return aggregate;
  return `${aggregate}_${method}` as AggregateName;
}

/** The value of a planned fairness metric from a MetricFrame-like result (null when undefined). */
export function fairnessValue(
  result: AttributeResult,
  plan: FairnessMetricPlan,
  method: 'between_groups' | 'to_overall' = 'between_groups',
): number | null {
  const key = aggregateKey(plan.aggregate, method);
  const values: number[] = [];
  for (const base of plan.bases) {
    const v = result.aggregates[key]?.[base];
    if (v === null || v === undefined || Number.isNaN(v)) return null;
    values.push(v);
  }
  return combine(values, plan);
}

/** Why a group cannot estimate a base metric (its denominator is empty), or undefined when it can. */
export function undefinedBecause(group: Pick<GroupResult, 'confusion' | 'count'>, base: MetricName): string | undefined {
  const { tp, fp, tn, fn } = group.confusion;
  const positives = tp + fn, negatives = fp + tn;
  switch (base) {
    case 'true_positive_rate':
    case 'false_negative_rate':
    case 'recall':
      return positives === 0 ? 'no actual positives' : undefined;
    case 'false_positive_rate':
    case 'true_negative_rate':
      return negatives === 0 ? 'no actual negatives' : undefined;
    case 'precision':
      return tp + fp === 0 ? 'no predicted positives' : undefined;
    case 'roc_auc':
    case 'average_precision':
    case 'ks':
    case 'balanced_accuracy':
      return positives === 0 || negatives === 0 ? 'only one class present' : undefined;
    case 'f1':
      return tp + fp + fn === 0 ? 'no actual or predicted positives' : undefined;
    default:
      return group.count === 0 ? 'no rows' : undefined;
  }
}

function insufficiency(result: AttributeResult, plan: FairnessMetricPlan): string | undefined {
  const usable = result.groups.filter((g) => g.sufficient);
  const needed = plan.aggregate === 'difference' || plan.aggregate === 'ratio' ? 2 : 1;
  if (usable.length < needed) {
    return `only ${usable.length} group(s) of '${result.name}' have enough rows to compare`;
  }
  const problems: string[] = [];
  for (const g of usable) {
    for (const base of plan.bases) {
      const why = undefinedBecause(g, base);
      if (why) problems.push(`group '${g.key}' has ${why}, so its ${metricTitle(base).toLowerCase()} cannot be estimated`);
    }
  }
  return problems.length ? problems.join('; ') : undefined;
}

export function fairnessChecks(ctx: CheckContext, results: AttributeResult[]): CheckResult[] {
  const { doc, labels, yPred, scores, groupings } = ctx;
  const spec = doc.policy.checks.fairness;
  const minGroupSize = doc.policy.min_group_size;
  const withScores = hasScores(ctx);
  const out: CheckResult[] = [];
  for (const [metric, threshold] of Object.entries(spec)) {
    const plan = planFairnessMetric(metric, threshold);
    if (!plan) continue; // rejected by the policy loader
    const method = threshold.method ?? 'between_groups';
    const needsScores = plan.bases.some((b) => isScoreMetric(b));
    const names = threshold.attributes ?? results.map((r) => r.name);
    for (const name of names) {
      const index = results.findIndex((r) => r.name === name);
      if (index < 0) continue;
      const result = results[index];
      const grouping = groupings[index];
      const title = `${metricTitle(metric)} (${name})`;
      const pointer = ['checks', 'fairness', metric];
      const details = {
        attribute: name,
        method,
        insufficientGroups: result.insufficientGroups,
        groups: result.groups.map((g) => ({
          key: g.key,
          count: g.count,
          sufficient: g.sufficient,
          values: Object.fromEntries(plan.bases.map((b) => [b, g.metrics[b] ?? null])),
        })),
      };
      let reason = needsScores && !withScores ? 'the model outputs labels only, so score metrics cannot be computed' : undefined;
      reason ??= insufficiency(result, plan);
      if (reason) {
        out.push(...makeCheckResults({ doc, section: 'fairness', metric, scope: name, title, value: null, threshold, pointer, insufficientReason: reason, details }));
        continue;
      }
      const value = fairnessValue(result, plan, method);
      // point value from the grouping engine (equal to fairlearn); bootstrap re-estimation on row weights, O(n)
      const gated = fairnessEstimate({ ...plan, method }, { yTrue: labels.yTrue, yPred, scores: withScores ? scores : null }, grouping, minGroupSize);
      out.push(
        ...makeCheckResults({
          doc, section: 'fairness', metric, scope: name, title, value, threshold, pointer, details,
          ...(gated.insufficientReason !== undefined ? { insufficientReason: gated.insufficientReason } : {}),
          ...(gated.estimate ? { estimate: gated.estimate } : {}),
        }),
      );
    }
  }
  return out;
}

/** Several bases (equalized odds): their mean, or the worst case — the largest difference, the smallest ratio (fairlearn agg='worst_case'). */
function combine(values: number[], plan: FairnessMetricPlan): number {
  if (values.length === 1) return values[0];
  if (plan.combine === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  return plan.aggregate === 'ratio' || plan.aggregate === 'group_min' ? Math.min(...values) : Math.max(...values);
}
