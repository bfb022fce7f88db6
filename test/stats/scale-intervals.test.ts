/**
 * Intervals at scale (issue #12) against the row bootstrap they replace above rows × resamples = 2·10⁷: on Adult gbt
 * (16,281 rows, where both run) every endpoint agrees within Monte Carlo error; DeLong's standard error equals the
 * O(P·N) definition on a small case.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { thresholdSweep } from '../../src/metrics/thresholdSweep.js';
import { performanceMetrics } from '../../src/metrics/index.js';
import { estimateInterval } from '../../src/stats/estimate.js';
import { performanceEstimate } from '../../src/stats/estimators.js';
import { resolveStatistics } from '../../src/stats/policy.js';
import { aucEstimate, binnedEstimate, cellsEstimate, delongStandardError, meanEstimate } from '../../src/stats/scaleIntervals.js';
import { weightedConfusion } from '../../src/stats/weighted/confusion.js';
import { rowLosses } from '../../src/stats/weighted/scores.js';
import { createRng } from '../../src/util/rng.js';

const csv = readFileSync(join(__dirname, '..', 'fixtures', 'adult', 'gbt_onehot.predictions.csv'), 'utf8').trimEnd().split('\n').slice(1);
const yTrue = Uint8Array.from(csv, (l) => Number(l.split(',')[1]));
const scores = Float32Array.from(csv, (l) => Number(l.split(',')[2]));
const yPred = Uint8Array.from(scores, (s) => (s >= 0.5 ? 1 : 0));

describe('at-scale intervals equal the row bootstrap within Monte Carlo error (Adult gbt, 16,281 rows, 1,000 resamples)', () => {
  const settings = resolveStatistics({});
  const perf = performanceMetrics(yTrue, scores, yPred, { curves: false });
  const sweep = thresholdSweep(yTrue, scores);
  const cells = weightedConfusion(yTrue, yPred, new Uint32Array(yTrue.length).fill(1));
  const cases: Array<[string, () => ReturnType<typeof aucEstimate>]> = [
    ['roc_auc', () => aucEstimate(perf.metrics.roc_auc as number, sweep, settings)],
    ['average_precision', () => binnedEstimate('average_precision', perf.metrics.average_precision as number, sweep, settings, createRng(1))],
    ['ks', () => binnedEstimate('ks', perf.metrics.ks as number, sweep, settings, createRng(2))],
    ['brier', () => meanEstimate(rowLosses('brier', yTrue, scores), settings, yTrue)],
    ['log_loss', () => meanEstimate(rowLosses('log_loss', yTrue, scores), settings, yTrue)],
    ['f1', () => cellsEstimate('f1', perf.metrics.f1 as number, cells, settings, createRng(3))],
    ['balanced_accuracy', () => cellsEstimate('balanced_accuracy', perf.metrics.balanced_accuracy as number, cells, settings, createRng(4))],
  ];
  it.each(cases)('%s', (metric, scaled) => {
    const g = performanceEstimate(metric as never, { yTrue, yPred, scores });
    const boot = estimateInterval(g.value as number, { ...g.estimate!, proportion: undefined } as never, settings, createRng(7).fork(metric))!;
    const fast = scaled()!;
    const width = boot.interval.high - boot.interval.low;
    const dLow = Math.abs(fast.interval.low - boot.interval.low);
    const dHigh = Math.abs(fast.interval.high - boot.interval.high);
    console.log(`${metric}: row bootstrap [${boot.interval.low.toFixed(5)}, ${boot.interval.high.toFixed(5)}], at scale (${fast.interval.method}) [${fast.interval.low.toFixed(5)}, ${fast.interval.high.toFixed(5)}], endpoint differences ${(dLow / width * 100).toFixed(1)}% / ${(dHigh / width * 100).toFixed(1)}% of the width`);
    expect(dLow).toBeLessThan(0.15 * width);
    expect(dHigh).toBeLessThan(0.15 * width);
    expect(fast.interval.low).toBeLessThan(g.value as number);
    expect(fast.interval.high).toBeGreaterThan(g.value as number);
  }, 60_000);
});

describe('DeLong', () => {
  it('equals the O(P·N) definition with ties', () => {
    const y = Uint8Array.from([1, 0, 1, 1, 0, 0, 1, 0, 0, 1, 0, 1]);
    const s = Float32Array.from([0.9, 0.8, 0.8, 0.7, 0.6, 0.6, 0.55, 0.4, 0.3, 0.3, 0.2, 0.1]);
    const pos = [...s].filter((_, i) => y[i] === 1), neg = [...s].filter((_, i) => y[i] === 0);
    const psi = (a: number, b: number) => (a > b ? 1 : a === b ? 0.5 : 0);
    const v10 = pos.map((p) => neg.reduce((t, n) => t + psi(p, n), 0) / neg.length);
    const v01 = neg.map((n) => pos.reduce((t, p) => t + psi(p, n), 0) / pos.length);
    const auc = v10.reduce((a, b) => a + b) / pos.length;
    const varOf = (xs: number[]) => { const m = xs.reduce((a, b) => a + b) / xs.length; return xs.reduce((t, x) => t + (x - m) ** 2, 0) / (xs.length - 1); };
    const se = Math.sqrt(varOf(v10) / pos.length + varOf(v01) / neg.length);
    const d = delongStandardError(thresholdSweep(y, s))!;
    expect(d.auc).toBeCloseTo(auc, 14);
    expect(d.se).toBeCloseTo(se, 14);
  });
});

describe('score-based fairness metrics at scale agree with the row bootstrap (Adult gbt by sex and by race)', () => {
  const groupCsv = readFileSync(join(__dirname, '..', 'fixtures', 'adult', 'gbt_onehot.predictions.csv'), 'utf8').trimEnd().split('\n');
  const head = groupCsv[0].split(',');
  const col = (name: string) => groupCsv.slice(1).map((l) => l.split(',')[head.indexOf(name)]);
  const grouping = (name: string) => {
    const values = col(name);
    const keys = [...new Set(values)].sort();
    return { name, attributes: [name], keys, values: keys.map((k) => ({ [name]: k })), codes: Int32Array.from(values, (v) => keys.indexOf(v)) };
  };
  it.each([
    ['roc_auc', 'difference', 'sex'],
    ['roc_auc', 'group_min', 'race'],
    ['brier', 'group_max', 'race'],
    ['average_precision', 'ratio', 'sex'],
  ] as const)('%s %s by %s', async (base, aggregate, attr) => {
    const { scoreFairnessAtScale } = await import('../../src/checks/fairness.js');
    const { fairnessEstimate } = await import('../../src/stats/estimators.js');
    const plan = { bases: [base], aggregate, combine: 'worst', method: 'between_groups' } as never;
    const g = grouping(attr);
    const pred = { yTrue, yPred, scores };
    const gated = fairnessEstimate(plan, pred, g, 30);
    const settings = resolveStatistics({});
    const boot = estimateInterval(gated.value as number, gated.estimate!, settings, createRng(9).fork(`${base}/${attr}`))!;
    const doc = { policy: { seed: 0, statistics: {} } } as never;
    const { statisticsOf } = await import('../../src/checks/result.js');
    statisticsOf(doc).scaleWork = 0;
    const fast = scoreFairnessAtScale({ doc } as never, plan, pred, g as never, 30, gated.value as number, 'test')!;
    const width = boot.interval.high - boot.interval.low;
    console.log(`${base} ${aggregate} by ${attr} = ${(gated.value as number).toFixed(4)}: row bootstrap [${boot.interval.low.toFixed(4)}, ${boot.interval.high.toFixed(4)}], at scale (${fast.interval.method}) [${fast.interval.low.toFixed(4)}, ${fast.interval.high.toFixed(4)}]`);
    expect(Math.abs(fast.interval.low - boot.interval.low)).toBeLessThan(0.3 * width);
    expect(Math.abs(fast.interval.high - boot.interval.high)).toBeLessThan(0.3 * width);
  }, 60_000);
});
