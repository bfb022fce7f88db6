/**
 * Intervals whose cost does not grow with rows × resamples (issue #12). Above SCALE_WORK (rows × resamples) the
 * performance metrics leave the row bootstrap for methods on sufficient statistics, each O(n log n) once (the sort
 * by score the gate already has) plus O(cells) or O(bins) per resample:
 * - ROC AUC: DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988) from the threshold sweep, with the interval on
 *   the logit scale (stays inside [0, 1]); p-values from the same normal approximation.
 * - Brier, log loss, mean score: means of per-row losses; the CLT interval mean ± z·sd/√n (the row bootstrap of a mean
 *   is this to O(1/n)).
 * - Average precision and KS: a Bayesian bootstrap on the threshold sweep coarsened to at most MAX_BINS bins of
 *   adjacent scores (ties never split; every bin holds about n/MAX_BINS rows): per resample each bin's positives and
 *   negatives get Gamma(count) weights — exactly the Bayesian bootstrap of the rows aggregated by bin, stratified by
 *   label like the row bootstrap. The interval is the exact value plus the spread of the binned replicates around the
 *   binned value, so binning moves only the spread, by at most the within-bin reordering (stated in the README with the
 *   measured difference to the row bootstrap on Adult).
 * - Label metrics that are not plain rates (F1, balanced accuracy): the same Bayesian bootstrap on the four confusion
 *   cells (within label), O(1) per resample.
 */
import { averagePrecisionFromSweep } from '../metrics/averagePrecision.js';
import { ksFromSweep } from '../metrics/ksStatistic.js';
import { labelMetrics } from '../metrics/labelMetrics.js';
import type { ThresholdSweep } from '../metrics/thresholdSweep.js';
import type { Rng } from '../util/rng.js';
import { makeDistribution } from './bootstrapInterval.js';
import { fromDistribution, type IntervalEstimate } from './estimate.js';
import { gammaDraw } from './groupRates.js';
import { normalCdf, normalQuantile } from './normal.js';
import type { StatisticsSettings } from './policy.js';

/** rows × resamples above which the row bootstrap gives way to the methods above (Adult: 16,281 × 1,000 stays below). */
export const SCALE_WORK = 2e7;
/** Bins of the coarsened sweep for AP and KS. */
export const MAX_BINS = 2048;

/** A Gamma(shape) draw, with the normal approximation for large shapes (relative error < 1e-3 beyond 1e4). */
function gammaWeight(shape: number, rng: Rng): number {
  if (shape <= 0) return 0;
  if (shape > 1e4) return Math.max(0, shape + Math.sqrt(shape) * rng.normal());
  return gammaDraw(shape, rng);
}

/** A normal-approximation estimate: interval and one-sided p-values from centre and standard error on a scale. */
function normalEstimate(
  value: number,
  se: number,
  settings: StatisticsSettings,
  method: string,
  to: (x: number) => number = (x) => x,
  from: (y: number) => number = (y) => y,
): IntervalEstimate {
  const z = normalQuantile(1 - (1 - settings.level) / 2);
  const c = to(value);
  const low = from(c - z * se);
  const high = from(c + z * se);
  const p = (limit: number, below: boolean): number => {
    const l = to(limit);
    if (!Number.isFinite(l)) return below ? (limit <= 0 ? 1 : 0) : limit >= 1 ? 1 : 0;
    if (!(se > 0)) return below ? (c < l ? 0 : 1) : c > l ? 0 : 1;
    return below ? normalCdf((c - l) / se) : normalCdf((l - c) / se);
  };
  return {
    interval: { low: Math.min(low, high), high: Math.max(low, high), level: settings.level, method },
    pValueBelow: (limit) => p(limit, true),
    pValueAbove: (limit) => p(limit, false),
    undefinedShare: 0,
    standardError: se,
  };
}

/** DeLong's standard error of the AUC from the threshold sweep (distinct scores, highest first). */
export function delongStandardError(sweep: ThresholdSweep): { auc: number; se: number } | null {
  const { tps, fps, positives: P, negatives: N } = sweep;
  if (P < 2 || N < 2) return null;
  let auc = 0;
  let prevTp = 0;
  let prevFp = 0;
  const k = tps.length;
  const v10 = new Float64Array(k);
  const v01 = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    const dp = tps[i] - prevTp;
    const dn = fps[i] - prevFp;
    v10[i] = (N - fps[i] + 0.5 * dn) / N; // a positive at this score beats the negatives below it, half the ties
    v01[i] = (prevTp + 0.5 * dp) / P; // a negative here is beaten by the positives above it, half the ties
    auc += dp * v10[i];
    prevTp = tps[i];
    prevFp = fps[i];
  }
  auc /= P;
  let s10 = 0;
  let s01 = 0;
  prevTp = 0;
  prevFp = 0;
  for (let i = 0; i < k; i++) {
    const dp = tps[i] - prevTp;
    const dn = fps[i] - prevFp;
    s10 += dp * (v10[i] - auc) ** 2;
    s01 += dn * (v01[i] - auc) ** 2;
    prevTp = tps[i];
    prevFp = fps[i];
  }
  s10 /= P - 1;
  s01 /= N - 1;
  return { auc, se: Math.sqrt(s10 / P + s01 / N) };
}

export function aucEstimate(value: number, sweep: ThresholdSweep, settings: StatisticsSettings): IntervalEstimate | null {
  const d = delongStandardError(sweep);
  if (!d) return null;
  if (value > 0 && value < 1) {
    // logit scale: se_logit = se / (auc (1 − auc))
    const se = d.se / (value * (1 - value));
    return normalEstimate(value, se, settings, 'delong-logit', (x) => Math.log(x / (1 - x)), (y) => 1 / (1 + Math.exp(-y)));
  }
  return normalEstimate(value, d.se, settings, 'delong');
}

/**
 * mean ± z·se for a metric that is a mean of per-row losses, stratified by label like the row bootstrap it replaces:
 * se² = Σ_l (n_l/n)² s_l²/n_l over the two classes.
 */
export function meanEstimate(losses: Float64Array, settings: StatisticsSettings, yTrue?: Uint8Array): IntervalEstimate | null {
  const n = losses.length;
  if (n < 2) return null;
  const sum = [0, 0], count = [0, 0];
  for (let i = 0; i < n; i++) {
    const l = yTrue && yTrue[i] !== 0 ? 1 : 0;
    sum[l] += losses[i];
    count[l]++;
  }
  const mean = [count[0] ? sum[0] / count[0] : 0, count[1] ? sum[1] / count[1] : 0];
  const ss = [0, 0];
  for (let i = 0; i < n; i++) {
    const l = yTrue && yTrue[i] !== 0 ? 1 : 0;
    ss[l] += (losses[i] - mean[l]) ** 2;
  }
  let v = 0;
  for (const l of [0, 1]) if (count[l] > 1) v += (count[l] / n) ** 2 * (ss[l] / (count[l] - 1)) / count[l];
  const m = (sum[0] + sum[1]) / n;
  return normalEstimate(m, Math.sqrt(v), settings, yTrue ? 'clt-mean-by-label' : 'clt-mean');
}

/** The sweep coarsened to at most `bins` bins of adjacent distinct scores (positives and negatives per bin). */
export function coarsenSweep(sweep: ThresholdSweep, bins = MAX_BINS): { pos: Float64Array; neg: Float64Array } {
  const { tps, fps } = sweep;
  const n = sweep.positives + sweep.negatives;
  const per = Math.max(1, n / bins);
  const pos: number[] = [];
  const neg: number[] = [];
  let prevTp = 0, prevFp = 0, binTp = 0, binFp = 0, edge = per;
  for (let i = 0; i < tps.length; i++) {
    binTp += tps[i] - prevTp;
    binFp += fps[i] - prevFp;
    prevTp = tps[i];
    prevFp = fps[i];
    if (tps[i] + fps[i] >= edge || i === tps.length - 1) {
      pos.push(binTp);
      neg.push(binFp);
      binTp = 0;
      binFp = 0;
      while (edge <= tps[i] + fps[i]) edge += per;
    }
  }
  return { pos: Float64Array.from(pos), neg: Float64Array.from(neg) };
}

function sweepOfBins(pos: Float64Array, neg: Float64Array): ThresholdSweep {
  const k = pos.length;
  const tps = new Float64Array(k);
  const fps = new Float64Array(k);
  let tp = 0, fp = 0;
  for (let i = 0; i < k; i++) {
    tp += pos[i];
    fp += neg[i];
    tps[i] = tp;
    fps[i] = fp;
  }
  return { thresholds: Float64Array.from({ length: k }, (_, i) => k - i), tps, fps, positives: tp, negatives: fp };
}

/** AP or KS: exact value + spread of the binned Bayesian bootstrap (see the top of the file). */
export function binnedEstimate(
  metric: 'average_precision' | 'ks',
  value: number,
  sweep: ThresholdSweep,
  settings: StatisticsSettings,
  rng: Rng,
): IntervalEstimate | null {
  const { pos, neg } = coarsenSweep(sweep);
  const of = (s: ThresholdSweep): number | null => (metric === 'average_precision' ? averagePrecisionFromSweep(s) : ksFromSweep(s)?.statistic ?? null);
  const binnedPoint = of(sweepOfBins(pos, neg));
  if (binnedPoint === null) return null;
  const P = sweep.positives;
  const N = sweep.negatives;
  const k = pos.length;
  const wp = new Float64Array(k);
  const wn = new Float64Array(k);
  const replicates: number[] = [];
  for (let b = 0; b < settings.resamples; b++) {
    if (settings.deadline !== undefined && (b & 15) === 0 && b > 0 && Date.now() > settings.deadline) break;
    let sp = 0, sn = 0;
    for (let i = 0; i < k; i++) {
      wp[i] = gammaWeight(pos[i], rng);
      wn[i] = gammaWeight(neg[i], rng);
      sp += wp[i];
      sn += wn[i];
    }
    for (let i = 0; i < k; i++) {
      wp[i] = (wp[i] / sp) * P;
      wn[i] = (wn[i] / sn) * N;
    }
    const v = of(sweepOfBins(wp, wn));
    replicates.push(v === null ? Number.NaN : value + (v - binnedPoint));
  }
  const d = makeDistribution(value, Float64Array.from(replicates));
  if (replicates.length < settings.resamples) d.truncated = `the time budget ran out after ${replicates.length} of ${settings.resamples} resamples`;
  const e = fromDistribution(d, { ...settings, bootstrap: 'percentile' });
  if (e) e.interval.method = 'bayesian-bootstrap-binned';
  return e;
}

/** A label metric from the confusion cells by the Bayesian bootstrap within label (F1, balanced accuracy, ...). */
export function cellsEstimate(
  metric: string,
  value: number,
  cells: { tn: number; fp: number; fn: number; tp: number },
  settings: StatisticsSettings,
  rng: Rng,
): IntervalEstimate | null {
  const P = cells.tp + cells.fn;
  const N = cells.tn + cells.fp;
  const replicates: number[] = [];
  for (let b = 0; b < settings.resamples; b++) {
    const gtp = gammaWeight(cells.tp, rng), gfn = gammaWeight(cells.fn, rng);
    const gfp = gammaWeight(cells.fp, rng), gtn = gammaWeight(cells.tn, rng);
    const tp = gtp + gfn > 0 ? (P * gtp) / (gtp + gfn) : 0;
    const fp = gfp + gtn > 0 ? (N * gfp) / (gfp + gtn) : 0;
    const v = (labelMetrics({ tp, fn: P - tp, fp, tn: N - fp }) as Record<string, number | null>)[metric];
    replicates.push(v === null || v === undefined ? Number.NaN : v);
  }
  const e = fromDistribution(makeDistribution(value, Float64Array.from(replicates)), { ...settings, bootstrap: 'percentile' });
  if (e) e.interval.method = 'bayesian-bootstrap-cells';
  return e;
}
