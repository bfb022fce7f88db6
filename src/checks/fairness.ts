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
import {
  differenceBetweenGroups,
  differenceToOverall,
  groupMax,
  groupMetrics,
  groupMin,
  labelMetrics,
  ratioBetweenGroups,
  ratioToOverall,
} from '../metrics/index.js';
import type { AggregateName, AttributeResult, ConfusionCounts, GroupResult, MetricName } from '../metrics/index.js';
import type { Grouping } from '../data/types.js';
import type { FairnessThreshold } from '../policy/types.js';
import type { CheckResult } from '../report/types.js';
import type { CheckContext } from './context.js';
import { gather, hasScores, isScoreMetric } from './performance.js';
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

/** Subset of a grouping on resampled rows (codes only; keys stay). */
function gatherGrouping(grouping: Grouping, rows: Uint32Array): Grouping {
  return { ...grouping, codes: gather(grouping.codes, rows) };
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
      const strata = new Int32Array(labels.yTrue.length);
      for (let i = 0; i < strata.length; i++) strata[i] = grouping.codes[i] * 2 + labels.yTrue[i];
      const recompute = needsScores
        ? (rows: Uint32Array): number | null => {
            const r = groupMetrics({
              yTrue: gather(labels.yTrue, rows),
              yPred: gather(yPred, rows),
              scores: gather(scores, rows),
              grouping: gatherGrouping(grouping, rows),
              minGroupSize,
            });
            if (insufficiency(r, plan)) return null;
            return fairnessValue(r, plan, method);
          }
        : labelFairnessEstimator(labels.yTrue, yPred, grouping, minGroupSize, plan, method);
      out.push(...makeCheckResults({ doc, section: 'fairness', metric, scope: name, title, value, threshold, pointer, details, estimate: { recompute, strata } }));
    }
  }
  return out;
}

/**
 * Fast re-estimation of a label-metric fairness value on resampled rows (bootstrap): one pass for the confusion counts
 * per group, then the same per-group metrics and aggregates as the grouping engine. O(rows) per resample, no copies.
 */
export function labelFairnessEstimator(
  yTrue: Uint8Array,
  yPred: Uint8Array,
  grouping: Grouping,
  minGroupSize: number,
  plan: FairnessMetricPlan,
  method: 'between_groups' | 'to_overall',
): (rows: Uint32Array) => number | null {
  const groupCount = grouping.keys.length;
  const codes = grouping.codes;
  const cells = new Float64Array(groupCount * 4);
  return (rows) => {
    cells.fill(0);
    const total = [0, 0, 0, 0];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i];
      const k = yTrue[r] * 2 + yPred[r]; // 0 tn, 1 fp, 2 fn, 3 tp
      total[k]++;
      const g = codes[r];
      if (g >= 0 && g < groupCount) cells[g * 4 + k]++;
    }
    const toConfusion = (c: ArrayLike<number>, o: number): ConfusionCounts => ({ tn: c[o], fp: c[o + 1], fn: c[o + 2], tp: c[o + 3] });
    const overall = labelMetrics(toConfusion(total, 0));
    const perBase: Array<Array<number | null>> = plan.bases.map(() => []);
    let usable = 0;
    for (let g = 0; g < groupCount; g++) {
      const confusion = toConfusion(cells, g * 4);
      const count = confusion.tn + confusion.fp + confusion.fn + confusion.tp;
      if (count === 0 || count < minGroupSize) continue;
      usable++;
      const metrics = labelMetrics(confusion);
      for (let b = 0; b < plan.bases.length; b++) {
        if (undefinedBecause({ confusion, count }, plan.bases[b])) return null;
        perBase[b].push(metrics[plan.bases[b]] ?? null);
      }
    }
    if (usable < (plan.aggregate === 'difference' || plan.aggregate === 'ratio' ? 2 : 1)) return null;
    const values: number[] = [];
    for (let b = 0; b < plan.bases.length; b++) {
      const v = aggregateValues(perBase[b], overall[plan.bases[b]] ?? null, plan.aggregate, method);
      if (v === null) return null;
      values.push(v);
    }
    return combine(values, plan);
  };
}

function aggregateValues(
  values: Array<number | null>,
  overall: number | null,
  aggregate: FairnessAggregate,
  method: 'between_groups' | 'to_overall',
): number | null {
  switch (aggregate) {
    case 'group_min': return groupMin(values);
    case 'group_max': return groupMax(values);
    case 'difference': return method === 'to_overall' ? differenceToOverall(values, overall) : differenceBetweenGroups(values);
    case 'ratio': return method === 'to_overall' ? ratioToOverall(values, overall) : ratioBetweenGroups(values);
  }
}

/** Several bases (equalized odds): their mean, or the worst case — the largest difference, the smallest ratio (fairlearn agg='worst_case'). */
function combine(values: number[], plan: FairnessMetricPlan): number {
  if (values.length === 1) return values[0];
  if (plan.combine === 'mean') return values.reduce((a, b) => a + b, 0) / values.length;
  return plan.aggregate === 'ratio' || plan.aggregate === 'group_min' ? Math.min(...values) : Math.max(...values);
}
