import { describe, expect, it } from 'vitest';
import { adjustPValues, benjaminiHochbergAdjust, holmAdjust } from '../../src/stats/multipleTesting.js';

// The 15 p-values of Benjamini & Hochberg (1995), section 4 (a clinical trial): BH at q = 0.05 rejects the 4 smallest,
// Holm (and Bonferroni) at 0.05 only 3. Expected adjusted values computed independently (R p.adjust definitions).
const BH95 = [0.0001, 0.0004, 0.0019, 0.0095, 0.0201, 0.0278, 0.0298, 0.0344, 0.0459, 0.324, 0.4262, 0.5719, 0.6528, 0.759, 1.0];

describe('multiple-testing adjustments', () => {
  it('Holm on the Benjamini-Hochberg example', () => {
    const adj = holmAdjust(BH95);
    const expected = [0.0015, 0.0056, 0.0247, 0.114, 0.2211, 0.278, 0.278, 0.278, 0.3213, 1, 1, 1, 1, 1, 1];
    adj.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    expect(adj.filter((v) => v <= 0.05)).toHaveLength(3);
  });
  it('Benjamini-Hochberg on its own example', () => {
    const adj = benjaminiHochbergAdjust(BH95);
    const expected = [
      0.0015, 0.003, 0.0095, 0.035625, 0.0603, 0.06385714285714286, 0.06385714285714286, 0.0645, 0.0765, 0.486,
      0.5811818181818182, 0.714875, 0.7532307692307694, 0.8132142857142857, 1,
    ];
    adj.forEach((v, i) => expect(v).toBeCloseTo(expected[i], 12));
    expect(adj.filter((v) => v <= 0.05)).toHaveLength(4);
  });
  it('keeps the input order, ignores NaN, and none leaves p unchanged', () => {
    const p = [0.01, 0.04, Number.NaN, 0.03, 0.005];
    const holm = holmAdjust(p);
    expect(holm[0]).toBeCloseTo(0.03, 12);
    expect(holm[1]).toBeCloseTo(0.06, 12);
    expect(Number.isNaN(holm[2])).toBe(true);
    expect(holm[3]).toBeCloseTo(0.06, 12);
    expect(holm[4]).toBeCloseTo(0.02, 12);
    expect(benjaminiHochbergAdjust(p).map((v) => (Number.isNaN(v) ? -1 : Number(v.toFixed(12))))).toEqual([0.02, 0.04, -1, 0.04, 0.02]);
    expect(adjustPValues(p, 'none').slice(0, 2)).toEqual([0.01, 0.04]);
  });
});
