/**
 * Association between a feature and a sensitive attribute (group codes), for proxy detection:
 * - Cramér's V (categorical feature):  V = sqrt(χ² / (n · (min(r, c) - 1)))  over the r x c contingency table
 *   (no bias correction; 0 when either side has one level).
 * - Correlation ratio η (numeric feature):  η = sqrt(Σ_g n_g (ȳ_g - ȳ)² / Σ_i (y_i - ȳ)²)  (0 when y is constant).
 * - Normalised mutual information (either):  NMI = I(X; G) / ((H(X) + H(G)) / 2)  (scikit-learn's default
 *   "arithmetic" normalisation), numeric features cut into up to 10 quantile bins. Natural logs; 0 when both are constant.
 * Rows with a missing numeric value are left out; categorical missing-value texts are levels like any other.
 */
import type { Column } from '../../data/types.js';

const MI_BINS = 10;

/** Integer codes 0..k-1 for a feature (categorical codes, or quantile bins of a numeric column; -1 = missing). */
export function featureCodes(column: Column): { codes: Int32Array; levels: number } {
  if (column.kind === 'categorical') return { codes: column.codes, levels: column.levels.length };
  const v = column.values;
  const finite = Array.from(v).filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  const edges: number[] = [];
  for (let k = 1; k < MI_BINS; k++) {
    if (finite.length === 0) break;
    const q = finite[Math.min(finite.length - 1, Math.floor((k * finite.length) / MI_BINS))];
    if (edges.length === 0 || q > edges[edges.length - 1]) edges.push(q);
  }
  const codes = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (Number.isNaN(x)) {
      codes[i] = -1;
      continue;
    }
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (x < edges[mid]) hi = mid;
      else lo = mid + 1;
    }
    codes[i] = lo;
  }
  return { codes, levels: edges.length + 1 };
}

interface Table {
  counts: Float64Array;
  rows: number;
  cols: number;
  n: number;
}

function contingency(a: Int32Array, ka: number, b: Int32Array, kb: number): Table {
  const counts = new Float64Array(ka * kb);
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x < 0 || y < 0) continue;
    counts[x * kb + y]++;
    n++;
  }
  return { counts, rows: ka, cols: kb, n };
}

function margins(t: Table): { r: Float64Array; c: Float64Array } {
  const r = new Float64Array(t.rows);
  const c = new Float64Array(t.cols);
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const v = t.counts[i * t.cols + j];
      r[i] += v;
      c[j] += v;
    }
  }
  return { r, c };
}

export function cramersV(a: Int32Array, ka: number, b: Int32Array, kb: number): number {
  const t = contingency(a, ka, b, kb);
  if (t.n === 0) return 0;
  const { r, c } = margins(t);
  const usedR = r.filter((v) => v > 0).length;
  const usedC = c.filter((v) => v > 0).length;
  const k = Math.min(usedR, usedC);
  if (k < 2) return 0;
  let chi2 = 0;
  for (let i = 0; i < t.rows; i++) {
    if (r[i] === 0) continue;
    for (let j = 0; j < t.cols; j++) {
      if (c[j] === 0) continue;
      const e = (r[i] * c[j]) / t.n;
      const d = t.counts[i * t.cols + j] - e;
      chi2 += (d * d) / e;
    }
  }
  return Math.min(1, Math.sqrt(chi2 / (t.n * (k - 1))));
}

export function correlationRatio(values: Float64Array, groups: Int32Array, k: number): number {
  const sum = new Float64Array(k);
  const count = new Float64Array(k);
  let total = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    const g = groups[i];
    if (Number.isNaN(y) || g < 0) continue;
    sum[g] += y;
    count[g]++;
    total += y;
    n++;
  }
  if (n === 0) return 0;
  const mean = total / n;
  let ssTotal = 0;
  for (let i = 0; i < values.length; i++) {
    const y = values[i];
    if (Number.isNaN(y) || groups[i] < 0) continue;
    ssTotal += (y - mean) ** 2;
  }
  if (ssTotal === 0) return 0;
  let ssBetween = 0;
  for (let g = 0; g < k; g++) if (count[g] > 0) ssBetween += count[g] * (sum[g] / count[g] - mean) ** 2;
  return Math.min(1, Math.sqrt(ssBetween / ssTotal));
}

export function normalizedMutualInformation(a: Int32Array, ka: number, b: Int32Array, kb: number): number {
  const t = contingency(a, ka, b, kb);
  if (t.n === 0) return 0;
  const { r, c } = margins(t);
  const entropy = (m: Float64Array): number => {
    let h = 0;
    for (const v of m) if (v > 0) h -= (v / t.n) * Math.log(v / t.n);
    return h;
  };
  const hr = entropy(r);
  const hc = entropy(c);
  if (hr + hc === 0) return 0;
  let mi = 0;
  for (let i = 0; i < t.rows; i++) {
    for (let j = 0; j < t.cols; j++) {
      const v = t.counts[i * t.cols + j];
      if (v > 0) mi += (v / t.n) * Math.log((v * t.n) / (r[i] * c[j]));
    }
  }
  return Math.max(0, Math.min(1, mi / ((hr + hc) / 2)));
}

export interface Association {
  measure: 'cramers_v' | 'correlation_ratio';
  value: number;
  mutualInformation: number;
}

/** Association of a dataset column with group codes (k groups). */
export function associationWith(column: Column, groups: Int32Array, k: number): Association {
  const { codes, levels } = featureCodes(column);
  const mutualInformation = normalizedMutualInformation(codes, levels, groups, k);
  if (column.kind === 'categorical') return { measure: 'cramers_v', value: cramersV(codes, levels, groups, k), mutualInformation };
  return { measure: 'correlation_ratio', value: correlationRatio(column.values, groups, k), mutualInformation };
}
