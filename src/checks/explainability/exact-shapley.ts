/**
 * Exact Shapley values from the value of every coalition:
 *   φ_i = Σ_{S ⊆ N \ {i}} |S|! (m - |S| - 1)! / m! · (v(S ∪ {i}) - v(S)).
 * `values[mask]` is v of the coalition whose bit j is set for player j (values[0] = v(∅), values[2^m - 1] = v(N)).
 */
export function shapleyFromCoalitionValues(values: ArrayLike<number>, m: number): Float64Array {
  const size = 2 ** m;
  if (values.length !== size) throw new Error(`expected ${size} coalition values for ${m} players, got ${values.length}`);
  const logFact = new Float64Array(m + 1);
  for (let i = 1; i <= m; i++) logFact[i] = logFact[i - 1] + Math.log(i);
  const weight = new Float64Array(m);
  for (let s = 0; s < m; s++) weight[s] = Math.exp(logFact[s] + logFact[m - s - 1] - logFact[m]);
  const phi = new Float64Array(m);
  for (let mask = 0; mask < size; mask++) {
    const s = popcount(mask);
    if (s === m) continue;
    const w = weight[s];
    const vS = values[mask];
    for (let i = 0; i < m; i++) {
      const bit = 1 << i;
      if (mask & bit) continue;
      phi[i] += w * (values[mask | bit] - vS);
    }
  }
  return phi;
}

export function popcount(x: number): number {
  let c = 0;
  while (x) {
    x &= x - 1;
    c++;
  }
  return c;
}
