/**
 * Fairness, built once for every format: one overview row per sensitive attribute (groups, fairlearn's difference /
 * ratio of each criterion, the gate), the favourable-outcome sentence when the positive class is adverse, and one
 * group table per attribute (bins in their declared order, insufficient groups said so, the overall row last). The
 * compact targets cap a group table at the groups that hold each column's extremes and the largest ones; HTML shows
 * every group, more rate columns and whether a group is used in the aggregates.
 */
import type { AttributeResult, GroupResult, MetricName } from '../../metrics/types.js';
import { metricShortTitle } from '../../metrics/names.js';
import { isBreached } from '../breaches.js';
import { favourableSentence, groupColumnTitle } from '../favourable-words.js';
import { formatCount, formatValue, plural } from '../format.js';
import { groupsInDisplayOrder } from '../group-order.js';
import { worstOutcomeEmoji } from '../section-views.js';
import type { CheckResult, Report } from '../types.js';
import { aside, code, col, em, fig, flag, name, only, strong, type Block, type Column, type Inline, type Level, type Row } from '../doc/model.js';

/** Most groups per attribute in the job summary and the comment (default). */
export const DEFAULT_MAX_GROUPS = 50;

/** The group-table columns of the compact targets; HTML adds recall, accuracy and F1. */
const GROUP_COLUMNS: MetricName[] = ['base_rate', 'selection_rate', 'true_positive_rate', 'false_positive_rate', 'precision', 'roc_auc'];
const HTML_GROUP_COLUMNS: MetricName[] = ['recall', 'accuracy', 'f1'];

const FAIRLEARN_PAIRS: Array<[keyof AttributeResult['fairlearn'], keyof AttributeResult['fairlearn']]> = [
  ['demographic_parity_difference', 'demographic_parity_ratio'],
  ['equalized_odds_difference', 'equalized_odds_ratio'],
  ['equal_opportunity_difference', 'equal_opportunity_ratio'],
];

export function checksOfAttribute(report: Report, attr: AttributeResult): CheckResult[] {
  return report.checks.filter((c) => c.section === 'fairness' && c.scope === attr.name);
}

function worstLevel(checks: readonly CheckResult[]): Level {
  const emoji = worstOutcomeEmoji(checks);
  return emoji === '❌' ? 'fail' : emoji === '⚠️' ? 'warn' : 'pass';
}

/** 'sex_x_age_bin (sex × age_bin)' for an intersection, the name otherwise. */
export function attributeLabel(attr: AttributeResult): Inline[] {
  if (attr.attributes.length <= 1) return [name(attr.name)];
  return [name(attr.name), ' (', ...attr.attributes.flatMap((a, i) => (i > 0 ? [' × ', name(a)] : [name(a)])), ')'];
}

/** A group's values in attribute order, 'Female · <25' for intersections. */
function groupLabel(attr: AttributeResult, g: GroupResult): Inline[] {
  if (attr.attributes.length <= 1) return [name(g.key)];
  const parts = attr.attributes.map((a) => g.group[a]);
  if (parts.some((p) => p === undefined)) return [name(g.key)];
  return parts.flatMap((p, i) => (i > 0 ? [' · ', name(p as string)] : [name(p as string)]));
}

/** 'insufficient data (n=12 < 30)', or the engine's reason when the group is big enough but unusable. */
export function insufficientText(g: GroupResult, minGroupSize: number): Inline {
  if (g.count < minGroupSize) return `insufficient data (n=${formatCount(g.count)} < ${formatCount(minGroupSize)})`;
  return { k: 'text', text: `insufficient data (${g.insufficientReason ?? 'excluded from aggregates'})`, max: 200 + 'insufficient data ()'.length };
}

/**
 * At most `max` groups: the extremes of every shown metric among sufficient groups first (so the groups that drive
 * a disparity are never cut), then the largest groups; shown in the report's order.
 */
export function selectGroups(groups: readonly GroupResult[], max: number): GroupResult[] {
  if (groups.length <= max) return [...groups];
  const keep = new Set<number>();
  const sufficient = groups.map((g, i) => [g, i] as const).filter(([g]) => g.sufficient);
  for (const metric of GROUP_COLUMNS) {
    let lo = -1;
    let hi = -1;
    for (const [g, i] of sufficient) {
      const v = g.metrics[metric];
      if (v === null || v === undefined || Number.isNaN(v)) continue;
      if (lo < 0 || v < (groups[lo]!.metrics[metric] as number)) lo = i;
      if (hi < 0 || v > (groups[hi]!.metrics[metric] as number)) hi = i;
    }
    for (const i of [lo, hi]) if (i >= 0 && keep.size < max) keep.add(i);
  }
  const bySize = groups.map((g, i) => [g, i] as const).sort((a, b) => b[0].count - a[0].count || a[1] - b[1]);
  for (const [, i] of bySize) {
    if (keep.size >= max) break;
    keep.add(i);
  }
  return [...keep].sort((a, b) => a - b).map((i) => groups[i]!);
}

/** The per-group table of one attribute (or intersection), the overall row last. */
export function groupTableBlock(attr: AttributeResult, report: Report, maxGroups = DEFAULT_MAX_GROUPS): Block {
  const ordered = groupsInDisplayOrder(attr, report.fairness);
  const kept = new Set(selectGroups(ordered, maxGroups));
  const html = HTML_GROUP_COLUMNS.filter((m) => attr.groups.some((g) => g.metrics[m] !== undefined));
  const metricCells = (g: GroupResult): Inline[][] => [
    ...GROUP_COLUMNS.map((m): Inline[] => (g.sufficient ? [fig(formatValue(g.metrics[m]))] : [only(['markdown', 'text'], fig('—')), only(['html'], fig(formatValue(g.metrics[m])))])),
    ...html.map((m): Inline[] => [fig(formatValue(g.metrics[m]))]),
  ];
  const rows: Row[] = ordered.map((g) => ({
    priority: kept.has(g) ? 0 : 1,
    ...(g.sufficient ? {} : { muted: true }),
    cells: [
      [...groupLabel(attr, g), ...(g.sufficient ? [] : [only(['markdown', 'text'], ' — ', em(insufficientText(g, report.minGroupSize)))])],
      [fig(formatCount(g.count))],
      ...metricCells(g),
      [g.sufficient ? 'yes' : `no (${g.insufficientReason ?? 'too few rows'})`],
    ],
  }));
  rows.push({
    priority: -1,
    cells: [
      [strong('All rows')],
      [fig(formatCount(attr.overall.count ?? report.dataset.rows))],
      ...GROUP_COLUMNS.map((m) => [fig(formatValue(attr.overall[m]))]),
      ...html.map((m) => [fig(formatValue(attr.overall[m]))]),
      [],
    ],
  });
  const columns: Column[] = [
    col('Group'),
    col('Rows', 'number'),
    ...GROUP_COLUMNS.map((m) => col(groupColumnTitle(report, m), 'number')),
    ...html.map((m) => col(metricShortTitle(m), 'number', ['html'])),
    col('Used in aggregates', 'label', ['html']),
  ];
  return {
    k: 'table',
    columns,
    rows,
    maxRows: kept.size + 1,
    fixedRows: true,
    more: (n) => [em(`${plural(n, 'more group')} not shown (the ${formatCount(kept.size)} shown include the highest and lowest of each column); see the JSON report.`)],
  };
}

/** One row per attribute: groups, fairlearn's differences / ratios and the gate; the favourable sentence; a legend. */
export function fairnessOverviewBlocks(report: Report): Block[] {
  if (report.fairness.length === 0) return [];
  const rows: Row[] = report.fairness.map((attr) => {
    const checks = checksOfAttribute(report, attr);
    const insufficient = attr.groups.filter((g) => !g.sufficient).length;
    return {
      cells: [
        attributeLabel(attr),
        [fig(`${formatCount(attr.groups.length)}${insufficient > 0 ? ` (${formatCount(insufficient)} insufficient)` : ''}`)],
        ...FAIRLEARN_PAIRS.map(([d, r]) => [fig(`${formatValue(attr.fairlearn[d])} / ${formatValue(attr.fairlearn[r])}`)]),
        checks.length === 0 ? [fig('—')] : [flag(worstLevel(checks), `${formatCount(checks.filter(isBreached).length)}/${formatCount(checks.length)} breached`)],
      ],
    };
  });
  // Difference and ratio of each criterion share a column ('0.1622 / 0.3121'): 6 columns fit a PR comment.
  const blocks: Block[] = [
    {
      k: 'table',
      columns: [col('Attribute'), col('Groups', 'number'), col('DP difference / ratio', 'number'), col('EO difference / ratio', 'number'), col('EOpp difference / ratio', 'number'), col('Gate', 'status')],
      rows,
    },
  ];
  // The sentence names the favourable and adverse labels (from the data): code spans, split out of the words.
  const MARK = '\u0000';
  const sentence = favourableSentence(report, (l) => `${MARK}${l}${MARK}`);
  if (sentence) blocks.push({ k: 'para', c: [strong(...sentence.split(MARK).map((part, i) => (i % 2 === 1 ? code(part) : part)))] });
  blocks.push(
    aside(
      'DP = demographic parity (selection rate), EO = equalized odds (TPR and FPR, worst case), EOpp = equal opportunity (TPR); differences are max − min between groups, ratios min / max (fairlearn). Insufficient groups are left out.',
    ),
  );
  return blocks;
}

/** The summary line of an attribute's group table: '❌ Groups of sex (2 groups)'. */
export function groupTableSummary(attr: AttributeResult, report: Report): Inline[] {
  const emoji = worstOutcomeEmoji(checksOfAttribute(report, attr));
  return [emoji ? `${emoji} ` : '', 'Groups of ', strong(...attributeLabel(attr)), ` (${plural(attr.groups.length, 'group')})`];
}
