import { describe, expect, it } from 'vitest';
import type { Grouping } from '../../src/data/types.js';
import { equalizedOddsRatio, type GroupAggregates } from '../../src/metrics/fairnessMetrics.js';
import { ratioBetweenGroups, ratioToOverall } from '../../src/metrics/groupAggregates.js';
import { groupMetrics } from '../../src/metrics/groupMetrics.js';

const u8 = (xs: number[]): Uint8Array => Uint8Array.from(xs);
const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);

function grouping(keys: string[], codes: number[], name = 'g'): Grouping {
  return { name, attributes: [name], keys, values: keys.map((k) => ({ [name]: k })), codes: Int32Array.from(codes) };
}

/** Every number anywhere in a value, to prove no NaN or Infinity leaks into a report. */
function numbersIn(value: unknown, out: number[] = []): number[] {
  if (typeof value === 'number') out.push(value);
  else if (Array.isArray(value)) for (const v of value) numbersIn(v, out);
  else if (value !== null && typeof value === 'object') for (const v of Object.values(value)) numbersIn(v, out);
  return out;
}

//            rows: 0  1  2  3  4  5  6  7  8  9
const Y_TRUE = u8([1, 0, 1, 0, 1, 0, 0, 1, 1, 0]);
const Y_PRED = u8([1, 0, 0, 1, 1, 0, 0, 1, 0, 0]);
const SCORES = f32([0.9, 0.2, 0.4, 0.6, 0.8, 0.1, 0.3, 0.7, 0.45, 0.35]);

describe('groupMetrics', () => {
  it('computes per-group confusion and metrics in key order, and the aggregates over them', () => {
    // A = rows 0-4, B = rows 5-9
    const r = groupMetrics({ yTrue: Y_TRUE, yPred: Y_PRED, scores: SCORES, grouping: grouping(['A', 'B'], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]), minGroupSize: 1 });
    expect(r.groups.map((g) => g.key)).toEqual(['A', 'B']);
    const [a, b] = r.groups;
    expect(a?.confusion).toEqual({ tn: 1, fp: 1, fn: 1, tp: 2 });
    expect(b?.confusion).toEqual({ tn: 3, fp: 0, fn: 1, tp: 1 });
    expect(a?.metrics.selection_rate).toBe(0.6);
    expect(b?.metrics.selection_rate).toBe(0.2);
    expect(a?.metrics.roc_auc).toBeCloseTo(5 / 6, 15); // pos {0.9,0.4,0.8} neg {0.2,0.6}
    expect(b?.metrics.roc_auc).toBe(1);
    expect(r.overall.count).toBe(10);
    expect(r.aggregates.difference_between_groups.selection_rate).toBeCloseTo(0.4, 15);
    expect(r.aggregates.ratio_between_groups.selection_rate).toBeCloseTo(1 / 3, 15);
    // overall selection rate 0.4: ratios 0.6/0.4 -> 2/3 (inverted), 0.2/0.4 = 0.5
    expect(r.aggregates.ratio_to_overall.selection_rate).toBeCloseTo(0.5, 15);
    expect(r.aggregates.difference_to_overall.selection_rate).toBeCloseTo(0.2, 15);
    expect(r.fairlearn.demographic_parity_difference).toBeCloseTo(0.4, 15);
    expect(r.fairlearn.equal_opportunity_difference).toBeCloseTo(2 / 3 - 1 / 2, 15);
    // TPR diff 1/6, FPR diff 1/2 - 0 = 0.5
    expect(r.fairlearn.equalized_odds_difference).toBeCloseTo(0.5, 15);
    expect(r.fairlearn.equalized_odds_difference_agg_mean).toBeCloseTo((1 / 6 + 0.5) / 2, 15);
    expect(r.fairlearn.equalized_odds_ratio).toBe(0);
    expect(r.insufficientGroups).toEqual([]);
  });

  it('with all rows in one group: differences 0, ratios 1, group values equal overall', () => {
    const r = groupMetrics({ yTrue: Y_TRUE, yPred: Y_PRED, scores: SCORES, grouping: grouping(['all'], new Array(10).fill(0)), minGroupSize: 1 });
    expect(r.groups[0]?.metrics).toEqual(r.overall);
    expect(r.fairlearn.demographic_parity_difference).toBe(0);
    expect(r.fairlearn.demographic_parity_ratio).toBe(1);
    expect(r.fairlearn.equalized_odds_ratio).toBe(1);
    expect(r.aggregates.difference_to_overall.roc_auc).toBe(0);
    expect(r.aggregates.ratio_to_overall.ks).toBe(1);
  });

  it('flags groups under min_group_size and empty groups, and leaves them out of the aggregates', () => {
    const codes = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]; // A: 7 rows, B: 3 rows, C: none
    const r = groupMetrics({ yTrue: Y_TRUE, yPred: Y_PRED, scores: SCORES, grouping: grouping(['A', 'B', 'C'], codes), minGroupSize: 5 });
    const [a, b, c] = r.groups;
    expect(a?.sufficient).toBe(true);
    expect(a?.insufficientReason).toBeUndefined();
    expect(b).toMatchObject({ count: 3, sufficient: false, insufficientReason: '3 rows < min_group_size 5' });
    expect(b?.metrics.accuracy).toBeCloseTo(2 / 3, 15); // still reported
    expect(c).toMatchObject({ count: 0, sufficient: false, insufficientReason: 'no rows in this group' });
    expect(c?.metrics.count).toBe(0);
    expect(c?.metrics.selection_rate).toBeNull();
    expect(c?.metrics.roc_auc).toBeNull();
    expect(r.insufficientGroups).toEqual(['B', 'C']);
    // only A counts: min = max = A
    expect(r.aggregates.group_min.accuracy).toBe(a?.metrics.accuracy);
    expect(r.aggregates.group_max.accuracy).toBe(a?.metrics.accuracy);
    expect(r.fairlearn.demographic_parity_difference).toBe(0);
  });

  it('with min_group_size <= 1 only empty groups are excluded (fairlearn behaviour)', () => {
    const codes = [0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
    const r = groupMetrics({ yTrue: Y_TRUE, yPred: Y_PRED, scores: SCORES, grouping: grouping(['A', 'B', 'C'], codes), minGroupSize: 0 });
    expect(r.insufficientGroups).toEqual(['C']);
    const b = r.groups[1];
    // B is one negative row: TPR = 0 (fairlearn), AUC undefined (null) and skipped by the aggregates
    expect(b?.metrics.true_positive_rate).toBe(0);
    expect(b?.metrics.roc_auc).toBeNull();
    expect(r.aggregates.group_min.true_positive_rate).toBe(0);
    expect(r.aggregates.group_min.roc_auc).toBe(r.groups[0]?.metrics.roc_auc);
  });

  it('a label-only model (scores null): score metrics null everywhere, label metrics still computed', () => {
    const r = groupMetrics({ yTrue: Y_TRUE, yPred: Y_PRED, scores: null, grouping: grouping(['A', 'B'], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]), minGroupSize: 1 });
    expect(r.overall.roc_auc).toBeNull();
    expect(r.groups[0]?.metrics.brier).toBeNull();
    expect(r.aggregates.ratio_between_groups.ks).toBeNull();
    expect(r.groups[0]?.metrics.selection_rate).toBe(0.6);
  });

  it('zero rows: no NaN anywhere, rates null, counts 0', () => {
    const r = groupMetrics({ yTrue: u8([]), yPred: u8([]), scores: f32([]), grouping: grouping(['A'], []), minGroupSize: 1 });
    expect(numbersIn(r).every(Number.isFinite)).toBe(true);
    expect(r.overall.count).toBe(0);
    expect(r.overall.accuracy).toBeNull();
    expect(r.fairlearn.demographic_parity_ratio).toBeNull();
    expect(r.insufficientGroups).toEqual(['A']);
  });

  it('all-positive labels: AUC/AP/KS null, FPR = 0 in every group, 0/0 ratios null (fairlearn)', () => {
    const y = u8(new Array(10).fill(1));
    const r = groupMetrics({ yTrue: y, yPred: Y_PRED, scores: SCORES, grouping: grouping(['A', 'B'], [0, 0, 0, 0, 0, 1, 1, 1, 1, 1]), minGroupSize: 1 });
    expect(numbersIn(r).every(Number.isFinite)).toBe(true);
    expect(r.overall.roc_auc).toBeNull();
    expect(r.overall.ks).toBeNull();
    expect(r.groups[0]?.metrics.false_positive_rate).toBe(0);
    expect(r.aggregates.ratio_between_groups.false_positive_rate).toBeNull(); // 0 / 0
    expect(r.aggregates.ratio_to_overall.false_positive_rate).toBeNull();
    expect(r.aggregates.difference_between_groups.false_positive_rate).toBe(0);
    // fairlearn: min(R_TPR, R_FPR) with R_FPR NaN -> R_TPR; mean skips NaN
    expect(r.fairlearn.equalized_odds_ratio).toBe(r.aggregates.ratio_between_groups.true_positive_rate);
    expect(r.fairlearn.equalized_odds_ratio_agg_mean).toBe(r.aggregates.ratio_between_groups.true_positive_rate);
  });

  it('rows with a code outside the keys belong to no group but count overall', () => {
    const r = groupMetrics({ yTrue: Y_TRUE, yPred: Y_PRED, scores: SCORES, grouping: grouping(['A'], [0, 0, 0, 0, 0, -1, -1, -1, -1, -1]), minGroupSize: 1 });
    expect(r.overall.count).toBe(10);
    expect(r.groups[0]?.count).toBe(5);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => groupMetrics({ yTrue: Y_TRUE, yPred: u8([1]), scores: null, grouping: grouping(['A'], new Array(10).fill(0)), minGroupSize: 1 })).toThrow(
      /row counts differ/,
    );
  });
});

describe('fairlearn NaN semantics', () => {
  it('ratio 0/0 is undefined; x/0 to overall counts as 0', () => {
    expect(ratioBetweenGroups([0, 0])).toBeNull();
    expect(ratioBetweenGroups([0, 0.5])).toBe(0);
    expect(ratioToOverall([0, 0], 0)).toBeNull();
    expect(ratioToOverall([0.2, 0], 0)).toBe(0);
    expect(ratioToOverall([0.2, 0.8], 0.4)).toBe(0.5);
  });
  it("equalized odds worst case follows Python's min over [TPR ratio, FPR ratio]", () => {
    const agg = (tpr: number | null, fpr: number | null): GroupAggregates =>
      ({ ratio_between_groups: { true_positive_rate: tpr, false_positive_rate: fpr } }) as unknown as GroupAggregates;
    expect(equalizedOddsRatio(agg(null, 0.5))).toBeNull();
    expect(equalizedOddsRatio(agg(0.5, null))).toBe(0.5);
    expect(equalizedOddsRatio(agg(0.5, 0.25))).toBe(0.25);
    expect(equalizedOddsRatio(agg(null, 0.5), 'between_groups', 'mean')).toBe(0.5);
  });
});
