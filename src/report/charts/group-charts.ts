/**
 * Per-group charts for each sensitive attribute (and intersection): selection rate by group, with the overall rate
 * and the lowest rate the policy's demographic-parity thresholds allow; and row count by group (actual positives and
 * negatives stacked), with the minimum group size. Groups under min_group_size are drawn hatched.
 */
import type { AttributeResult, GroupResult } from '../../metrics/types.js';
import { formatCompact, formatCount, formatPercent, formatValue } from '../format.js';
import type { Report } from '../types.js';
import { adverseTerms, favourableShort, selectionRateName } from '../favourable-words.js';
import { barChart, type BarDatum, type LevelLine } from './bar-chart.js';
import { groupsInDisplayOrder } from '../group-order.js';
import type { Chart } from './performance-charts.js';

/** At most this many groups per chart (the largest by count); the subtitle says how many were left out. */
export const MAX_GROUPS_PER_CHART = 40;

/** The groups in display order (bins as declared: '<25', '25-45', '>45'), at most MAX_GROUPS_PER_CHART of the largest. */
function shownGroups(attr: AttributeResult, all: readonly AttributeResult[] = [attr]): { groups: GroupResult[]; hidden: number } {
  const ordered = groupsInDisplayOrder(attr, all);
  if (ordered.length <= MAX_GROUPS_PER_CHART) return { groups: ordered, hidden: 0 };
  const keep = new Set(
    [...attr.groups]
      .sort((a, b) => b.count - a.count || a.key.localeCompare(b.key))
      .slice(0, MAX_GROUPS_PER_CHART)
      .map((g) => g.key),
  );
  return { groups: ordered.filter((g) => keep.has(g.key)), hidden: attr.groups.length - keep.size };
}

const percentTick = (v: number, step: number) => `${(v * 100).toFixed(step * 100 < 1 ? 1 : 0)}%`;

/** Lines for the demographic parity thresholds of this attribute: the lowest selection rate the policy allows. */
function parityLevels(report: Report, attr: AttributeResult): LevelLine[] {
  const out: LevelLine[] = [];
  const highest = attr.aggregates.group_max?.selection_rate;
  const overall = attr.overall.selection_rate;
  const terms = adverseTerms(report);
  const rateWord = terms ? `rate of ${terms.label} decisions` : 'selection rate';
  for (const c of report.checks) {
    if (c.section !== 'fairness' || c.scope !== attr.name) continue;
    const toOverall = (c.details as { method?: string } | undefined)?.method === 'to_overall';
    const reference = toOverall ? overall : highest;
    if (typeof reference !== 'number') continue;
    const cls = c.outcome === 'fail' ? 'thr' : c.outcome === 'warn' ? 'warn' : 'muted';
    const refName = toOverall ? 'overall' : 'highest group';
    if (c.metric === 'demographic_parity_ratio' && c.threshold.kind === 'min') {
      out.push({ y: c.threshold.value * reference, label: `lowest allowed: ratio ≥ ${formatCompact(c.threshold.value)} × ${refName}`, cls });
    } else if (c.metric === 'demographic_parity_difference' && c.threshold.kind === 'max') {
      out.push({ y: reference - c.threshold.value, label: `lowest allowed: difference ≤ ${formatCompact(c.threshold.value)} from ${refName}`, cls });
    } else if (c.metric === 'selection_rate_group_min') {
      out.push({ y: c.threshold.value, label: `${rateWord} ${c.threshold.kind === 'min' ? '≥' : '≤'} ${formatCompact(c.threshold.value)} (policy)`, cls });
    }
  }
  return out;
}

export function slug(text: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[^\x20-\x7e]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return s || 'attribute';
}

function note(g: GroupResult): string | undefined {
  return g.sufficient ? undefined : `n=${formatCount(g.count)}`;
}

export function selectionRateChart(report: Report, attr: AttributeResult, name: string): Chart | undefined {
  const { groups, hidden } = shownGroups(attr, report.fairness);
  if (groups.length === 0) return undefined;
  const bars: BarDatum[] = groups.map((g) => {
    const rate = g.metrics.selection_rate;
    const d: BarDatum = {
      label: g.key,
      segments: [{ value: typeof rate === 'number' ? rate : 0, cls: 's0' }],
      valueLabel: typeof rate === 'number' ? formatPercent(rate) : 'n/a',
    };
    if (!g.sufficient) d.hatched = true;
    const n = note(g);
    if (n) d.note = n;
    return d;
  });
  const levels: LevelLine[] = [];
  const overall = attr.overall.selection_rate;
  if (typeof overall === 'number') levels.push({ y: overall, label: `overall ${formatPercent(overall)}`, cls: 'muted' });
  levels.push(...parityLevels(report, attr));
  const dpr = attr.fairlearn.demographic_parity_ratio;
  const dpd = attr.fairlearn.demographic_parity_difference;
  const terms = adverseTerms(report);
  const rateName = selectionRateName(report);
  const title = `${rateName} by ${attr.name}`;
  const parts = [`demographic parity ratio ${formatValue(dpr)}`, `difference ${formatValue(dpd)}`];
  const favourable = favourableShort(report, (l) => l);
  if (favourable) parts.unshift(favourable);
  if (hidden) parts.push(`${formatCount(hidden)} smaller groups not shown`);
  return {
    name: `selection-rate-${name}`,
    title,
    svg: barChart({
      id: `selection-rate-${name}`,
      title,
      subtitle: parts.join(' · '),
      description: terms
        ? `Share of rows given the favourable decision ${terms.label} (score < ${formatCompact(report.threshold)}: not predicted ${terms.adverseLabel}) in each group of ${attr.name}; the lowest bar is the group flagged ${terms.adverseLabel} most.`
        : `Share of rows predicted positive (score ≥ ${formatCompact(report.threshold)}) in each group of ${attr.name}.`,
      xLabel: attr.attributes.join(' × '),
      yLabel: terms ? `${rateName}` : 'Selection rate (predicted positive)',
      bars,
      legend: [{ label: terms ? `rate of ${terms.label} decisions` : 'selection rate', cls: 's0', swatch: 'box' }],
      levels,
      yTick: percentTick,
    }),
  };
}

export function countChart(report: Report, attr: AttributeResult, name: string): Chart | undefined {
  const { groups, hidden } = shownGroups(attr, report.fairness);
  if (groups.length === 0) return undefined;
  // on the favourable class when it is the negative one (report.fairness is): "positives" are then actual favourable
  const terms = adverseTerms(report);
  const bars: BarDatum[] = groups.map((g) => {
    const positives = g.confusion.tp + g.confusion.fn;
    const negatives = g.confusion.tn + g.confusion.fp;
    const d: BarDatum = {
      label: g.key,
      segments: [
        { value: negatives, cls: 's0' },
        { value: positives, cls: 's1' },
      ],
      valueLabel: formatCount(g.count),
    };
    if (!g.sufficient) d.hatched = true;
    return d;
  });
  const title = `Count by ${attr.name}`;
  const insufficient = attr.groups.filter((g) => !g.sufficient).length;
  const parts = [`${formatCount(attr.groups.length)} groups`, `min_group_size ${formatCount(report.minGroupSize)}`];
  if (insufficient) parts.push(`${formatCount(insufficient)} too small`);
  if (hidden) parts.push(`${formatCount(hidden)} smaller groups not shown`);
  return {
    name: `count-${name}`,
    title,
    svg: barChart({
      id: `count-${name}`,
      title,
      subtitle: parts.join(' · '),
      description: terms
        ? `Rows per group of ${attr.name}, split into actual ${terms.adverseLabel} (the positive class) and actual ${terms.label} (favourable); groups under ${report.minGroupSize} rows are excluded from fairness aggregates.`
        : `Rows per group of ${attr.name}, split into actual positives and actual negatives; groups under ${report.minGroupSize} rows are excluded from fairness aggregates.`,
      xLabel: attr.attributes.join(' × '),
      yLabel: 'Rows',
      bars,
      legend: terms
        ? [
            { label: `actual ${terms.adverseLabel} (positive class)`, cls: 's0', swatch: 'box' },
            { label: `actual ${terms.label} (favourable)`, cls: 's1', swatch: 'box' },
          ]
        : [
            { label: `actual negatives`, cls: 's0', swatch: 'box' },
            { label: `actual positives (${report.dataset.positiveLabel})`, cls: 's1', swatch: 'box' },
          ],
      levels: [{ y: report.minGroupSize, label: `min_group_size ${formatCount(report.minGroupSize)}`, cls: 'thr' }],
    }),
  };
}
