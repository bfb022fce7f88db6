/**
 * The background the Shapley games integrate over: a set of real dataset rows with weights.
 * - 'sample': a seeded uniform sample of `size` rows (equal weights).
 * - 'kmeans': `size` medoids of a k-means-like clustering (k-means++ seeding, a few Lloyd steps on standardised numeric
 *   slots plus 0/1 mismatch on text slots), each weighted by its cluster's share of the rows. Medoids are real rows, so
 *   one-hot groups and text inputs stay valid (a centroid's fractional indicators would not be).
 */
import type { ModelInput } from '../../model/types.js';
import { shuffledIndices, type Rng } from '../../util/rng.js';

export interface Background {
  /** Dataset row indices. */
  rows: Uint32Array;
  /** Weights summing to 1. */
  weights: Float64Array;
  method: 'sample' | 'kmeans';
}

/** A seeded sample of k distinct indices from 0..n-1, in ascending order. */
export function sampleRows(n: number, k: number, rng: Rng): Uint32Array {
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  return shuffledIndices(n, rng).slice(0, k).sort();
}

const MAX_CLUSTER_ROWS = 5000;
const LLOYD_STEPS = 5;

interface Embedding {
  numeric: Float64Array;
  numericWidth: number;
  codes: Int32Array;
  codeWidth: number;
}

function embed(input: ModelInput, rows: Uint32Array): Embedding {
  const n = rows.length;
  const numericCols: Array<(r: number) => number> = [];
  const textCols: Array<(r: number) => string> = [];
  if (input.kind === 'matrix') {
    for (let c = 0; c < input.width; c++) numericCols.push((r) => input.data[r * input.width + c]);
  } else {
    for (const t of Object.values(input.tensors)) {
      if (t.type === 'string') textCols.push((r) => t.data[r]);
      else if (t.type === 'int64') numericCols.push((r) => Number(t.data[r]));
      else numericCols.push((r) => t.data[r]);
    }
  }
  const numeric = new Float64Array(n * numericCols.length);
  numericCols.forEach((get, c) => {
    let mean = 0;
    let count = 0;
    for (let i = 0; i < n; i++) {
      const v = get(rows[i]);
      if (Number.isFinite(v)) {
        mean += v;
        count++;
      }
    }
    mean = count > 0 ? mean / count : 0;
    let varSum = 0;
    for (let i = 0; i < n; i++) {
      const v = get(rows[i]);
      if (Number.isFinite(v)) varSum += (v - mean) ** 2;
    }
    const sd = count > 1 ? Math.sqrt(varSum / count) : 0;
    for (let i = 0; i < n; i++) {
      const v = get(rows[i]);
      numeric[i * numericCols.length + c] = Number.isFinite(v) && sd > 0 ? (v - mean) / sd : 0;
    }
  });
  const codes = new Int32Array(n * textCols.length);
  textCols.forEach((get, c) => {
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const v = get(rows[i]);
      let id = ids.get(v);
      if (id === undefined) {
        id = ids.size;
        ids.set(v, id);
      }
      codes[i * textCols.length + c] = id;
    }
  });
  return { numeric, numericWidth: numericCols.length, codes, codeWidth: textCols.length };
}

function distance(e: Embedding, i: number, j: number): number {
  let d = 0;
  const w = e.numericWidth;
  for (let c = 0; c < w; c++) {
    const t = e.numeric[i * w + c] - e.numeric[j * w + c];
    d += t * t;
  }
  const cw = e.codeWidth;
  for (let c = 0; c < cw; c++) if (e.codes[i * cw + c] !== e.codes[j * cw + c]) d += 1;
  return d;
}

/** k medoids (indices into the embedded rows) and cluster sizes. */
function kMedoids(e: Embedding, n: number, k: number, rng: Rng): { medoids: Int32Array; sizes: Float64Array } {
  const medoids = new Int32Array(k);
  const nearest = new Float64Array(n).fill(Infinity);
  medoids[0] = rng.int(n);
  for (let m = 1; m < k; m++) {
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = distance(e, i, medoids[m - 1]);
      if (d < nearest[i]) nearest[i] = d;
      total += nearest[i];
    }
    let pick = -1;
    if (total > 0) {
      let u = rng.next() * total;
      for (let i = 0; i < n; i++) {
        u -= nearest[i];
        if (u <= 0 && nearest[i] > 0) {
          pick = i;
          break;
        }
      }
    }
    if (pick < 0) pick = rng.int(n);
    medoids[m] = pick;
  }
  const assign = new Int32Array(n);
  const sizes = new Float64Array(k);
  for (let step = 0; step <= LLOYD_STEPS; step++) {
    sizes.fill(0);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Infinity;
      for (let m = 0; m < k; m++) {
        const d = distance(e, i, medoids[m]);
        if (d < bestD) {
          bestD = d;
          best = m;
        }
      }
      assign[i] = best;
      sizes[best]++;
    }
    if (step === LLOYD_STEPS) break;
    // New medoid of each cluster: the member closest to the cluster's mean (numeric) and mode (text).
    const w = e.numericWidth;
    const cw = e.codeWidth;
    const mean = new Float64Array(k * w);
    for (let i = 0; i < n; i++) for (let c = 0; c < w; c++) mean[assign[i] * w + c] += e.numeric[i * w + c];
    for (let m = 0; m < k; m++) for (let c = 0; c < w; c++) mean[m * w + c] /= Math.max(1, sizes[m]);
    const modeCounts = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < cw; c++) {
        const key = `${assign[i]}:${c}:${e.codes[i * cw + c]}`;
        modeCounts.set(key, (modeCounts.get(key) ?? 0) + 1);
      }
    }
    const bestMember = new Int32Array(k).fill(-1);
    const bestScore = new Float64Array(k).fill(Infinity);
    for (let i = 0; i < n; i++) {
      const m = assign[i];
      let d = 0;
      for (let c = 0; c < w; c++) d += (e.numeric[i * w + c] - mean[m * w + c]) ** 2;
      for (let c = 0; c < cw; c++) d += 1 - (modeCounts.get(`${m}:${c}:${e.codes[i * cw + c]}`) ?? 0) / Math.max(1, sizes[m]);
      if (d < bestScore[m]) {
        bestScore[m] = d;
        bestMember[m] = i;
      }
    }
    for (let m = 0; m < k; m++) if (bestMember[m] >= 0) medoids[m] = bestMember[m];
  }
  return { medoids, sizes };
}

/** Choose the background rows of a dataset's model input. */
export function chooseBackground(input: ModelInput, size: number, method: 'sample' | 'kmeans', rng: Rng): Background {
  const n = input.rows;
  if (method === 'sample' || size >= n) {
    const rows = sampleRows(n, size, rng);
    return { rows, weights: new Float64Array(rows.length).fill(1 / rows.length), method };
  }
  const candidates = sampleRows(n, Math.max(size, Math.min(n, MAX_CLUSTER_ROWS)), rng);
  const e = embed(input, candidates);
  const { medoids, sizes } = kMedoids(e, candidates.length, size, rng);
  // Merge duplicate medoids (two clusters that ended on the same row) and keep row order ascending.
  const byRow = new Map<number, number>();
  medoids.forEach((m, k) => {
    const row = candidates[m];
    byRow.set(row, (byRow.get(row) ?? 0) + sizes[k]);
  });
  const entries = [...byRow.entries()].filter(([, s]) => s > 0).sort((a, b) => a[0] - b[0]);
  const total = entries.reduce((s, [, v]) => s + v, 0);
  return {
    rows: Uint32Array.from(entries.map(([r]) => r)),
    weights: Float64Array.from(entries.map(([, v]) => v / total)),
    method,
  };
}
