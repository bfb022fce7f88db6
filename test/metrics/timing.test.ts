/** Speed of the engine on Adult test (16,281 rows): performance with curves plus the four groupings of the reference. */
import { expect, it } from 'vitest';
import { groupMetrics } from '../../src/metrics/groupMetrics.js';
import { performanceMetrics } from '../../src/metrics/performanceMetrics.js';
import { orderByScoreDescending } from '../../src/metrics/scoreOrder.js';
import { buildGrouping, loadPredictions } from './referenceFixtures.js';

it('performanceMetrics + groupMetrics over 4 groupings on 16,281 rows take milliseconds', () => {
  const d = loadPredictions('adult', 'gbt_onehot');
  const groupings = [
    buildGrouping('sex', ['sex'], d.columns),
    buildGrouping('race', ['race'], d.columns),
    buildGrouping('age_bin', ['age_bin'], d.columns),
    buildGrouping('sex_x_age_bin', ['sex', 'age_bin'], d.columns),
  ];
  const run = (): number => {
    const t0 = performance.now();
    const order = orderByScoreDescending(d.scores);
    const p = performanceMetrics(d.yTrue, d.scores, d.yPred, { curves: true, scoreOrder: order });
    const results = groupings.map((grouping) =>
      groupMetrics({ yTrue: d.yTrue, yPred: d.yPred, scores: d.scores, grouping, minGroupSize: 30, scoreOrder: order }),
    );
    const ms = performance.now() - t0;
    expect(p.metrics.count).toBe(16281);
    expect(results.map((r) => r.groups.length)).toEqual([2, 5, 3, 6]);
    return ms;
  };
  run(); // warm-up (JIT)
  const times = Array.from({ length: 5 }, run).sort((a, b) => a - b);
  const t0 = performance.now();
  const single = performanceMetrics(d.yTrue, d.scores, d.yPred, { curves: true });
  const tPerf = performance.now() - t0;
  const t1 = performance.now();
  groupMetrics({ yTrue: d.yTrue, yPred: d.yPred, scores: d.scores, grouping: groupings[3]!, minGroupSize: 30 });
  const tGroup = performance.now() - t1;
  console.log(
    `metrics timing (16,281 rows): performance+curves ${tPerf.toFixed(2)} ms; groupMetrics sex_x_age_bin (own sort) ${tGroup.toFixed(2)} ms; ` +
      `performance + 4 groupings with a shared sort: median ${times[2]!.toFixed(2)} ms (min ${times[0]!.toFixed(2)})`,
  );
  expect(single.curves).not.toBeNull();
  expect(times[2]).toBeLessThan(1000); // generous: a regression to per-row objects or O(n²) would show here
});
