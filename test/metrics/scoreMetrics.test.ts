import { describe, expect, it } from 'vitest';
import { averagePrecision } from '../../src/metrics/averagePrecision.js';
import { ksStatistic } from '../../src/metrics/ksStatistic.js';
import { brierScore, logLoss, meanScore } from '../../src/metrics/probabilityScores.js';
import { rocAuc } from '../../src/metrics/rocAuc.js';
import { scoreMetrics } from '../../src/metrics/scoreMetrics.js';
import { orderByScoreDescending } from '../../src/metrics/scoreOrder.js';
import { thresholdSweep } from '../../src/metrics/thresholdSweep.js';

const u8 = (xs: number[]): Uint8Array => Uint8Array.from(xs);
const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);

// scikit-learn documentation example: roc_auc_score = 0.75, average_precision_score = 0.8333...
const DOC_Y = u8([0, 0, 1, 1]);
const DOC_S = f32([0.1, 0.4, 0.35, 0.8]);
// ties across classes: positives {0.5, 0.9, 0.2}, negatives {0.5, 0.5, 0.1}
const TIE_Y = u8([0, 1, 0, 1, 1, 0]);
const TIE_S = f32([0.5, 0.5, 0.5, 0.9, 0.2, 0.1]);

describe('orderByScoreDescending', () => {
  it('sorts highest first, ties in row order, negative scores and -0 included', () => {
    const s = f32([0.5, -1, 0.5, 2, -0, 0, -3.5, 0.5]);
    expect(Array.from(orderByScoreDescending(s))).toEqual([3, 0, 2, 7, 5, 4, 1, 6]);
  });
  it('orders a subset of rows with repeats', () => {
    expect(Array.from(orderByScoreDescending(f32([0.1, 0.9, 0.5]), [2, 0, 2, 1]))).toEqual([1, 2, 2, 0]);
  });
});

describe('thresholdSweep', () => {
  it('makes one step per distinct score (sklearn _binary_clf_curve)', () => {
    const s = thresholdSweep(TIE_Y, TIE_S);
    expect(Array.from(s.thresholds)).toEqual([0.8999999761581421, 0.5, 0.20000000298023224, 0.10000000149011612]);
    expect(Array.from(s.tps)).toEqual([1, 2, 3, 3]);
    expect(Array.from(s.fps)).toEqual([0, 2, 2, 3]);
    expect([s.positives, s.negatives]).toEqual([3, 3]);
  });
});

describe('rocAuc', () => {
  it('matches sklearn on its documentation example', () => {
    expect(rocAuc(DOC_Y, DOC_S)).toBe(0.75);
  });
  it('counts a tie between a positive and a negative as one half', () => {
    expect(rocAuc(TIE_Y, TIE_S)).toBeCloseTo(6 / 9, 15);
    expect(rocAuc(u8([1, 0, 1, 0]), f32([0.3, 0.3, 0.3, 0.3]))).toBe(0.5);
  });
  it('is null with one class only, and on no rows', () => {
    expect(rocAuc(u8([1, 1, 1]), f32([0.1, 0.5, 0.9]))).toBeNull();
    expect(rocAuc(u8([0, 0]), f32([0.1, 0.5]))).toBeNull();
    expect(rocAuc(u8([]), f32([]))).toBeNull();
  });
  it('restricts to rows', () => {
    expect(rocAuc(TIE_Y, TIE_S, [3, 4, 5, 0])).toBe(0.75); // pos {0.9, 0.2}, neg {0.1, 0.5}
  });
});

describe('averagePrecision', () => {
  it('matches sklearn on its documentation example', () => {
    expect(averagePrecision(DOC_Y, DOC_S)).toBeCloseTo(0.8333333333333333, 15);
  });
  it('treats tied scores as one step (no interpolation)', () => {
    // steps: R 1/3 @ P 1, R 2/3 @ P 2/4, R 1 @ P 3/5
    expect(averagePrecision(TIE_Y, TIE_S)).toBeCloseTo((1 + 0.5 + 0.6) / 3, 15);
  });
  it('is null with one class only', () => {
    expect(averagePrecision(u8([1, 1]), f32([0.2, 0.4]))).toBeNull();
    expect(averagePrecision(u8([0, 0]), f32([0.2, 0.4]))).toBeNull();
  });
});

describe('ksStatistic (scipy.stats.ks_2samp(positives, negatives); expected values from scipy 1.17)', () => {
  it('finds the statistic and the smallest score where it is reached', () => {
    expect(ksStatistic(DOC_Y, DOC_S)).toEqual({ statistic: 0.5, at: 0.10000000149011612 });
    const tie = ksStatistic(TIE_Y, TIE_S);
    expect(tie?.statistic).toBeCloseTo(1 / 3, 15);
    expect(tie?.at).toBe(0.5);
  });
  it('handles positives scored below negatives and all-equal scores', () => {
    expect(ksStatistic(u8([1, 1, 0, 0, 0]), f32([0.1, 0.2, 0.6, 0.7, 0.8]))).toEqual({ statistic: 1, at: 0.20000000298023224 });
    expect(ksStatistic(u8([1, 0, 1, 0]), f32([0.3, 0.3, 0.3, 0.3]))).toEqual({ statistic: 0, at: 0.30000001192092896 });
  });
  it('is null with one class only', () => {
    expect(ksStatistic(u8([0, 0, 0]), f32([0.1, 0.2, 0.3]))).toBeNull();
  });
});

describe('probability metrics', () => {
  it('mean score and Brier score on float32 scores widened to float64', () => {
    expect(meanScore(f32([0.25, 0.75, 0.5]))).toBe(0.5);
    expect(brierScore(u8([1, 0]), f32([0.9, 0.2]))).toBe(0.025000002980232527); // numpy
  });
  it('log loss clips to [1e-15, 1 - 1e-15] and renormalises like sklearn 1.2', () => {
    expect(logLoss(u8([1, 0, 1, 0]), f32([0, 1, 0.75, 0.25]))).toBeCloseTo(17.413429133038782, 12); // numpy, sklearn's steps
    expect(logLoss(u8([1, 0]), f32([0.9, 0.2]))).toBeCloseTo(0.16425204859413997, 15);
  });
  it('null on no rows', () => {
    expect(meanScore(f32([]))).toBeNull();
    expect(brierScore(u8([]), f32([]))).toBeNull();
    expect(logLoss(u8([1]), f32([0.5]), [])).toBeNull();
  });
});

describe('scoreMetrics', () => {
  it('gives every score metric from one sort, null where undefined', () => {
    const all = scoreMetrics(TIE_Y, TIE_S);
    expect(all.metrics.roc_auc).toBeCloseTo(6 / 9, 15);
    expect(all.metrics.ks).toBeCloseTo(1 / 3, 15);
    expect(all.ksAt).toBe(0.5);
    const oneClass = scoreMetrics(u8([1, 1]), f32([0.25, 0.75]));
    expect(oneClass.metrics).toEqual({
      mean_score: 0.5,
      roc_auc: null,
      average_precision: null,
      brier: (0.75 * 0.75 + 0.25 * 0.25) / 2,
      log_loss: expect.closeTo(-(Math.log(0.25) + Math.log(0.75)) / 2, 15),
      ks: null,
    });
    expect(oneClass.ksAt).toBeNull();
  });
  it('turns a NaN score into null metrics rather than NaN', () => {
    const r = scoreMetrics(u8([1, 0]), f32([Number.NaN, 0.5]));
    expect(r.metrics.mean_score).toBeNull();
    expect(r.metrics.brier).toBeNull();
    expect(r.metrics.log_loss).toBeNull();
  });
});
