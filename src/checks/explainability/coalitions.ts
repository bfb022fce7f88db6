/**
 * Coalitions for KernelSHAP (Lundberg & Lee 2017) with m players. The Shapley kernel gives a coalition of size s the
 * weight (m-1) / (C(m,s) s (m-s)); the empty and full coalitions carry the two constraints instead
 * (v(∅) = E[f], efficiency Σφ = f(x) - E[f]).
 *
 * As shap's KernelExplainer: whole coalition sizes are enumerated, smallest and largest first (s and m-s together),
 * while the budget covers them; the remaining sizes are sampled from the kernel's size distribution, each sampled
 * coalition together with its complement (paired sampling); repeated draws add to a coalition's weight.
 */
import type { Rng } from '../../util/rng.js';

export interface CoalitionSet {
  players: number;
  count: number;
  /** [count x players] 0/1, row-major. */
  masks: Uint8Array;
  /** Kernel weight per coalition (sum 1 over all coalitions). */
  weights: Float64Array;
  /** Sizes enumerated completely (each with its complement m - s). */
  completeSizes: number[];
  /** True when every coalition except the empty and full ones is present. */
  exhaustive: boolean;
}

export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  k = Math.min(k, n - k);
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

/** Total number of coalitions other than the empty and full ones. */
export function properCoalitions(m: number): number {
  return 2 ** m - 2;
}

/** Visit every subset of {0..m-1} of size s (as index lists, lexicographic). */
function forEachSubset(m: number, s: number, visit: (idx: Int32Array) => void): void {
  const idx = Int32Array.from({ length: s }, (_, i) => i);
  if (s === 0) return;
  for (;;) {
    visit(idx);
    let i = s - 1;
    while (i >= 0 && idx[i] === m - s + i) i--;
    if (i < 0) return;
    idx[i]++;
    for (let j = i + 1; j < s; j++) idx[j] = idx[j - 1] + 1;
  }
}

class MaskList {
  masks: number[] = [];
  weights: number[] = [];
  private readonly seen = new Map<string, number>();
  constructor(readonly m: number) {}

  /** Adds the mask (or adds weight to it when present); returns its index. */
  add(mask: Uint8Array, weight: number): number {
    let key = '';
    for (let j = 0; j < this.m; j++) key += mask[j] ? '1' : '0';
    const at = this.seen.get(key);
    if (at !== undefined) {
      this.weights[at] += weight;
      return at;
    }
    this.seen.set(key, this.weights.length);
    for (let j = 0; j < this.m; j++) this.masks.push(mask[j]);
    this.weights.push(weight);
    return this.weights.length - 1;
  }

  get count(): number {
    return this.weights.length;
  }
}

/**
 * Coalitions for m >= 2 players within a budget of `samples` coalitions. When the budget covers all 2^m - 2
 * coalitions, all are returned with their exact kernel weights (the regression then gives the exact Shapley values).
 */
export function kernelCoalitions(m: number, samples: number, rng: Rng): CoalitionSet {
  if (m < 2) throw new Error('kernel coalitions need at least 2 players');
  const sizes = Math.ceil((m - 1) / 2);
  const pairedSizes = Math.floor((m - 1) / 2);
  const sizeWeight = new Float64Array(sizes + 1);
  let total = 0;
  for (let s = 1; s <= sizes; s++) {
    sizeWeight[s] = ((m - 1) / (s * (m - s))) * (s <= pairedSizes ? 2 : 1);
    total += sizeWeight[s];
  }
  for (let s = 1; s <= sizes; s++) sizeWeight[s] /= total;

  const list = new MaskList(m);
  const mask = new Uint8Array(m);
  const completeSizes: number[] = [];
  let left = samples;
  const remaining = Float64Array.from(sizeWeight);
  let s = 1;
  for (; s <= sizes; s++) {
    const paired = s <= pairedSizes;
    const n = binomial(m, s) * (paired ? 2 : 1);
    if (left * remaining[s] < n - 1e-8) break;
    completeSizes.push(s);
    left -= n;
    if (remaining[s] < 1) {
      const scale = 1 - remaining[s];
      for (let k = s + 1; k <= sizes; k++) remaining[k] /= scale;
    }
    const w = sizeWeight[s] / binomial(m, s) / (paired ? 2 : 1);
    forEachSubset(m, s, (idx) => {
      mask.fill(0);
      for (const i of idx) mask[i] = 1;
      list.add(mask, w);
      if (paired) {
        for (let j = 0; j < m; j++) mask[j] = 1 - mask[j];
        list.add(mask, w);
      }
    });
  }

  const fixedCount = list.count;
  if (s <= sizes && left > 0) {
    // Sample the sizes not enumerated, in proportion to their kernel weight; each draw adds the coalition and its complement.
    const cum: number[] = [];
    let acc = 0;
    for (let k = s; k <= sizes; k++) {
      acc += sizeWeight[k];
      cum.push(acc);
    }
    const leftoverWeight = acc;
    const drawCount = new Map<number, number>();
    const perm = new Int32Array(m);
    let tries = 0;
    const maxTries = 20 * left + 100;
    while (list.count - fixedCount < left && tries++ < maxTries) {
      const u = rng.next() * leftoverWeight;
      let k = 0;
      while (k < cum.length - 1 && u >= cum[k]) k++;
      const size = s + k;
      for (let j = 0; j < m; j++) perm[j] = j;
      mask.fill(0);
      for (let j = 0; j < size; j++) {
        const r = j + rng.int(m - j);
        const t = perm[j];
        perm[j] = perm[r];
        perm[r] = t;
        mask[perm[j]] = 1;
      }
      for (let pass = 0; pass < 2; pass++) {
        const at = list.add(mask, 0);
        drawCount.set(at, (drawCount.get(at) ?? 0) + 1);
        for (let j = 0; j < m; j++) mask[j] = 1 - mask[j];
      }
    }
    // Spread the kernel weight of the sampled sizes over the draws.
    let draws = 0;
    for (const c of drawCount.values()) draws += c;
    for (const [at, c] of drawCount) list.weights[at] = (c / draws) * leftoverWeight;
  }
  const count = list.count;
  return {
    players: m,
    count,
    masks: Uint8Array.from(list.masks),
    weights: Float64Array.from(list.weights),
    completeSizes: completeSizes.flatMap((k) => (k === m - k ? [k] : [k, m - k])).sort((a, b) => a - b),
    exhaustive: count === properCoalitions(m),
  };
}
