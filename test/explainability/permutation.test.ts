/**
 * Permutation importance (ROC AUC drop per raw column) against scikit-learn's permutation_importance (20 repeats,
 * random_state=0). Shuffles differ between generators, so means are compared within their spread:
 * |mean - mean_ref| <= 4 sqrt(std_ref²/20 + std²/repeats) (+1e-4), and ranks only where the reference means are
 * well separated (gap > 4 (std_a + std_b) / sqrt(20)).
 */
import { describe, expect, it } from 'vitest';
import { permutationImportance } from '../../src/checks/explainability/permutation-importance.js';
import { playersOf } from '../../src/checks/explainability/players.js';
import { makeLabels } from '../../src/data/labels.js';
import type { ModelInput } from '../../src/model/types.js';
import type { DatasetSpec } from '../../src/policy/types.js';
import { createRng } from '../../src/util/rng.js';
import { columnsInput, loadDataset, oneHotInput, openModel, readJson, type FixtureSet } from './helpers.js';

const LABELS: Record<FixtureSet, Partial<DatasetSpec>> = {
  adult: { label: 'income', positive_label: '>50K' },
  'german-credit': { label: 'credit_risk', positive_label: 'good' },
};

const CASES: Array<[FixtureSet, string, number]> = [
  ['german-credit', 'gbt_onehot', 20],
  ['german-credit', 'logreg_pipeline_nozipmap', 20],
  ['german-credit', 'mlp_torch', 20],
  ['adult', 'mlp_torch', 4],
];

describe('permutation importance', { timeout: 120_000 }, () => {
  it.each(CASES)('%s %s: means within the spread of scikit-learn, well-separated ranks agree', async (set, name, repeats) => {
    const ref = readJson(set, `${name}.explain.reference.json`).permutation_importance;
    const dataset = await loadDataset(set);
    const model = await openModel(set, `${name}.onnx`);
    try {
      const input: ModelInput = name.startsWith('logreg') ? columnsInput(dataset, model) : oneHotInput(set, dataset);
      const players = playersOf(input, dataset.columns.map((c) => c.name));
      expect([...players.names].sort()).toEqual(Object.keys(ref.columns).sort());
      const { yTrue } = makeLabels(dataset, LABELS[set] as DatasetSpec);
      const r = await permutationImportance({ model, input, yTrue, players, metric: 'roc_auc', threshold: 0.5, repeats, rng: createRng(0) });
      expect(r).not.toBeNull();
      const res = r!;
      expect(Math.abs(res.baseline - ref.baseline_roc_auc)).toBeLessThan(1e-6);
      expect(res.modelRows).toBe(dataset.rows * (1 + repeats * players.names.length));
      const ours = new Map(res.features.map((f) => [f.feature, f]));
      for (const [col, want] of Object.entries(ref.columns) as Array<[string, { mean: number; std: number }]>) {
        const got = ours.get(col)!;
        expect(got.values).toHaveLength(repeats);
        const tol = 4 * Math.sqrt(want.std ** 2 / 20 + got.std ** 2 / repeats) + 1e-4;
        expect(Math.abs(got.mean - want.mean), `${col}: ${got.mean} vs ${want.mean}`).toBeLessThanOrEqual(tol);
      }
      const cols = Object.entries(ref.columns) as Array<[string, { mean: number; std: number }]>;
      let compared = 0;
      for (const [a, ra] of cols) {
        for (const [b, rb] of cols) {
          if (ra.mean - rb.mean > (4 * (ra.std + rb.std)) / Math.sqrt(20) + 1e-4) {
            expect(ours.get(a)!.rank, `${a} should rank above ${b}`).toBeLessThan(ours.get(b)!.rank);
            compared++;
          }
        }
      }
      expect(compared).toBeGreaterThan(10);
      expect(res.features[0].feature).toBe(ref.rank_by_mean[0]);
    } finally {
      await model.dispose();
    }
  });
});
