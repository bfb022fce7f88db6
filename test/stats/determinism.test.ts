import { describe, expect, it } from 'vitest';
import { makeCheckResults, type CheckInput } from '../../src/checks/result.js';
import { fairnessEstimate, performanceEstimate } from '../../src/stats/estimators.js';
import { createRng } from '../../src/util/rng.js';
import { fakeDoc } from './helpers.js';

/** 2,000 rows, 4 groups; scores informative, decisions at 0.5. */
function data() {
  const rng = createRng(99).fork('determinism');
  const n = 2000;
  const yTrue = new Uint8Array(n), yPred = new Uint8Array(n), scores = new Float32Array(n), codes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    codes[i] = i % 4;
    yTrue[i] = rng.next() < 0.3 ? 1 : 0;
    scores[i] = 1 / (1 + Math.exp(-(yTrue[i] ? 1.2 : -0.3) - rng.normal() - 0.2 * codes[i]));
    yPred[i] = scores[i] >= 0.5 ? 1 : 0;
  }
  return { pred: { yTrue, yPred, scores }, grouping: { name: 'g', keys: ['a', 'b', 'c', 'd'], codes } };
}

describe('determinism of intervals', () => {
  const { pred, grouping } = data();
  const auc = performanceEstimate('roc_auc', pred);
  const ratio = fairnessEstimate({ bases: ['selection_rate'], aggregate: 'ratio', combine: 'worst', method: 'between_groups' }, pred, grouping, 30);
  const checks = (seed: number): CheckInput[] => [
    { doc: fakeDoc({ seed }), section: 'performance', metric: 'roc_auc', title: 'ROC AUC', value: auc.value, estimate: auc.estimate!, threshold: { min: 0.7 }, pointer: ['p'] },
    { doc: fakeDoc({ seed }), section: 'fairness', metric: 'demographic_parity_ratio', scope: 'g', title: 'DPR', value: ratio.value, estimate: ratio.estimate!, threshold: { min: 0.5 }, pointer: ['f'] },
  ];

  it('same seed -> identical results, whatever the order the checks run in', () => {
    const a = checks(1).map((c) => makeCheckResults(c)[0]);
    const b = checks(1).reverse().map((c) => makeCheckResults(c)[0]).reverse();
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('another seed moves the endpoints by no more than Monte Carlo noise (< 0.5 bootstrap SE)', () => {
    for (let k = 0; k < 2; k++) {
      const r1 = makeCheckResults(checks(1)[k])[0];
      const r2 = makeCheckResults(checks(2)[k])[0];
      const se = r1.evidence!.standardError!;
      expect(se).toBeGreaterThan(0);
      const dLow = Math.abs(r1.interval!.low - r2.interval!.low);
      const dHigh = Math.abs(r1.interval!.high - r2.interval!.high);
      console.log(`${r1.metric}: SE ${se.toFixed(5)}, |Δlow| ${dLow.toFixed(5)}, |Δhigh| ${dHigh.toFixed(5)}`);
      expect(dLow + dHigh).toBeGreaterThan(0);
      // SD of a 2.5% quantile of 1,000 resamples ≈ 0.085 SE, of a difference of two ≈ 0.12 SE: 0.5 SE is ~4 SD
      expect(dLow).toBeLessThan(0.5 * se);
      expect(dHigh).toBeLessThan(0.5 * se);
      expect(r1.value).toBe(r2.value);
    }
  });
});
