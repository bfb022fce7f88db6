import { describe, expect, it } from 'vitest';
import { inverseRegularizedBeta, logGamma, regularizedBeta } from '../../src/stats/special.js';
import { normalCdf, normalQuantile } from '../../src/stats/normal.js';
import { binomialCdf, clopperPearsonInterval, wilsonInterval } from '../../src/stats/binomial.js';

// Reference values: scipy 1.17.1 (scipy.special.betainc / betaincinv / gammaln / ndtr / ndtri, scipy.stats.binom.cdf).
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('special functions against scipy', () => {
  it('logGamma', () => {
    for (const [x, v] of [[0.5, 0.5723649429247], [3, 0.6931471805599453], [10.5, 13.940625219403763], [100.25, 360.28455963776423], [0.001, 6.907178885383853]]) {
      expect(rel(logGamma(x), v)).toBeLessThan(1e-13);
    }
  });
  it('regularized incomplete beta I_x(a, b)', () => {
    const cases: Array<[number, number, number, number]> = [
      [0.3, 2, 3, 0.34829999999999994],
      [0.5, 0.5, 0.5, 0.5000000000000001],
      [0.01, 1, 100, 0.6339676587267705],
      [0.9, 50, 5, 0.361447139727378],
      [0.2, 0.1, 10, 0.9952541941596683],
      [0.999, 200, 3, 0.9988334368468834],
    ];
    for (const [x, a, b, v] of cases) expect(rel(regularizedBeta(x, a, b), v)).toBeLessThan(1e-12);
  });
  it('inverse regularized beta', () => {
    const cases: Array<[number, number, number, number]> = [
      [0.025, 3, 8, 0.06673951117773447],
      [0.975, 4, 7, 0.6524528500599973],
      [0.5, 0.5, 0.5, 0.4999999999999999],
      [1e-6, 2, 30, 4.6394691291346266e-5],
      [0.999, 100, 2, 0.9995483349848382],
    ];
    for (const [p, a, b, v] of cases) {
      const x = inverseRegularizedBeta(p, a, b);
      expect(rel(x, v)).toBeLessThan(1e-11);
      expect(Math.abs(regularizedBeta(x, a, b) - p)).toBeLessThan(1e-14 + p * 1e-12);
    }
  });
  it('normal CDF and quantile', () => {
    for (const [x, v] of [[-8, 6.22096057427174e-16], [-1.96, 0.024997895148220435], [0, 0.5], [0.5, 0.6914624612740131], [3, 0.9986501019683699]]) {
      expect(rel(normalCdf(x), v)).toBeLessThan(1e-12);
    }
    const q: Array<[number, number]> = [
      [1e-10, -6.361340902404056], [0.001, -3.090232306167813], [0.025, -1.9599639845400545], [0.3, -0.5244005127080409],
      [0.5, 0], [0.8, 0.8416212335729143], [0.975, 1.959963984540054], [0.999999, 4.753424308817087],
    ];
    for (const [p, v] of q) expect(Math.abs(normalQuantile(p) - v)).toBeLessThan(1e-12 * Math.max(1, Math.abs(v)));
  });
  it('binomial CDF', () => {
    expect(rel(binomialCdf(3, 20, 0.4), 0.01596116279000825)).toBeLessThan(1e-12);
    expect(rel(binomialCdf(70, 100, 0.8), 0.011248978720991664)).toBeLessThan(1e-12);
  });
});

describe('binomial intervals', () => {
  it('Clopper-Pearson equals the scipy beta quantiles', () => {
    const cases: Array<[number, number, number, number]> = [
      [0, 10, 0, 0.3084971078187607],
      [3, 10, 0.06673951117773447, 0.6524528500599973],
      [10, 10, 0.6915028921812392, 1],
      [81, 100, 0.7193020420263876, 0.8815568038674564],
      [1, 1000, 2.531748749129404e-5, 0.005558924279826672],
    ];
    for (const [x, n, lo, hi] of cases) {
      const b = clopperPearsonInterval(x, n, 0.95);
      expect(Math.abs(b.low - lo)).toBeLessThan(1e-12);
      expect(Math.abs(b.high - hi)).toBeLessThan(1e-12);
    }
  });
  it('Wilson interval: textbook value and edge cases', () => {
    // 81/100 at 95%: the closed form evaluated in float64 with scipy's z = 1.959963984540054
    const b = wilsonInterval(81, 100, 0.95);
    expect(b.low).toBeCloseTo(0.7222115462093562, 12);
    expect(b.high).toBeCloseTo(0.8748524849023126, 12);
    expect(wilsonInterval(0, 20, 0.95).low).toBe(0);
    expect(wilsonInterval(20, 20, 0.95).high).toBe(1);
    expect(wilsonInterval(0, 20, 0.95).high).toBeCloseTo(0.16112515805281938, 12);
  });
});
