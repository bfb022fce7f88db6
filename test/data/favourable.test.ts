/**
 * favourableView (dataset.favourable: negative) on synthetic rows: the grouping engine on the flipped rows gives, per
 * group, the rates fairlearn defines with pos_label = the negative class — computed here directly from the original
 * labels and decisions, without flipping — and the disparity metrics built on them. Also favourableClasses and the
 * ROC AUC inversion note.
 */
import { describe, expect, it } from 'vitest';
import { favourableClasses, favourableView, invertedLabelNote } from '../../src/data/labels.js';
import type { Grouping } from '../../src/data/types.js';
import { groupMetrics } from '../../src/metrics/groupMetrics.js';
import { createRng } from '../../src/util/rng.js';

function synthetic(n: number, seed: number) {
  const rng = createRng(seed);
  const yTrue = new Uint8Array(n);
  const yPred = new Uint8Array(n);
  const scores = new Float32Array(n);
  const codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const g = rng.next() < 0.2 ? 0 : rng.next() < 0.5 ? 1 : 2; // unequal groups
    codes[i] = g;
    yTrue[i] = rng.next() < 0.3 + 0.15 * g ? 1 : 0;
    // decisions correlated with labels, and with the group
    const s = Math.min(1, Math.max(0, 0.25 + 0.4 * yTrue[i]! + 0.1 * g + (rng.next() - 0.5) * 0.5));
    scores[i] = s;
    yPred[i] = scores[i]! >= 0.5 ? 1 : 0;
  }
  const grouping: Grouping = { name: 'g', attributes: ['g'], keys: ['a', 'b', 'c'], values: [{ g: 'a' }, { g: 'b' }, { g: 'c' }], codes };
  return { yTrue, yPred, scores, grouping };
}

describe('favourableView: fairness on the negative class', () => {
  const { yTrue, yPred, scores, grouping } = synthetic(5000, 7);
  const fav = favourableView({ yTrue, yPred, scores }, 'negative');
  const result = groupMetrics({ ...fav, grouping, minGroupSize: 1 });

  // expected, from the original rows: pos_label = 0 (the favourable class)
  const expected = [0, 1, 2].map((g) => {
    let n = 0, decidedFav = 0, actualFav = 0, favDecidedFav = 0, actualAdv = 0, advDecidedFav = 0, meanFavScore = 0;
    for (let i = 0; i < yTrue.length; i++) {
      if (grouping.codes[i] !== g) continue;
      n++;
      const fDecision = yPred[i] === 0, fTrue = yTrue[i] === 0;
      if (fDecision) decidedFav++;
      if (fTrue) {
        actualFav++;
        if (fDecision) favDecidedFav++;
      } else {
        actualAdv++;
        if (fDecision) advDecidedFav++;
      }
      meanFavScore += 1 - Math.fround(scores[i]!);
    }
    return {
      selection: decidedFav / n,
      tpr: favDecidedFav / actualFav,
      fpr: advDecidedFav / actualAdv,
      precision: favDecidedFav / decidedFav,
      base: actualFav / n,
      meanScore: meanFavScore / n,
    };
  });

  it('per group: selection rate = rate of favourable decisions, TPR/FPR/precision/base rate of the favourable class', () => {
    result.groups.forEach((g, k) => {
      const e = expected[k]!;
      expect(g.metrics.selection_rate).toBeCloseTo(e.selection, 14);
      expect(g.metrics.true_positive_rate).toBeCloseTo(e.tpr, 14);
      expect(g.metrics.false_positive_rate).toBeCloseTo(e.fpr, 14);
      expect(g.metrics.precision).toBeCloseTo(e.precision, 14);
      expect(g.metrics.base_rate).toBeCloseTo(e.base, 14);
      expect(g.metrics.mean_score).toBeCloseTo(e.meanScore, 6); // float32 1 - s, as numpy on a float32 array
    });
  });

  it('fairlearn disparity metrics on the favourable class', () => {
    const sel = expected.map((e) => e.selection);
    const tpr = expected.map((e) => e.tpr);
    const fpr = expected.map((e) => e.fpr);
    const range = (v: number[]) => Math.max(...v) - Math.min(...v);
    expect(result.fairlearn.demographic_parity_difference).toBeCloseTo(range(sel), 14);
    expect(result.fairlearn.demographic_parity_ratio).toBeCloseTo(Math.min(...sel) / Math.max(...sel), 14);
    expect(result.fairlearn.equal_opportunity_difference).toBeCloseTo(range(tpr), 14);
    expect(result.fairlearn.equalized_odds_difference).toBeCloseTo(Math.max(range(tpr), range(fpr)), 14);
    expect(result.fairlearn.equalized_odds_ratio).toBeCloseTo(
      Math.min(Math.min(...tpr) / Math.max(...tpr), Math.min(...fpr) / Math.max(...fpr)),
      14,
    );
  });

  it('differs from the positive-class reading, and symmetric metrics (accuracy, ROC AUC) do not change', () => {
    const pos = groupMetrics({ yTrue, yPred, scores, grouping, minGroupSize: 1 });
    expect(Math.abs((pos.fairlearn.demographic_parity_ratio as number) - (result.fairlearn.demographic_parity_ratio as number))).toBeGreaterThan(0.02);
    pos.groups.forEach((g, k) => {
      expect(result.groups[k]!.metrics.accuracy).toBe(g.metrics.accuracy);
      expect(result.groups[k]!.metrics.roc_auc).toBeCloseTo(g.metrics.roc_auc as number, 12);
      expect(result.groups[k]!.confusion).toEqual({ tn: g.confusion.tp, fp: g.confusion.fn, fn: g.confusion.fp, tp: g.confusion.tn });
    });
  });

  it('positive: the same arrays, untouched', () => {
    const same = favourableView({ yTrue, yPred, scores }, 'positive');
    expect(same.yTrue).toBe(yTrue);
    expect(same.yPred).toBe(yPred);
    expect(same.scores).toBe(scores);
    expect(favourableView({ yTrue, yPred, scores: null }, 'negative').scores).toBeNull();
  });
});

describe('favourableClasses and invertedLabelNote', () => {
  it('names the favourable and the adverse class', () => {
    expect(favourableClasses({ positive_label: 'bad', favourable: 'negative' }, { negativeLabel: 'good' })).toEqual({ outcome: 'negative', label: 'good', adverseLabel: 'bad' });
    expect(favourableClasses({ positive_label: 1 }, { negativeLabel: '0' })).toEqual({ outcome: 'positive', label: '1', adverseLabel: '0' });
    expect(favourableClasses({ positive_label: 'yes', favourable: 'negative' }, {})).toEqual({ outcome: 'negative', label: 'not yes', adverseLabel: 'yes' });
  });

  it('only below 0.5', () => {
    expect(invertedLabelNote(0.5, 'a', 'b')).toBeUndefined();
    expect(invertedLabelNote(null, 'a', 'b')).toBeUndefined();
    expect(invertedLabelNote(Number.NaN, 'a', 'b')).toBeUndefined();
    expect(invertedLabelNote(0.22, '1', '0')).toBe(
      'ROC AUC 0.22 < 0.5: the scores rank the positive class `1` below the other class; is dataset.positive_label right ' +
        '(and model.positive_index the column of that class)? With `0` as positive it would be 0.78.',
    );
    expect(invertedLabelNote(0.3, 'x', undefined)).toContain('With the other class as positive it would be 0.7.');
  });
});
