/** Pure math of the explainability section: associations, rank correlation, coalitions and the kernel regression. */
import { describe, expect, it } from 'vitest';
import { associationWith, correlationRatio, cramersV, normalizedMutualInformation } from '../../src/checks/explainability/association.js';
import { kernelCoalitions, binomial } from '../../src/checks/explainability/coalitions.js';
import { shapleyFromCoalitionValues } from '../../src/checks/explainability/exact-shapley.js';
import { constrainedKernelRegression } from '../../src/checks/explainability/least-squares.js';
import { averageRanks, rankDescending, spearman } from '../../src/checks/explainability/rank.js';
import type { CategoricalColumn, NumericColumn } from '../../src/data/types.js';
import { createRng } from '../../src/util/rng.js';

/** Codes for a contingency table given as counts[i][j]. */
function fromTable(t: number[][]): { a: Int32Array; b: Int32Array } {
  const a: number[] = [];
  const b: number[] = [];
  t.forEach((row, i) => row.forEach((n, j) => {
    for (let k = 0; k < n; k++) {
      a.push(i);
      b.push(j);
    }
  }));
  return { a: Int32Array.from(a), b: Int32Array.from(b) };
}

describe('associations', () => {
  it("Cramér's V and normalised mutual information of a 2x3 table (values from the definitions, computed in Python)", () => {
    const { a, b } = fromTable([[10, 20, 5], [30, 40, 15]]);
    expect(cramersV(a, 2, b, 3)).toBeCloseTo(0.09166984970282113, 12);
    expect(normalizedMutualInformation(a, 2, b, 3)).toBeCloseTo(0.005216701863376602, 12);
  });

  it('perfect and no association', () => {
    const same = fromTable([[10, 0], [0, 10]]);
    expect(cramersV(same.a, 2, same.b, 2)).toBeCloseTo(1, 12);
    expect(normalizedMutualInformation(same.a, 2, same.b, 2)).toBeCloseTo(1, 12);
    const none = fromTable([[5, 5], [5, 5]]);
    expect(cramersV(none.a, 2, none.b, 2)).toBe(0);
    expect(normalizedMutualInformation(none.a, 2, none.b, 2)).toBe(0);
    const oneLevel = fromTable([[5, 5]]);
    expect(cramersV(oneLevel.a, 1, oneLevel.b, 2)).toBe(0);
  });

  it('correlation ratio: between-group share of the variance', () => {
    expect(correlationRatio(Float64Array.of(1, 2, 3, 4), Int32Array.of(0, 0, 1, 1), 2)).toBeCloseTo(Math.sqrt(0.8), 12);
    expect(correlationRatio(Float64Array.of(1, 2, NaN, 4, 5), Int32Array.of(0, 0, 0, 1, 1), 2)).toBeCloseTo(Math.sqrt((2 * 1.5 ** 2 + 2 * 1.5 ** 2) / 10), 12);
    expect(correlationRatio(Float64Array.of(3, 3, 3), Int32Array.of(0, 1, 1), 2)).toBe(0);
  });

  it('associationWith picks the measure by column kind', () => {
    const cat: CategoricalColumn = { kind: 'categorical', name: 'relationship', codes: Int32Array.of(0, 0, 1, 1, 2), levels: ['Husband', 'Wife', 'Other'], missing: 0 };
    const num: NumericColumn = { kind: 'numeric', name: 'age', values: Float64Array.of(20, 30, 40, 50, 60), missing: 0, integer: true };
    const sex = Int32Array.of(1, 1, 0, 0, 0);
    const c = associationWith(cat, sex, 2);
    expect(c.measure).toBe('cramers_v');
    expect(c.value).toBeCloseTo(1, 12);
    const n = associationWith(num, sex, 2);
    expect(n.measure).toBe('correlation_ratio');
    expect(n.value).toBeCloseTo(Math.sqrt((2 * 15 ** 2 + 3 * 10 ** 2) / 1000), 12);
    expect(n.mutualInformation).toBeGreaterThan(0);
  });
});

describe('ranks', () => {
  it('average ranks with ties and Spearman correlation (scipy conventions)', () => {
    expect(Array.from(averageRanks([10, 20, 20, 5]))).toEqual([2, 3.5, 3.5, 1]);
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    // scipy.stats.spearmanr([1,2,3,4,5],[2,1,4,3,5]) = 0.8
    expect(spearman([1, 2, 3, 4, 5], [2, 1, 4, 3, 5])).toBeCloseTo(0.8, 12);
    expect(spearman([1, 1, 1], [1, 2, 3])).toBeNull();
    expect(rankDescending([0.1, 0.5, 0.5, NaN], ['d', 'b', 'a', 'c'])).toEqual([2, 1, 0, 3]);
  });
});

describe('KernelSHAP coalitions and regression', () => {
  /** A random game on m players with interactions. */
  function randomGame(m: number, seed: number): Float64Array {
    const rng = createRng(seed);
    const v = new Float64Array(2 ** m);
    const w = Array.from({ length: m }, () => rng.normal());
    for (let mask = 0; mask < v.length; mask++) {
      let s = 0;
      for (let i = 0; i < m; i++) if (mask & (1 << i)) s += w[i];
      v[mask] = Math.tanh(s) + (mask & 1 && mask & 2 ? 0.3 : 0);
    }
    return v;
  }
  const valuesOf = (game: Float64Array, masks: Uint8Array, count: number, m: number): Float64Array =>
    Float64Array.from({ length: count }, (_, c) => {
      let bits = 0;
      for (let j = 0; j < m; j++) if (masks[c * m + j]) bits |= 1 << j;
      return game[bits];
    });

  it('with a budget covering every coalition, the regression gives the exact Shapley values', () => {
    const m = 6;
    const game = randomGame(m, 1);
    const set = kernelCoalitions(m, 1000, createRng(1));
    expect(set.exhaustive).toBe(true);
    expect(set.count).toBe(2 ** m - 2);
    expect(set.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const phi = constrainedKernelRegression(set.masks, valuesOf(game, set.masks, set.count, m), set.weights, set.count, m, game[0], game[2 ** m - 1]);
    const exact = shapleyFromCoalitionValues(game, m);
    for (let i = 0; i < m; i++) expect(phi[i]).toBeCloseTo(exact[i], 10);
    expect(exact.reduce((a, b) => a + b, 0)).toBeCloseTo(game[2 ** m - 1] - game[0], 12);
  });

  it('a small budget enumerates the smallest/largest sizes, samples in pairs, and stays efficient and close', () => {
    const m = 10;
    const game = randomGame(m, 2);
    const set = kernelCoalitions(m, 200, createRng(2));
    expect(set.exhaustive).toBe(false);
    expect(set.completeSizes).toEqual([1, 9]);
    expect(set.count).toBeLessThanOrEqual(200);
    expect(set.count).toBeGreaterThan(150);
    // every coalition's complement is present (paired sampling)
    const keys = new Set<string>();
    for (let c = 0; c < set.count; c++) keys.add(Array.from(set.masks.subarray(c * m, (c + 1) * m)).join(''));
    for (const k of keys) expect(keys.has(k.split('').map((b) => (b === '1' ? '0' : '1')).join(''))).toBe(true);
    expect(set.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    const phi = constrainedKernelRegression(set.masks, valuesOf(game, set.masks, set.count, m), set.weights, set.count, m, game[0], game[2 ** m - 1]);
    const exact = shapleyFromCoalitionValues(game, m);
    expect(phi.reduce((a, b) => a + b, 0)).toBeCloseTo(game[2 ** m - 1] - game[0], 12);
    // sampling error (exact values here are 0.01..0.31): worst over 10 seeds was 0.044 at 200 coalitions, 0.0075 at 800
    for (let i = 0; i < m; i++) expect(Math.abs(phi[i] - exact[i])).toBeLessThan(0.06);
    const more = kernelCoalitions(m, 800, createRng(2));
    const phi800 = constrainedKernelRegression(more.masks, valuesOf(game, more.masks, more.count, m), more.weights, more.count, m, game[0], game[2 ** m - 1]);
    for (let i = 0; i < m; i++) expect(Math.abs(phi800[i] - exact[i])).toBeLessThan(0.015);
    expect(binomial(10, 3)).toBe(120);
  });

  it('is deterministic for a seed', () => {
    const a = kernelCoalitions(12, 300, createRng(9));
    const b = kernelCoalitions(12, 300, createRng(9));
    expect(Array.from(a.masks)).toEqual(Array.from(b.masks));
    expect(Array.from(a.weights)).toEqual(Array.from(b.weights));
  });
});
