/** Small typed-array helpers. */

/** The values of `source` at `rows` (indices, repeats allowed), in a new array of the same type. */
export function gather<T extends Uint8Array | Float32Array | Float64Array | Int32Array | Uint32Array>(source: T, rows: ArrayLike<number>): T {
  const out = new (source.constructor as { new (n: number): T })(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = source[rows[i]];
  return out;
}
