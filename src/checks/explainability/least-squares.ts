/**
 * KernelSHAP's weighted least squares with the efficiency constraint, solved by eliminating the last player:
 *   minimise Σ_c w_c (v_c - E - Σ_j z_cj φ_j)²  subject to  Σ_j φ_j = f(x) - E.
 * With φ_last = (f(x) - E) - Σ_{j<last} φ_j the problem is an unconstrained (m-1)-dimensional least squares.
 */

/** Solve A x = b (n x n, row-major; both overwritten) by Gaussian elimination with partial pivoting. Near-singular
 * pivots (|p| <= 1e-12 · max|A|) leave their variable at 0. */
export function solveLinearSystem(a: Float64Array, b: Float64Array, n: number): Float64Array {
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]));
  const tol = 1e-12 * (scale || 1);
  const piv = new Int32Array(n).fill(-1);
  const usedRow = new Uint8Array(n);
  for (let col = 0; col < n; col++) {
    let best = -1;
    let bestAbs = tol;
    for (let r = 0; r < n; r++) {
      if (usedRow[r]) continue;
      const v = Math.abs(a[r * n + col]);
      if (v > bestAbs) {
        bestAbs = v;
        best = r;
      }
    }
    if (best < 0) continue;
    usedRow[best] = 1;
    piv[col] = best;
    const p = a[best * n + col];
    for (let r = 0; r < n; r++) {
      if (r === best) continue;
      const f = a[r * n + col] / p;
      if (f === 0) continue;
      for (let c = col; c < n; c++) a[r * n + c] -= f * a[best * n + c];
      b[r] -= f * b[best];
    }
  }
  const x = new Float64Array(n);
  for (let col = 0; col < n; col++) if (piv[col] >= 0) x[col] = b[piv[col]] / a[piv[col] * n + col];
  return x;
}

/**
 * φ for m players from coalition values. masks: [count x m] 0/1; v: value per coalition; weights: kernel weights;
 * expected = v(∅); output = v(full).
 */
export function constrainedKernelRegression(
  masks: Uint8Array,
  v: ArrayLike<number>,
  weights: ArrayLike<number>,
  count: number,
  m: number,
  expected: number,
  output: number,
): Float64Array {
  const total = output - expected;
  const phi = new Float64Array(m);
  if (m === 1) {
    phi[0] = total;
    return phi;
  }
  const n = m - 1;
  const ata = new Float64Array(n * n);
  const atb = new Float64Array(n);
  const row = new Float64Array(n);
  for (let c = 0; c < count; c++) {
    const w = weights[c];
    if (w === 0) continue;
    const base = c * m;
    const zl = masks[base + n];
    const y = v[c] - expected - zl * total;
    for (let j = 0; j < n; j++) row[j] = masks[base + j] - zl;
    for (let i = 0; i < n; i++) {
      const ri = row[i];
      if (ri === 0) continue;
      const wri = w * ri;
      atb[i] += wri * y;
      for (let j = 0; j < n; j++) ata[i * n + j] += wri * row[j];
    }
  }
  const sol = solveLinearSystem(ata, atb, n);
  let sum = 0;
  for (let j = 0; j < n; j++) {
    phi[j] = sol[j];
    sum += sol[j];
  }
  phi[n] = total - sum;
  return phi;
}

/**
 * The same regression for several value vectors at once (one per background row): the normal matrix depends only on
 * the coalitions and their weights, so it is built once; each right-hand side is solved on a copy of it with the same
 * pivots, so the solutions are linear in (v, expected, output): Σ_b w_b φ_b is the φ of Σ_b w_b v_b (issue #9: the
 * background's weights can be resampled without scoring anything again).
 * values: [rhs x count] row-major; expected: v(∅) per rhs; output: v(full), shared. out: [rhs x m].
 */
export function constrainedKernelRegressionMany(
  masks: Uint8Array,
  values: ArrayLike<number>,
  rhs: number,
  weights: ArrayLike<number>,
  count: number,
  m: number,
  expected: ArrayLike<number>,
  output: number,
  transform: (v: number) => number = (v) => v,
): Float64Array {
  const out = new Float64Array(rhs * m);
  if (m === 1) {
    for (let r = 0; r < rhs; r++) out[r] = output - transform(expected[r]);
    return out;
  }
  const n = m - 1;
  const ata = new Float64Array(n * n);
  const rows = new Float64Array(count * n);
  const zl = new Float64Array(count);
  for (let c = 0; c < count; c++) {
    const base = c * m;
    zl[c] = masks[base + n];
    for (let j = 0; j < n; j++) rows[c * n + j] = masks[base + j] - zl[c];
    const w = weights[c];
    if (w === 0) continue;
    for (let i = 0; i < n; i++) {
      const wri = w * rows[c * n + i];
      if (wri === 0) continue;
      for (let j = 0; j < n; j++) ata[i * n + j] += wri * rows[c * n + j];
    }
  }
  const a = new Float64Array(n * n);
  const atb = new Float64Array(n);
  for (let r = 0; r < rhs; r++) {
    const e = transform(expected[r]);
    const total = output - e;
    atb.fill(0);
    for (let c = 0; c < count; c++) {
      const w = weights[c];
      if (w === 0) continue;
      const y = transform(values[r * count + c]) - e - zl[c] * total;
      const wy = w * y;
      for (let i = 0; i < n; i++) atb[i] += wy * rows[c * n + i];
    }
    a.set(ata);
    const sol = solveLinearSystem(a, atb, n);
    let sum = 0;
    for (let j = 0; j < n; j++) {
      out[r * m + j] = sol[j];
      sum += sol[j];
    }
    out[r * m + n] = total - sum;
  }
  return out;
}
