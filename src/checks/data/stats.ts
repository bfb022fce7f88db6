/**
 * Two-sample drift statistics on typed arrays (issue #13). Definitions follow scipy where scipy has the statistic:
 *
 * - ksTwoSample = scipy.stats.ks_2samp(a, b) (two-sided, method 'auto'): D = sup |F_a − F_b|; the p-value is exact when
 *   max(n_a, n_b) <= 10,000 (the probability that a random lattice path from (0,0) to (n_a,n_b) leaves the band
 *   |x/n_a − y/n_b| < D, computed by the Hodges "inside" recursion in the form of Viehmann (2021) that carries 1 − p, or
 *   the closed form for n_a = n_b), otherwise the one-sample Kolmogorov distribution of D with n = round(n_a n_b / (n_a + n_b))
 *   (scipy's kstwo.sf, computed as Simard & L'Ecuyer (2011) choose: Ruben–Gambino ends, Smirnov's exact one-sided sum,
 *   the Durbin matrix (Marsaglia–Tsang–Wang), Pelz–Good).
 * - wassersteinDistance = scipy.stats.wasserstein_distance(a, b): ∫ |F_a − F_b| dx.
 * - chiSquare = scipy.stats.chisquare(f_obs, f_exp): Σ (o − e)² / e, p = Q((k − 1)/2, χ²/2).
 * - chiSquareHomogeneity = scipy.stats.chi2_contingency([[ref counts], [cur counts]], correction=False): the
 *   chisquare of the 2×k table against the expected counts of its margins, df = k − 1. (A two-sample test: the
 *   reference counts are a sample too, so treating their shares as known — a goodness-of-fit test — would raise false
 *   alarms well above the nominal level.)
 * - jensenShannon = scipy.spatial.distance.jensenshannon(p, q) (natural log): sqrt((KL(p‖m) + KL(q‖m)) / 2), m = (p+q)/2.
 * - psi = Σ (c_i − r_i) ln(c_i / r_i) on shares, each share floored at 1e-4 (the floor Evidently and NannyML use).
 */
import { logGamma, regularizedGammaQ } from '../../stats/special.js';

export const KS_EXACT_MAX_N = 10_000;
export const PSI_FLOOR = 1e-4;

export interface TestResult {
  statistic: number;
  pValue: number;
  /** 'exact' | 'asymptotic' for KS; 'chi2' for the chi-square tests. */
  method: string;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** D = sup |F_a − F_b| of two ascending samples (NaN-free). */
export function ksStatistic(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const x = a[i] <= b[j] ? a[i] : b[j];
    while (i < n1 && a[i] === x) i++;
    while (j < n2 && b[j] === x) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  return d;
}

/** scipy.stats.ks_2samp(a, b), two-sided, method 'auto'. Both samples ascending, NaN-free, non-empty. */
export function ksTwoSample(a: Float64Array, b: Float64Array): TestResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) throw new RangeError('ksTwoSample needs two non-empty samples');
  let d = ksStatistic(a, b);
  if (Math.max(n1, n2) <= KS_EXACT_MAX_N) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    const p = n1 === n2 ? probOutsideSquare(n1, h) : probOutsideBand(n1, n2, g, h);
    if (Number.isFinite(p) && p >= 0 && p <= 1) return { statistic: d, pValue: p, method: 'exact' };
  }
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const en = Math.round((m * n) / (m + n));
  return { statistic: d, pValue: clip01(kolmogorovSf(en, d)), method: 'asymptotic' };
}

/**
 * P(D_{n,n} >= h/n) = 2 Σ_{k>=1} (−1)^{k−1} C(2n, n − kh) / C(2n, n), evaluated from the innermost term outwards
 * (P = A_0 (1 − A_1 (1 − A_2 ...))) with each ratio a product of h factors, which avoids the cancellation of the sum.
 */
function probOutsideSquare(n: number, h: number): number {
  let p = 0;
  for (let k = Math.floor(n / h); k >= 0; k--) {
    let ratio = 1;
    for (let j = 0; j < h; j++) ratio = ((n - k * h - j) * ratio) / (n + k * h + j + 1);
    p = ratio * (1 - p);
  }
  return 2 * p;
}

/**
 * Share of monotone lattice paths from (0,0) to (m,n) (m >= n) that touch |x·n/g − y·m/g| >= h. Column by column, the
 * share of paths to (i, j) that have left the band is (i·A(i−1, j) + j·A(i, j−1)) / (i + j) (the last step comes from
 * the left with probability i/(i+j)); only the cells inside the band are stored.
 */
function probOutsideBand(n1: number, n2: number, g: number, h: number): number {
  const m = Math.max(n1, n2);
  const n = Math.min(n1, n2);
  const mg = m / g;
  const ng = n / g;
  let lo = 0;
  let hi = Math.min(Math.ceil(h / mg), n + 1);
  let len = hi - lo;
  const size = Math.min(2 * hi + 2, n + 1);
  let prev = new Float64Array(Math.max(size, n + 2)).fill(1);
  let cur = new Float64Array(prev.length).fill(1);
  for (let j = lo; j < hi; j++) prev[j - lo] = 0;
  for (let i = 1; i <= m; i++) {
    const lastLo = lo;
    const lastLen = len;
    lo = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    hi = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (hi <= lo) return 1;
    let below = lo === 0 ? 0 : 1;
    for (let j = lo; j < hi; j++) {
      const k = j - lastLo;
      const left = k >= 0 && k < lastLen ? prev[k] : 1;
      below = (left * i + below * j) / (i + j);
      cur[j - lo] = below;
    }
    len = hi - lo;
    [prev, cur] = [cur, prev];
  }
  return prev[len - 1];
}

function clip01(p: number): number {
  return p < 0 ? 0 : p > 1 ? 1 : p;
}

/** P(D_n >= x) for the one-sample two-sided Kolmogorov–Smirnov statistic (scipy.stats.kstwo.sf(x, n)). */
export function kolmogorovSf(n: number, x: number): number {
  if (!(n > 0) || !Number.isInteger(n)) return Number.NaN;
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    // Ruben–Gambino: P(D_n <= x) = n!/n^n (2t − 1)^n for 1/(2n) <= x <= 1/n
    let logCdf = n * Math.log(2 * t - 1) + logGamma(n + 1) - n * Math.log(n);
    if (n <= 140) {
      let prod = 1;
      for (let i = 1; i <= n; i++) prod *= (i / n) * (2 * t - 1);
      logCdf = Math.log(prod);
    }
    return clip01(1 - Math.exp(logCdf));
  }
  if (t >= n - 1) return clip01(2 * (1 - x) ** n);
  if (x >= 0.5) return clip01(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (n <= 140) {
    if (nx2 <= 4) return clip01(1 - durbinCdf(n, x));
    return clip01(2 * smirnovSf(n, x));
  }
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip01(2 * smirnovSf(n, x));
  let cdf: number;
  if (nx2 >= 18) cdf = 1;
  else if (n <= 100_000 && n * x ** 1.5 <= 1.4) cdf = durbinCdf(n, x);
  else cdf = pelzGoodCdf(n, x);
  return clip01(1 - cdf);
}

/**
 * Smirnov's one-sided P(D_n^+ >= x) = x Σ_{j=0}^{⌊n(1−x)⌋} C(n, j) (x + j/n)^{j−1} (1 − x − j/n)^{n−j} (Birnbaum &
 * Tingey 1951), every term in logs (all terms are positive).
 */
export function smirnovSf(n: number, x: number): number {
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x) + 1e-12);
  const logN = logGamma(n + 1);
  let sum = 0;
  for (let j = 0; j <= last; j++) {
    const a = x + j / n;
    const b = 1 - x - j / n;
    if (b <= 0) {
      if (j === n) sum += Math.exp((j - 1) * Math.log(a)); // C(n,n) a^{n-1} b^0
      continue;
    }
    const logTerm = logN - logGamma(j + 1) - logGamma(n - j + 1) + (j - 1) * Math.log(a) + (n - j) * Math.log(b);
    sum += Math.exp(logTerm);
  }
  return x * sum;
}

/**
 * Durbin's matrix formula for P(D_n < x) with the scaling of Marsaglia, Tsang & Wang (2003): write n·x = k − h
 * (0 <= h < 1), build the (2k−1)² matrix H, and P = n!/n^n (H^n)_{k,k}.
 */
function durbinCdf(n: number, x: number): number {
  const nd = n * x;
  if (nd <= 0.5) return 0;
  const k = Math.ceil(nd);
  const h = k - nd;
  const m = 2 * k - 1;
  let H: Float64Array = new Float64Array(m * m);
  const fact = new Float64Array(m + 1);
  fact[0] = 1;
  for (let i = 1; i <= m; i++) fact[i] = fact[i - 1] / i; // 1/i!
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i - j + 1 >= 0) H[i * m + j] = fact[i - j + 1];
    }
  }
  for (let i = 0; i < m; i++) {
    H[i * m] -= h ** (i + 1) * fact[i + 1];
    H[(m - 1) * m + i] -= h ** (m - i) * fact[m - i];
  }
  H[(m - 1) * m] += (2 * h - 1 > 0 ? (2 * h - 1) ** m : 0) * fact[m];
  const SCALE = 2 ** 128;
  let result: Float64Array | null = null;
  let resultExp = 0;
  let powExp = 0;
  let e = n;
  const mul = (A: Float64Array, B: Float64Array): Float64Array => {
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) {
      for (let l = 0; l < m; l++) {
        const a = A[i * m + l];
        if (a === 0) continue;
        for (let j = 0; j < m; j++) C[i * m + j] += a * B[l * m + j];
      }
    }
    return C;
  };
  while (e > 0) {
    if (e % 2 === 1) {
      result = result === null ? H.slice() : mul(result, H);
      resultExp += powExp;
      if (Math.abs(result[(k - 1) * m + (k - 1)]) > SCALE) {
        for (let i = 0; i < result.length; i++) result[i] /= SCALE;
        resultExp += 128;
      }
    }
    e = Math.floor(e / 2);
    if (e > 0) {
      H = mul(H, H);
      powExp *= 2;
      if (Math.abs(H[(k - 1) * m + (k - 1)]) > SCALE) {
        for (let i = 0; i < H.length; i++) H[i] /= SCALE;
        powExp += 128;
      }
    }
  }
  let p = (result as Float64Array)[(k - 1) * m + (k - 1)];
  let exp = resultExp;
  for (let i = 1; i <= n; i++) {
    p = (p * i) / n;
    if (Math.abs(p) < 1 / SCALE) {
      p *= SCALE;
      exp -= 128;
    }
  }
  return clip01(p * 2 ** exp);
}

/**
 * Pelz & Good (1976): P(D_n <= x) ≈ K0(z) + K1(z)/√n + K2(z)/n + K3(z)/n^{3/2}, z = x√n, each K_i in its theta-function
 * form that converges fast for small z.
 */
function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z3 = z2 * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const PI2 = Math.PI ** 2;
  const PI4 = PI2 * PI2;
  const PI6 = PI4 * PI2;
  const qlog = -PI2 / 8 / z2;
  if (qlog < -708) return 0;
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const maxk = Math.ceil((16 * z) / Math.PI);
  // odd terms: m = 2k − 1, q^{m²}
  let k0 = 0;
  let k1 = 0;
  let k2 = 0;
  let k3 = 0;
  for (let k = 1; k <= maxk; k++) {
    const mm = 2 * k - 1;
    const m2 = mm * mm;
    const w = Math.exp(qlog * m2);
    k0 += w;
    k1 += (PI2 * m2 / 4 - z2) * w;
    k2 += (6 * z6 + 2 * z4 + ((2 * z4 - 5 * z2) * PI2 * m2) / 4 + (PI4 * (1 - 2 * z2) * m2 * m2) / 16) * w;
    k3 +=
      (-30 * z6 - 90 * z6 * z2 + (PI2 * (135 * z4 - 96 * z6) * m2) / 4 + (PI4 * (-60 * z2 + 212 * z4) * m2 * m2) / 16 +
        (PI6 * (5 - 30 * z2) * m2 * m2 * m2) / 64) *
      w;
  }
  k0 *= sqrt2pi / z;
  k1 *= sqrt2pi / (6 * z4);
  k2 *= sqrt2pi / (72 * z6 * z);
  k3 *= sqrt2pi / (6480 * z6 * z4);
  // all integers k: q2^{k²}, q2 = exp(−π²/(2z²))
  let s2 = 0;
  let s3 = 0;
  for (let k = 1; k <= maxk; k++) {
    const w = Math.exp((-PI2 / 2 / z2) * k * k);
    s2 += k * k * w;
    s3 += (3 * z2 - PI2 * k * k) * k * k * w;
  }
  k2 += (s2 * PI2 * sqrt2pi) / (-36 * z3);
  k3 += (s3 * PI2 * sqrt2pi) / (216 * z6);
  return k0 + k1 / Math.sqrt(n) + k2 / n + k3 / (n * Math.sqrt(n));
}

/** scipy.stats.wasserstein_distance(a, b) = ∫ |F_a − F_b| dx; both samples ascending, NaN-free, non-empty. */
export function wassersteinDistance(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let total = 0;
  let x = Math.min(a[0], b[0]);
  while (i < n1 || j < n2) {
    const next = j >= n2 || (i < n1 && a[i] <= b[j]) ? a[i] : b[j];
    total += Math.abs(i / n1 - j / n2) * (next - x);
    while (i < n1 && a[i] === next) i++;
    while (j < n2 && b[j] === next) j++;
    x = next;
  }
  return total;
}

/** scipy.stats.chisquare(observed, expected), df = k − 1 − ddof. Expected counts must be > 0. */
export function chiSquare(observed: ArrayLike<number>, expected: ArrayLike<number>, ddof = 0): TestResult {
  let stat = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i] - expected[i];
    stat += (d * d) / expected[i];
  }
  const df = observed.length - 1 - ddof;
  return { statistic: stat, pValue: df > 0 ? regularizedGammaQ(df / 2, stat / 2) : Number.NaN, method: 'chi2' };
}

/**
 * scipy.stats.chi2_contingency([reference, current], correction=False): χ² of the 2×k table against the counts its
 * margins predict, df = k − 1. Categories empty in both rows must be left out by the caller.
 */
export function chiSquareHomogeneity(reference: ArrayLike<number>, current: ArrayLike<number>): TestResult & { df: number } {
  const k = reference.length;
  let nr = 0;
  let nc = 0;
  for (let i = 0; i < k; i++) {
    nr += reference[i];
    nc += current[i];
  }
  const total = nr + nc;
  const observed = new Float64Array(2 * k);
  const expected = new Float64Array(2 * k);
  for (let i = 0; i < k; i++) {
    const col = reference[i] + current[i];
    observed[i] = reference[i];
    observed[k + i] = current[i];
    expected[i] = (nr * col) / total;
    expected[k + i] = (nc * col) / total;
  }
  if (k < 2) return { statistic: 0, pValue: 1, method: 'chi2', df: 0 };
  const r = chiSquare(observed, expected);
  return { statistic: r.statistic, pValue: regularizedGammaQ((k - 1) / 2, r.statistic / 2), method: 'chi2', df: k - 1 };
}

function shares(counts: ArrayLike<number>): Float64Array {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i];
  const out = new Float64Array(counts.length);
  for (let i = 0; i < counts.length; i++) out[i] = total > 0 ? counts[i] / total : 0;
  return out;
}

/** scipy.spatial.distance.jensenshannon(p, q) with natural logs; inputs are counts or shares (normalized here). */
export function jensenShannon(p: ArrayLike<number>, q: ArrayLike<number>): number {
  const a = shares(p);
  const b = shares(q);
  let js = 0;
  for (let i = 0; i < a.length; i++) {
    const m = (a[i] + b[i]) / 2;
    if (a[i] > 0) js += a[i] * Math.log(a[i] / m);
    if (b[i] > 0) js += b[i] * Math.log(b[i] / m);
  }
  return Math.sqrt(Math.max(0, js / 2));
}

/** Population stability index of current vs reference counts: Σ (c − r) ln(c / r) on shares floored at 1e-4. */
export function populationStabilityIndex(reference: ArrayLike<number>, current: ArrayLike<number>): number {
  const r = shares(reference);
  const c = shares(current);
  let psi = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = Math.max(r[i], PSI_FLOOR);
    const ci = Math.max(c[i], PSI_FLOOR);
    psi += (ci - ri) * Math.log(ci / ri);
  }
  return psi;
}

/**
 * Quantile bin edges of a sorted reference sample: the distinct interior values at probabilities 1/bins, …, (bins−1)/bins
 * (numpy's linear interpolation). A value v falls in bin i when edges[i−1] < v <= edges[i] (first bin: v <= edges[0]).
 */
export function quantileEdges(sortedReference: Float64Array, bins: number): number[] {
  const n = sortedReference.length;
  const edges: number[] = [];
  for (let b = 1; b < bins; b++) {
    const pos = ((n - 1) * b) / bins;
    const lo = Math.floor(pos);
    const hi = Math.min(lo + 1, n - 1);
    const v = sortedReference[lo] + (sortedReference[hi] - sortedReference[lo]) * (pos - lo);
    if (edges.length === 0 || v > edges[edges.length - 1]) edges.push(v);
  }
  return edges;
}

/** Counts of a sorted sample in the bins given by `edges` (edges.length + 1 bins). */
export function binCounts(sorted: Float64Array, edges: readonly number[]): Float64Array {
  const counts = new Float64Array(edges.length + 1);
  let bin = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (bin < edges.length && sorted[i] > edges[bin]) bin++;
    counts[bin]++;
  }
  return counts;
}
