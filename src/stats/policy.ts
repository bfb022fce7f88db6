/**
 * The `statistics` section of the policy (issue #6): how confidence intervals are computed and how they turn into a
 * verdict. Every key is optional; the defaults below are the documented ones (policies/schema.json $defs/statistics).
 *
 * statistics:
 *   level: 0.95                  # two-sided confidence level of every interval
 *   resamples: 1000              # bootstrap resamples (0 = no intervals; verdicts then use the point estimate only)
 *   bootstrap: percentile        # percentile | bca | basic (why percentile: see README / estimate.ts)
 *   proportion: wilson           # wilson | clopper-pearson | bootstrap: interval for plain rates (accuracy, a TPR, ...)
 *   rule: point                  # default verdict rule of every check (a threshold's own `rule` wins)
 *   on_insufficient: warn        # default effect of insufficient evidence (a threshold's own `on_insufficient` wins)
 *   on_not_run: fail             # effect of a check that did not run (time budget): fail unless the policy opts in to warn
 *   inconclusive_width: 0.1      # rule 'interval' only: a CI that straddles the threshold and is wider than this is
 *                                # inconclusive; relative to the metric's scale (see inconclusiveScale); a number, or
 *                                # { default: 0.1, log_loss: 0.3, ... } per metric
 *   max_undefined_resamples: 0.05  # share of resamples on which the metric may be undefined before it counts as
 *                                  # insufficient evidence
 *   correction: none             # none | holm | benjamini-hochberg, over each family of checks
 *   correction_family: all       # all (default: the family whose any-breach fails the gate) | section | metric
 */
import type { Policy } from '../policy/types.js';
import type { BootstrapMethod } from './bootstrapInterval.js';
import type { CorrectionMethod } from './multipleTesting.js';

export type VerdictRule = 'point' | 'interval';
export type InsufficientEffect = 'fail' | 'warn' | 'pass';
export type NotRunEffect = 'fail' | 'warn';
export type ProportionMethod = 'wilson' | 'clopper-pearson' | 'bootstrap';
export type CorrectionFamily = 'metric' | 'section' | 'all';

/** The section as the user writes it (after schema validation). */
export interface StatisticsPolicy {
  level?: number;
  resamples?: number;
  bootstrap?: BootstrapMethod;
  proportion?: ProportionMethod;
  rule?: VerdictRule;
  on_insufficient?: InsufficientEffect;
  on_not_run?: NotRunEffect;
  inconclusive_width?: number | ({ default?: number } & Record<string, number>);
  max_undefined_resamples?: number;
  correction?: CorrectionMethod;
  correction_family?: CorrectionFamily;
}

/** The section with every default filled in. */
export interface StatisticsSettings {
  level: number;
  resamples: number;
  bootstrap: BootstrapMethod;
  proportion: ProportionMethod;
  rule: VerdictRule;
  onInsufficient: InsufficientEffect;
  onNotRun: NotRunEffect;
  /** Width (metric units) above which a CI containing the threshold is insufficient evidence, per metric. */
  inconclusiveWidth(metric: string): number;
  maxUndefinedResamples: number;
  correction: CorrectionMethod;
  correctionFamily: CorrectionFamily;
  /** Blocks of the grouped jackknife behind the BCa acceleration (not a policy key). */
  jackknifeBlocks: number;
  /** Wall-clock deadline (ms since epoch) of the run: bootstrap loops stop there (not a policy key; set by the gate). */
  deadline?: number;
  /** rows × resamples above which performance intervals use the at-scale methods (not a policy key; tests lower it). */
  scaleWork?: number;
}

export const STATISTICS_DEFAULTS = {
  level: 0.95,
  resamples: 1000,
  bootstrap: 'percentile' as BootstrapMethod,
  proportion: 'wilson' as ProportionMethod,
  rule: 'point' as VerdictRule,
  on_insufficient: 'warn' as InsufficientEffect,
  on_not_run: 'fail' as NotRunEffect,
  inconclusive_width: 0.1,
  max_undefined_resamples: 0.05,
  correction: 'none' as CorrectionMethod,
  correction_family: 'all' as CorrectionFamily,
  jackknife_blocks: 100,
} as const;

/** Defaults filled in; values already validated by the policy schema. */
export function resolveStatistics(policy: Pick<Policy, 'statistics'>): StatisticsSettings {
  const s = (policy.statistics ?? {}) as StatisticsPolicy;
  const width = s.inconclusive_width;
  const widthDefault = typeof width === 'number' ? width : (width?.default ?? STATISTICS_DEFAULTS.inconclusive_width);
  const widthByMetric = typeof width === 'object' && width !== null ? width : {};
  return {
    level: s.level ?? STATISTICS_DEFAULTS.level,
    resamples: s.resamples ?? STATISTICS_DEFAULTS.resamples,
    bootstrap: s.bootstrap ?? STATISTICS_DEFAULTS.bootstrap,
    proportion: s.proportion ?? STATISTICS_DEFAULTS.proportion,
    rule: s.rule ?? STATISTICS_DEFAULTS.rule,
    onInsufficient: s.on_insufficient ?? STATISTICS_DEFAULTS.on_insufficient,
    onNotRun: s.on_not_run ?? STATISTICS_DEFAULTS.on_not_run,
    inconclusiveWidth: (metric) => {
      const v = widthByMetric[metric];
      return typeof v === 'number' ? v : widthDefault;
    },
    maxUndefinedResamples: s.max_undefined_resamples ?? STATISTICS_DEFAULTS.max_undefined_resamples,
    correction: s.correction ?? STATISTICS_DEFAULTS.correction,
    correctionFamily: s.correction_family ?? STATISTICS_DEFAULTS.correction_family,
    jackknifeBlocks: STATISTICS_DEFAULTS.jackknife_blocks,
  };
}

/**
 * The scale an inconclusive_width is measured in, for a check of `metric` with limit `limit` (rule 'interval' only):
 * metrics on [0, 1] whose natural unit is absolute (rates, differences, AUC, AP, KS, Brier) use 1; ratios (a ratio of
 * two rates, whose spread grows with the level of the limit) and unbounded metrics (log_loss, counts, perturbation
 * sizes) are measured relative to |limit|. So inconclusive_width 0.1 means 0.1 for a difference and 10% of 0.8 = 0.08
 * for a ratio limit of 0.8.
 */
export function inconclusiveScale(metric: string, limit: number): number {
  const relative = /_ratio$|(^|_)log_loss|^count$|perturbation|score_change|rank|share/.test(metric);
  if (!relative) return 1;
  const m = Math.abs(limit);
  return m > 0 ? m : 1;
}
