/** Global importance per raw column from per-row attributions: mean |SHAP|, its share of the total, mean SHAP, rank. */
import { rankDescending } from './rank.js';
import type { ImportanceEntry } from './types.js';

/** Mean |value| per player over the given rows (all rows when omitted) of a [rows x players] matrix. */
export function meanAbsolute(values: Float64Array, players: number, rows?: ArrayLike<number>): Float64Array {
  const out = new Float64Array(players);
  const n = rows ? rows.length : values.length / players;
  if (n === 0) return out;
  for (let k = 0; k < n; k++) {
    const i = rows ? rows[k] : k;
    for (let p = 0; p < players; p++) out[p] += Math.abs(values[i * players + p]);
  }
  for (let p = 0; p < players; p++) out[p] /= n;
  return out;
}

export function meanSigned(values: Float64Array, players: number): Float64Array {
  const out = new Float64Array(players);
  const n = values.length / players;
  if (n === 0) return out;
  for (let i = 0; i < n; i++) for (let p = 0; p < players; p++) out[p] += values[i * players + p];
  for (let p = 0; p < players; p++) out[p] /= n;
  return out;
}

/** Ranked importance entries (most important first). */
export function globalImportance(
  values: Float64Array,
  names: readonly string[],
  sensitiveColumns: ReadonlySet<string>,
): ImportanceEntry[] {
  const P = names.length;
  const meanAbs = meanAbsolute(values, P);
  const mean = meanSigned(values, P);
  let total = 0;
  for (const v of meanAbs) total += v;
  return rankDescending(meanAbs, names).map((p, k) => ({
    feature: names[p],
    rank: k + 1,
    meanAbsShap: meanAbs[p],
    share: total > 0 ? meanAbs[p] / total : 0,
    meanShap: mean[p],
    sensitive: sensitiveColumns.has(names[p]),
    proxyOf: [],
  }));
}
