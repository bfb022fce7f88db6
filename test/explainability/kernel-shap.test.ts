/**
 * KernelSHAP on the raw columns against the reference files (exact interventional Shapley values, all 2^14 coalitions,
 * background = test rows 0..99). Tolerances stated here:
 * - exact enumeration: 1e-6 (float32 model outputs; observed ~3e-8);
 * - sampled, 512 coalitions per row: max |Δ| <= 0.01 and mean |Δ| <= 0.002 in probability;
 * - logistic regression in log-odds: exact for any coalition sample (the game is additive), checked against the closed
 *   form φ_c = g_c(x) - mean_b g_c(b) up to float32 rounding (1e-5).
 */
import { describe, expect, it } from 'vitest';
import { gatherRows } from '../../src/checks/explainability/input-rows.js';
import { kernelShap } from '../../src/checks/explainability/kernel-shap.js';
import { playersOf } from '../../src/checks/explainability/players.js';
import { createRng } from '../../src/util/rng.js';
import { columnsInput, loadDataset, maxAbsDiff, oneHotInput, openModel, readJson } from './helpers.js';

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

describe('KernelSHAP on Adult models against exact raw-column Shapley values', { timeout: 120_000 }, () => {
  it('logistic regression pipeline (14 string/float inputs): log-odds values are the closed form; probability within tolerance', async () => {
    const dataset = await loadDataset('adult');
    const ref = readJson('adult', 'logreg_pipeline_nozipmap.explain.reference.json');
    const model = await openModel('adult', 'logreg_pipeline_nozipmap.onnx');
    try {
      const input = columnsInput(dataset, model);
      const players = playersOf(input, dataset.columns.map((c) => c.name));
      expect(players.names).toEqual(ref.players);
      expect(players.inputs.every((l) => l.length === 1)).toBe(true);
      const rows: number[] = ref.explained_rows.slice(0, 6);
      const explain = gatherRows(input, rows);

      // Log-odds. Background row 83 has P = 1 - 7e-14, which float32 rounds to 1 (log-odds unrecoverable), so this part
      // uses the 99 other background rows; then φ_c - φ_ref_c = mean_{100 rows} g_c - mean_{99 rows} g_c is one constant
      // per column, the same for every explained row, iff the values are exactly g_c(x) - mean_b g_c(b).
      const bg99 = gatherRows(input, ref.background_rows.filter((r: number) => r !== 83));
      const lo = await kernelShap({ model, players, explain, background: bg99, logOdds: true, samples: 64, exact: false, rng: createRng(5) });
      const P = players.names.length;
      for (let c = 0; c < P; c++) {
        const shift = lo.logOdds!.values[c] - ref.shap.log_odds.values[0][c];
        for (let i = 1; i < rows.length; i++) {
          expect(Math.abs(lo.logOdds!.values[i * P + c] - ref.shap.log_odds.values[i][c] - shift)).toBeLessThan(1e-5);
        }
      }
      // log-odds of a float32 probability: resolution about 6e-8 / (P (1 - P))
      lo.probability.output.forEach((p, i) => {
        expect(Math.abs(lo.logOdds!.output[i] - ref.shap.log_odds.f_x[i])).toBeLessThan(1e-6 + 1.2e-7 / (p * (1 - p)));
      });
      expect(lo.additivityError.logOdds!).toBeLessThan(1e-9);
      expect(lo.coalitions).toBeLessThanOrEqual(64);

      // Probability, full reference background, 512 sampled coalitions per row.
      const bg = gatherRows(input, ref.background_rows);
      const pr = await kernelShap({ model, players, explain, background: bg, logOdds: false, samples: 512, exact: false, rng: createRng(5) });
      const want = ref.shap.probability.values.slice(0, rows.length).flat();
      expect(Math.abs(pr.probability.expected - ref.shap.probability.expected_value)).toBeLessThan(1e-6);
      expect(maxAbsDiff(pr.probability.values, want)).toBeLessThan(0.01);
      expect(meanAbsDiff(pr.probability.values, want)).toBeLessThan(0.002);
      expect(pr.additivityError.probability).toBeLessThan(1e-12);
      // one call for f(x) and the background, then batches of whole coalitions
      expect(pr.modelRows).toBe(rows.length + 100 + rows.length * pr.coalitions * 100);
      expect(pr.modelCalls).toBeLessThan(10);
    } finally {
      await model.dispose();
    }
  });

  it('MLP (PyTorch): exact enumeration equals the reference to 1e-6; 512 sampled coalitions within tolerance', async () => {
    const dataset = await loadDataset('adult');
    const ref = readJson('adult', 'mlp_torch.explain.reference.json');
    const exactRef = ref.exact_shap_raw_columns;
    const model = await openModel('adult', 'mlp_torch.onnx');
    try {
      const input = oneHotInput('adult', dataset);
      const players = playersOf(input, dataset.columns.map((c) => c.name));
      expect(players.names).toEqual(exactRef.players);
      const bg = gatherRows(input, ref.background_rows);
      const one = await kernelShap({ model, players, explain: gatherRows(input, [exactRef.explained_rows[0]]), background: bg, logOdds: false, samples: 0, exact: true, rng: createRng(1) });
      expect(one.exact).toBe(true);
      expect(one.coalitions).toBe(2 ** 14 - 2);
      expect(maxAbsDiff(one.probability.values, exactRef.probability.values[0])).toBeLessThan(1e-6);

      const rows = exactRef.explained_rows;
      const sampled = await kernelShap({ model, players, explain: gatherRows(input, rows), background: bg, logOdds: false, samples: 512, exact: false, rng: createRng(2) });
      const want = exactRef.probability.values.flat();
      expect(maxAbsDiff(sampled.probability.values, want)).toBeLessThan(0.01);
      expect(meanAbsDiff(sampled.probability.values, want)).toBeLessThan(0.002);
      expect(maxAbsDiff(sampled.probability.output, exactRef.probability.f_x)).toBeLessThan(1e-6);
    } finally {
      await model.dispose();
    }
  });

  it('tree ensemble through onnxruntime (KernelSHAP, 512 coalitions) is close to the exact raw-column values in both spaces', async () => {
    const dataset = await loadDataset('adult');
    const ref = readJson('adult', 'gbt_onehot.explain.reference.json');
    const exactRef = ref.exact_shap_raw_columns;
    const model = await openModel('adult', 'gbt_onehot.onnx');
    try {
      const input = oneHotInput('adult', dataset);
      const players = playersOf(input, dataset.columns.map((c) => c.name));
      const rows = exactRef.explained_rows.slice(0, 3);
      const r = await kernelShap({ model, players, explain: gatherRows(input, rows), background: gatherRows(input, ref.background_rows), logOdds: true, samples: 512, exact: false, rng: createRng(3) });
      expect(maxAbsDiff(r.probability.values, exactRef.probability.values.slice(0, 3).flat())).toBeLessThan(0.01);
      expect(maxAbsDiff(r.logOdds!.values, exactRef.log_odds.values.slice(0, 3).flat())).toBeLessThan(0.05);
    } finally {
      await model.dispose();
    }
  });
});
