/**
 * From "a value and a way to re-estimate it" to a confidence interval and one-sided p-values, following the policy's
 * statistics settings: an exact/score interval for plain binomial rates, a stratified bootstrap for everything else.
 */
import type { Interval } from '../report/types.js';
import type { Rng } from '../util/rng.js';
import { binomialPValueAbove, binomialPValueBelow, clopperPearsonInterval, wilsonInterval } from './binomial.js';
import { fromRows, groupedJackknife, stratifiedBootstrap, type SampleStatistic } from './bootstrap.js';
import {
  bootstrapBounds,
  bootstrapPValueAbove,
  bootstrapPValueBelow,
  bootstrapStandardError,
  makeDistribution,
  type BootstrapDistribution,
} from './bootstrapInterval.js';
import type { StatisticsSettings } from './policy.js';

/** How to re-estimate a value (the CheckInput.estimate contract). */
export interface EstimateSpec {
  /** The same quantity on the given row indices (repeats allowed); null when undefined on them. */
  recompute(rows: Uint32Array): number | null;
  /** Stratum code per row (label, or group × 2 + label) for the stratified bootstrap. */
  strata: Int32Array;
  /** When the value is a plain binomial rate: successes / trials, for a Wilson or Clopper-Pearson interval. */
  proportion?: { successes: number; trials: number };
}

export interface IntervalEstimate {
  interval: Interval;
  /** One-sided p-value for "the true value is below limit" (H0: θ >= limit). */
  pValueBelow(limit: number): number;
  /** One-sided p-value for "the true value is above limit" (H0: θ <= limit). */
  pValueAbove(limit: number): number;
  /** Share of bootstrap resamples on which the value was undefined (0 for exact intervals). */
  undefinedShare: number;
  /** Bootstrap standard error (undefined for binomial intervals). */
  standardError?: number;
  /** Set when the time budget cut the bootstrap short (the interval rests on fewer resamples, or there is none). */
  truncated?: string;
}

/** Fewest resamples an interval may rest on when the time budget cut the bootstrap short. */
export const MIN_TRUNCATED_RESAMPLES = 200;

function methodName(settings: StatisticsSettings): string {
  return `bootstrap-${settings.bootstrap}`;
}

/**
 * The estimate of -θ from that of θ: interval [-high, -low]; "below l" for -θ is "above -l" for θ. Exact for every
 * method here (percentile, basic and BCa intervals all respect a monotone transformation such as negation).
 */
export function negateEstimate(e: IntervalEstimate): IntervalEstimate {
  const out: IntervalEstimate = {
    interval: { ...e.interval, low: -e.interval.high, high: -e.interval.low },
    pValueBelow: (limit) => e.pValueAbove(-limit),
    pValueAbove: (limit) => e.pValueBelow(-limit),
    undefinedShare: e.undefinedShare,
  };
  if (e.standardError !== undefined) out.standardError = e.standardError;
  return out;
}

/** Interval + p-values from a bootstrap distribution. null when no replicate was defined. */
export function fromDistribution(d: BootstrapDistribution, settings: StatisticsSettings): IntervalEstimate | null {
  const total = d.sorted.length + d.undefinedCount;
  if (d.truncated !== undefined && total < MIN_TRUNCATED_RESAMPLES) {
    // too few resamples for an interval: the estimate only carries the fact (rule 'interval' makes the check not-run)
    const nan = (): number => Number.NaN;
    return { interval: { low: Number.NaN, high: Number.NaN, level: settings.level, method: methodName(settings) }, pValueBelow: nan, pValueAbove: nan, undefinedShare: 0, truncated: d.truncated };
  }
  const bounds = bootstrapBounds(d, settings.level, settings.bootstrap);
  if (!bounds) return null;
  return {
    ...(d.truncated !== undefined ? { truncated: d.truncated } : {}),
    interval: { low: bounds.low, high: bounds.high, level: settings.level, method: methodName(settings) },
    pValueBelow: (limit) => bootstrapPValueBelow(d, limit, settings.bootstrap),
    pValueAbove: (limit) => bootstrapPValueAbove(d, limit, settings.bootstrap),
    undefinedShare: total === 0 ? 1 : d.undefinedCount / total,
    standardError: bootstrapStandardError(d),
  };
}

/**
 * Bootstrap distributions of several statistics on the same stratified resamples (paired), with the jackknife for
 * BCa when the settings ask for it. estimates[j] is statistic j on all rows.
 */
export function bootstrapDistributions(
  estimates: readonly number[],
  statistics: SampleStatistic[],
  strata: Int32Array,
  settings: StatisticsSettings,
  rng: Rng,
): BootstrapDistribution[] {
  const run = stratifiedBootstrap(strata, statistics, settings.resamples, rng, settings.deadline);
  const truncated =
    run.resamples < run.requested
      ? `the time budget ran out after ${run.resamples} of ${run.requested} bootstrap resamples${run.resamples < MIN_TRUNCATED_RESAMPLES ? ', too few for an interval' : ''}`
      : undefined;
  const jackknife = settings.bootstrap === 'bca' && truncated === undefined ? groupedJackknife(run.layout, statistics, settings.jackknifeBlocks) : undefined;
  return statistics.map((_, j) => {
    const d = makeDistribution(estimates[j], run.replicates[j], jackknife?.[j]);
    if (truncated !== undefined) d.truncated = truncated;
    return d;
  });
}

/** Interval for a binomial rate by the settings' method (Wilson or Clopper-Pearson). */
export function proportionEstimate(successes: number, trials: number, settings: StatisticsSettings): IntervalEstimate | null {
  if (trials <= 0) return null;
  const exact = settings.proportion === 'clopper-pearson';
  const b = exact ? clopperPearsonInterval(successes, trials, settings.level) : wilsonInterval(successes, trials, settings.level);
  return {
    interval: { low: b.low, high: b.high, level: settings.level, method: exact ? 'clopper-pearson' : 'wilson' },
    pValueBelow: (limit) => binomialPValueBelow(successes, trials, limit, exact),
    pValueAbove: (limit) => binomialPValueAbove(successes, trials, limit, exact),
    undefinedShare: 0,
  };
}

/**
 * The interval of one value: Wilson/Clopper-Pearson when it is a plain rate (unless `proportion: bootstrap`), else the
 * stratified bootstrap of `recompute`. null when intervals are off (resamples 0) or nothing could be estimated.
 */
export function estimateInterval(value: number, spec: EstimateSpec, settings: StatisticsSettings, rng: Rng): IntervalEstimate | null {
  if (spec.proportion && settings.proportion !== 'bootstrap') {
    return proportionEstimate(spec.proportion.successes, spec.proportion.trials, settings);
  }
  if (settings.resamples <= 0) return null;
  const [d] = bootstrapDistributions([value], [fromRows(spec.recompute)], spec.strata, settings, rng);
  return fromDistribution(d, settings);
}
