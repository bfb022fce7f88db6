/** One sort of the rows by score, shared by every ranking metric (ROC AUC, average precision, KS) and the curves. */

/** Row counts below this are sorted through packed float64 keys (the row position fits in the low 21 bits). */
const PACKED_LIMIT = 2 ** 21;

/** Maps float32 bits to an unsigned integer that orders like the float (negative floats reversed, sign bit set on positives). */
function sortableBits(bits: number): number {
  return (bits & 0x80000000) !== 0 ? ~bits >>> 0 : (bits | 0x80000000) >>> 0;
}

/**
 * Row indices ordered by score, highest first; equal scores keep ascending row order (deterministic).
 * With `rows`, orders those row indices (repeats allowed, as in a bootstrap resample) instead of 0..n-1.
 * O(n log n): the float32 bit pattern and the position are packed into one exact float64 key and sorted natively.
 */
export function orderByScoreDescending(scores: Float32Array, rows?: ArrayLike<number>): Uint32Array {
  const n = rows === undefined ? scores.length : rows.length;
  const out = new Uint32Array(n);
  if (n === 0) return out;
  const bits = new Uint32Array(scores.buffer, scores.byteOffset, scores.length);
  if (n < PACKED_LIMIT) {
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const r = rows === undefined ? i : (rows[i] as number);
      const descending = 0xffffffff - sortableBits(bits[r] as number);
      keys[i] = descending * PACKED_LIMIT + i;
    }
    keys.sort();
    for (let i = 0; i < n; i++) {
      const position = (keys[i] as number) % PACKED_LIMIT;
      out[i] = rows === undefined ? position : (rows[position] as number);
    }
    return out;
  }
  const positions = new Uint32Array(n);
  const sortKey = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    positions[i] = i;
    const r = rows === undefined ? i : (rows[i] as number);
    sortKey[i] = 0xffffffff - sortableBits(bits[r] as number);
  }
  positions.sort((a, b) => (sortKey[a] as number) - (sortKey[b] as number) || a - b);
  for (let i = 0; i < n; i++) {
    const position = positions[i] as number;
    out[i] = rows === undefined ? position : (rows[position] as number);
  }
  return out;
}
