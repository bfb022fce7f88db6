/**
 * Aggregates of one metric over groups, as fairlearn 0.11 `MetricFrame` computes them (pandas skips NaN, here null):
 * group_min, group_max, difference(method='between_groups' | 'to_overall'), ratio(method='between_groups' |
 * 'to_overall'). Callers pass only the groups that count (sufficient, non-empty); null values are skipped, and an
 * aggregate with nothing left to aggregate is null.
 */
import { finiteOrNull } from './scoreMetrics.js';
import type { AggregateName, MetricValues } from './types.js';

type Values = ReadonlyArray<number | null | undefined>;

function present(values: Values): number[] {
  const out: number[] = [];
  for (const v of values) if (v !== null && v !== undefined && !Number.isNaN(v)) out.push(v);
  return out;
}

/** group_min = min over groups of the metric. */
export function groupMin(values: Values): number | null {
  const xs = present(values);
  return xs.length === 0 ? null : Math.min(...xs);
}

/** group_max = max over groups of the metric. */
export function groupMax(values: Values): number | null {
  const xs = present(values);
  return xs.length === 0 ? null : Math.max(...xs);
}

/** difference(method='between_groups') = group_max − group_min. */
export function differenceBetweenGroups(values: Values): number | null {
  const lo = groupMin(values);
  const hi = groupMax(values);
  return lo === null || hi === null ? null : hi - lo;
}

/** difference(method='to_overall') = max over groups of |group − overall|. null when overall is null. */
export function differenceToOverall(values: Values, overall: number | null | undefined): number | null {
  if (overall === null || overall === undefined) return null;
  const xs = present(values);
  if (xs.length === 0) return null;
  let worst = 0;
  for (const x of xs) worst = Math.max(worst, Math.abs(x - overall));
  return finiteOrNull(worst);
}

/**
 * ratio(method='between_groups') = group_min / group_max. As in fairlearn (float division), 0 / 0 is undefined: when
 * every group's value is 0 the ratio is null, not 1.
 */
export function ratioBetweenGroups(values: Values): number | null {
  const lo = groupMin(values);
  const hi = groupMax(values);
  return lo === null || hi === null ? null : finiteOrNull(lo / hi);
}

/**
 * ratio(method='to_overall') = min over groups of r = group / overall, with r replaced by 1/r when r > 1. Float
 * division as in fairlearn: a group at 0 with overall 0 (0/0) is skipped; x/0 = ∞ counts as 1/∞ = 0. null when
 * overall is null or no group gives a ratio.
 */
export function ratioToOverall(values: Values, overall: number | null | undefined): number | null {
  if (overall === null || overall === undefined) return null;
  let worst: number | null = null;
  for (const x of present(values)) {
    let r = x / overall;
    if (Number.isNaN(r)) continue;
    if (r > 1) r = 1 / r;
    if (worst === null || r < worst) worst = r;
  }
  return finiteOrNull(worst);
}

/** Every aggregate of every metric named in `overall`, over the given groups' metric values. */
export function groupAggregates(overall: MetricValues, groups: MetricValues[]): Record<AggregateName, MetricValues> {
  const out: Record<AggregateName, MetricValues> = {
    group_min: {},
    group_max: {},
    difference_between_groups: {},
    difference_to_overall: {},
    ratio_between_groups: {},
    ratio_to_overall: {},
  };
  for (const name of Object.keys(overall) as Array<keyof MetricValues>) {
    const values = groups.map((g) => g[name]);
    const whole = overall[name];
    out.group_min[name] = groupMin(values);
    out.group_max[name] = groupMax(values);
    out.difference_between_groups[name] = differenceBetweenGroups(values);
    out.difference_to_overall[name] = differenceToOverall(values, whole);
    out.ratio_between_groups[name] = ratioBetweenGroups(values);
    out.ratio_to_overall[name] = ratioToOverall(values, whole);
  }
  return out;
}
