/**
 * Row subsets of a columnar dataset (issue #12): a contiguous slice (views, no copy: chunked encoding and scoring) and
 * a gathered subset (the seeded row sample that robustness, explainability and the baseline run on at scale). Both keep
 * the source line of every row, so error messages still name the right line of the file.
 */
import { lineOfRow, setRowLines } from './csv.js';
import type { Column, Dataset } from './types.js';

function withLines(source: Dataset, out: Dataset, rowAt: (i: number) => number): Dataset {
  const lines = new Uint32Array(out.rows);
  for (let i = 0; i < out.rows; i++) lines[i] = lineOfRow(source, rowAt(i));
  setRowLines(out, lines);
  return out;
}

function build(source: Dataset, rows: number, columns: Column[]): Dataset {
  return { file: source.file, sha256: source.sha256, rows, columns, byName: new Map(columns.map((c) => [c.name, c])) };
}

/** Rows [start, end) as typed-array views of the source (no copy). */
export function sliceDataset(source: Dataset, start: number, end: number): Dataset {
  const columns: Column[] = source.columns.map((c) =>
    c.kind === 'numeric' ? { ...c, values: c.values.subarray(start, end) } : { ...c, codes: c.codes.subarray(start, end) },
  );
  return withLines(source, build(source, end - start, columns), (i) => start + i);
}

/** The given rows (ascending indices), copied. Missing counts are recomputed for the subset. */
export function subsetDataset(source: Dataset, rows: Uint32Array): Dataset {
  const columns: Column[] = source.columns.map((c) => {
    if (c.kind === 'numeric') {
      const values = new Float64Array(rows.length);
      let missing = 0;
      for (let i = 0; i < rows.length; i++) {
        values[i] = c.values[rows[i]];
        if (Number.isNaN(values[i])) missing++;
      }
      return { ...c, values, missing };
    }
    const codes = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) codes[i] = c.codes[rows[i]];
    return { ...c, codes };
  });
  return withLines(source, build(source, rows.length, columns), (i) => rows[i]);
}

/** 32-bit mix of (seed, row): the key of the bottom-k sample (murmur3 finaliser). */
export function rowKey(seed: number, row: number): number {
  let h = (Math.imul(row ^ 0x9e3779b9, 0x85ebca6b) ^ seed) >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A seeded sample of k of n rows: the k rows with the smallest keys rowKey(seed, row) (ties by row), ascending. It
 * depends only on (seed, row ids): the same whether the rows arrive in one piece, in chunks or in shards (a shard keeps
 * its own k smallest; the merge keeps the k smallest of those).
 */
export function bottomKRows(n: number, k: number, seed: number): Uint32Array {
  if (k >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const keys = new Float64Array(n);
  for (let i = 0; i < n; i++) keys[i] = rowKey(seed, i) * 4294967296 + i;
  const sorted = Float64Array.from(keys).sort();
  const cut = sorted[k - 1];
  const out = new Uint32Array(k);
  let m = 0;
  for (let i = 0; i < n && m < k; i++) if (keys[i] <= cut) out[m++] = i;
  return out;
}
