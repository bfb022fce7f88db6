import { describe, expect, it } from 'vitest';
import { treeShap } from '../../src/checks/explainability/tree-shap.js';
import { scalarizeTreeScore, treeMargins, sigmoid } from '../../src/checks/explainability/tree-score.js';
import { readFileSync } from 'node:fs';
import { playersOf } from '../../src/checks/explainability/players.js';
import { fixturePath, loadDataset, matrixRows, maxAbsDiff, oneHotInput, readJson, treeOf, type FixtureSet } from './helpers.js';

const SETS: FixtureSet[] = ['adult', 'german-credit'];

describe.each(SETS)('interventional TreeSHAP on %s gbt_onehot.onnx', (set) => {
  it('equals shap.TreeExplainer (interventional) per model feature within 1e-6, log-odds and probability', async () => {
    const ref = readJson(set, 'gbt_onehot.explain.reference.json');
    const dataset = await loadDataset(set);
    const input = oneHotInput(set, dataset);
    expect(input.featureNames).toEqual(ref.features);
    const scalar = scalarizeTreeScore(treeOf(set, 'gbt_onehot.onnx'), 1);
    if (!scalar.ok) throw new Error(scalar.reason);
    const x = matrixRows(input, ref.explained_rows);
    const bg = matrixRows(input, ref.background_rows);
    const res = treeShap({ score: scalar.score, x, rows: ref.explained_rows.length, width: input.width, background: bg, backgroundRows: bg.length / input.width });
    const d = input.width;
    expect(Math.abs(res.margin.expected - ref.tree_shap.log_odds.expected_value)).toBeLessThan(1e-6);
    expect(maxAbsDiff(res.margin.output, ref.tree_shap.log_odds.f_x)).toBeLessThan(1e-6);
    expect(maxAbsDiff(res.margin.values, ref.tree_shap.log_odds.values.flat())).toBeLessThan(1e-6);
    expect(res.additivityError.margin).toBeLessThan(1e-9);
    expect(res.probability).not.toBeNull();
    const p = res.probability!;
    expect(Math.abs(p.expected - ref.tree_shap.probability.expected_value)).toBeLessThan(1e-6);
    expect(maxAbsDiff(p.values, ref.tree_shap.probability.values.flat())).toBeLessThan(1e-6);
    expect(res.additivityError.probability!).toBeLessThan(1e-9);
    expect(p.values.length).toBe(ref.explained_rows.length * d);
  });
});

describe('TreeSHAP with raw-column players (a one-hot group is one player)', () => {
  it('equals the exact raw-column Shapley values of the log-odds game (all 2^14 coalitions, Adult gbt_onehot) within 1e-6', async () => {
    const ref = readJson('adult', 'gbt_onehot.explain.reference.json');
    const exact = ref.exact_shap_raw_columns;
    const dataset = await loadDataset('adult');
    const input = oneHotInput('adult', dataset);
    const players = playersOf(input, dataset.columns.map((c) => c.name));
    expect(players.names).toEqual(exact.players);
    const scalar = scalarizeTreeScore(treeOf('adult', 'gbt_onehot.onnx'), 1);
    if (!scalar.ok) throw new Error(scalar.reason);
    const x = matrixRows(input, exact.explained_rows);
    const bg = matrixRows(input, ref.background_rows);
    const res = treeShap({
      score: scalar.score, x, rows: exact.explained_rows.length, width: input.width, background: bg, backgroundRows: 100,
      playerOf: players.playerOfSlot, players: players.names.length,
    });
    expect(maxAbsDiff(res.margin.values, exact.log_odds.values.flat())).toBeLessThan(1e-6);
    expect(Math.abs(res.margin.expected - exact.log_odds.expected_value)).toBeLessThan(1e-6);
    // Probability space follows shap's per-reference rescaling: additive, but not the exact Shapley value of P.
    const p = res.probability!;
    expect(maxAbsDiff(p.output, exact.probability.f_x)).toBeLessThan(1e-6);
    expect(res.additivityError.probability!).toBeLessThan(1e-12);
    const gap = maxAbsDiff(p.values, exact.probability.values.flat());
    expect(gap).toBeGreaterThan(1e-4);
    expect(gap).toBeLessThan(0.02);
  });

  it('recomputes the model scores of every test row from the parsed trees (max |Δ| < 1e-6 vs predictions.csv)', async () => {
    for (const set of SETS) {
      const dataset = await loadDataset(set);
      const input = oneHotInput(set, dataset);
      const scalar = scalarizeTreeScore(treeOf(set, 'gbt_onehot.onnx'), 1);
      if (!scalar.ok) throw new Error(scalar.reason);
      const margins = treeMargins(scalar.score, input.data, input.rows, input.width);
      const lines = readFileSync(fixturePath(set, 'gbt_onehot.predictions.csv'), 'utf8').trim().split('\n');
      const col = lines[0].split(',').indexOf('score');
      let maxDiff = 0;
      for (let i = 0; i < input.rows; i++) maxDiff = Math.max(maxDiff, Math.abs(sigmoid(margins[i]) - Number(lines[i + 1].split(',')[col])));
      expect(maxDiff).toBeLessThan(1e-6);
    }
  });
});
