import { describe, expect, it } from 'vitest';
import { FairnessEvaluator, PerformanceEvaluator } from '../../src/stats/weighted/metrics.js';
import { rowsToWeights } from '../../src/stats/weighted/weights.js';
import { groupCodes, readPredictions, readReference } from './helpers.js';

const PERFORMANCE = [
  'accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'true_positive_rate', 'false_positive_rate',
  'true_negative_rate', 'false_negative_rate', 'selection_rate', 'base_rate', 'roc_auc', 'average_precision', 'brier',
  'log_loss', 'mean_score', 'ks',
] as const;

describe('weighted metrics at unit weights equal the scikit-learn / fairlearn reference values', () => {
  for (const [dataset, model] of [['adult', 'gbt_onehot'], ['german-credit', 'mlp_torch']] as const) {
    it(`${dataset}/${model}: performance`, () => {
      const pred = readPredictions(dataset, model);
      const ref = readReference(dataset, model).performance;
      const ev = new PerformanceEvaluator(pred);
      for (const m of PERFORMANCE) {
        const expected = m === 'ks' ? ref.ks.statistic : ref[m];
        expect(Math.abs((ev.value(m, null) as number) - expected), m).toBeLessThan(1e-9);
      }
    });
    it(`${dataset}/${model}: fairlearn disparities per attribute`, () => {
      const pred = readPredictions(dataset, model);
      const ref = readReference(dataset, model).fairness;
      const attrs: Array<[string, string[]]> = [['sex', ['sex']], ['age_bin', ['age_bin']], ['sex_x_age_bin', ['sex', 'age_bin']]];
      if (dataset === 'adult') attrs.push(['race', ['race']]);
      for (const [name, cols] of attrs) {
        const grouping = groupCodes(name, cols.map((c) => pred.columns[c]));
        expect(grouping.keys).toEqual(ref[name].groups);
        const f = ref[name].fairlearn;
        const cases: Array<[string, Parameters<typeof plan>[0], number]> = [
          ['demographic_parity_difference', ['selection_rate'], f.demographic_parity_difference],
          ['demographic_parity_ratio', ['selection_rate', 'ratio'], f.demographic_parity_ratio],
          ['demographic_parity_ratio_to_overall', ['selection_rate', 'ratio', 'to_overall'], f.demographic_parity_ratio_to_overall],
          ['demographic_parity_difference_to_overall', ['selection_rate', 'difference', 'to_overall'], f.demographic_parity_difference_to_overall],
          ['equalized_odds_difference', ['true_positive_rate,false_positive_rate'], f.equalized_odds_difference],
          ['equalized_odds_ratio', ['true_positive_rate,false_positive_rate', 'ratio'], f.equalized_odds_ratio],
          ['equalized_odds_difference_agg_mean', ['true_positive_rate,false_positive_rate', 'difference', 'between_groups', 'mean'], f.equalized_odds_difference_agg_mean],
          ['equal_opportunity_ratio', ['true_positive_rate', 'ratio'], f.equal_opportunity_ratio],
        ];
        for (const [label, args, expected] of cases) {
          // minGroupSize 1: the reference aggregates over every non-empty group
          const ev = new FairnessEvaluator(pred, grouping, plan(args), 1);
          expect(ev.insufficientReason, `${name} ${label}`).toBeUndefined();
          expect(Math.abs((ev.value(null) as number) - expected), `${name} ${label}`).toBeLessThan(1e-9);
        }
        // a score metric aggregated over groups: roc_auc difference between groups
        const auc = new FairnessEvaluator(pred, grouping, plan(['roc_auc']), 1);
        expect(Math.abs((auc.value(null) as number) - ref[name].score_metrics.difference_between_groups.roc_auc)).toBeLessThan(1e-9);
      }
    });
  }

  it('integer weights equal repeating the rows', () => {
    const pred = readPredictions('german-credit', 'gbt_onehot');
    const n = pred.yTrue.length;
    const rows = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n).map((r, i) => (i % 3 === 0 ? 0 : r));
    const w = rowsToWeights(rows, n);
    const repeated = {
      yTrue: Uint8Array.from(rows, (r) => pred.yTrue[r]),
      yPred: Uint8Array.from(rows, (r) => pred.yPred[r]),
      scores: Float32Array.from(rows, (r) => pred.scores[r]),
    };
    const weighted = new PerformanceEvaluator(pred);
    const plain = new PerformanceEvaluator(repeated);
    for (const m of PERFORMANCE) {
      expect(Math.abs((weighted.value(m, w) as number) - (plain.value(m, null) as number)), m).toBeLessThan(1e-12);
    }
  });
});

function plan([bases, aggregate = 'difference', method = 'between_groups', combine = 'worst']: string[]) {
  return {
    bases: bases.split(',') as any,
    aggregate: aggregate as 'difference' | 'ratio',
    method: method as 'between_groups' | 'to_overall',
    combine: combine as 'worst' | 'mean',
  };
}
