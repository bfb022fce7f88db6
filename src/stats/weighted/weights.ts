/**
 * Metrics under integer sample weights: a bootstrap resample is the original rows, each counted as often as it was
 * drawn. Evaluating a metric with weights is O(n) and needs no re-sorting (the order by score is computed once), which
 * is what makes 1,000 resamples of tens of thousands of rows cheap. With every weight 1 the values equal src/metrics.
 */

/** weights[i] = number of times row i occurs in `rows` (out is zeroed first). */
export function rowsToWeights(rows: Uint32Array, n: number, out: Uint32Array = new Uint32Array(n)): Uint32Array {
  out.fill(0);
  for (let j = 0; j < rows.length; j++) out[rows[j]]++;
  return out;
}

let ones = new Uint32Array(0);

/**
 * Weight 1 for every row: a view of one shared array of ones (read-only for callers), so that the many checks of a
 * run over millions of rows do not each allocate 4 bytes a row (issue #12).
 */
export function unitWeights(n: number): Uint32Array {
  if (ones.length < n) ones = new Uint32Array(Math.max(n, ones.length * 2)).fill(1);
  return ones.subarray(0, n);
}
