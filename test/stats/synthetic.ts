/**
 * Synthetic data from known distributions for the interval coverage tests (issue #6): each repetition draws a fresh
 * data set with a seeded generator, computes the nominal 95% interval with the gate's own code path
 * (estimators -> estimateInterval, default statistics settings) and checks whether it covers the true value.
 */
import { estimateInterval } from '../../src/stats/estimate.js';
import { fairnessEstimate, performanceEstimate } from '../../src/stats/estimators.js';
import { normalCdf } from '../../src/stats/normal.js';
import { resolveStatistics, type StatisticsPolicy } from '../../src/stats/policy.js';
import { createRng, type Rng } from '../../src/util/rng.js';

export interface Coverage {
  covered: number;
  /** Truth below the interval / above it. */
  below: number;
  above: number;
  reps: number;
  rate: number;
}

function tally(reps: number, each: (r: number) => { low: number; high: number; truth: number }): Coverage {
  let covered = 0, below = 0, above = 0;
  for (let r = 0; r < reps; r++) {
    const { low, high, truth } = each(r);
    if (truth < low) below++;
    else if (truth > high) above++;
    else covered++;
  }
  return { covered, below, above, reps, rate: covered / reps };
}

/** Selection rate of n Bernoulli(p) decisions; Wilson interval (statistics.proportion default). */
export function rateCoverage(reps: number, n: number, p: number, seed: number, statistics: StatisticsPolicy = {}): Coverage {
  const settings = resolveStatistics({ statistics: statistics as Record<string, unknown> });
  const rng = createRng(seed).fork('synthetic/rate');
  const yTrue = new Uint8Array(n);
  const yPred = new Uint8Array(n);
  return tally(reps, (r) => {
    for (let i = 0; i < n; i++) yPred[i] = rng.next() < p ? 1 : 0;
    const g = performanceEstimate('selection_rate', { yTrue, yPred, scores: null });
    const e = estimateInterval(g.value as number, g.estimate!, settings, rng.fork(`boot/${r}`))!;
    return { low: e.interval.low, high: e.interval.high, truth: p };
  });
}

/** ROC AUC of positives ~ N(mu, 1) against negatives ~ N(0, 1) (scores through a logistic): true AUC = Φ(mu/√2). */
export function aucCoverage(reps: number, positives: number, negatives: number, mu: number, seed: number, statistics: StatisticsPolicy = {}): Coverage {
  const settings = resolveStatistics({ statistics: statistics as Record<string, unknown> });
  const rng = createRng(seed).fork('synthetic/auc');
  const n = positives + negatives;
  const yTrue = new Uint8Array(n);
  for (let i = 0; i < positives; i++) yTrue[i] = 1;
  const scores = new Float32Array(n);
  const yPred = new Uint8Array(n);
  const truth = normalCdf(mu / Math.SQRT2);
  return tally(reps, (r) => {
    for (let i = 0; i < n; i++) scores[i] = 1 / (1 + Math.exp(-((yTrue[i] ? mu : 0) + rng.normal())));
    const g = performanceEstimate('roc_auc', { yTrue, yPred, scores });
    const e = estimateInterval(g.value as number, g.estimate!, settings, rng.fork(`boot/${r}`))!;
    return { low: e.interval.low, high: e.interval.high, truth };
  });
}

/**
 * Demographic parity difference / ratio between two groups whose decisions are Bernoulli(pA) and Bernoulli(pB), labels
 * Bernoulli(0.3) independent of them: true difference pA - pB, true ratio pB / pA (pB < pA). Stratified bootstrap by
 * group x label.
 */
export function parityCoverage(
  reps: number,
  aggregate: 'difference' | 'ratio',
  sizes: [number, number],
  rates: [number, number],
  seed: number,
  statistics: StatisticsPolicy = {},
): Coverage {
  const settings = resolveStatistics({ statistics: statistics as Record<string, unknown> });
  const rng: Rng = createRng(seed).fork(`synthetic/parity/${aggregate}`);
  const [nA, nB] = sizes;
  const [pA, pB] = rates;
  const n = nA + nB;
  const truth = aggregate === 'difference' ? pA - pB : pB / pA;
  const codes = new Int32Array(n);
  for (let i = nA; i < n; i++) codes[i] = 1;
  const yTrue = new Uint8Array(n);
  const yPred = new Uint8Array(n);
  const plan = { bases: ['selection_rate' as const], aggregate, combine: 'worst' as const, method: 'between_groups' as const };
  return tally(reps, (r) => {
    for (let i = 0; i < n; i++) {
      yPred[i] = rng.next() < (i < nA ? pA : pB) ? 1 : 0;
      yTrue[i] = rng.next() < 0.3 ? 1 : 0;
    }
    const g = fairnessEstimate(plan, { yTrue, yPred, scores: null }, { name: 'group', keys: ['A', 'B'], codes }, 1);
    const e = estimateInterval(g.value as number, g.estimate!, settings, rng.fork(`boot/${r}`))!;
    return { low: e.interval.low, high: e.interval.high, truth };
  });
}
