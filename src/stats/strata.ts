/**
 * Strata for a stratified bootstrap: rows with the same stratum code are resampled among themselves, so every
 * resample keeps the number of rows of each stratum (e.g. the positives and negatives of each group) fixed.
 */

export interface StrataLayout {
  /** Row indices ordered by stratum. */
  members: Uint32Array;
  /** members[offsets[s] .. offsets[s + 1]) are the rows of stratum s (strata numbered by first appearance). */
  offsets: Uint32Array;
  /** Number of strata. */
  count: number;
  /** Number of rows. */
  rows: number;
}

/** Groups row indices by stratum code (any int32 codes; strata are numbered in order of first appearance). */
export function layoutStrata(strata: Int32Array): StrataLayout {
  const n = strata.length;
  const index = new Map<number, number>();
  const local = new Int32Array(n);
  const sizes: number[] = [];
  for (let i = 0; i < n; i++) {
    const code = strata[i];
    let s = index.get(code);
    if (s === undefined) {
      s = sizes.length;
      index.set(code, s);
      sizes.push(0);
    }
    local[i] = s;
    sizes[s]++;
  }
  const count = sizes.length;
  const offsets = new Uint32Array(count + 1);
  for (let s = 0; s < count; s++) offsets[s + 1] = offsets[s] + sizes[s];
  const cursor = offsets.slice(0, count);
  const members = new Uint32Array(n);
  for (let i = 0; i < n; i++) members[cursor[local[i]]++] = i;
  return { members, offsets, count, rows: n };
}

/** Stratum code per row = the label (0/1): for metrics of the whole dataset. */
export function labelStrata(yTrue: Uint8Array): Int32Array {
  return Int32Array.from(yTrue);
}

/** Stratum code per row = group code × 2 + label: for metrics that compare groups. */
export function labelGroupStrata(yTrue: Uint8Array, groupCodes: Int32Array): Int32Array {
  const out = new Int32Array(yTrue.length);
  for (let i = 0; i < out.length; i++) out[i] = groupCodes[i] * 2 + yTrue[i];
  return out;
}
