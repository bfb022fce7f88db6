/**
 * Ready-made `CheckInput.estimate`s for performance and fairness checks: the value, why it cannot be estimated (if
 * so, naming the group), and an O(n) recompute(rows) built on the weighted metrics (a resample becomes a weight per
 * row; the order by score is computed once). Rates get `proportion` for a Wilson / Clopper-Pearson interval.
 */
import type { ConfusionCounts, MetricName } from '../metrics/types.js';
import type { EstimateSpec } from './estimate.js';
import { labelGroupStrata, labelStrata } from './strata.js';
import { weightedConfusion } from './weighted/confusion.js';
import { FairnessEvaluator, PerformanceEvaluator, type FairnessPlan, type GroupCodes, type Predictions } from './weighted/metrics.js';
import { rowsToWeights, unitWeights } from './weighted/weights.js';

export interface GatedValue {
  /** null when the metric cannot be estimated. */
  value: number | null;
  /** Set when the value cannot be estimated reliably; names the group and the cause. */
  insufficientReason?: string;
  /** Absent when there is nothing to resample (insufficient). */
  estimate?: EstimateSpec;
}

/** successes / trials when the metric is a plain binomial proportion of the confusion counts. */
export function proportionOfMetric(metric: string, c: ConfusionCounts): { successes: number; trials: number } | undefined {
  const n = c.tp + c.fp + c.tn + c.fn;
  const pick = (successes: number, trials: number) => (trials > 0 ? { successes, trials } : undefined);
  switch (metric) {
    case 'accuracy': return pick(c.tp + c.tn, n);
    case 'selection_rate': return pick(c.tp + c.fp, n);
    case 'base_rate': return pick(c.tp + c.fn, n);
    case 'precision': return pick(c.tp, c.tp + c.fp);
    case 'recall':
    case 'true_positive_rate': return pick(c.tp, c.tp + c.fn);
    case 'false_negative_rate': return pick(c.fn, c.tp + c.fn);
    case 'false_positive_rate': return pick(c.fp, c.fp + c.tn);
    case 'true_negative_rate': return pick(c.tn, c.fp + c.tn);
    default: return undefined;
  }
}

/** A performance metric over all rows, with its estimate (strata = label). */
export function performanceEstimate(metric: MetricName, pred: Predictions, evaluator = new PerformanceEvaluator(pred)): GatedValue {
  const why = evaluator.undefinedBecause(metric);
  if (why !== undefined) return { value: null, insufficientReason: `${metric.replace(/_/g, ' ')} cannot be estimated: ${why}` };
  const value = evaluator.value(metric, null);
  if (value === null) return { value: null, insufficientReason: 'the value is undefined on this data' };
  const n = pred.yTrue.length;
  // allocated only when a bootstrap runs (at scale the intervals come from sufficient statistics instead)
  let buffer: Uint32Array | undefined;
  let strata: Int32Array | undefined;
  const estimate: EstimateSpec = {
    recompute: (rows) => evaluator.value(metric, rowsToWeights(rows, n, (buffer ??= new Uint32Array(n)))),
    get strata(): Int32Array {
      return (strata ??= labelStrata(pred.yTrue));
    },
  };
  const proportion = proportionOfMetric(metric, weightedConfusion(pred.yTrue, pred.yPred, unitWeights(n)));
  if (proportion) estimate.proportion = proportion;
  return { value, estimate };
}

/**
 * A fairness metric of one attribute (plan: bases, aggregate, combine, method), with its estimate
 * (strata = group × label, so each group keeps its positives and negatives in every resample).
 */
export function fairnessEstimate(plan: FairnessPlan, pred: Predictions, grouping: GroupCodes, minGroupSize: number): GatedValue {
  const evaluator = new FairnessEvaluator(pred, grouping, plan, minGroupSize);
  if (evaluator.insufficientReason !== undefined) return { value: null, insufficientReason: evaluator.insufficientReason };
  const value = evaluator.value(null);
  if (value === null) return { value: null, insufficientReason: 'the value is undefined on this data (a group lacks the cases it needs)' };
  const n = pred.yTrue.length;
  const buffer = new Uint32Array(n);
  return {
    value,
    estimate: {
      recompute: (rows) => evaluator.value(rowsToWeights(rows, n, buffer)),
      strata: labelGroupStrata(pred.yTrue, grouping.codes),
    },
  };
}
