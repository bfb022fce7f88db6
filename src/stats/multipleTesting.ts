/**
 * Multiple-testing adjustments of p-values. Both return adjusted p-values in the input order; reject hypothesis i at
 * level α when adjusted[i] <= α. NaN p-values are left NaN and do not count towards m.
 *
 * Holm (1979), step-down, controls the family-wise error rate under any dependence:
 *   sort p₍₁₎ <= … <= p₍ₘ₎;  adj₍ᵢ₎ = max_{j <= i} min(1, (m - j + 1) p₍ⱼ₎).
 * Benjamini-Hochberg (1995), step-up, controls the false discovery rate (independent or positively dependent tests):
 *   adj₍ᵢ₎ = min_{j >= i} min(1, m p₍ⱼ₎ / j).
 */

function finiteOrder(p: readonly number[]): number[] {
  const idx: number[] = [];
  for (let i = 0; i < p.length; i++) if (Number.isFinite(p[i])) idx.push(i);
  // stable: ties keep input order
  idx.sort((a, b) => p[a] - p[b] || a - b);
  return idx;
}

export function holmAdjust(p: readonly number[]): number[] {
  const out = p.map(() => Number.NaN);
  const order = finiteOrder(p);
  const m = order.length;
  let running = 0;
  for (let j = 0; j < m; j++) {
    const v = Math.min(1, (m - j) * p[order[j]]);
    running = Math.max(running, v);
    out[order[j]] = running;
  }
  return out;
}

export function benjaminiHochbergAdjust(p: readonly number[]): number[] {
  const out = p.map(() => Number.NaN);
  const order = finiteOrder(p);
  const m = order.length;
  let running = 1;
  for (let j = m - 1; j >= 0; j--) {
    const v = Math.min(1, (m * p[order[j]]) / (j + 1));
    running = Math.min(running, v);
    out[order[j]] = running;
  }
  return out;
}

export type CorrectionMethod = 'none' | 'holm' | 'benjamini-hochberg';

export function adjustPValues(p: readonly number[], method: CorrectionMethod): number[] {
  if (method === 'holm') return holmAdjust(p);
  if (method === 'benjamini-hochberg') return benjaminiHochbergAdjust(p);
  return p.slice();
}
