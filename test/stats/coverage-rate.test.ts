import { describe, expect, it } from 'vitest';
import { binomialCdf, clopperPearsonInterval, wilsonInterval } from '../../src/stats/binomial.js';
import { rateCoverage } from './synthetic.js';

/** Exact coverage of an interval method for Binomial(n, p): Σ_x P(X = x) [p ∈ interval(x)]. */
function exactCoverage(n: number, p: number, interval: (x: number) => { low: number; high: number }): number {
  let c = 0;
  for (let x = 0; x <= n; x++) {
    const b = interval(x);
    if (b.low <= p && p <= b.high) c += binomialCdf(x, n, p) - binomialCdf(x - 1, n, p);
  }
  return c;
}

describe('coverage of nominal 95% intervals for a rate (1,000 seeded repetitions)', () => {
  it('Wilson: selection rate of 200 Bernoulli(0.3) decisions', () => {
    const c = rateCoverage(1000, 200, 0.3, 20240601);
    console.log(`Wilson coverage (n=200, p=0.3): ${c.rate} (truth below ${c.below}, above ${c.above})`);
    expect(c.rate).toBeGreaterThanOrEqual(0.93);
    expect(c.rate).toBeLessThanOrEqual(0.97);
    // the simulation agrees with the exact coverage of the method at (200, 0.3)
    const exact = exactCoverage(200, 0.3, (x) => wilsonInterval(x, 200, 0.95));
    console.log(`Wilson exact coverage (n=200, p=0.3): ${exact}`);
    expect(exact).toBeGreaterThan(0.93);
    expect(exact).toBeLessThan(0.97);
    expect(Math.abs(c.rate - exact)).toBeLessThan(4 * Math.sqrt((exact * (1 - exact)) / 1000));
  });

  it('Clopper-Pearson is conservative (coverage >= 95%) and Wilson stays near nominal over a range of p', () => {
    // exact coverage >= 95% by construction; the simulation (1,000 draws, SE 0.007) lands near it and above Wilson's
    expect(exactCoverage(200, 0.3, (x) => clopperPearsonInterval(x, 200, 0.95))).toBeGreaterThanOrEqual(0.95);
    const c = rateCoverage(1000, 200, 0.3, 20240601, { proportion: 'clopper-pearson' });
    const w = rateCoverage(1000, 200, 0.3, 20240601);
    console.log(`Clopper-Pearson coverage (n=200, p=0.3): ${c.rate}`);
    expect(c.rate).toBeGreaterThanOrEqual(w.rate);
    expect(c.rate).toBeGreaterThanOrEqual(0.93);
    for (const p of [0.05, 0.1, 0.5, 0.9]) {
      expect(exactCoverage(100, p, (x) => clopperPearsonInterval(x, 100, 0.95))).toBeGreaterThanOrEqual(0.95);
      const w = exactCoverage(100, p, (x) => wilsonInterval(x, 100, 0.95));
      expect(w).toBeGreaterThan(0.92);
      expect(w).toBeLessThan(0.98);
    }
  });
});
