/**
 * Drift statistics against references computed here from first principles (no scipy on this machine): the KS exact
 * p-value by enumerating every split of the pooled sample, the one-sample Kolmogorov distribution by exact integration
 * of the order statistics' density over the KS band (piecewise polynomials), χ² in closed form (df = 2: p = e^{−χ²/2}),
 * Wasserstein as the mean gap of order statistics (equal sizes) or by hand, JS and PSI from their definitions.
 */
import { describe, expect, it } from 'vitest';
import {
  binCounts,
  chiSquare,
  chiSquareHomogeneity,
  jensenShannon,
  kolmogorovSf,
  ksStatistic,
  ksTwoSample,
  populationStabilityIndex,
  quantileEdges,
  smirnovSf,
  wassersteinDistance,
} from '../../src/checks/data/stats.js';
import { createRng } from '../../src/util/rng.js';

const asc = (xs: number[]): Float64Array => Float64Array.from(xs).sort();

/** P(D >= d_obs) over all C(n1+n2, n1) assignments of the pooled values to the first sample (the permutation law). */
function enumeratedKsP(a: number[], b: number[]): number {
  const pooled = [...a, ...b];
  const n1 = a.length;
  const N = pooled.length;
  const d0 = ksStatistic(asc(a), asc(b));
  let total = 0;
  let hits = 0;
  const pick: number[] = [];
  const rec = (start: number): void => {
    if (pick.length === n1) {
      const inA = new Set(pick);
      const x: number[] = [];
      const y: number[] = [];
      for (let i = 0; i < N; i++) (inA.has(i) ? x : y).push(pooled[i]);
      total++;
      if (ksStatistic(asc(x), asc(y)) >= d0 - 1e-12) hits++;
      return;
    }
    for (let i = start; i < N; i++) {
      pick.push(i);
      rec(i + 1);
      pick.pop();
    }
  };
  rec(0);
  return hits / total;
}

/**
 * P(D_n >= d) for the one-sample KS statistic, from its definition: n! × the volume of
 * {0 <= u_1 <= … <= u_n <= 1 : i/n − d < u_i < (i−1)/n + d}, integrated exactly as piecewise polynomials.
 */
function exactKolmogorovSf(n: number, d: number): number {
  const cuts = new Set<number>([0, 1]);
  for (let i = 1; i <= n; i++) {
    for (const c of [i / n - d, (i - 1) / n + d]) if (c > 0 && c < 1) cuts.add(c);
  }
  const b = [...cuts].sort((x, y) => x - y);
  const segs = b.length - 1;
  const evalPoly = (p: number[], u: number): number => p.reduce((s, c, k) => s + c * u ** k, 0);
  const antiderivative = (p: number[]): number[] => [0, ...p.map((c, k) => c / (k + 1))];
  // F: per segment polynomial in u
  let F: number[][] = Array.from({ length: segs }, () => [1]); // "u_0" density: 1 (integrates to u)
  for (let i = 1; i <= n; i++) {
    const lo = i / n - d;
    const hi = (i - 1) / n + d;
    const G: number[][] = [];
    let acc = 0;
    for (let k = 0; k < segs; k++) {
      const P = antiderivative(F[k]);
      const shift = acc - evalPoly(P, b[k]);
      const g = [...P];
      g[0] += shift;
      G.push(g);
      acc = evalPoly(g, b[k + 1]);
    }
    F = G.map((g, k) => {
      const mid = (b[k] + b[k + 1]) / 2;
      return mid > lo && mid < hi ? g : [0];
    });
    if (i === 1) F = F.map((g, k) => ((b[k] + b[k + 1]) / 2 > lo && (b[k] + b[k + 1]) / 2 < hi ? [1] : [0]));
  }
  let volume = 0;
  for (let k = 0; k < segs; k++) {
    const P = antiderivative(F[k]);
    volume += evalPoly(P, b[k + 1]) - evalPoly(P, b[k]);
  }
  let fact = 1;
  for (let i = 2; i <= n; i++) fact *= i;
  return 1 - fact * volume;
}

describe('ks_2samp (two-sided, method auto)', () => {
  it('the statistic is the largest gap of the two empirical CDFs (ties handled)', () => {
    expect(ksStatistic(asc([1, 2, 3]), asc([2, 3, 4]))).toBeCloseTo(1 / 3, 15);
    expect(ksStatistic(asc([1, 1, 1, 2]), asc([1, 2, 2, 2]))).toBeCloseTo(0.5, 15);
  });

  it('exact p equals the enumerated permutation law (unequal and equal sizes)', () => {
    const rng = createRng(3).fork('ks');
    for (const [n1, n2] of [[5, 7], [6, 6], [4, 9], [8, 5], [3, 3]]) {
      for (let rep = 0; rep < 3; rep++) {
        const a = Array.from({ length: n1 }, () => rng.next());
        const b = Array.from({ length: n2 }, () => rng.next() + 0.3 * rep);
        const r = ksTwoSample(asc(a), asc(b));
        expect(r.method).toBe('exact');
        expect(Math.abs(r.pValue - enumeratedKsP(a, b))).toBeLessThan(1e-12);
      }
    }
  });

  it('switches to the Kolmogorov distribution with n = round(mn/(m+n)) above 10,000 rows', () => {
    const rng = createRng(4).fork('ks-big');
    const a = asc(Array.from({ length: 10_001 }, () => rng.next()));
    const b = asc(Array.from({ length: 300 }, () => rng.next()));
    const r = ksTwoSample(a, b);
    expect(r.method).toBe('asymptotic');
    expect(r.pValue).toBe(kolmogorovSf(Math.round((10_001 * 300) / 10_301), r.statistic));
  });
});

describe('kstwo.sf: the one-sample Kolmogorov distribution', () => {
  it('equals the exact integral over the KS band for small n (Durbin matrix, Smirnov and Ruben–Gambino branches)', () => {
    for (const n of [2, 3, 5, 7]) {
      for (const d of [0.12, 0.2, 0.27, 0.35, 0.45, 0.55, 0.7, 0.9]) {
        if (n * d <= 0.5) continue;
        expect(Math.abs(kolmogorovSf(n, d) - exactKolmogorovSf(n, d))).toBeLessThan(1e-9);
      }
    }
  });

  it('n = 300 (Durbin matrix with its rescaling): agrees with a seeded simulation of D_n within 4 standard errors', () => {
    const rng = createRng(300).fork('kstwo');
    const n = 300;
    const x = 0.025;
    const reps = 40_000;
    const a = new Float64Array(n);
    let hits = 0;
    for (let r = 0; r < reps; r++) {
      for (let i = 0; i < n; i++) a[i] = rng.next();
      a.sort();
      let d = 0;
      for (let i = 0; i < n; i++) d = Math.max(d, (i + 1) / n - a[i], a[i] - i / n);
      if (d >= x) hits++;
    }
    const p = hits / reps;
    const se = Math.sqrt((p * (1 - p)) / reps);
    expect(Math.abs(kolmogorovSf(n, x) - p)).toBeLessThan(4 * se); // 0.98970 (a 200,000-run simulation gave 0.98972 ± 0.00023)
  });

  it("Smirnov's one-sided sum: n = 1 gives 1 − x; two-sided sf = 2 × one-sided for x >= 0.5", () => {
    expect(smirnovSf(1, 0.3)).toBeCloseTo(0.7, 14);
    // n = 2: P(D+ >= x) = (1 − x)² + x(1 − x)... from the sum: j=0: x^0·(1−x)²·... computed by hand below
    const x = 0.3;
    const byHand = x * ((1 / x) * (1 - x) ** 2 + 2 * (1 - x - 0.5)); // j=0: C(2,0) x^{-1} (1−x)², j=1: C(2,1) (x+1/2)^0 (1/2−x)^1
    expect(smirnovSf(2, x)).toBeCloseTo(byHand, 14);
    expect(kolmogorovSf(6, 0.6)).toBeCloseTo(2 * smirnovSf(6, 0.6), 15);
  });

  it('large n: Pelz–Good (n x^1.5 > 1.4) agrees with Stephens\' approximation and with the Kolmogorov limit', () => {
    // n = 2000, x = 0.03: n x² = 1.8 < 2.2 and n x^1.5 = 10.4 > 1.4 -> Pelz–Good, as in scipy
    const approx = stephensApproximation(2000, 0.03);
    expect(Math.abs(kolmogorovSf(2000, 0.03) - approx)).toBeLessThan(1e-4);
    // n x² >= 2.2 -> 2 × Smirnov
    expect(kolmogorovSf(2000, 0.04)).toBe(2 * smirnovSf(2000, 0.04));
    // the Kolmogorov limit for large n: 2 Σ (−1)^{k−1} e^{−2k²λ²}
    const lambda = 1.0;
    let limit = 0;
    for (let k = 1; k < 50; k++) limit += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
    expect(Math.abs(kolmogorovSf(1_000_000, lambda / 1000) - limit)).toBeLessThan(2e-3);
  });
});

/** Stephens' (1970) approximation P(D_n >= d) ≈ K(d(√n + 0.12 + 0.11/√n)), K the Kolmogorov series (error ~1e-5 here). */
function stephensApproximation(n: number, d: number): number {
  const lambda = d * (Math.sqrt(n) + 0.12 + 0.11 / Math.sqrt(n));
  let s = 0;
  for (let k = 1; k < 100; k++) s += 2 * (-1) ** (k - 1) * Math.exp(-2 * k * k * lambda * lambda);
  return s;
}

describe('wasserstein_distance, chisquare, chi2_contingency, Jensen–Shannon, PSI', () => {
  it('Wasserstein: equal sizes = mean gap of order statistics; unequal by hand', () => {
    const rng = createRng(5).fork('w');
    const a = Array.from({ length: 50 }, () => rng.next() * 3);
    const b = Array.from({ length: 50 }, () => rng.next() * 2 + 1);
    const sa = asc(a);
    const sb = asc(b);
    let gap = 0;
    for (let i = 0; i < 50; i++) gap += Math.abs(sa[i] - sb[i]);
    expect(Math.abs(wassersteinDistance(sa, sb) - gap / 50)).toBeLessThan(1e-12);
    // scipy docs: wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5.0; ([3.4, 3.9, 7.5, 7.8], [4.5, 1.4]) by hand
    expect(wassersteinDistance(asc([0, 1, 3]), asc([5, 6, 8]))).toBeCloseTo(5, 14);
    // F_a steps 1/4 at 3.4, 3.9, 7.5, 7.8; F_b 1/2 at 1.4, 4.5:
    // [1.4,3.4): |0−.5|·2 = 1; [3.4,3.9): |.25−.5|·.5 = .125; [3.9,4.5): |.5−.5| = 0; [4.5,7.5): |.5−1|·3 = 1.5; [7.5,7.8): .25·.3 = .075
    expect(wassersteinDistance(asc([3.4, 3.9, 7.5, 7.8]), asc([4.5, 1.4]))).toBeCloseTo(2.7, 14);
  });

  it('chisquare: statistic Σ(o−e)²/e, p = e^{−χ²/2} for 3 categories', () => {
    const r = chiSquare([16, 18, 16], [50 / 3, 50 / 3, 50 / 3]);
    const stat = ((16 - 50 / 3) ** 2 * 2 + (18 - 50 / 3) ** 2) / (50 / 3);
    expect(Math.abs(r.statistic - stat)).toBeLessThan(1e-12);
    expect(Math.abs(r.pValue - Math.exp(-stat / 2))).toBeLessThan(1e-12);
    // df = 1: p = erfc(sqrt(χ²/2)); χ² = 4 -> 0.04550026389635842
    expect(Math.abs(chiSquare([60, 40], [50, 50]).pValue - 0.04550026389635842)).toBeLessThan(1e-12);
  });

  it('chi2_contingency (no Yates): 2×3 table against its margins, df = 2', () => {
    const ref = [30, 50, 20];
    const cur = [20, 50, 30];
    const r = chiSquareHomogeneity(ref, cur);
    // margins: rows 100/100, columns 50, 100, 50 -> expected 25, 50, 25 per row
    const stat = (5 ** 2 / 25) * 4;
    expect(Math.abs(r.statistic - stat)).toBeLessThan(1e-12);
    expect(Math.abs(r.pValue - Math.exp(-stat / 2))).toBeLessThan(1e-12);
    expect(r.df).toBe(2);
  });

  it('Jensen–Shannon distance and PSI from their definitions', () => {
    const p = [0.1, 0.4, 0.5];
    const q = [0.2, 0.2, 0.6];
    const m = p.map((x, i) => (x + q[i]) / 2);
    const kl = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * Math.log(x / b[i]), 0);
    expect(Math.abs(jensenShannon(p, q) - Math.sqrt((kl(p, m) + kl(q, m)) / 2))).toBeLessThan(1e-15);
    expect(jensenShannon([1, 0], [0, 1])).toBeCloseTo(Math.sqrt(Math.log(2)), 15); // scipy: sqrt(ln 2)
    expect(jensenShannon([10, 40, 50], [1, 4, 5])).toBeLessThan(1e-8); // counts are normalized
    const psi = p.reduce((s, x, i) => s + (q[i] - x) * Math.log(q[i] / x), 0);
    expect(Math.abs(populationStabilityIndex(p, q) - psi)).toBeLessThan(1e-15);
    // an empty bin is floored at 1e-4
    expect(Math.abs(populationStabilityIndex([0.5, 0.5, 0], [0.5, 0.4, 0.1]) - ((0.4 - 0.5) * Math.log(0.8) + (0.1 - 1e-4) * Math.log(0.1 / 1e-4)))).toBeLessThan(1e-15);
  });

  it('quantile bins of the reference (numpy linear interpolation) and counts per bin', () => {
    const ref = asc([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(quantileEdges(ref, 4)).toEqual([3.25, 5.5, 7.75]);
    expect(Array.from(binCounts(asc([0, 3.25, 3.3, 6, 100]), [3.25, 5.5, 7.75]))).toEqual([2, 1, 1, 1]);
  });
});
