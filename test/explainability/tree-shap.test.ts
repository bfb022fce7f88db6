import { describe, expect, it } from 'vitest';
import { treeShap } from '../../src/checks/explainability/tree-shap.js';
import { scalarizeTreeScore, treeMargins, sigmoid } from '../../src/checks/explainability/tree-score.js';
import { loadDataset, matrixRows, maxAbsDiff, oneHotInput, readJson, treeOf, type FixtureSet } from './helpers.js';

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
