/**
 * Any performance metric, and any fairness metric of one sensitive attribute, under integer sample weights.
 * Values at unit weights equal src/metrics (scikit-learn / fairlearn), except that a quantity whose denominator is
 * empty is null ("cannot be estimated") instead of fairlearn's conventional 0: a TPR of a group without actual
 * positives, an FPR of a group without actual negatives, a precision with nothing predicted positive.
 */
import { averagePrecisionFromSweep } from '../../metrics/averagePrecision.js';
import { ksFromSweep } from '../../metrics/ksStatistic.js';
import { labelMetrics } from '../../metrics/labelMetrics.js';
import { rocAucFromSweep } from '../../metrics/rocAuc.js';
import {
  differenceBetweenGroups,
  differenceToOverall,
  groupMax,
  groupMin,
  ratioBetweenGroups,
  ratioToOverall,
} from '../../metrics/groupAggregates.js';
import { orderByScoreDescending } from '../../metrics/scoreOrder.js';
import type { ConfusionCounts, LabelMetricName, MetricName } from '../../metrics/types.js';
import { LABEL_METRICS, SCORE_METRICS } from '../../metrics/types.js';
import { confusionAt, confusionCells, weightedCellCounts, weightedGroupConfusion } from './confusion.js';
import { RankedRows, rowLosses, weightedMean, type ProbabilityMetric } from './scores.js';
import { unitWeights } from './weights.js';

/** One model's predictions on the evaluation rows. */
export interface Predictions {
  yTrue: Uint8Array;
  yPred: Uint8Array;
  /** Positive-class scores; null for a label-only model. */
  scores: Float32Array | null;
}

export function isLabelMetric(metric: string): metric is LabelMetricName {
  return (LABEL_METRICS as readonly string[]).includes(metric);
}

export function isScoreMetricName(metric: string): boolean {
  return (SCORE_METRICS as readonly string[]).includes(metric);
}

/** Why a label metric cannot be estimated from these counts (its denominator is empty), or undefined. */
export function labelMetricUndefinedBecause(metric: string, c: ConfusionCounts): string | undefined {
  const positives = c.tp + c.fn;
  const negatives = c.fp + c.tn;
  if (positives + negatives === 0) return 'no rows';
  switch (metric) {
    case 'true_positive_rate':
    case 'false_negative_rate':
    case 'recall':
      return positives === 0 ? 'no actual positives' : undefined;
    case 'false_positive_rate':
    case 'true_negative_rate':
      return negatives === 0 ? 'no actual negatives' : undefined;
    case 'precision':
      return c.tp + c.fp === 0 ? 'no predicted positives' : undefined;
    case 'balanced_accuracy':
      return positives === 0 || negatives === 0 ? 'only one class present' : undefined;
    case 'f1':
      return c.tp + c.fp + c.fn === 0 ? 'no actual or predicted positives' : undefined;
    default:
      return undefined;
  }
}

/** Why a score metric cannot be estimated on rows with these class counts, or undefined. */
export function scoreMetricUndefinedBecause(metric: string, positives: number, negatives: number): string | undefined {
  if (positives + negatives === 0) return 'no rows';
  if ((metric === 'roc_auc' || metric === 'average_precision' || metric === 'ks') && (positives === 0 || negatives === 0)) {
    return 'only one class present';
  }
  return undefined;
}

/** A label metric from (weighted) confusion counts; null when it cannot be estimated. */
export function estimableLabelMetric(metric: LabelMetricName, c: ConfusionCounts): number | null {
  if (labelMetricUndefinedBecause(metric, c) !== undefined) return null;
  return labelMetrics(c)[metric] ?? null;
}

/** Score metrics of a fixed set of rows (all rows, or one group) under weights; orders and losses computed once. */
export class ScoreRows {
  private ranked: RankedRows | null = null;
  private readonly losses = new Map<ProbabilityMetric, Float64Array>();
  /** rows: the subset (ascending row indices) or null for all rows. */
  constructor(
    private readonly yTrue: Uint8Array,
    private readonly scores: Float32Array,
    private readonly rows: Uint32Array | null,
  ) {}

  value(metric: string, w: Uint32Array | null): number | null {
    if (metric === 'mean_score' || metric === 'brier' || metric === 'log_loss') {
      let loss = this.losses.get(metric);
      if (!loss) {
        loss = rowLosses(metric, this.yTrue, this.scores);
        this.losses.set(metric, loss);
      }
      return weightedMean(loss, w, this.rows);
    }
    if (!this.ranked) {
      this.ranked = new RankedRows(orderByScoreDescending(this.scores, this.rows ?? undefined), this.yTrue, this.scores);
    }
    const sweep = this.ranked.sweep(w);
    if (sweep.positives === 0 || sweep.negatives === 0) return null;
    if (metric === 'roc_auc') return finite(rocAucFromSweep(sweep));
    if (metric === 'average_precision') return finite(averagePrecisionFromSweep(sweep));
    if (metric === 'ks') return finite(ksFromSweep(sweep)?.statistic ?? null);
    throw new RangeError(`unknown score metric '${metric}'`);
  }
}

function finite(v: number | null): number | null {
  return v === null || !Number.isFinite(v) ? null : v;
}

/** Performance metrics of one model under weights. */
export class PerformanceEvaluator {
  private readonly scoreRows: ScoreRows | null;
  private readonly ones: Uint32Array;
  private readonly cells: Int32Array;
  private readonly counts = new Float64Array(4);
  constructor(readonly pred: Predictions) {
    this.scoreRows = pred.scores ? new ScoreRows(pred.yTrue, pred.scores, null) : null;
    this.ones = unitWeights(pred.yTrue.length);
    this.cells = confusionCells(pred.yTrue, pred.yPred);
  }

  private confusion(w: Uint32Array | null): ConfusionCounts {
    const c = weightedCellCounts(this.cells, w ?? this.ones, this.counts);
    return { tn: c[0], fp: c[1], fn: c[2], tp: c[3] };
  }

  /** Why `metric` cannot be estimated on all rows (unit weights), or undefined. */
  undefinedBecause(metric: MetricName): string | undefined {
    const c = this.confusion(null);
    if (isLabelMetric(metric)) return labelMetricUndefinedBecause(metric, c);
    if (!this.pred.scores) return 'the model outputs labels only, so score metrics cannot be computed';
    return scoreMetricUndefinedBecause(metric, c.tp + c.fn, c.fp + c.tn);
  }

  /** The metric under weights w (null w = every row once); null when it cannot be estimated. */
  value(metric: MetricName, w: Uint32Array | null): number | null {
    const { pred } = this;
    if (isLabelMetric(metric)) return estimableLabelMetric(metric, this.confusion(w));
    return this.scoreRows ? this.scoreRows.value(metric, w) : null;
  }
}

export type FairnessAggregateKind = 'difference' | 'ratio' | 'group_min' | 'group_max';

/** What a fairness metric is made of (the same plan as src/checks/fairness.ts planFairnessMetric). */
export interface FairnessPlan {
  bases: MetricName[];
  aggregate: FairnessAggregateKind;
  combine: 'worst' | 'mean';
  method: 'between_groups' | 'to_overall';
}

/** A sensitive attribute as group codes per row. */
export interface GroupCodes {
  name: string;
  keys: string[];
  codes: Int32Array;
}

/**
 * One fairness metric of one attribute under weights. Groups with fewer than minGroupSize rows (on all rows) are left
 * out, as in the gate's aggregates. When a kept group cannot estimate a base metric on all rows, insufficientReason
 * names it; value() is then null on every sample.
 */
export class FairnessEvaluator {
  readonly sufficient: number[];
  readonly insufficientReason: string | undefined;
  private readonly groupScores: ScoreRows[] | null;
  private readonly allScores: ScoreRows | null;
  private readonly cellOf: Int32Array;
  private readonly cells: Float64Array;
  private readonly ones: Uint32Array;

  constructor(
    readonly pred: Predictions,
    readonly grouping: GroupCodes,
    readonly plan: FairnessPlan,
    minGroupSize: number,
  ) {
    const n = pred.yTrue.length;
    const G = grouping.keys.length;
    this.ones = unitWeights(n);
    this.cells = new Float64Array(4 * G);
    this.cellOf = confusionCells(pred.yTrue, pred.yPred, grouping.codes);
    const full = weightedGroupConfusion(grouping.codes, G, pred.yTrue, pred.yPred, this.ones);
    const counts: number[] = [];
    for (let g = 0; g < G; g++) counts.push(full[4 * g] + full[4 * g + 1] + full[4 * g + 2] + full[4 * g + 3]);
    this.sufficient = counts.map((c, g) => (c >= minGroupSize && c > 0 ? g : -1)).filter((g) => g >= 0);
    const needScores = plan.bases.some((b) => !isLabelMetric(b));
    if (needScores && pred.scores) {
      const scores = pred.scores;
      const buckets: number[][] = grouping.keys.map(() => []);
      for (let i = 0; i < n; i++) buckets[grouping.codes[i]].push(i);
      this.groupScores = buckets.map((b) => new ScoreRows(pred.yTrue, scores, Uint32Array.from(b)));
      this.allScores = new ScoreRows(pred.yTrue, scores, null);
    } else {
      this.allScores = null;
      this.groupScores = null;
    }
    this.insufficientReason = this.findInsufficiency(full, counts, minGroupSize, needScores);
  }

  private findInsufficiency(full: Float64Array, counts: number[], minGroupSize: number, needScores: boolean): string | undefined {
    const { plan, grouping } = this;
    if (needScores && !this.pred.scores) return 'the model outputs labels only, so score metrics cannot be computed';
    const needed = plan.aggregate === 'difference' || plan.aggregate === 'ratio' ? 2 : 1;
    if (this.sufficient.length < needed) {
      const small = counts
        .map((c, g) => ({ c, g }))
        .filter(({ c }) => c > 0 && c < minGroupSize)
        .map(({ c, g }) => `'${grouping.keys[g]}' (${c} rows)`);
      return `only ${this.sufficient.length} group(s) of '${grouping.name}' have at least min_group_size ${minGroupSize} rows${small.length ? `; too small: ${small.join(', ')}` : ''}`;
    }
    const problems: string[] = [];
    for (const g of this.sufficient) {
      const c = confusionAt(full, g);
      for (const base of plan.bases) {
        const why = isLabelMetric(base)
          ? labelMetricUndefinedBecause(base, c)
          : scoreMetricUndefinedBecause(base, c.tp + c.fn, c.fp + c.tn);
        if (why) problems.push(`group '${grouping.keys[g]}' has ${why}, so its ${base.replace(/_/g, ' ')} cannot be estimated`);
      }
    }
    return problems.length ? problems.join('; ') : undefined;
  }

  /** Base metric of one group (g >= 0) or of all rows (g = -1) under weights. */
  private base(base: MetricName, g: number, w: Uint32Array, cells: Float64Array): number | null {
    if (isLabelMetric(base)) {
      if (g >= 0) return estimableLabelMetric(base, confusionAt(cells, g));
      let tn = 0, fp = 0, fn = 0, tp = 0;
      for (let k = 0; k < cells.length; k += 4) { tn += cells[k]; fp += cells[k + 1]; fn += cells[k + 2]; tp += cells[k + 3]; }
      return estimableLabelMetric(base, { tn, fp, fn, tp });
    }
    const rows = g >= 0 ? (this.groupScores as ScoreRows[])[g] : (this.allScores as ScoreRows);
    return rows.value(base, w);
  }

  /** The fairness metric under weights w (null = every row once). */
  value(w: Uint32Array | null): number | null {
    if (this.insufficientReason !== undefined) return null;
    const weights = w ?? this.ones;
    const { plan, pred, grouping } = this;
    const cells = weightedCellCounts(this.cellOf, weights, this.cells);
    const parts: number[] = [];
    for (const base of plan.bases) {
      const values: Array<number | null> = [];
      for (const g of this.sufficient) {
        const v = this.base(base, g, weights, cells);
        if (v === null) return null; // a group cannot estimate it on this sample
        values.push(v);
      }
      let agg: number | null;
      if (plan.aggregate === 'group_min') agg = groupMin(values);
      else if (plan.aggregate === 'group_max') agg = groupMax(values);
      else if (plan.method === 'to_overall') {
        const overall = this.base(base, -1, weights, cells);
        agg = plan.aggregate === 'difference' ? differenceToOverall(values, overall) : ratioToOverall(values, overall);
      } else agg = plan.aggregate === 'difference' ? differenceBetweenGroups(values) : ratioBetweenGroups(values);
      if (agg === null || !Number.isFinite(agg)) return null;
      parts.push(agg);
    }
    if (parts.length === 1) return parts[0];
    if (plan.combine === 'mean') return parts.reduce((a, b) => a + b, 0) / parts.length;
    return plan.aggregate === 'ratio' || plan.aggregate === 'group_min' ? Math.min(...parts) : Math.max(...parts);
  }
}
