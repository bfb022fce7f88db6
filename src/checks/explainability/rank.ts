/** Rankings of importance values and their rank correlation. */

/** Indices ordered by value, largest first; ties (and NaN, last) ordered by name. */
export function rankDescending(values: ArrayLike<number>, names: readonly string[]): number[] {
  const idx = Array.from({ length: values.length }, (_, i) => i);
  const key = (i: number): number => (Number.isNaN(values[i]) ? -Infinity : values[i]);
  return idx.sort((a, b) => key(b) - key(a) || (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : 0));
}

/** Average ranks (1-based; ties get the mean of their positions), as scipy.stats.rankdata(method='average'). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  let i = 0;
  while (i < n) {
    let j = i;
    while (j + 1 < n && values[idx[j + 1]] === values[idx[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[idx[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation (Pearson correlation of average ranks); null when either side is constant or n < 2. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number | null {
  const n = a.length;
  if (n !== b.length) throw new Error('spearman needs two lists of the same length');
  if (n < 2) return null;
  const ra = averageRanks(a);
  const rb = averageRanks(b);
  const mean = (n + 1) / 2;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = ra[i] - mean;
    const db = rb[i] - mean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return null;
  return sab / Math.sqrt(saa * sbb);
}
