/**
 * The grouping engine, in the spirit of fairlearn's MetricFrame: every metric computed on the whole data (overall) and
 * on each group of one sensitive attribute or intersection (by group), then aggregated over the groups
 * (min, max, differences and ratios) and read out as fairlearn's disparity metrics.
 */
import { confusionCounts } from './confusion.js';
import { fairlearnSummary } from './fairnessMetrics.js';
import { groupAggregates } from './groupAggregates.js';
import { labelMetrics } from './labelMetrics.js';
import { nullScoreMetrics, scoreMetricsFromOrder } from './scoreMetrics.js';
import { orderByScoreDescending } from './scoreOrder.js';
import type { Grouping } from '../data/types.js';
import type { AttributeResult, ConfusionCounts, GroupResult, MetricValues } from './types.js';

export interface GroupMetricsInput {
  yTrue: Uint8Array;
  yPred: Uint8Array;
  /** Positive-class scores; null for a label-only model (score metrics are then null everywhere). */
  scores: Float32Array | null;
  grouping: Grouping;
  /**
   * Groups with fewer rows are reported (with their metrics) but flagged insufficient and left out of every aggregate.
   * Empty groups are always left out (that is fairlearn's behaviour, which a value <= 1 reproduces exactly).
   */
  minGroupSize: number;
  /** Row indices sorted by score, highest first (orderByScoreDescending(scores)); pass it to share one sort. */
  scoreOrder?: Uint32Array;
}

/** Per group code, its confusion counts (rows whose code is outside 0..groups-1 belong to no group). */
function confusionByGroup(yTrue: Uint8Array, yPred: Uint8Array, codes: Int32Array, groups: number): ConfusionCounts[] {
  const cells = new Float64Array(groups * 4); // per group: tn, fp, fn, tp
  for (let i = 0; i < codes.length; i++) {
    const g = codes[i] as number;
    if (g < 0 || g >= groups) continue;
    cells[g * 4 + (yTrue[i] !== 0 ? 2 : 0) + (yPred[i] !== 0 ? 1 : 0)]++;
  }
  const out: ConfusionCounts[] = [];
  for (let g = 0; g < groups; g++) {
    out.push({ tn: cells[g * 4] as number, fp: cells[g * 4 + 1] as number, fn: cells[g * 4 + 2] as number, tp: cells[g * 4 + 3] as number });
  }
  return out;
}

/**
 * Splits a score order into one order per group (stable: each keeps descending score), as slices of one buffer.
 * O(n).
 */
function ordersByGroup(order: Uint32Array, codes: Int32Array, counts: number[]): Uint32Array[] {
  const groups = counts.length;
  const starts = new Int32Array(groups + 1);
  for (let g = 0; g < groups; g++) starts[g + 1] = (starts[g] as number) + (counts[g] as number);
  const buffer = new Uint32Array(starts[groups] as number);
  const cursor = starts.slice(0, groups);
  for (let j = 0; j < order.length; j++) {
    const row = order[j] as number;
    const g = codes[row] as number;
    if (g < 0 || g >= groups) continue;
    buffer[cursor[g] as number] = row;
    cursor[g] = (cursor[g] as number) + 1;
  }
  const out: Uint32Array[] = [];
  for (let g = 0; g < groups; g++) out.push(buffer.subarray(starts[g] as number, starts[g + 1] as number));
  return out;
}

/** Why a group cannot be used for aggregates, in words; undefined when it can. */
function insufficiency(count: number, minGroupSize: number): string | undefined {
  if (count === 0) return 'no rows in this group';
  if (count < minGroupSize) return `${count} rows < min_group_size ${minGroupSize}`;
  return undefined;
}

/** Metric values of an empty group: count 0, everything else null (as fairlearn's reindexed empty combinations). */
function emptyGroupMetrics(): MetricValues {
  return { ...labelMetrics({ tn: 0, fp: 0, fn: 0, tp: 0 }), ...nullScoreMetrics() };
}

/**
 * MetricFrame over one grouping. For the whole data (overall) and for each group g (in grouping.keys order, which is
 * fairlearn's sorted order): count, confusion counts, every label metric (labelMetrics) and every score metric
 * (scoreMetricsFromOrder: mean_score, roc_auc, average_precision, brier, log_loss, ks). Groups with count <
 * minGroupSize, and empty groups, are flagged `sufficient: false` with the reason in words, listed in
 * insufficientGroups and excluded from the aggregates. Over the remaining groups G and for each metric m:
 *   group_min = min_{g∈G} m_g, group_max = max_{g∈G} m_g, difference_between_groups = group_max − group_min,
 *   difference_to_overall = max_g |m_g − m_overall|, ratio_between_groups = group_min / group_max,
 *   ratio_to_overall = min_g min(m_g / m_overall, m_overall / m_g)
 * (null values skipped; 0/0 ratios undefined, as fairlearn), and fairlearn's disparity metrics (fairlearnSummary).
 * One sort by score serves every group. O(n log n + n·(number of groupings)).
 */
export function groupMetrics(input: GroupMetricsInput): AttributeResult {
  const { yTrue, yPred, scores, grouping, minGroupSize } = input;
  const n = yTrue.length;
  if (yPred.length !== n || grouping.codes.length !== n || (scores !== null && scores.length !== n)) {
    throw new RangeError(
      `groupMetrics: row counts differ (yTrue ${n}, yPred ${yPred.length}, codes ${grouping.codes.length}` +
        `${scores === null ? '' : `, scores ${scores.length}`})`,
    );
  }
  const groupCount = grouping.keys.length;
  const confusion = confusionByGroup(yTrue, yPred, grouping.codes, groupCount);
  const counts = confusion.map((c) => c.tn + c.fp + c.fn + c.tp);

  let overall: MetricValues = labelMetrics(confusionCounts(yTrue, yPred));
  let groupScoreMetrics: MetricValues[];
  if (scores === null) {
    overall = { ...overall, ...nullScoreMetrics() };
    groupScoreMetrics = counts.map(() => nullScoreMetrics());
  } else {
    const order = input.scoreOrder ?? orderByScoreDescending(scores);
    overall = { ...overall, ...scoreMetricsFromOrder(yTrue, scores, order).metrics };
    groupScoreMetrics = ordersByGroup(order, grouping.codes, counts).map((o) => scoreMetricsFromOrder(yTrue, scores, o).metrics);
  }

  const groups: GroupResult[] = [];
  const insufficientGroups: string[] = [];
  const counted: MetricValues[] = [];
  for (let g = 0; g < groupCount; g++) {
    const key = grouping.keys[g] as string;
    const count = counts[g] as number;
    const metrics: MetricValues =
      count === 0 ? emptyGroupMetrics() : { ...labelMetrics(confusion[g] as ConfusionCounts), ...groupScoreMetrics[g] };
    const reason = insufficiency(count, minGroupSize);
    const result: GroupResult = {
      key,
      group: { ...(grouping.values[g] ?? {}) },
      count,
      sufficient: reason === undefined,
      confusion: confusion[g] as ConfusionCounts,
      metrics,
    };
    if (reason !== undefined) {
      result.insufficientReason = reason;
      insufficientGroups.push(key);
    } else {
      counted.push(metrics);
    }
    groups.push(result);
  }

  const aggregates = groupAggregates(overall, counted);
  return {
    name: grouping.name,
    attributes: [...grouping.attributes],
    overall,
    groups,
    aggregates,
    fairlearn: fairlearnSummary(aggregates),
    insufficientGroups,
  };
}
