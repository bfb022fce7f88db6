/**
 * The gate sorts the scores once and shares the order between performanceMetrics and every groupMetrics call: the
 * results must equal those of each call sorting on its own (Adult test, 16,281 rows, the four groupings of the
 * reference). Speed: `npm run bench` (bench/pipeline.mjs), not here.
 */
import { expect, it } from 'vitest';
import { groupMetrics } from '../../src/metrics/groupMetrics.js';
import { performanceMetrics } from '../../src/metrics/performanceMetrics.js';
import { orderByScoreDescending } from '../../src/metrics/scoreOrder.js';
import { buildGrouping, loadPredictions } from './referenceFixtures.js';

it('performanceMetrics + groupMetrics over 4 groupings with one shared sort equal the calls that sort on their own', () => {
  const d = loadPredictions('adult', 'gbt_onehot');
  const groupings = [
    buildGrouping('sex', ['sex'], d.columns),
    buildGrouping('race', ['race'], d.columns),
    buildGrouping('age_bin', ['age_bin'], d.columns),
    buildGrouping('sex_x_age_bin', ['sex', 'age_bin'], d.columns),
  ];
  const order = orderByScoreDescending(d.scores);
  const shared = performanceMetrics(d.yTrue, d.scores, d.yPred, { curves: true, scoreOrder: order });
  const own = performanceMetrics(d.yTrue, d.scores, d.yPred, { curves: true });
  expect(shared.metrics.count).toBe(16281);
  expect(shared.curves).not.toBeNull();
  expect(shared).toEqual(own);
  const withOrder = groupings.map((grouping) =>
    groupMetrics({ yTrue: d.yTrue, yPred: d.yPred, scores: d.scores, grouping, minGroupSize: 30, scoreOrder: order }),
  );
  const alone = groupings.map((grouping) => groupMetrics({ yTrue: d.yTrue, yPred: d.yPred, scores: d.scores, grouping, minGroupSize: 30 }));
  expect(withOrder.map((r) => r.groups.length)).toEqual([2, 5, 3, 6]);
  expect(withOrder).toEqual(alone);
});
