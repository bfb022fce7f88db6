import { describe, expect, it } from 'vitest';
import { confusionCounts } from '../../src/metrics/confusion.js';
import { labelMetrics } from '../../src/metrics/labelMetrics.js';
import { scoresToPredictions } from '../../src/metrics/predictions.js';

const u8 = (xs: number[]): Uint8Array => Uint8Array.from(xs);

describe('confusionCounts', () => {
  it('counts every cell', () => {
    expect(confusionCounts(u8([1, 1, 0, 0, 1, 0]), u8([1, 0, 1, 0, 1, 0]))).toEqual({ tn: 2, fp: 1, fn: 1, tp: 2 });
  });
  it('counts a subset of rows, repeats included', () => {
    expect(confusionCounts(u8([1, 1, 0, 0]), u8([1, 0, 1, 0]), [0, 0, 3, 2])).toEqual({ tn: 1, fp: 1, fn: 0, tp: 2 });
    expect(confusionCounts(u8([1, 0]), u8([1, 0]), new Uint32Array(0))).toEqual({ tn: 0, fp: 0, fn: 0, tp: 0 });
  });
  it('refuses arrays of different lengths', () => {
    expect(() => confusionCounts(u8([1, 0]), u8([1]))).toThrow(RangeError);
  });
});

describe('labelMetrics (fairlearn 0.11 / sklearn zero_division=0 conventions)', () => {
  it('computes the usual rates', () => {
    const m = labelMetrics({ tn: 50, fp: 10, fn: 5, tp: 35 });
    expect(m.count).toBe(100);
    expect(m.base_rate).toBeCloseTo(0.4, 15);
    expect(m.selection_rate).toBeCloseTo(0.45, 15);
    expect(m.accuracy).toBeCloseTo(0.85, 15);
    expect(m.precision).toBeCloseTo(35 / 45, 15);
    expect(m.recall).toBeCloseTo(35 / 40, 15);
    expect(m.f1).toBeCloseTo((2 * 35) / (2 * 35 + 10 + 5), 15);
    expect(m.balanced_accuracy).toBeCloseTo((50 / 60 + 35 / 40) / 2, 15);
    expect(m.true_positive_rate).toBeCloseTo(0.875, 15);
    expect(m.false_negative_rate).toBeCloseTo(0.125, 15);
    expect(m.false_positive_rate).toBeCloseTo(10 / 60, 15);
    expect(m.true_negative_rate).toBeCloseTo(50 / 60, 15);
  });

  it('a group with no actual positives gets TPR = FNR = recall = 0 and balanced accuracy = TNR', () => {
    const m = labelMetrics({ tn: 3, fp: 1, fn: 0, tp: 0 });
    expect(m.true_positive_rate).toBe(0);
    expect(m.false_negative_rate).toBe(0);
    expect(m.recall).toBe(0);
    expect(m.precision).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.false_positive_rate).toBe(0.25);
    expect(m.true_negative_rate).toBe(0.75);
    expect(m.balanced_accuracy).toBe(0.75);
    expect(m.base_rate).toBe(0);
  });

  it('all-positive labels: FPR = TNR = 0 and balanced accuracy = TPR', () => {
    const m = labelMetrics({ tn: 0, fp: 0, fn: 1, tp: 3 });
    expect(m.false_positive_rate).toBe(0);
    expect(m.true_negative_rate).toBe(0);
    expect(m.balanced_accuracy).toBe(0.75);
    expect(m.precision).toBe(1);
    expect(m.base_rate).toBe(1);
  });

  it('nothing predicted positive: precision and F1 are 0 (zero_division=0)', () => {
    const m = labelMetrics({ tn: 5, fp: 0, fn: 2, tp: 0 });
    expect(m.precision).toBe(0);
    expect(m.f1).toBe(0);
    expect(m.selection_rate).toBe(0);
    expect(m.balanced_accuracy).toBe(0.5);
  });

  it('one class, all correct: balanced accuracy 1 (sklearn with a 1x1 confusion matrix)', () => {
    expect(labelMetrics({ tn: 4, fp: 0, fn: 0, tp: 0 }).balanced_accuracy).toBe(1);
    expect(labelMetrics({ tn: 0, fp: 0, fn: 0, tp: 4 }).balanced_accuracy).toBe(1);
  });

  it('zero rows: count 0 and every rate null, never NaN', () => {
    const m = labelMetrics({ tn: 0, fp: 0, fn: 0, tp: 0 });
    expect(m.count).toBe(0);
    for (const [k, v] of Object.entries(m)) if (k !== 'count') expect(v, k).toBeNull();
  });
});

describe('scoresToPredictions', () => {
  it('predicts 1 when score >= threshold, on the float32 value', () => {
    const scores = Float32Array.from([0.5, 0.49999997, 0.9, 0, Number.NaN]);
    expect(Array.from(scoresToPredictions(scores, 0.5))).toEqual([1, 0, 1, 0, 0]);
    // 0.3 as float32 is 0.30000001192..., above the float64 0.3
    expect(Array.from(scoresToPredictions(Float32Array.from([0.3]), 0.3))).toEqual([1]);
  });
});
