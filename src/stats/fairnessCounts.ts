/**
 * Label-based fairness metrics from the counts per group × label × decision (issue #9; the sufficient statistics of
 * issue #12): which groups take part, the value, an interval that covers (src/stats/groupRates.ts), and the groups
 * left out with what each could do to the verdict.
 *
 * A group takes part in a base metric when it has at least min_group_size rows and at least min_denominator cases in
 * the metric's denominator (positives for a TPR/FNR, negatives for an FPR/TNR, predicted positives for precision, rows
 * for a selection rate or accuracy). Excluded groups are not dropped silently: each carries its exact (Clopper-Pearson)
 * interval, and fairness.ts asks whether including it could change the verdict (insufficient) or must (fail).
 */
import { differenceBetweenGroups, groupMax, groupMin, ratioBetweenGroups } from '../metrics/groupAggregates.js';
import type { ConfusionCounts, LabelMetricName } from '../metrics/types.js';
import type { Rng } from '../util/rng.js';
import { clopperPearsonInterval } from './binomial.js';
import type { IntervalEstimate } from './estimate.js';
import { quantileSorted, sortedFinite } from './bootstrapInterval.js';
import { normalCdf, normalQuantile } from './normal.js';
import { drawGroupCells, pivotReplicates } from './groupRates.js';
import type { StatisticsSettings } from './policy.js';
import { weightedGroupConfusion, confusionAt } from './weighted/confusion.js';
import { unitWeights } from './weighted/weights.js';
import { estimableLabelMetric, isLabelMetric, labelMetricUndefinedBecause, type FairnessPlan, type GroupCodes, type Predictions } from './weighted/metrics.js';

/** successes / trials of a base metric that is a binomial rate of the counts; undefined for f1 / balanced accuracy. */
export function rateParts(base: string, c: ConfusionCounts): { successes: number; trials: number } | undefined {
  const n = c.tp + c.fp + c.fn + c.tn;
  switch (base) {
    case 'selection_rate': return { successes: c.tp + c.fp, trials: n };
    case 'accuracy': return { successes: c.tp + c.tn, trials: n };
    case 'base_rate': return { successes: c.tp + c.fn, trials: n };
    case 'precision': return { successes: c.tp, trials: c.tp + c.fp };
    case 'recall':
    case 'true_positive_rate': return { successes: c.tp, trials: c.tp + c.fn };
    case 'false_negative_rate': return { successes: c.fn, trials: c.tp + c.fn };
    case 'false_positive_rate': return { successes: c.fp, trials: c.fp + c.tn };
    case 'true_negative_rate': return { successes: c.tn, trials: c.fp + c.tn };
    default: return undefined;
  }
}

/** The number of cases a base metric of a group rests on (its denominator). */
export function denominatorOf(base: string, c: ConfusionCounts): number {
  const parts = rateParts(base, c);
  if (parts) return parts.trials;
  if (base === 'balanced_accuracy') return Math.min(c.tp + c.fn, c.fp + c.tn);
  if (base === 'f1') return c.tp + c.fp + c.fn;
  return c.tp + c.fp + c.fn + c.tn;
}

export interface ExcludedGroup {
  key: string;
  /** Why it is left out ("12 rows < min_group_size 30", "4 actual positives < min_denominator 10"). */
  reason: string;
  /** Per base: the group's own rate and its exact interval (absent when the rate is undefined or not binomial). */
  rates: Array<{ base: string; value: number | null; low: number; high: number; successes: number; trials: number }>;
}

export interface CountFairness {
  /** The metric over the groups that take part (fairlearn's value on them); null when it cannot be estimated. */
  value: number | null;
  insufficientReason?: string;
  /** Groups taking part, per base (indices into grouping.keys). */
  included: number[][];
  excluded: ExcludedGroup[];
  /** The plan's base metrics, in order (indices of `included` and of aggregateWith's `base`). */
  bases: string[];
  /** The metric over the included groups plus extra (base index, rate) values. */
  aggregateWith(extra: Array<{ base: number; value: number }>): number | null;
  /** The included groups' lowest and highest rate of a base (breakpoints of the aggregate in one more group's rate). */
  aggregateCandidates(base: number): number[];
  intervalEstimate?: IntervalEstimate;
  /** 'counts-dirichlet' (smoothed count bootstrap) or 'counts-dirichlet-pivot' (near-ties: bias-corrected). */
  method?: string;
}

const AGGREGATES = new Set(['difference', 'ratio', 'group_min', 'group_max']);

/** True when this engine computes the plan: label metrics only, between groups (or min/max). */
export function countEngineApplies(plan: FairnessPlan): boolean {
  return plan.bases.every((b) => isLabelMetric(b) && b !== 'count') && AGGREGATES.has(plan.aggregate) && (plan.method === 'between_groups' || plan.aggregate === 'group_min' || plan.aggregate === 'group_max');
}

function aggregateOne(plan: FairnessPlan, values: number[]): number | null {
  if (plan.aggregate === 'group_min') return groupMin(values);
  if (plan.aggregate === 'group_max') return groupMax(values);
  return plan.aggregate === 'difference' ? differenceBetweenGroups(values) : ratioBetweenGroups(values);
}

function combineParts(plan: FairnessPlan, parts: number[]): number {
  if (parts.length === 1) return parts[0];
  if (plan.combine === 'mean') return parts.reduce((a, b) => a + b, 0) / parts.length;
  return plan.aggregate === 'ratio' || plan.aggregate === 'group_min' ? Math.min(...parts) : Math.max(...parts);
}

/** The metric's range, for clamping intervals. */
function rangeOf(plan: FairnessPlan): [number, number] {
  return [0, 1];
}

export function countFairness(
  plan: FairnessPlan,
  pred: Predictions,
  grouping: GroupCodes,
  minGroupSize: number,
  minDenominator: number,
  settings: StatisticsSettings,
  rng: Rng,
): CountFairness {
  const G = grouping.keys.length;
  const n = pred.yTrue.length;
  const cells = weightedGroupConfusion(grouping.codes, G, pred.yTrue, pred.yPred, unitWeights(n));
  const B = plan.bases.length;
  const rows = Array.from({ length: G }, (_, g) => cells[4 * g] + cells[4 * g + 1] + cells[4 * g + 2] + cells[4 * g + 3]);
  const included: number[][] = plan.bases.map(() => []);
  const excludedByKey = new Map<string, ExcludedGroup>();
  const exclude = (g: number, reason: string): ExcludedGroup => {
    const key = grouping.keys[g];
    let e = excludedByKey.get(key);
    if (!e) {
      e = { key, reason, rates: [] };
      excludedByKey.set(key, e);
    } else if (!e.reason.includes(reason)) e.reason += `; ${reason}`;
    return e;
  };
  const undefinedFor: string[] = [];
  plan.bases.forEach((base, j) => {
    for (let g = 0; g < G; g++) {
      if (rows[g] === 0) continue;
      const c = confusionAt(cells, g);
      const denominator = denominatorOf(base, c);
      if (rows[g] >= minGroupSize && denominator === 0) {
        // a group big enough to count whose rate does not exist (no actual positives for a TPR): the comparison
        // cannot be made for it, and leaving it out would pass it unseen
        const why0 = labelMetricUndefinedBecause(base, c) ?? `no ${denominatorWords(base)}`;
        undefinedFor.push(`group '${grouping.keys[g]}' has ${why0}, so its ${base.replace(/_/g, ' ')} cannot be estimated`);
        continue;
      }
      let why: string | undefined;
      if (rows[g] < minGroupSize) why = `${rows[g]} rows < min_group_size ${minGroupSize}`;
      else if (denominator < minDenominator) why = `${denominator} ${denominatorWords(base)} < min_denominator ${minDenominator}`;
      if (why === undefined) {
        included[j].push(g);
        continue;
      }
      const e = exclude(g, why);
      const parts = rateParts(base, c);
      const value = estimableLabelMetric(base as LabelMetricName, c);
      if (parts && parts.trials > 0) {
        const ci = clopperPearsonInterval(parts.successes, parts.trials, settings.level);
        e.rates.push({ base, value, low: ci.low, high: ci.high, ...parts });
      } else if (parts) {
        e.rates.push({ base, value: null, low: 0, high: 1, ...parts });
      }
    }
  });
  const needed = plan.aggregate === 'difference' || plan.aggregate === 'ratio' ? 2 : 1;
  if (undefinedFor.length > 0) {
    return { value: null, insufficientReason: undefinedFor.join('; '), included, excluded: [...excludedByKey.values()], bases: [...plan.bases], aggregateWith: () => null, aggregateCandidates: () => [] };
  }
  const pointRates = (j: number): number[] => included[j].map((g) => estimableLabelMetric(plan.bases[j] as LabelMetricName, confusionAt(cells, g)) as number);
  const aggregateWith = (extra: Array<{ base: number; value: number }>): number | null => {
    const parts: number[] = [];
    for (let j = 0; j < B; j++) {
      const values = [...pointRates(j), ...extra.filter((x) => x.base === j).map((x) => x.value)];
      if (values.length < needed) return null;
      const v = aggregateOne(plan, values);
      if (v === null || !Number.isFinite(v)) return null;
      parts.push(v);
    }
    return combineParts(plan, parts);
  };
  const excluded = [...excludedByKey.values()];
  const bases = [...plan.bases] as string[];
  const aggregateCandidates = (j: number): number[] => {
    const r = pointRates(j);
    return r.length ? [Math.min(...r), Math.max(...r)] : [];
  };
  const short = plan.bases.map((base, j) => (included[j].length < needed ? base : null)).filter((x): x is NonNullable<typeof x> => x !== null);
  if (short.length > 0) {
    const names = excluded.map((e) => `'${e.key}' (${e.reason})`);
    return {
      value: null,
      insufficientReason: `only ${Math.min(...included.map((x) => x.length))} group(s) of '${grouping.name}' have enough cases for ${short.map((b) => b.replace(/_/g, ' ')).join(' and ')}${names.length ? `; left out: ${names.slice(0, 6).join(', ')}${names.length > 6 ? ', …' : ''}` : ''}`,
      included,
      excluded,
      bases,
      aggregateWith,
      aggregateCandidates,
    };
  }
  const value = aggregateWith([]);
  if (value === null) return { value: null, insufficientReason: 'the value is undefined on this data', included, excluded, bases, aggregateWith, aggregateCandidates };
  const out: CountFairness = { value, included, excluded, bases, aggregateWith, aggregateCandidates };
  if (settings.resamples <= 0) return out;

  // per-(base, group) rates: block j holds base j's rates for every group (NaN where the group does not take part)
  const theta = new Float64Array(B * G).fill(Number.NaN);
  plan.bases.forEach((base, j) => {
    for (const g of included[j]) theta[j * G + g] = estimableLabelMetric(base as LabelMetricName, confusionAt(cells, g)) as number;
  });
  const draws = drawGroupCells(cells, G, settings.resamples, rng, settings.deadline);
  const f = (rates: Float64Array): number | null => {
    const parts: number[] = [];
    for (let j = 0; j < B; j++) {
      const values: number[] = [];
      for (const g of included[j]) values.push(rates[j * G + g]);
      const v = aggregateOne(plan, values);
      if (v === null || !Number.isFinite(v)) return null;
      parts.push(v);
    }
    return combineParts(plan, parts);
  };
  const drawsOf = (b: number, into: Float64Array): void => {
    into.fill(Number.NaN);
    plan.bases.forEach((base, j) => {
      for (const g of included[j]) {
        const d = draws[b];
        const v = estimableLabelMetric(base as LabelMetricName, { tn: d[4 * g], fp: d[4 * g + 1], fn: d[4 * g + 2], tp: d[4 * g + 3] });
        into[j * G + g] = v === null ? Number.NaN : v;
      }
    });
  };
  const perRate = new Map<number, Float64Array>();
  const cur = new Float64Array(B * G);
  const nDraws = draws.length;
  for (let b = 0; b < nDraws; b++) {
    drawsOf(b, cur);
    plan.bases.forEach((_, j) => {
      for (const g of included[j]) {
        let arr = perRate.get(j * G + g);
        if (!arr) perRate.set(j * G + g, (arr = new Float64Array(nDraws)));
        arr[b] = cur[j * G + g];
      }
    });
  }
  const estimate = groupAggregateInterval(plan, included, G, theta, (j, g) => perRate.get(j * G + g) as Float64Array, nDraws, settings, value, rangeOf(plan));
  out.method = `counts-dirichlet/${estimate.interval.method}`;
  estimate.interval.method = out.method;
  out.intervalEstimate = estimate;
  return out;
}

/**
 * The interval of an aggregate of group values (min, max, difference, ratio; several bases combined) from each
 * group's replicate series (draws of its value): two groups by the folded contrast, the lowest/highest by the
 * moment-selection projection, three or more by the near-tie pivot (see countFairness). `value` is the point value.
 */
export function groupAggregateInterval(
  plan: FairnessPlan,
  included: number[][],
  G: number,
  theta: Float64Array,
  seriesOf: (j: number, g: number) => Float64Array,
  nDraws: number,
  settings: StatisticsSettings,
  value: number,
  range: [number, number],
): IntervalEstimate {
  const B = plan.bases.length;
  const alpha = 1 - settings.level;
  const parts: Array<{ low: number; high: number; method: string }> = [];
  for (let j = 0; j < B; j++) {
    const groupsJ = included[j];
    const series = groupsJ.map((g) => sortedFinite(seriesOf(j, g)));
    const point = groupsJ.map((g) => theta[j * G + g]);
    if (plan.aggregate === 'group_min' || plan.aggregate === 'group_max') {
      parts.push(extremeInterval(plan.aggregate === 'group_min' ? 'min' : 'max', series, alpha));
    } else if (groupsJ.length === 2) {
      parts.push(twoGroupInterval(plan.aggregate, point, groupsJ.map((g) => seriesOf(j, g)), alpha));
    } else {
      // three or more groups: the moment-selection pivot (src/stats/groupRates.ts). A ratio min/max is the exponential
      // of minus the difference of the log rates, so it is handled as that difference when every rate is positive.
      const logScale = plan.aggregate === 'ratio' && point.every((x) => x > 0);
      const tr = (x: number): number => (logScale ? Math.log(x) : x);
      const single: FairnessPlan = { ...plan, bases: [plan.bases[j]], aggregate: logScale ? 'difference' : plan.aggregate };
      const th = Float64Array.from(point, tr);
      const pv = pivotReplicates(th, nDraws, (b, into) => groupsJ.forEach((g, k) => (into[k] = tr((seriesOf(j, g))[b]))), (r) => aggregateOne(single, [...r]), groupsJ.length);
      const sorted = sortedFinite(pv.replicates);
      const qlo = quantileSorted(sorted, alpha / 2), qhi = quantileSorted(sorted, 1 - alpha / 2);
      const method = pv.bias !== 0 ? 'pivot-near-ties' : 'percentile';
      parts.push(logScale ? { low: Math.exp(-Math.max(0, qhi)), high: Math.exp(-Math.max(0, qlo)), method } : { low: qlo, high: qhi, method });
    }
  }
  const combined = combineIntervals(plan, parts);
  const [lo, hi] = range;
  const low = Math.max(lo, Math.min(combined.low, value));
  const high = Math.min(hi, Math.max(combined.high, value));
  const method = [...new Set(parts.map((p) => p.method))].join('+');
  const z = normalQuantile(1 - alpha / 2);
  const center = (low + high) / 2;
  const se = (high - low) / (2 * z);
  const pBelow = (limit: number): number => (se > 0 ? normalCdf((center - limit) / se) : center < limit ? 0 : 1);
  return {
    interval: { low, high, level: settings.level, method },
    pValueBelow: pBelow,
    pValueAbove: (limit) => (se > 0 ? normalCdf((limit - center) / se) : center > limit ? 0 : 1),
    undefinedShare: 0,
    standardError: se,
    ...(nDraws < settings.resamples ? { truncated: `the time budget ran out after ${nDraws} of ${settings.resamples} resamples` } : {}),
  };
}

function denominatorWords(base: string): string {
  switch (base) {
    case 'true_positive_rate':
    case 'recall':
    case 'false_negative_rate': return 'actual positives';
    case 'false_positive_rate':
    case 'true_negative_rate': return 'actual negatives';
    case 'precision': return 'predicted positives';
    case 'balanced_accuracy': return 'cases of the smaller class';
    case 'f1': return 'actual or predicted positives';
    default: return 'rows';
  }
}

/**
 * The lowest (or highest) of several group rates: a moment-selection projection. With l_g, u_g the per-group draw
 * quantiles, the lower bound of the minimum is min_g q_{α/2}(g) (it needs no multiplicity: the minimum's own group
 * covers it), and the upper bound is min_g q_{1−p}(g) over the groups that could be the minimum (those whose lower
 * bound reaches the smallest upper bound): p = α/2 when one group is plainly lowest, else Šidák's 1 − (1 − α)^{1/k}
 * over the k contenders — with k near-tied groups the lower side cannot miss (all k would have to), so the whole α goes
 * to the upper side. Mirror image for the maximum.
 */
function extremeInterval(kind: 'min' | 'max', series: Float64Array[], alpha: number): { low: number; high: number; method: string } {
  const q = (s: Float64Array, u: number): number => quantileSorted(s, u);
  if (kind === 'max') {
    const mirrored = series.map((s) => Float64Array.from(s, (x) => -x).reverse());
    const r = extremeInterval('min', mirrored, alpha);
    return { low: -r.high, high: -r.low, method: r.method };
  }
  const lows = series.map((s) => q(s, alpha / 2));
  const highs = series.map((s) => q(s, 1 - alpha / 2));
  const smallestHigh = Math.min(...highs);
  const contenders = series.filter((_, g) => lows[g] <= smallestHigh);
  const k = contenders.length;
  const p = k <= 1 ? alpha / 2 : 1 - Math.pow(1 - alpha, 1 / k);
  return { low: Math.min(...lows), high: Math.min(...contenders.map((s) => q(s, 1 - p))), method: k <= 1 ? 'extreme' : `extreme-of-${k}` };
}

/**
 * Two groups: the signed contrast between them (higher minus lower rate, or lower over higher) has a smooth
 * percentile interval; the fairlearn value is its fold (|d|, or min(ρ, 1/ρ)), so the interval is folded too: one
 * that contains parity (0, or 1) reaches it, and a true difference of 0 is covered whenever the signed one is.
 */
function twoGroupInterval(aggregate: FairnessPlan['aggregate'], point: number[], draws: Float64Array[], alpha: number): { low: number; high: number; method: string } {
  const [a, b] = point[0] >= point[1] ? [0, 1] : [1, 0]; // a: the higher rate
  const n = Math.min(draws[0].length, draws[1].length);
  const signed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const x = draws[a][i], y = draws[b][i];
    signed[i] = aggregate === 'difference' ? x - y : x > 0 ? y / x : Number.NaN; // ratio: lower over higher (≤ 1 at the point)
  }
  const s = sortedFinite(signed);
  const lo = quantileSorted(s, alpha / 2);
  const hi = quantileSorted(s, 1 - alpha / 2);
  if (aggregate === 'difference') {
    if (lo <= 0) return { low: 0, high: Math.max(-lo, hi), method: 'two-group-folded' };
    return { low: lo, high: hi, method: 'two-group' };
  }
  if (hi >= 1) return { low: Math.min(lo, 1 / hi), high: 1, method: 'two-group-folded' };
  return { low: lo, high: hi, method: 'two-group' };
}

/** Several bases (equalized odds): the interval of their worst case (or mean) from each base's interval. */
function combineIntervals(plan: FairnessPlan, parts: Array<{ low: number; high: number }>): { low: number; high: number } {
  if (parts.length === 1) return parts[0];
  if (plan.combine === 'mean') return { low: parts.reduce((t, p) => t + p.low, 0) / parts.length, high: parts.reduce((t, p) => t + p.high, 0) / parts.length };
  const useMin = plan.aggregate === 'ratio' || plan.aggregate === 'group_min';
  const pick = useMin ? Math.min : Math.max;
  return { low: pick(...parts.map((p) => p.low)), high: pick(...parts.map((p) => p.high)) };
}
