/**
 * Views of one column of two datasets (reference, current) that the data checks share: sorted numeric values,
 * category counts by text, missing counts, row hashes. A column that is numeric in one file and text in the other is
 * compared as text on both sides (and reported as mixed types).
 */
import type { Column, Dataset } from '../../data/types.js';

const sortedCache = new WeakMap<Float64Array, Float64Array>();

/** The non-missing values of a numeric column, ascending (cached per array: drift and integrity share the sort). */
export function sortedValues(values: Float64Array): Float64Array {
  let out = sortedCache.get(values);
  if (!out) {
    out = sortValues(values);
    sortedCache.set(values, out);
  }
  return out;
}

/** Integer columns with a range up to this many values are sorted by counting (O(n + range)), others by a typed sort. */
export const COUNTING_SORT_MAX_RANGE = 1 << 22;

function sortValues(values: Float64Array): Float64Array {
  let n = 0;
  let lo = Infinity;
  let hi = -Infinity;
  let integer = true;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Number.isNaN(v)) continue;
    n++;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integer && !Number.isInteger(v)) integer = false;
  }
  const out = new Float64Array(n);
  if (n > 0 && integer && hi - lo < COUNTING_SORT_MAX_RANGE && hi - lo < 4 * n) {
    const counts = new Int32Array(hi - lo + 1);
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isNaN(v)) counts[v - lo]++;
    }
    let k = 0;
    for (let b = 0; b < counts.length; b++) {
      const c = counts[b];
      if (c > 0) {
        out.fill(b + lo, k, k + c);
        k += c;
      }
    }
    return out;
  }
  let k = 0;
  for (let i = 0; i < values.length; i++) if (!Number.isNaN(values[i])) out[k++] = values[i];
  return out.sort();
}

/** Whether a categorical level counts as missing. */
function missingLevels(col: Column & { kind: 'categorical' }, missing: ReadonlySet<string>): Uint8Array {
  const out = new Uint8Array(col.levels.length);
  col.levels.forEach((l, i) => {
    if (missing.has(l)) out[i] = 1;
  });
  return out;
}

/** Text of a numeric value as it would be compared with a text column. */
export function numberText(v: number): string {
  return String(v);
}

/** Counts of non-missing values by text (numeric columns: by their shortest decimal text). */
export function textCounts(col: Column, missing: ReadonlySet<string>): Map<string, number> {
  const counts = new Map<string, number>();
  if (col.kind === 'categorical') {
    const perLevel = new Float64Array(col.levels.length);
    for (let i = 0; i < col.codes.length; i++) perLevel[col.codes[i]]++;
    const miss = missingLevels(col, missing);
    col.levels.forEach((l, i) => {
      if (!miss[i] && perLevel[i] > 0) counts.set(l, (counts.get(l) ?? 0) + perLevel[i]);
    });
    return counts;
  }
  const sorted = sortedValues(col.values);
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    counts.set(numberText(sorted[i]), j - i);
    i = j;
  }
  return counts;
}

/** Missing cells of a column (NaN, or a missing-value text). */
export function missingCount(col: Column, missing: ReadonlySet<string>): number {
  if (col.kind === 'numeric') {
    let n = 0;
    for (let i = 0; i < col.values.length; i++) if (Number.isNaN(col.values[i])) n++;
    return n;
  }
  const miss = missingLevels(col, missing);
  let n = 0;
  for (let i = 0; i < col.codes.length; i++) n += miss[col.codes[i]];
  return n;
}

/** Decimal text, as the CSV reader decides numeric columns. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A text column holding both numbers and non-numbers (missing-value texts aside). */
export function hasMixedTypes(col: Column, missing: ReadonlySet<string>): boolean {
  if (col.kind === 'numeric') return false;
  let numbers = false;
  let texts = false;
  for (const l of col.levels) {
    if (missing.has(l)) continue;
    if (DECIMAL.test(l.trim())) numbers = true;
    else texts = true;
    if (numbers && texts) return true;
  }
  return false;
}

// ------------------------------------------------------------------ row hashing

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

function mix32(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

function stringHash(s: string, seed: number): number {
  let h = seed | 0;
  for (let i = 0; i < s.length; i++) h = mix32(h, s.charCodeAt(i));
  return fmix(h ^ s.length);
}

export interface HashPlan {
  column: Column;
  /** Hash the value's text (a column numeric on one side and text on the other). */
  asText: boolean;
}

/**
 * A 53-bit key per row over the planned columns (two independent 32-bit murmur3-style hashes, 21 + 32 bits), equal for
 * rows whose values are equal. Numeric values hash by their float64 bits (NaN as one value), texts by their characters.
 * With n rows the chance of any false match is about n² / 2⁵⁴ (1e-4 at 1.3 M rows against 1.3 M rows).
 */
export function rowKeys(rows: number, plans: readonly HashPlan[]): Float64Array {
  const h1 = new Int32Array(rows).fill(0x9747b28c);
  const h2 = new Int32Array(rows).fill(0x5bd1e995);
  for (const { column, asText } of plans) {
    if (column.kind === 'categorical' || asText) {
      let a: Uint32Array;
      let b: Uint32Array;
      let codes: Int32Array;
      if (column.kind === 'categorical') {
        a = Uint32Array.from(column.levels, (l) => stringHash(l, 1));
        b = Uint32Array.from(column.levels, (l) => stringHash(l, 2));
        codes = column.codes;
      } else {
        const index = new Map<number, number>();
        const texts: string[] = [];
        codes = new Int32Array(rows);
        for (let i = 0; i < rows; i++) {
          const v = column.values[i];
          const key = Number.isNaN(v) ? Number.NaN : v;
          let c = index.get(key);
          if (c === undefined) {
            c = texts.length;
            texts.push(Number.isNaN(v) ? '\u0000missing' : numberText(v));
            index.set(key, c);
          }
          codes[i] = c;
        }
        a = Uint32Array.from(texts, (l) => stringHash(l, 1));
        b = Uint32Array.from(texts, (l) => stringHash(l, 2));
      }
      for (let i = 0; i < rows; i++) {
        h1[i] = mix32(h1[i], a[codes[i]]);
        h2[i] = mix32(h2[i], b[codes[i]]);
      }
    } else {
      const v = column.values;
      for (let i = 0; i < rows; i++) {
        f64[0] = Number.isNaN(v[i]) ? Number.NaN : v[i] === 0 ? 0 : v[i];
        h1[i] = mix32(mix32(h1[i], u32[0]), u32[1]);
        h2[i] = mix32(mix32(h2[i], u32[1] ^ 0x27d4eb2f), u32[0]);
      }
    }
  }
  const keys = new Float64Array(rows);
  for (let i = 0; i < rows; i++) keys[i] = (fmix(h1[i]) & 0x1fffff) * 4294967296 + fmix(h2[i]);
  return keys;
}

/** Hash plans for the named columns of two datasets (text hashing where the kinds differ). */
export function pairedPlans(a: Dataset, b: Dataset, columns: readonly string[]): [HashPlan[], HashPlan[]] {
  const pa: HashPlan[] = [];
  const pb: HashPlan[] = [];
  for (const name of columns) {
    const ca = a.byName.get(name);
    const cb = b.byName.get(name);
    if (!ca || !cb) continue;
    const asText = ca.kind !== cb.kind;
    pa.push({ column: ca, asText });
    pb.push({ column: cb, asText });
  }
  return [pa, pb];
}

/** Keys ascending (a sorted copy). */
export function sortedKeys(keys: Float64Array): Float64Array {
  return Float64Array.from(keys).sort();
}

/** Whether x occurs in an ascending array (binary search). */
export function containsSorted(sorted: Float64Array, x: number): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === x;
}
