/**
 * Compares the metrics engine with the scikit-learn / fairlearn reference files of one dataset: every model, the
 * whole-data performance and every grouping. Counts must be exact, every other value within 1e-9, null where the
 * reference has null.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupMetrics } from '../../src/metrics/groupMetrics.js';
import { performanceMetrics } from '../../src/metrics/performanceMetrics.js';
import { orderByScoreDescending } from '../../src/metrics/scoreOrder.js';
import type { AttributeResult, MetricValues } from '../../src/metrics/types.js';
import { buildGrouping, DiffTracker, loadPredictions, loadReference, type Predictions } from './referenceFixtures.js';

export const TOLERANCE = 1e-9;
const COUNT_KEYS = new Set(['count', 'n', 'n_positive', 'n_negative']);

class Comparison {
  readonly failures: string[] = [];
  /** Number of reference values compared (guards against a comparison that silently checks nothing). */
  compared = 0;
  constructor(private readonly diffs: DiffTracker) {}

  value(family: string, path: string, actual: number | null | undefined, expected: number | null): void {
    this.compared++;
    if (expected === null) {
      if (actual !== null) this.failures.push(`${path}: expected null, got ${actual}`);
      return;
    }
    if (actual === null || actual === undefined || Number.isNaN(actual)) {
      this.failures.push(`${path}: expected ${expected}, got ${actual}`);
      return;
    }
    const diff = Math.abs(actual - expected);
    const exact = COUNT_KEYS.has(path.split('.').pop() as string);
    this.diffs.record(exact ? 'counts' : family, diff);
    if (exact ? diff !== 0 : !(diff <= TOLERANCE)) this.failures.push(`${path}: expected ${expected}, got ${actual} (|Δ| ${diff})`);
  }

  metrics(family: string, path: string, actual: MetricValues, expected: Record<string, number | null>, skip: string[] = []): void {
    for (const [key, want] of Object.entries(expected)) {
      if (skip.includes(key)) continue;
      this.value(family, `${path}.${key}`, actual[key as keyof MetricValues], want);
    }
  }
}

const AGGREGATES = [
  'group_min',
  'group_max',
  'difference_between_groups',
  'difference_to_overall',
  'ratio_between_groups',
  'ratio_to_overall',
] as const;

function compareAttribute(cmp: Comparison, path: string, result: AttributeResult, ref: any): void {
  const keys = result.groups.map((g) => g.key);
  if (JSON.stringify(keys) !== JSON.stringify(ref.groups)) cmp.failures.push(`${path}.groups: ${keys} != ${ref.groups}`);
  if (JSON.stringify(result.attributes) !== JSON.stringify(ref.sensitive_columns)) cmp.failures.push(`${path}.attributes`);
  for (const [part, family] of [
    ['label_metrics', 'label'],
    ['score_metrics', 'score'],
  ] as const) {
    const r = ref[part];
    cmp.metrics(`${family} overall`, `${path}.${part}.overall`, result.overall, r.overall);
    r.by_group.forEach((g: any, i: number) => {
      const ours = result.groups[i];
      if (ours === undefined || ours.key !== g.key) {
        cmp.failures.push(`${path}.${part}.by_group[${i}]: missing ${g.key}`);
        return;
      }
      if (JSON.stringify(ours.group) !== JSON.stringify(g.group)) cmp.failures.push(`${path}.${g.key}.group`);
      if (g.empty_group === true && (ours.count !== 0 || ours.sufficient)) cmp.failures.push(`${path}.${g.key}: not empty`);
      const wanted = Object.fromEntries(Object.entries(g).filter(([k]) => !['group', 'key', 'empty_group'].includes(k))) as Record<
        string,
        number | null
      >;
      cmp.metrics(`${family} by_group`, `${path}.${part}.${g.key}`, ours.metrics, wanted);
      if (wanted.count !== undefined) cmp.value('counts', `${path}.${g.key}.count`, ours.count, wanted.count);
    });
    for (const agg of AGGREGATES) cmp.metrics(`${family} ${agg}`, `${path}.${part}.${agg}`, result.aggregates[agg], r[agg]);
  }
  for (const [key, want] of Object.entries(ref.fairlearn as Record<string, number | null>)) {
    cmp.value('fairlearn', `${path}.fairlearn.${key}`, result.fairlearn[key as keyof typeof result.fairlearn], want);
  }
}

export function referenceSuite(dataset: string, models: string[], diffs: DiffTracker): void {
  for (const model of models) {
    describe(`${dataset}/${model}`, () => {
      let data: Predictions;
      let ref: any;
      let order: Uint32Array;
      beforeAll(() => {
        data = loadPredictions(dataset, model);
        ref = loadReference(dataset, model);
        order = orderByScoreDescending(data.scores);
      });

      it('reproduces y_pred from the float32 scores at the reference threshold', () => {
        let flips = 0;
        for (let i = 0; i < data.rows; i++) if (((data.scores[i] as number) >= ref.scores.threshold ? 1 : 0) !== data.yPred[i]) flips++;
        expect(flips).toBe(0);
      });

      it('matches the whole-data performance reference', () => {
        const cmp = new Comparison(diffs);
        const p = performanceMetrics(data.yTrue, data.scores, data.yPred, { curves: true, scoreOrder: order });
        const perf = ref.performance;
        cmp.value('counts', 'n', p.metrics.count, perf.n);
        cmp.value('counts', 'n_positive', p.confusion.tp + p.confusion.fn, perf.n_positive);
        cmp.value('counts', 'n_negative', p.confusion.tn + p.confusion.fp, perf.n_negative);
        for (const k of ['tn', 'fp', 'fn', 'tp'] as const) {
          if (p.confusion[k] !== perf.confusion_matrix[k]) cmp.failures.push(`confusion.${k}: ${p.confusion[k]} != ${perf.confusion_matrix[k]}`);
        }
        const labelKeys = [
          'base_rate', 'selection_rate', 'accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1',
          'true_positive_rate', 'false_positive_rate', 'true_negative_rate', 'false_negative_rate',
        ];
        for (const k of labelKeys) cmp.value('performance label', `performance.${k}`, p.metrics[k as keyof MetricValues], perf[k]);
        for (const k of ['roc_auc', 'average_precision']) cmp.value('performance ranking', `performance.${k}`, p.metrics[k as keyof MetricValues], perf[k]);
        for (const k of ['brier', 'log_loss', 'mean_score']) cmp.value('performance probability', `performance.${k}`, p.metrics[k as keyof MetricValues], perf[k]);
        cmp.value('performance ks', 'performance.ks', p.metrics.ks, perf.ks.statistic);
        expect(cmp.failures).toEqual([]);
        expect(cmp.compared).toBe(20);
        expect(p.curves).not.toBeNull();
      });

      it('matches every fairness grouping of the reference (MetricFrame, aggregates, fairlearn)', () => {
        const cmp = new Comparison(diffs);
        const names = Object.keys(ref.fairness);
        expect(names.length).toBeGreaterThan(0);
        for (const name of names) {
          const fr = ref.fairness[name];
          const grouping = buildGrouping(name, fr.sensitive_columns, data.columns);
          const result = groupMetrics({
            yTrue: data.yTrue,
            yPred: data.yPred,
            scores: data.scores,
            grouping,
            minGroupSize: 1,
            scoreOrder: order,
          });
          expect(result.name).toBe(name);
          const before = cmp.compared;
          compareAttribute(cmp, name, result, fr);
          // per group: 12 label + 4 score values + count; overall + 6 aggregates of 12 label and 4 score metrics; 10 fairlearn
          expect(cmp.compared - before).toBe(fr.groups.length * 17 + 7 * 16 + 10);
        }
        expect(cmp.failures).toEqual([]);
      });
    });
  }

  afterAll(() => {
    console.log(`max |Δ| vs ${dataset} references:`, diffs.table());
  });
}
