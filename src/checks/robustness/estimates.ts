/**
 * How each robustness gate value is re-estimated on a resample of the attacked rows (issue #6: confidence intervals),
 * as EstimateSpec for makeCheckResults. The resampling unit is an attacked dataset row (with its noise repeats, if
 * any); each row's attack outcome is kept as it was, so the interval reflects which rows were sampled, not the
 * attack's own randomness. Strata: the label (the sample is stratified by label), or group × 2 + label for
 * disparities. Plain rates over independent rows also give `proportion` (Wilson / Clopper-Pearson).
 */
import type { Grouping } from '../../data/types.js';
import type { EstimateSpec } from '../../stats/estimate.js';
import type { CounterfactualOutcome } from './attacks/counterfactual.js';
import { compareScores } from './distribution.js';
import type { AttackOutcome } from './outcome.js';

/** Instances of unit u are [u·repeats, (u+1)·repeats). */
function unitsOf(out: AttackOutcome): { units: number; repeats: number } {
  const n = out.instances.rows.length;
  let repeats = 1;
  while (repeats < n && out.instances.rows[repeats] === out.instances.rows[0]) repeats++;
  return { units: n / repeats, repeats };
}

function labelStrata(out: AttackOutcome, yTrue: Uint8Array, repeats: number): Int32Array {
  const units = out.instances.rows.length / repeats;
  return Int32Array.from({ length: units }, (_, u) => yTrue[out.instances.rows[u * repeats] as number] as number);
}

export type BudgetMetric = 'success_rate' | 'accuracy_under_attack' | 'accuracy_drop' | 'flip_rate' | 'ks';

/** The estimate of a per-budget metric of an attack (budget index b). */
export function budgetEstimate(out: AttackOutcome, b: number, metric: BudgetMetric, yTrue: Uint8Array): EstimateSpec {
  const n = out.instances.rows.length;
  const { repeats } = unitsOf(out);
  const { correct, d0, s0, rows } = out.instances;
  const flipped = out.flipped.subarray(b * n, b * n + n);
  const attacked = out.attackedScore.subarray(b * n, b * n + n);
  const rightAfter = (i: number): boolean => (flipped[i] ? 1 - (d0[i] as number) : d0[i]) === yTrue[rows[i] as number];
  const recompute = (units: Uint32Array): number | null => {
    if (metric === 'ks') {
      const a = new Float32Array(units.length * repeats);
      const c = new Float32Array(units.length * repeats);
      let k = 0;
      for (const u of units) {
        for (let r = 0; r < repeats; r++, k++) {
          a[k] = s0[u * repeats + r] as number;
          c[k] = attacked[u * repeats + r] as number;
        }
      }
      return compareScores(a, c, 0).statistic;
    }
    let count = 0;
    let nCorrect = 0;
    let successes = 0;
    let flips = 0;
    let right = 0;
    for (const u of units) {
      for (let r = 0; r < repeats; r++) {
        const i = u * repeats + r;
        count++;
        if (correct[i]) nCorrect++;
        if (flipped[i]) flips++;
        if (flipped[i] && correct[i]) successes++;
        if (rightAfter(i)) right++;
      }
    }
    if (count === 0) return null;
    switch (metric) {
      case 'success_rate':
        return nCorrect > 0 ? successes / nCorrect : null;
      case 'accuracy_under_attack':
        return right / count;
      case 'accuracy_drop':
        return (nCorrect - right) / count;
      case 'flip_rate':
        return flips / count;
    }
  };
  const spec: EstimateSpec = { recompute, strata: labelStrata(out, yTrue, repeats) };
  if (repeats === 1 && (metric === 'success_rate' || metric === 'accuracy_under_attack' || metric === 'flip_rate')) {
    let trials = 0;
    let successes = 0;
    for (let i = 0; i < n; i++) {
      if (metric === 'success_rate') {
        if (!correct[i]) continue;
        trials++;
        if (flipped[i]) successes++;
      } else {
        trials++;
        if (metric === 'flip_rate' ? flipped[i] : rightAfter(i)) successes++;
      }
    }
    spec.proportion = { successes, trials };
  }
  return spec;
}

/** Median over correct rows of the smallest perturbation found (rows without one count as `ceiling`). */
export function medianPerturbationEstimate(out: AttackOutcome, yTrue: Uint8Array, ceiling: number): EstimateSpec {
  const { repeats } = unitsOf(out);
  const { correct } = out.instances;
  const recompute = (units: Uint32Array): number | null => {
    const sizes: number[] = [];
    for (const u of units) {
      for (let r = 0; r < repeats; r++) {
        const i = u * repeats + r;
        if (!correct[i]) continue;
        const mp = out.minPerturbation[i] as number;
        sizes.push(mp === mp ? mp : Infinity);
      }
    }
    if (sizes.length === 0) return null;
    sizes.sort((a, b) => a - b);
    const mid = (sizes.length - 1) / 2;
    const lo = sizes[Math.floor(mid)] as number;
    const hi = sizes[Math.ceil(mid)] as number;
    const v = Number.isFinite(hi) ? lo + (hi - lo) * (mid - Math.floor(mid)) : Math.max(Number.isFinite(lo) ? lo : 0, ceiling);
    return v;
  };
  return { recompute, strata: labelStrata(out, yTrue, repeats) };
}

/**
 * Max − min over the groups of a grouping (with at least minGroupSize denominators in the resample) of the success
 * rate on correct rows (or, `flip`, of the flip rate on all rows).
 */
export function disparityEstimate(out: AttackOutcome, b: number, g: Grouping, minGroupSize: number, yTrue: Uint8Array, flip: boolean): EstimateSpec {
  const n = out.instances.rows.length;
  const { repeats } = unitsOf(out);
  const { correct, rows } = out.instances;
  const k = g.keys.length;
  const flipped = out.flipped.subarray(b * n, b * n + n);
  const num = new Float64Array(k);
  const den = new Float64Array(k);
  const recompute = (units: Uint32Array): number | null => {
    num.fill(0);
    den.fill(0);
    for (const u of units) {
      for (let r = 0; r < repeats; r++) {
        const i = u * repeats + r;
        const code = g.codes[rows[i] as number] as number;
        if (!(code >= 0 && code < k)) continue;
        if (flip) {
          den[code]++;
          if (flipped[i]) num[code]++;
        } else if (correct[i]) {
          den[code]++;
          if (flipped[i]) num[code]++;
        }
      }
    }
    let hi = -Infinity;
    let lo = Infinity;
    let groups = 0;
    for (let c = 0; c < k; c++) {
      if ((den[c] as number) < minGroupSize || (den[c] as number) === 0) continue;
      const rate = (num[c] as number) / (den[c] as number);
      groups++;
      if (rate > hi) hi = rate;
      if (rate < lo) lo = rate;
    }
    return groups >= 2 ? hi - lo : null;
  };
  const units = n / repeats;
  const strata = Int32Array.from({ length: units }, (_, u) => {
    const r = rows[u * repeats] as number;
    const code = g.codes[r] as number;
    return (code >= 0 ? code : k) * 2 + (yTrue[r] as number);
  });
  return { recompute, strata };
}

/** Counterfactual flip rate (rows with a change for some other value) or mean |Δscore| (over each row's pairs). */
export function counterfactualEstimate(c: CounterfactualOutcome, metric: 'flip_rate' | 'mean_abs_score_change', yTrue: Uint8Array): EstimateSpec {
  const { rows, rowFlip, rowAbsSum, rowPairs } = c;
  const recompute = (units: Uint32Array): number | null => {
    if (units.length === 0) return null;
    if (metric === 'flip_rate') {
      let f = 0;
      for (const u of units) f += rowFlip[u] as number;
      return f / units.length;
    }
    let sum = 0;
    let pairs = 0;
    for (const u of units) {
      sum += rowAbsSum[u] as number;
      pairs += rowPairs[u] as number;
    }
    return pairs > 0 ? sum / pairs : null;
  };
  const spec: EstimateSpec = { recompute, strata: Int32Array.from(rows, (r) => yTrue[r] as number) };
  if (metric === 'flip_rate') {
    let f = 0;
    for (let u = 0; u < rows.length; u++) f += rowFlip[u] as number;
    spec.proportion = { successes: f, trials: rows.length };
  }
  return spec;
}
