/**
 * A small tree ensemble built in the test (every node mode, a missing-value track, a one-hot group) scored by
 * onnxruntime, against a brute-force Shapley computation written independently here: the average marginal
 * contribution over all 5! player orders, with v(S) from onnxruntime on hand-built hybrid rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kernelShap } from '../../src/checks/explainability/kernel-shap.js';
import { playersOf } from '../../src/checks/explainability/players.js';
import { parseTreeEnsemble } from '../../src/checks/explainability/tree-ensemble.js';
import { locateTreeEnsemble } from '../../src/checks/explainability/tree-graph.js';
import { scalarizeTreeScore, treeMargins, applyTransform } from '../../src/checks/explainability/tree-score.js';
import { treeShap } from '../../src/checks/explainability/tree-shap.js';
import { decodeModel, findNodes } from '../../src/model/onnx-graph.js';
import { loadModel } from '../../src/model/session.js';
import type { MatrixInput, ScoringModel } from '../../src/model/types.js';
import type { ModelSpec } from '../../src/policy/types.js';
import { createRng } from '../../src/util/rng.js';
import { treeClassifierModel, treeEnsembleV5Model, writeTemp, type TreeModelSpec, type TreeNodeSpec } from './onnx-builders.js';

// Features: 0 a, 1 b (may be NaN), 2..4 c=x / c=y / c=z (one-hot group c), 5 d, 6 e.  Players: a, b, c, d, e.
const WIDTH = 7;
const FEATURE_NAMES = ['a', 'b', 'c=x', 'c=y', 'c=z', 'd', 'e'];
const GROUPS = { c: [2, 3, 4] };

function nodes(weight: (w: number) => Array<[number, number]>): TreeNodeSpec[] {
  const leaf = (tree: number, id: number, w: number): TreeNodeSpec => ({ tree, id, mode: 'LEAF', weights: weight(w) });
  return [
    { tree: 0, id: 0, mode: 'BRANCH_LEQ', feature: 0, value: 0.5, trueId: 1, falseId: 2 },
    { tree: 0, id: 1, mode: 'BRANCH_LT', feature: 1, value: 2, trueId: 3, falseId: 4, missingTrue: true },
    { tree: 0, id: 2, mode: 'BRANCH_GTE', feature: 2, value: 0.5, trueId: 5, falseId: 6 },
    leaf(0, 3, 0.4),
    leaf(0, 4, -0.3),
    leaf(0, 5, 0.7),
    { tree: 0, id: 6, mode: 'BRANCH_GT', feature: 5, value: 1.5, trueId: 7, falseId: 8 },
    leaf(0, 7, 0.2),
    leaf(0, 8, -0.5),
    { tree: 1, id: 0, mode: 'BRANCH_EQ', feature: 3, value: 1, trueId: 1, falseId: 2 },
    leaf(1, 1, 0.3),
    { tree: 1, id: 2, mode: 'BRANCH_NEQ', feature: 6, value: 3, trueId: 3, falseId: 4 },
    { tree: 1, id: 3, mode: 'BRANCH_LEQ', feature: 0, value: -1, trueId: 5, falseId: 6 },
    leaf(1, 4, 0.6),
    leaf(1, 5, -0.2),
    leaf(1, 6, 0.1),
    { tree: 2, id: 0, mode: 'BRANCH_LEQ', feature: 1, value: 1, trueId: 1, falseId: 2 },
    { tree: 2, id: 1, mode: 'BRANCH_LEQ', feature: 0, value: 1, trueId: 3, falseId: 4 },
    { tree: 2, id: 2, mode: 'BRANCH_GT', feature: 6, value: 2, trueId: 5, falseId: 6 },
    leaf(2, 3, 0.25),
    leaf(2, 4, -0.35),
    leaf(2, 5, 0.15),
    leaf(2, 6, -0.05),
  ];
}

const VARIANTS: Record<string, TreeModelSpec> = {
  logistic: { features: WIDTH, nodes: nodes((w) => [[0, w]]), postTransform: 'LOGISTIC', baseValues: [-0.1] },
  none: { features: WIDTH, nodes: nodes((w) => [[0, w / 5]]), postTransform: 'NONE', baseValues: [0.5] },
  positiveWeights: { features: WIDTH, nodes: nodes((w) => [[0, (w + 0.7) / 6]]), postTransform: 'LOGISTIC' },
  softmaxTwoClasses: { features: WIDTH, nodes: nodes((w) => [[0, -w / 2], [1, w / 2]]), postTransform: 'SOFTMAX' },
};

function randomRows(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  const data = new Float32Array(n * WIDTH);
  for (let i = 0; i < n; i++) {
    const o = i * WIDTH;
    data[o] = Math.round(rng.normal() * 1.5 * 4) / 4;
    data[o + 1] = rng.next() < 0.2 ? NaN : Math.round(rng.next() * 8) / 2;
    data[o + 2 + rng.int(3)] = 1;
    data[o + 5] = Math.round((1 + rng.normal()) * 4) / 4;
    data[o + 6] = 1 + rng.int(4);
  }
  return data;
}

function matrix(data: Float32Array): MatrixInput {
  return { kind: 'matrix', rows: data.length / WIDTH, input: 'features', width: WIDTH, data, featureNames: FEATURE_NAMES, oneHotGroups: GROUPS };
}

const PLAYER_SLOTS = [[0], [1], [2, 3, 4], [5], [6]];

/** v(S) for every subset mask of the 5 players: mean over background of f(hybrid row), f from onnxruntime. */
async function coalitionValues(model: ScoringModel, x: Float32Array, bg: Float32Array, f: (p: number) => number): Promise<Float64Array> {
  const K = bg.length / WIDTH;
  const rows = new Float32Array(32 * K * WIDTH);
  for (let mask = 0; mask < 32; mask++) {
    for (let b = 0; b < K; b++) {
      const o = (mask * K + b) * WIDTH;
      for (let c = 0; c < WIDTH; c++) rows[o + c] = bg[b * WIDTH + c];
      PLAYER_SLOTS.forEach((slots, p) => {
        if (mask & (1 << p)) for (const c of slots) rows[o + c] = x[c];
      });
    }
  }
  const scores = await model.score(matrix(rows));
  const v = new Float64Array(32);
  for (let mask = 0; mask < 32; mask++) {
    let s = 0;
    for (let b = 0; b < K; b++) s += f(scores[mask * K + b]);
    v[mask] = s / K;
  }
  return v;
}

/** Shapley values as the mean marginal contribution over all orders of the players. */
function shapleyByPermutations(v: Float64Array, m: number): Float64Array {
  const phi = new Float64Array(m);
  let orders = 0;
  const permute = (prefix: number[], rest: number[]): void => {
    if (rest.length === 0) {
      let mask = 0;
      for (const p of prefix) {
        phi[p] += v[mask | (1 << p)] - v[mask];
        mask |= 1 << p;
      }
      orders++;
      return;
    }
    rest.forEach((p, i) => permute([...prefix, p], [...rest.slice(0, i), ...rest.slice(i + 1)]));
  };
  permute([], Array.from({ length: m }, (_, i) => i));
  return phi.map((x) => x / orders);
}

const logit = (p: number): number => Math.log(p / (1 - p));

describe('a small tree ensemble built in memory', () => {
  const models: Record<string, ScoringModel> = {};
  const bytes: Record<string, Uint8Array> = {};
  beforeAll(async () => {
    for (const [name, spec] of Object.entries(VARIANTS)) {
      bytes[name] = treeClassifierModel(spec);
      const file = writeTemp(`${name}.onnx`, bytes[name]);
      models[name] = await loadModel({ file, displayPath: `${name}.onnx`, spec: { path: file, threshold: 0.5, batch_size: 100_000 } as ModelSpec });
    }
  });
  afterAll(async () => {
    for (const m of Object.values(models)) await m.dispose();
  });

  const data = randomRows(300, 11);
  const bg = data.subarray(0, 8 * WIDTH);

  it.each(Object.keys(VARIANTS))('%s: the parsed trees reproduce onnxruntime scores (every node mode, NaN, conventions)', async (name) => {
    const node = findNodes(decodeModel(bytes[name]).graph!, 'TreeEnsembleClassifier')[0];
    const s = scalarizeTreeScore(parseTreeEnsemble(node), 1);
    if (!s.ok) throw new Error(s.reason);
    const ort = await models[name].score(matrix(data));
    const margins = treeMargins(s.score, data, 300, WIDTH);
    let maxDiff = 0;
    for (let i = 0; i < 300; i++) maxDiff = Math.max(maxDiff, Math.abs(applyTransform(s.score, margins[i]) - ort[i]));
    expect(maxDiff).toBeLessThan(1e-6);
    expect(new Set(Array.from(ort).map((v) => v.toFixed(4))).size).toBeGreaterThan(10);
  });

  it('TreeSHAP (raw-column players) equals brute-force Shapley values of the log-odds game', async () => {
    const model = models.logistic;
    const node = findNodes(decodeModel(bytes.logistic).graph!, 'TreeEnsembleClassifier')[0];
    const s = scalarizeTreeScore(parseTreeEnsemble(node), 1);
    if (!s.ok) throw new Error(s.reason);
    const players = playersOf(matrix(data));
    expect(players.names).toEqual(['a', 'b', 'c', 'd', 'e']);
    const rows = [20, 21, 22, 23, 24, 25];
    for (const r of rows) {
      const x = data.subarray(r * WIDTH, (r + 1) * WIDTH);
      const res = treeShap({ score: s.score, x, rows: 1, width: WIDTH, background: bg, backgroundRows: 8, playerOf: players.playerOfSlot, players: 5 });
      const brute = shapleyByPermutations(await coalitionValues(model, x, bg, logit), 5);
      for (let p = 0; p < 5; p++) expect(res.margin.values[p]).toBeCloseTo(brute[p], 5);
      // shap's probability convention adds up to P(x) - E[P]
      const total = res.probability!.values.reduce((a, b) => a + b, 0);
      expect(total + res.probability!.expected).toBeCloseTo(res.probability!.output[0], 12);
    }
  });

  it('KernelSHAP: exact enumeration equals the brute force; sampling with 20 of 30 coalitions stays close', async () => {
    const model = models.logistic;
    const input = matrix(data);
    const players = playersOf(input);
    const rows = [30, 31, 32, 33];
    const explain = matrix(Float32Array.from(rows.flatMap((r) => Array.from(data.subarray(r * WIDTH, (r + 1) * WIDTH)))));
    const background = matrix(Float32Array.from(bg));
    const exact = await kernelShap({ model, players, explain, background, logOdds: true, samples: 0, exact: true, rng: createRng(3) });
    const sampled = await kernelShap({ model, players, explain, background, logOdds: false, samples: 20, exact: false, rng: createRng(3) });
    expect(exact.exact).toBe(true);
    expect(exact.coalitions).toBeLessThanOrEqual(30);
    expect(sampled.exact).toBe(false);
    expect(sampled.coalitions).toBeLessThanOrEqual(20);
    let maxSampledError = 0;
    for (let i = 0; i < rows.length; i++) {
      const x = explain.data.subarray(i * WIDTH, (i + 1) * WIDTH);
      const bruteP = shapleyByPermutations(await coalitionValues(model, x, bg, (p) => p), 5);
      const bruteL = shapleyByPermutations(await coalitionValues(model, x, bg, logit), 5);
      for (let p = 0; p < 5; p++) {
        expect(exact.probability.values[i * 5 + p]).toBeCloseTo(bruteP[p], 12);
        expect(exact.logOdds!.values[i * 5 + p]).toBeCloseTo(bruteL[p], 10);
        maxSampledError = Math.max(maxSampledError, Math.abs(sampled.probability.values[i * 5 + p] - bruteP[p]));
      }
    }
    expect(exact.additivityError.probability).toBeLessThan(1e-12);
    expect(sampled.additivityError.probability).toBeLessThan(1e-12);
    expect(maxSampledError).toBeLessThan(0.02);
  });

  it('a Scaler in front of the trees is in-graph preprocessing: not explained by TreeSHAP', () => {
    const spec = { ...VARIANTS.logistic, scaler: { offset: Array(WIDTH).fill(0), scale: Array(WIDTH).fill(1) } };
    const proto = decodeModel(treeClassifierModel(spec));
    const where = locateTreeEnsemble(proto, { scoreOutput: 'probabilities' }, matrix(data));
    expect(where.ok).toBe(false);
    if (!where.ok) expect(where.reason).toMatch(/in-graph preprocessing/);
    const plain = locateTreeEnsemble(decodeModel(bytes.logistic), { scoreOutput: 'probabilities' }, matrix(data));
    expect(plain.ok).toBe(true);
  });

  it('opset-5 TreeEnsemble followed by a Sigmoid: located, parsed and equal to onnxruntime', async () => {
    const v5 = treeEnsembleV5Model(WIDTH, nodes((w) => [[0, w]]));
    const file = writeTemp('v5.onnx', v5);
    const model = await loadModel({ file, displayPath: 'v5.onnx', spec: { path: file, threshold: 0.5, batch_size: 100_000 } as ModelSpec });
    try {
      expect(model.info.outputKind).toBe('probability');
      const proto = decodeModel(v5);
      const where = locateTreeEnsemble(proto, model.info, matrix(data));
      expect(where.ok).toBe(true);
      if (!where.ok) return;
      expect(where.sigmoidAfter).toBe(true);
      const s = scalarizeTreeScore(parseTreeEnsemble(where.node), model.info.positiveIndex, where.sigmoidAfter);
      if (!s.ok) throw new Error(s.reason);
      expect(s.score.transform).toBe('logistic');
      const ort = await model.score(matrix(data));
      const margins = treeMargins(s.score, data, 300, WIDTH);
      let maxDiff = 0;
      for (let i = 0; i < 300; i++) maxDiff = Math.max(maxDiff, Math.abs(applyTransform(s.score, margins[i]) - ort[i]));
      expect(maxDiff).toBeLessThan(1e-6);
    } finally {
      await model.dispose();
    }
  });
});
