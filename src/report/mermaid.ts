/**
 * Compact charts for the places GitHub renders mermaid (job summary, PR comment): `xychart-beta` bars of a per-group
 * metric for each sensitive attribute, and the ROC curve as a line.
 *
 * Colours are explicit (an init directive with theme `base` and `themeVariables.xyChart`): mermaid's default first
 * series is pale lavender on GitHub's light theme, and no single text colour reads on both GitHub's white and its
 * dark background, so each chart is drawn on its own white card with dark text and Primer colours, the same in both
 * themes. The ROC curve is the strong blue line, the chance diagonal a light grey one.
 *
 * A chart about a breached fairness check draws the limit the check failed (0.8 × the highest group for a
 * demographic-parity ratio of 0.8, the highest group − d for a difference of d, the policy's min/max for
 * `<metric>_group_min/max`) as a red line, and the groups beyond it as orange bars labelled "(fails)"; the caption
 * under the chart says the same in words. Groups follow the bins' declared order ('<25', '25-45', '>45').
 *
 * Mermaid has no escaping inside quoted strings, so labels are reduced to a safe ASCII-leaning character set (a label
 * can never close the string, the code fence or inject markup): '<25' becomes 'under 25', not a full-width '＜'
 * that renders as an empty box without CJK fonts. Pure: Report in, fenced ```mermaid blocks out.
 */
import { selectionRateName } from './favourable-words.js';
import type { AttributeResult, CurvePoint, GroupResult, MetricName } from '../metrics/types.js';
import { METRIC_TITLES } from '../metrics/names.js';
import { escapeMarkdown, sanitizeText } from './escape.js';
import { formatCompact, formatValue, truncate } from './format.js';
import { binPosition, groupsInDisplayOrder } from './group-order.js';
import type { CheckResult, Report } from './types.js';

/** More groups than this make the bars unreadable: the largest groups are kept. */
export const MERMAID_MAX_GROUPS = 16;
/** Points of the resampled ROC curve (x = 0, 0.05, ..., 1). */
export const MERMAID_ROC_POINTS = 21;

/** The colours of the mermaid charts (GitHub Primer, light): readable on the chart's own white card. */
export const MERMAID_COLORS = {
  background: '#ffffff',
  text: '#1f2328',
  axis: '#59636e',
  /** Bars of the groups, the ROC curve. */
  series: '#0969da',
  /** Bars of the groups beyond the limit. */
  failing: '#bc4c00',
  /** The limit line. */
  limit: '#cf222e',
  /** The chance diagonal, the overall rate: secondary. */
  secondary: '#8c959f',
} as const;

/** `%%{init: ...}%%`: theme base with explicit colours, one palette entry per plot in the order they are drawn. */
export function mermaidInit(palette: readonly string[]): string {
  const c = MERMAID_COLORS;
  const config = {
    theme: 'base',
    themeVariables: {
      background: c.background,
      xyChart: {
        backgroundColor: c.background,
        titleColor: c.text,
        xAxisLabelColor: c.text,
        xAxisTitleColor: c.text,
        xAxisTickColor: c.axis,
        xAxisLineColor: c.axis,
        yAxisLabelColor: c.text,
        yAxisTitleColor: c.text,
        yAxisTickColor: c.axis,
        yAxisLineColor: c.axis,
        plotColorPalette: palette.join(', '),
      },
    },
  };
  return `%%{init: ${JSON.stringify(config)}}%%`;
}

/** 'under 25', '25-45', 'over 45', '45 or more' for a default bin label; undefined otherwise. */
function binWords(label: string): string | undefined {
  if (!binPosition(label)) return undefined;
  if (label.startsWith('>=')) return `${label.slice(2)} or more`;
  if (label.startsWith('<')) return `under ${label.slice(1)}`;
  if (label.startsWith('>')) return `over ${label.slice(1)}`;
  return label;
}

/**
 * Text for a mermaid quoted string: no quotes, backticks, angle brackets (a bin '<25' reads 'under 25', other text
 * 'lt' / 'gt'), square or curly brackets, backslashes, semicolons, colons, #, &, %, @ or line breaks (each becomes a
 * similar harmless character or a space); accents dropped, symbols outside ASCII replaced (letters of other scripts
 * are kept), at most `max` characters.
 */
export function mermaidLabel(text: unknown, max = 24): string {
  const raw = sanitizeText(text);
  const s = (binWords(raw.trim()) ?? raw)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/["`]/g, "'")
    .replace(/<=/g, ' le ')
    .replace(/>=/g, ' ge ')
    .replace(/</g, ' lt ')
    .replace(/>/g, ' gt ')
    .replace(/[[{]/g, '(')
    .replace(/[\]}]/g, ')')
    .replace(/[\\;#&%@]/g, ' ')
    .replace(/:/g, ' ')
    .replace(/[^\x20-\x7e\p{L}\p{N}]/gu, '?')
    .replace(/\s+/g, ' ')
    .trim();
  return truncateAscii(s || '?', max);
}

function truncateAscii(text: string, max: number): string {
  const t = truncate(text, max);
  return t.endsWith('…') ? `${t.slice(0, -1)}~` : t;
}

function n4(v: number): string {
  const r = Math.round(v * 10000) / 10000;
  return Object.is(r, -0) ? '0' : String(r);
}

function fenced(lines: string[]): string {
  return ['```mermaid', ...lines, '```'].join('\n');
}

/** A chart and what it shows in words (markdown, escaped) for under the chart. */
export interface MermaidChart {
  name: string;
  /** The sensitive attribute of a per-group chart. */
  attribute?: string;
  title: string;
  block: string;
  /** One line under the chart: the limit drawn and the groups beyond it. */
  caption?: string;
}

/** The limit a breached fairness check failed, on the per-group values of its base metric. */
interface GroupLimit {
  base: MetricName;
  /** Groups whose value lies beyond these are failing. */
  low?: number;
  high?: number;
  /** 'lowest allowed 0.1887 = 0.8 × highest group (Male 0.2358)', for the caption (data names unescaped). */
  words: string;
}

const NAMED_BASES: Record<string, { base: MetricName; aggregate: 'difference' | 'ratio' }> = {
  demographic_parity_difference: { base: 'selection_rate', aggregate: 'difference' },
  demographic_parity_ratio: { base: 'selection_rate', aggregate: 'ratio' },
  equal_opportunity_difference: { base: 'true_positive_rate', aggregate: 'difference' },
  equal_opportunity_ratio: { base: 'true_positive_rate', aggregate: 'ratio' },
};

function planOf(metric: string): { base: MetricName; aggregate: 'difference' | 'ratio' | 'group_min' | 'group_max' } | undefined {
  const named = NAMED_BASES[metric];
  if (named) return named;
  if (metric.startsWith('equalized_odds')) return undefined; // two base metrics: no single line to draw
  for (const aggregate of ['group_min', 'group_max', 'difference', 'ratio'] as const) {
    const suffix = `_${aggregate}`;
    if (metric.endsWith(suffix)) {
      const base = metric.slice(0, -suffix.length);
      if (base in METRIC_TITLES) return { base: base as MetricName, aggregate };
    }
  }
  return undefined;
}

/** The line(s) a fairness check puts on its attribute's per-group values; undefined when it has no single line. */
export function fairnessLimit(check: CheckResult, attr: AttributeResult): GroupLimit | undefined {
  const plan = planOf(String(check.metric));
  if (!plan) return undefined;
  const t = check.threshold;
  if (!t || (t.kind !== 'min' && t.kind !== 'max') || typeof t.value !== 'number') return undefined;
  const v = t.value;
  const toOverall = (check.details as { method?: string } | undefined)?.method === 'to_overall';
  const values = attr.groups.filter((g) => g.sufficient && typeof g.metrics[plan.base] === 'number');
  const highestGroup = values.reduce<GroupResult | undefined>((best, g) => (best === undefined || (g.metrics[plan.base] as number) > (best.metrics[plan.base] as number) ? g : best), undefined);
  const overall = attr.overall[plan.base];
  const refValue = toOverall ? overall : highestGroup?.metrics[plan.base];
  if (typeof refValue !== 'number') return undefined;
  const f = formatValue;
  const refWords = toOverall ? `overall ${f(refValue)}` : `${truncate(highestGroup!.key, 40)} ${f(refValue)}`;
  if (plan.aggregate === 'ratio' && t.kind === 'min') {
    const low = v * refValue;
    return { base: plan.base, low, words: `lowest allowed ${f(low)} = ${formatCompact(v)} × ${toOverall ? 'overall' : 'highest group'} (${refWords})` };
  }
  if (plan.aggregate === 'difference' && t.kind === 'max') {
    if (toOverall) return { base: plan.base, low: refValue - v, high: refValue + v, words: `allowed ${f(refValue - v)} to ${f(refValue + v)} = overall (${f(refValue)}) ± ${formatCompact(v)}` };
    const low = refValue - v;
    return { base: plan.base, low, words: `lowest allowed ${f(low)} = highest group − ${formatCompact(v)} (${refWords})` };
  }
  if (plan.aggregate === 'group_min' && t.kind === 'min') return { base: plan.base, low: v, words: `lowest allowed ${formatCompact(v)} (the policy's min)` };
  if (plan.aggregate === 'group_max' && t.kind === 'max') return { base: plan.base, high: v, words: `highest allowed ${formatCompact(v)} (the policy's max)` };
  return undefined;
}

function metricName(report: Pick<Report, 'dataset'>, base: MetricName): string {
  return base === 'selection_rate' ? selectionRateName(report) : (METRIC_TITLES[base] ?? base);
}

/** A group's label: its value, or for an intersection each part's value ('Female / under 25'). */
function groupLabel(attr: AttributeResult, g: GroupResult): string {
  const parts = attr.attributes.length > 1 ? attr.attributes.map((a) => g.group?.[a]) : [];
  if (parts.length > 1 && parts.every((p) => typeof p === 'string')) return truncateAscii(parts.map((p) => mermaidLabel(p, 16)).join(' / '), 32);
  return mermaidLabel(g.key);
}

function shownGroups(attr: AttributeResult, base: MetricName, all: readonly AttributeResult[]): { groups: GroupResult[]; hidden: number } {
  let groups = groupsInDisplayOrder(attr, all).filter((g) => typeof g.metrics[base] === 'number');
  let hidden = 0;
  if (groups.length > MERMAID_MAX_GROUPS) {
    const keep = new Set([...groups].sort((a, b) => b.count - a.count).slice(0, MERMAID_MAX_GROUPS));
    hidden = groups.length - keep.size;
    groups = groups.filter((g) => keep.has(g));
  }
  return { groups, hidden };
}

/**
 * A per-group metric of one attribute as bars. With `check` (a breached fairness check on this attribute), the
 * limit it failed is a red line and the groups beyond it orange bars labelled "(fails)"; without, the metric is the
 * selection rate and the overall rate a grey line. undefined when no group has a value.
 */
export function mermaidGroupChart(
  attr: AttributeResult,
  report?: Pick<Report, 'dataset'> & { fairness?: AttributeResult[] },
  check?: CheckResult,
): MermaidChart | undefined {
  const limit = check ? fairnessLimit(check, attr) : undefined;
  const base: MetricName = limit?.base ?? 'selection_rate';
  const all = report?.fairness ?? [attr];
  const { groups, hidden } = shownGroups(attr, base, all);
  if (groups.length === 0) return undefined;
  const name = report ? metricName(report, base) : METRIC_TITLES[base];
  const values = groups.map((g) => g.metrics[base] as number);
  const fails = (g: GroupResult, x: number) => limit !== undefined && g.sufficient && ((limit.low !== undefined && x < limit.low) || (limit.high !== undefined && x > limit.high));
  const failing = groups.map((g, i) => fails(g, values[i]!));
  const labels = groups.map((g, i) => `"${groupLabel(attr, g)}${g.sufficient ? '' : ' (too few rows)'}${failing[i] ? ' (fails)' : ''}"`);
  const overall = attr.overall[base];
  const highest = Math.max(...values, typeof overall === 'number' ? overall : 0, limit?.low ?? 0, limit?.high ?? 0);
  const top = Math.min(1, Math.max(0.1, Math.ceil(highest * 11) / 10));
  const c = MERMAID_COLORS;
  const palette: string[] = [];
  const plots: string[] = [];
  if (failing.some(Boolean)) {
    // Two bar series drawn over each other: the failing groups (orange), then the others (blue). A 0 still draws a
    // few pixels (mermaid pads the axis), so the blue series goes last: its stubs under orange bars read as a baseline.
    palette.push(c.failing, c.series);
    plots.push(`  bar [${values.map((v, i) => (failing[i] ? n4(v) : '0')).join(', ')}]`);
    plots.push(`  bar [${values.map((v, i) => (failing[i] ? '0' : n4(v))).join(', ')}]`);
  } else {
    palette.push(c.series);
    plots.push(`  bar [${values.map(n4).join(', ')}]`);
  }
  const title = `${name} by ${attr.name}${hidden ? ` (largest ${groups.length} groups)` : ''}`;
  let titleText = mermaidLabel(title, 70);
  if (limit) {
    for (const y of [limit.low, limit.high]) {
      if (y === undefined) continue;
      palette.push(c.limit);
      plots.push(`  line [${groups.map(() => n4(y)).join(', ')}]`);
    }
    titleText = mermaidLabel(`${title} - red line = limit`, 70);
  } else if (typeof overall === 'number') {
    palette.push(c.secondary);
    plots.push(`  line [${groups.map(() => n4(overall)).join(', ')}]`);
    titleText = mermaidLabel(`${title} - grey line = overall`, 70);
  }
  const lines = [
    mermaidInit(palette),
    'xychart-beta',
    `  title "${titleText}"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "${mermaidLabel(name, 60)}" 0 --> ${n4(top)}`,
    ...plots,
  ];
  const esc = (t: string) => escapeMarkdown(t, { maxLength: 120 });
  let caption: string | undefined;
  if (limit) {
    const beyond = groups.filter((_, i) => failing[i]);
    const below = beyond.slice(0, 5).map((g) => `**${escapeMarkdown(g.key, { maxLength: 40 })}** (${formatValue(g.metrics[base] as number)})`);
    if (beyond.length > below.length) below.push(`${beyond.length - below.length} more`);
    const rule = check ? `; policy: ${esc(check.title)} ${check.threshold.kind === 'min' ? '≥' : '≤'} ${formatCompact(check.threshold.value as number)}` : '';
    caption =
      `Red line: ${escapeMarkdown(limit.words, { maxLength: 200 })}${rule}. ` +
      (below.length ? `Orange: ${below.join(', ')}, below the limit.` : 'No single group lies beyond it (the check failed on its interval).');
    if (limit.high !== undefined && limit.low === undefined) caption = caption.replace(', below the limit.', ', above the limit.');
    else if (limit.high !== undefined) caption = caption.replace(', below the limit.', ', outside the limits.');
  } else if (typeof overall === 'number') {
    caption = `_Grey line: overall ${esc(name.toLowerCase())} ${formatValue(overall)}._`;
  }
  const out: MermaidChart = { name: `${base === 'selection_rate' ? 'selection-rate' : base.replace(/_/g, '-')}-${attr.name}`, attribute: attr.name, title, block: fenced(lines) };
  if (caption) out.caption = caption;
  return out;
}

/** Selection rate by group of one attribute, with the overall rate as a grey line. undefined when no group has a rate. */
export function mermaidSelectionRate(attr: AttributeResult, report?: Pick<Report, 'dataset'> & { fairness?: AttributeResult[] }): string | undefined {
  return mermaidGroupChart(attr, report)?.block;
}

/** Linear interpolation of a curve (sorted by x, ties allowed) at x. */
function interpolate(points: ReadonlyArray<CurvePoint>, x: number): number {
  let prev = points[0]!;
  for (const p of points) {
    if (p.x >= x) {
      if (p.x === prev.x) return Math.max(p.y, prev.y);
      return prev.y + ((x - prev.x) / (p.x - prev.x)) * (p.y - prev.y);
    }
    prev = p;
  }
  return prev.y;
}

/** The ROC curve (blue) resampled on an even FPR grid (mermaid lines are evenly spaced), with the chance diagonal (grey). */
export function mermaidRoc(report: Report): string | undefined {
  const roc = report.performance.curves?.roc;
  if (!roc || roc.length < 2) return undefined;
  const sorted = [...roc].sort((a, b) => a.x - b.x || a.y - b.y);
  const grid = Array.from({ length: MERMAID_ROC_POINTS }, (_, i) => i / (MERMAID_ROC_POINTS - 1));
  const auc = report.performance.metrics.roc_auc;
  return fenced([
    mermaidInit([MERMAID_COLORS.series, MERMAID_COLORS.secondary]),
    'xychart-beta',
    `  title "ROC curve (AUC ${typeof auc === 'number' ? auc.toFixed(4) : 'n/a'}); blue = model, grey = chance"`,
    '  x-axis "False positive rate" 0 --> 1',
    '  y-axis "True positive rate" 0 --> 1',
    `  line [${grid.map((x) => n4(Math.min(1, Math.max(0, interpolate(sorted, x))))).join(', ')}]`,
    `  line [${grid.map(n4).join(', ')}]`,
  ]);
}

/**
 * Every compact chart: the ROC curve, then one chart per single sensitive attribute (not intersections, unless asked):
 * for an attribute with a breached fairness check that has a line to draw, the chart of that check (its metric by
 * group, the limit, the failing groups); otherwise the selection rate by group.
 */
export function mermaidCharts(report: Report, options: { intersections?: boolean } = {}): MermaidChart[] {
  const out: MermaidChart[] = [];
  const roc = mermaidRoc(report);
  if (roc) out.push({ name: 'roc', title: 'ROC curve', block: roc });
  for (const attr of report.fairness) {
    if (attr.attributes.length > 1 && !options.intersections) continue;
    const breached = report.checks
      .filter((c) => c.section === 'fairness' && c.scope === attr.name && c.outcome !== 'pass')
      .sort((a, b) => (a.outcome === b.outcome ? 0 : a.outcome === 'fail' ? -1 : 1));
    const check = breached.find((c) => fairnessLimit(c, attr) !== undefined);
    const chart = mermaidGroupChart(attr, report, check);
    if (chart) out.push(chart);
  }
  return out;
}
