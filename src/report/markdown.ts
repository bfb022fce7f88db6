/**
 * The job summary (GitHub-flavoured markdown) a reviewer reads: verdict first, then what breached, the comparison with
 * the base branch's model, every check, the run's fingerprints, notes, per-attribute group tables, robustness,
 * explainability and performance details.
 *
 * Pure: Report -> string. Every section is its own exported function so the PR comment (src/report/comment.ts) can
 * reuse them. All text from the Report goes through escape.ts; all numbers through format.ts. Output is bounded:
 * tables are capped (and say how many rows they omit) and the whole summary stays under `maxBytes` (GitHub accepts
 * at most 1 MiB of summary per step).
 */
import { alertFindings, artifactSummaryText } from './artifact.js';
import { METRIC_TITLES, metricShortTitle } from '../metrics/names.js';
import { favourableSentence, groupColumnTitle } from './favourable-words.js';
import { isBreached, outcomeCounts, rankedBreaches } from './breaches.js';
import { escapeMarkdown, escapeMarkdownHtml, markdownCode } from './escape.js';
import {
  formatBytes,
  formatCheckMargin,
  formatCheckValue,
  formatCompact,
  formatCount,
  formatDuration,
  formatIntervalBounds,
  formatLevel,
  formatMetric,
  formatThreshold,
  formatValue,
  plural,
  shortSha,
} from './format.js';
import type { AttributeResult, GroupResult, MetricName, MetricValues } from '../metrics/types.js';
import { LABEL_METRICS, SCORE_METRICS } from '../metrics/types.js';
import type { CheckResult, Report } from './types.js';


import { renderDataMarkdown } from './data-section.js';
import { MAX_NAME_LENGTH, codeCell, details, markdownTable, mdBlocks, mdSection, nameCell, safeUrl, statusLabel } from './doc/markdown.js';
import { checksTableBlock, checkTitleWithScope } from './sections/checks.js';
import { em, strong } from './doc/model.js';
import { notesSection } from './sections/notes.js';
import { explainabilitySection } from './sections/explainability.js';
import { baselineSection } from './sections/baseline.js';
import { robustnessSection, ROBUSTNESS_ROWS } from './sections/robustness.js';

import { mermaidCharts } from './mermaid.js';
import { groupsInDisplayOrder } from './group-order.js';

import { MAX_BASELINE_ROWS, MAX_IMPORTANCE_ROWS, worstOutcomeEmoji } from './section-views.js';

export interface SummaryOptions {
  /** Link to the uploaded report artifact (JSON + HTML). */
  artifactUrl?: string;
  /** Link to the workflow run. */
  runUrl?: string;
  /** Most groups shown per attribute (default 50). */
  maxGroups?: number;
  /** Most rows in the table of every check (default 300). */
  maxChecks?: number;
  /** Byte budget of the whole summary (default 512 KiB; GitHub's hard limit is 1 MiB per step). */
  maxBytes?: number;
  /**
   * `https://github.com/OWNER/REPO/blob/<head sha>`: the policy lines of the breached checks link to the file at the
   * commit the report is about (see policyLineUrl).
   */
  blobUrl?: string;
}

export const DEFAULT_MAX_GROUPS = 50;
export const DEFAULT_MAX_CHECKS = 300;
export const DEFAULT_SUMMARY_MAX_BYTES = 512 * 1024;
export { MAX_NAME_LENGTH, codeCell, details, markdownTable, nameCell, safeUrl, statusLabel } from './doc/markdown.js';
export { checkTitleWithScope } from './sections/checks.js';

// ---------------------------------------------------------------------------------------------------------------
// Small building blocks

/**
 * `<blobUrl>/<file>#L<line>` for a workspace-relative file, or undefined (no blobUrl, an absolute path or one that
 * leaves the workspace). Each path segment is percent-encoded.
 */
export function policyLineUrl(blobUrl: string | undefined, file: string, line: number): string | undefined {
  if (!blobUrl || !safeUrl(blobUrl)) return undefined;
  const path = file.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (path === '' || path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.split('/').some((seg) => seg === '..' || seg === '')) return undefined;
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return safeUrl(`${blobUrl.replace(/\/+$/, '')}/${encoded}#L${Math.max(1, Math.trunc(line))}`);
}

/** 'line 23' of the policy, or 'file:line' when the threshold lives in another file; a link with `blobUrl`. */
function policyLine(check: CheckResult, report: Report, blobUrl?: string): string {
  const text = check.location.file === report.policy.path ? `line ${check.location.line}` : `${codeCell(check.location.file)}:${check.location.line}`;
  const url = policyLineUrl(blobUrl, check.location.file, check.location.line);
  return url ? `[${text}](${url})` : text;
}

/** 'drop vs base: ▲ better, 0.2064 → 0.2863' for a baseline check (from its details), '' otherwise. */
function baselineChangeText(check: CheckResult): string {
  if (check.section !== 'baseline') return '';
  const d = check.details as { before?: unknown; after?: unknown; delta?: unknown; higherIsBetter?: unknown } | undefined;
  if (!d || typeof d.before !== 'number' || typeof d.after !== 'number' || typeof d.delta !== 'number') return '';
  const arrow = d.delta > 0 ? '▲' : d.delta < 0 ? '▼' : '▬';
  const better = typeof d.higherIsBetter === 'boolean' && d.delta !== 0 ? ((d.delta > 0) === d.higherIsBetter ? 'better' : 'worse') : d.delta === 0 ? 'unchanged' : 'changed';
  return `${arrow} ${better}, ${formatValue(d.before)} → ${formatValue(d.after)}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Sections

/** The verdict, big, with counts and what was evaluated. */
export function renderVerdictHeader(report: Report): string {
  const n = outcomeCounts(report.checks);
  const pass = report.verdict === 'pass';
  const title = pass ? '## ✅ Model risk gate passed' : '## ❌ Model risk gate failed';
  const onInsufficient = (k: number, notRun = 0) => {
    const parts = [k > 0 ? `${formatCount(k)} on insufficient data` : '', notRun > 0 ? `${formatCount(notRun)} not run` : ''].filter((x) => x !== '');
    return parts.length ? ` (${parts.join(', ')})` : '';
  };
  const counts: string[] = [];
  if (n.failed > 0) counts.push(`**${formatCount(n.failed)} failed**${onInsufficient(n.failedInsufficient, n.failedNotRun)}`);
  if (n.warned > 0) counts.push(`${formatCount(n.warned)} warned${onInsufficient(n.warnedInsufficient, n.warnedNotRun)}`);
  counts.push(`${formatCount(n.passed)} passed`);
  if (n.notGated > 0) counts.push(`${formatCount(n.notGated)} not gated (insufficient data)`);
  const what =
    `${plural(n.checks, 'check')} of ${codeCell(report.model.path)} on ${codeCell(report.dataset.path)} ` +
    `(${plural(report.dataset.rows, 'row')}), policy ${codeCell(report.policy.path)}`;
  return `${title}\n\n${counts.join(' · ')} — ${what}`;
}

/** The checks that failed or warned, worst first, with value, threshold and margin. Empty string when none. */
export function renderBreachedChecks(report: Report, opts: { maxRows?: number; blobUrl?: string } = {}): string {
  const all = rankedBreaches(report.checks);
  if (all.length === 0) return '';
  // A check whose evidence does not decide (a wide interval, too few rows) is not a measured breach: it is listed
  // apart, so an improvement with a wide interval never reads as "breached" (the outcome still counts as the policy's
  // on_insufficient says).
  const breached = all.filter((c) => c.status !== 'insufficient');
  const undecided = all.filter((c) => c.status === 'insufficient');
  const max = opts.maxRows ?? DEFAULT_MAX_CHECKS;
  const parts: string[] = [];
  if (breached.length > 0) {
    const shown = breached.slice(0, max);
    const rows = shown.map((c) => {
      const change = baselineChangeText(c);
      return [
        statusLabel(c),
        `${escapeMarkdown(checkTitleWithScope(c), { maxLength: MAX_NAME_LENGTH })}${change ? ` (${change})` : ''}`,
        formatCheckValue(c),
        formatThreshold(c.threshold),
        formatCheckMargin(c),
        policyLine(c, report, opts.blobUrl),
      ];
    });
    parts.push(`### Breached (${formatCount(breached.length)})`, markdownTable(['', 'Check', 'Value', 'Limit', 'Margin', 'Policy'], rows, ['l', 'l', 'r', 'l', 'r', 'l']));
    if (breached.length > shown.length) parts.push(`_${plural(breached.length - shown.length, 'more breached check')} not shown._`);
  }
  if (undecided.length > 0) {
    if (breached.length === 0) parts.push('**No threshold was breached** by a measured value.');
    const room = Math.max(0, max - Math.min(breached.length, max));
    const shown = undecided.slice(0, Math.max(1, room));
    const items = shown.map((c) => {
      const change = baselineChangeText(c);
      const why =
        c.evidence?.insufficientKind === 'inconclusive' && c.interval
          ? `value ${formatCheckValue(c)}, its ${formatLevel(c.interval.level)} interval ${formatIntervalBounds(c.interval)} reaches both sides of the limit ${formatThreshold(c.threshold)}`
          : escapeMarkdown(c.message.startsWith(`${c.title}: `) ? c.message.slice(c.title.length + 2) : c.message, { maxLength: 400 });
      return `- ${statusLabel(c)} **${escapeMarkdown(checkTitleWithScope(c), { maxLength: MAX_NAME_LENGTH })}**${change ? ` (${change})` : ''}: ${why} · ${policyLine(c, report, opts.blobUrl)}`;
    });
    parts.push(
      `### Not decided (${formatCount(undecided.length)})`,
      `The evidence does not decide these checks either way; they are not measured breaches, and the policy's \`on_insufficient\` sets their outcome:\n\n${items.join('\n')}` +
        (undecided.length > shown.length ? `\n\n_${plural(undecided.length - shown.length, 'more undecided check')} not shown._` : ''),
    );
  }
  return parts.join('\n\n');
}

/** Every check, worst first (sections/checks.ts), in a block that is open unless long. */
export function renderChecksTable(report: Report, opts: { maxRows?: number } = {}): string {
  const checks = report.checks;
  if (checks.length === 0) return '### Checks\n\n_The policy names no checks._';
  const table = checksTableBlock(checks, {
    policyPath: report.policy.path,
    maxRows: opts.maxRows ?? DEFAULT_MAX_CHECKS,
    more: (n) => [em(`${plural(n, 'more check')} not shown; see the JSON report.`)],
  });
  // Open unless long: the breached ones are already listed above it.
  return mdBlocks([{ k: 'details', summary: [strong(`All ${plural(checks.length, 'check')}`)], open: checks.length <= 30, blocks: [table] }]);
}

/** Model, data and policy fingerprints, decision settings, seed, tool version and runtime. */
export function renderProvenance(report: Report): string {
  const m = report.model;
  const d = report.dataset;
  const p = report.policy;
  const info = m.info;
  const modelParts = [
    codeCell(m.path),
    formatBytes(m.bytes),
    `sha256 ${codeCell(shortSha(m.sha256))}`,
    info.producer ? escapeMarkdown(info.producer, { maxLength: MAX_NAME_LENGTH }) : '',
    info.outputKind === 'label'
      ? `labels only (${codeCell(info.scoreOutput)}): no score metrics`
      : `score = ${codeCell(info.scoreOutput)}${info.outputKind === 'probabilities' ? ` column ${escapeMarkdown(String(info.positiveIndex))}` : ''}`,
    info.zipMapBypassed ? 'ZipMap bypassed' : '',
    info.translated ? `translated from ${escapeMarkdown(info.translated.format)}: ${escapeMarkdown(info.translated.estimator, { maxLength: 300 })}` : '',
    info.artifact ? escapeMarkdown(artifactSummaryText(info.artifact)) + alertFindings(info.artifact).map((f) => ` ⚠️ ${escapeMarkdown(f.message, { maxLength: 300 })}`).join('') : '',
    `${escapeMarkdown(info.runtime)} ${escapeMarkdown(info.runtimeVersion)}`,
  ].filter((x) => x !== '');
  const baseRate = report.performance.metrics.base_rate;
  const dataParts = [
    codeCell(d.path),
    formatBytes(d.bytes),
    `sha256 ${codeCell(shortSha(d.sha256))}`,
    `${plural(d.rows, 'row')} × ${plural(d.columns, 'column')}`,
    `label ${codeCell(d.label)} = ${codeCell(d.positiveLabel)} (${plural(d.positives, 'positive')}` +
      `${baseRate !== undefined && baseRate !== null ? `, base rate ${formatValue(baseRate)}` : ''})`,
  ];
  if (d.favourable?.outcome === 'negative') dataParts.push(`favourable outcome ${codeCell(d.favourable.label)} (the negative class; fairness is measured on it)`);
  const policyParts = [
    codeCell(p.path),
    p.name ? `“${escapeMarkdown(p.name, { maxLength: MAX_NAME_LENGTH })}”` : '',
    `sha256 ${codeCell(shortSha(p.sha256))}`,
  ].filter((x) => x !== '');
  const rows = [
    ['Model', modelParts.join(' · ')],
    ['Data', dataParts.join(' · ')],
    ['Policy', policyParts.join(' · ')],
    ['Decision', `positive when score ≥ ${formatCompact(report.threshold)} · min group size ${formatCount(report.minGroupSize)} · seed ${escapeMarkdown(String(report.seed))}`],
    ['Tool', `${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · ${escapeMarkdown(report.createdAt)}`],
    ['Runtime', renderTimings(report.timings)],
  ];
  return `### Run\n\n${rows.map(([k, v]) => `- **${k}:** ${v}`).join('\n')}`;
}

function renderTimings(timings: Record<string, number>): string {
  const entries = Object.entries(timings).filter(([, v]) => typeof v === 'number' && Number.isFinite(v));
  if (entries.length === 0) return 'n/a';
  const total = entries.find(([k]) => k === 'total');
  const stages = entries.filter(([k]) => k !== 'total').map(([k, v]) => `${escapeMarkdown(k)} ${formatDuration(v)}`);
  if (total) return `${formatDuration(total[1])}${stages.length > 0 ? ` (${stages.join(', ')})` : ''}`;
  return stages.join(', ');
}

/** Notes about the model, data and skipped checks. Empty string when none. */
export function renderNotes(report: Report, opts: { maxNotes?: number; heading?: boolean } = {}): string {
  const s = notesSection(report, opts.maxNotes);
  return s ? mdSection(s, opts) : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Fairness

const GROUP_COLUMNS: Array<[MetricName, string]> = (
  ['base_rate', 'selection_rate', 'true_positive_rate', 'false_positive_rate', 'precision', 'roc_auc'] as MetricName[]
).map((m) => [m, metricShortTitle(m)]);

/** 'sex × age_bin' for an intersection, the name otherwise. */
function attributeLabel(attr: AttributeResult): string {
  const name = nameCell(attr.name);
  if (attr.attributes.length <= 1) return name;
  return `${name} (${attr.attributes.map((a) => nameCell(a)).join(' × ')})`;
}

/** A group's values in attribute order, 'Female · <25' for intersections. */
function groupLabel(attr: AttributeResult, g: GroupResult): string {
  if (attr.attributes.length <= 1) return nameCell(g.key);
  const parts = attr.attributes.map((a) => g.group[a]);
  if (parts.some((p) => p === undefined)) return nameCell(g.key);
  return parts.map((p) => nameCell(p as string)).join(' · ');
}

/** 'insufficient data (n=12 < 30)', or the engine's reason when the group is big enough but unusable. */
export function insufficientLabel(g: GroupResult, minGroupSize: number): string {
  if (g.count < minGroupSize) return `insufficient data (n=${formatCount(g.count)} &lt; ${formatCount(minGroupSize)})`;
  return `insufficient data (${escapeMarkdown(g.insufficientReason ?? 'excluded from aggregates', { maxLength: 200 })})`;
}

/**
 * At most `max` groups: the extremes of every shown metric among sufficient groups first (so the groups that drive
 * a disparity are never cut), then the largest groups; shown in the report's order.
 */
export function selectGroups(groups: readonly GroupResult[], max: number): GroupResult[] {
  if (groups.length <= max) return [...groups];
  const keep = new Set<number>();
  const sufficient = groups.map((g, i) => [g, i] as const).filter(([g]) => g.sufficient);
  for (const [metric] of GROUP_COLUMNS) {
    let lo = -1;
    let hi = -1;
    for (const [g, i] of sufficient) {
      const v = g.metrics[metric];
      if (v === null || v === undefined || Number.isNaN(v)) continue;
      if (lo < 0 || v < (groups[lo].metrics[metric] as number)) lo = i;
      if (hi < 0 || v > (groups[hi].metrics[metric] as number)) hi = i;
    }
    for (const i of [lo, hi]) if (i >= 0 && keep.size < max) keep.add(i);
  }
  const bySize = groups.map((g, i) => [g, i] as const).sort((a, b) => b[0].count - a[0].count || a[1] - b[1]);
  for (const [, i] of bySize) {
    if (keep.size >= max) break;
    keep.add(i);
  }
  return [...keep].sort((a, b) => a - b).map((i) => groups[i]);
}

/** Per-group table of one sensitive attribute (or intersection), with the overall row last. */
export function renderGroupTable(attr: AttributeResult, report: Report, opts: { maxGroups?: number } = {}): string {
  const max = opts.maxGroups ?? DEFAULT_MAX_GROUPS;
  const shown = selectGroups(groupsInDisplayOrder(attr, report.fairness), max);
  const headers = ['Group', 'Rows', ...GROUP_COLUMNS.map(([m]) => groupColumnTitle(report, m))];
  const rows = shown.map((g) => {
    if (!g.sufficient) {
      return [`${groupLabel(attr, g)} — _${insufficientLabel(g, report.minGroupSize)}_`, formatCount(g.count), ...GROUP_COLUMNS.map(() => '—')];
    }
    return [groupLabel(attr, g), formatCount(g.count), ...GROUP_COLUMNS.map(([m]) => formatValue(g.metrics[m]))];
  });
  const overallCount = attr.overall.count ?? report.dataset.rows;
  rows.push(['**All rows**', formatCount(overallCount), ...GROUP_COLUMNS.map(([m]) => formatValue(attr.overall[m]))]);
  let table = markdownTable(headers, rows, ['l', 'r', 'r', 'r', 'r', 'r', 'r', 'r']);
  if (attr.groups.length > shown.length) {
    table += `\n\n_${plural(attr.groups.length - shown.length, 'more group')} not shown (the ${formatCount(shown.length)} shown include the highest and lowest of each column); see the JSON report._`;
  }
  return table;
}

const FAIRLEARN_COLUMNS: Array<[keyof AttributeResult['fairlearn'], string]> = [
  ['demographic_parity_difference', 'DP difference'],
  ['demographic_parity_ratio', 'DP ratio'],
  ['equalized_odds_difference', 'EO difference'],
  ['equalized_odds_ratio', 'EO ratio'],
  ['equal_opportunity_difference', 'EOpp difference'],
  ['equal_opportunity_ratio', 'EOpp ratio'],
];

function checksOf(report: Report, attr: AttributeResult): CheckResult[] {
  return report.checks.filter((c) => c.section === 'fairness' && c.scope === attr.name);
}

/** One row per attribute: groups, fairlearn's summary metrics and the gate's result for that attribute. */
export function renderFairnessOverview(report: Report): string {
  if (report.fairness.length === 0) return '';
  const rows = report.fairness.map((attr) => {
    const checks = checksOf(report, attr);
    const insufficient = attr.groups.filter((g) => !g.sufficient).length;
    const groups = `${formatCount(attr.groups.length)}${insufficient > 0 ? ` (${formatCount(insufficient)} insufficient)` : ''}`;
    const gate = checks.length === 0 ? '—' : `${worstOutcomeEmoji(checks)} ${formatCount(checks.filter(isBreached).length)}/${formatCount(checks.length)} breached`;
    const pairs: string[] = [];
    for (let i = 0; i < FAIRLEARN_COLUMNS.length; i += 2) pairs.push(`${formatValue(attr.fairlearn[FAIRLEARN_COLUMNS[i]![0]])} / ${formatValue(attr.fairlearn[FAIRLEARN_COLUMNS[i + 1]![0]])}`);
    return [attributeLabel(attr), groups, ...pairs, gate];
  });
  // Difference and ratio of each criterion share a column ('0.1622 / 0.3121'): 6 columns fit a PR comment.
  const headers = ['Attribute', 'Groups', 'DP difference / ratio', 'EO difference / ratio', 'EOpp difference / ratio', 'Gate'];
  const legend =
    '_DP = demographic parity (selection rate), EO = equalized odds (TPR and FPR, worst case), EOpp = equal ' +
    'opportunity (TPR); differences are max − min between groups, ratios min / max (fairlearn). Insufficient groups ' +
    'are left out._';
  const favourable = favourableSentence(report, (l) => markdownCode(l, { maxLength: MAX_NAME_LENGTH }));
  return `### Fairness\n\n${markdownTable(headers, rows, ['l', 'r', 'r', 'r', 'r', 'l'])}\n\n${favourable ? `**${favourable}**\n\n` : ''}${legend}`;
}

/** 'sex_x_age_bin (sex × age_bin)' for the raw-HTML summary line. */
function attributeLabelHtml(attr: AttributeResult): string {
  const name = escapeMarkdownHtml(attr.name, { maxLength: MAX_NAME_LENGTH });
  if (attr.attributes.length <= 1) return name;
  return `${name} (${attr.attributes.map((a) => escapeMarkdownHtml(a, { maxLength: MAX_NAME_LENGTH })).join(' × ')})`;
}

/** Collapsible group table of one attribute; open when a check on it breached. */
export function renderFairnessAttribute(attr: AttributeResult, report: Report, opts: { maxGroups?: number } = {}): string {
  const checks = checksOf(report, attr);
  const emoji = worstOutcomeEmoji(checks);
  const title = `${emoji ? `${emoji} ` : ''}Groups of <b>${attributeLabelHtml(attr)}</b> (${plural(attr.groups.length, 'group')})`;
  return details(title, renderGroupTable(attr, report, opts), checks.some(isBreached));
}

/** The fairness overview and one group table per attribute. Empty string when the policy names no attribute. */
export function renderFairness(report: Report, opts: { maxGroups?: number } = {}): string {
  if (report.fairness.length === 0) return '';
  return [renderFairnessOverview(report), ...report.fairness.map((a) => renderFairnessAttribute(a, report, opts))].join('\n\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Performance


/** Metric rows in a fixed order (label metrics, then score metrics), only those present. */
function metricRows(metrics: MetricValues): Array<[MetricName, number | null]> {
  const out: Array<[MetricName, number | null]> = [];
  for (const m of [...LABEL_METRICS, ...SCORE_METRICS]) {
    if (m in metrics) out.push([m, metrics[m] ?? null]);
  }
  return out;
}

/** All performance metrics in the report, the confusion matrix and where the KS statistic is reached. */
export function renderPerformance(report: Report): string {
  const perf = report.performance;
  const gated = new Map(report.checks.filter((c) => c.section === 'performance').map((c) => [c.metric, c]));
  const rows = metricRows(perf.metrics).map(([m, v]) => {
    const c = gated.get(m);
    return [METRIC_TITLES[m], formatMetric(m, v), c ? `${formatThreshold(c.threshold)} ${statusLabel(c)}` : ''];
  });
  const metrics = markdownTable(['Metric', 'Value', 'Gate'], rows, ['l', 'r', 'l']);
  const k = perf.confusion;
  const confusion = markdownTable(
    ['', 'Predicted negative', 'Predicted positive'],
    [
      ['**Actual negative**', `${formatCount(k.tn)} (TN)`, `${formatCount(k.fp)} (FP)`],
      ['**Actual positive**', `${formatCount(k.fn)} (FN)`, `${formatCount(k.tp)} (TP)`],
    ],
    ['l', 'r', 'r'],
  );
  const ks = perf.ksAt !== null && perf.ksAt !== undefined ? `\n\nThe KS statistic is reached at score ${formatValue(perf.ksAt)}.` : '';
  const body =
    `${metrics}\n\nConfusion matrix at threshold ${formatCompact(report.threshold)}:\n\n${confusion}${ks}`;
  return details(`<b>Performance on ${plural(report.dataset.rows, 'row')}</b>`, body, false);
}

// ---------------------------------------------------------------------------------------------------------------
// Robustness (issue #3), explainability (issue #4), baseline (issue #6)

export interface SectionOptions {
  /** Most rows of the main table of the section (default per section). */
  maxRows?: number;
  /** The section's heading line; false: none (the PR comment puts the section in a collapsible block). */
  heading?: string | false;
  /** Include the collapsible per-group details (default true). */
  details?: boolean;
}

/** The robustness section (sections/robustness.ts): the attack battery, worst case, per-group details, counterfactuals. */
export function renderRobustness(report: Report, opts: SectionOptions = {}): string {
  const s = robustnessSection(report, { details: opts.details !== false });
  if (!s) return '';
  return mdSection(s, { heading: opts.heading !== false, maxRows: opts.maxRows ?? ROBUSTNESS_ROWS });
}

/** The explainability section: method, ranked global importance with sensitive attributes and proxies marked. */
export function renderExplainability(report: Report, opts: SectionOptions = {}): string {
  const s = explainabilitySection(report);
  if (!s) return '';
  return mdSection(s, { heading: opts.heading !== false, maxRows: opts.maxRows ?? MAX_IMPORTANCE_ROWS });
}

/**
 * The pull request's model against the base branch's (sections/baseline.ts): before → after per metric, the direction
 * and meaning of each change, its paired interval and the regression gate. Unchanged and incompatible bases in words.
 */
export function renderBaseline(report: Report, opts: SectionOptions = {}): string {
  const s = baselineSection(report);
  if (!s) return '';
  return mdSection(s, { heading: opts.heading !== false, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}) });
}

// ---------------------------------------------------------------------------------------------------------------
// The whole summary

/**
 * The compact mermaid charts (the same as in the PR comment): those of the breaches open, the others collapsed.
 * Each chart about a breached fairness check draws its limit and marks the failing groups; the caption says so.
 */
export function renderMermaidCharts(report: Report, opts: { heading?: boolean } = {}): string {
  const breachedAttrs = new Set(report.checks.filter((c) => c.section === 'fairness' && isBreached(c)).map((c) => c.scope));
  const perfBreached = report.checks.some((c) => c.section === 'performance' && isBreached(c));
  const hot: string[] = [];
  const other: string[] = [];
  for (const c of mermaidCharts(report)) {
    const breached = c.name === 'roc' ? perfBreached : c.attribute !== undefined && breachedAttrs.has(c.attribute);
    (breached ? hot : other).push(c.caption ? `${c.block}\n\n${c.caption}` : c.block);
  }
  if (hot.length === 0 && other.length === 0) return '';
  const parts: string[] = opts.heading === false ? [] : ['### Charts'];
  if (hot.length) parts.push(details('📈 <b>Charts of the breaches</b>', hot.join('\n\n'), true));
  if (other.length) parts.push(details(`📈 <b>${hot.length ? 'More charts' : 'Charts'}</b> (ROC curve, per-group rates)`, other.join('\n\n'), hot.length === 0));
  return parts.join('\n\n');
}

function footer(report: Report, opts: SummaryOptions): string {
  const links: string[] = [];
  const artifact = safeUrl(opts.artifactUrl);
  const run = safeUrl(opts.runUrl);
  if (artifact) links.push(`[full report (JSON + HTML)](${artifact})`);
  if (run) links.push(`[workflow run](${run})`);
  const by = `<sub>${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)} · report schema v${report.schemaVersion}${links.length > 0 ? ` · ${links.join(' · ')}` : ''}</sub>`;
  return by;
}

interface Caps {
  maxGroups: number;
  maxChecks: number;
  fairnessTables: boolean;
  /** Robustness / explainability / baseline: rows of their main tables, and the per-group details. */
  sectionRows: number;
  sectionDetails: boolean;
}

function compose(report: Report, opts: SummaryOptions, caps: Caps): string {
  const sections = [
    renderVerdictHeader(report),
    renderBreachedChecks(report, { maxRows: caps.maxChecks, ...(opts.blobUrl ? { blobUrl: opts.blobUrl } : {}) }),
    renderBaseline(report, { maxRows: caps.sectionRows }),
    renderMermaidCharts(report),
    renderChecksTable(report, { maxRows: caps.maxChecks }),
    renderProvenance(report),
    renderNotes(report),
    renderDataMarkdown(report, { maxRows: caps.sectionRows }),
    caps.fairnessTables ? renderFairness(report, { maxGroups: caps.maxGroups }) : renderFairnessOverview(report),
    renderRobustness(report, { maxRows: caps.sectionRows, details: caps.sectionDetails }),
    renderExplainability(report, { maxRows: Math.min(caps.sectionRows, MAX_IMPORTANCE_ROWS) }),
    renderPerformance(report),
    footer(report, opts),
  ];
  return `${sections.filter((s) => s !== '').join('\n\n')}\n`;
}

function byteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/**
 * The job summary. Tries the requested caps, then smaller ones, until the text fits `maxBytes`; as a last resort
 * cuts the text at a line boundary and says so.
 */
export function renderSummary(report: Report, opts: SummaryOptions = {}): string {
  const maxBytes = opts.maxBytes ?? DEFAULT_SUMMARY_MAX_BYTES;
  const first: Caps = {
    maxGroups: opts.maxGroups ?? DEFAULT_MAX_GROUPS,
    maxChecks: opts.maxChecks ?? DEFAULT_MAX_CHECKS,
    fairnessTables: true,
    sectionRows: MAX_BASELINE_ROWS,
    sectionDetails: true,
  };
  const attempts: Caps[] = [
    first,
    { maxGroups: Math.min(first.maxGroups, 20), maxChecks: Math.min(first.maxChecks, 100), fairnessTables: true, sectionRows: 30, sectionDetails: true },
    { maxGroups: Math.min(first.maxGroups, 5), maxChecks: Math.min(first.maxChecks, 30), fairnessTables: true, sectionRows: 20, sectionDetails: false },
    { maxGroups: 0, maxChecks: Math.min(first.maxChecks, 10), fairnessTables: false, sectionRows: 10, sectionDetails: false },
  ];
  for (const caps of attempts) {
    const text = compose(report, opts, caps);
    if (byteLength(text) <= maxBytes) return text;
  }
  const text = compose(report, opts, attempts[attempts.length - 1]);
  const notice = '\n\n_The summary was cut to stay within the size limit; see the JSON report._\n';
  const budget = Math.max(0, maxBytes - byteLength(notice));
  const lines = text.split('\n');
  let out = '';
  const closing = '\n</details>';
  let used = 0;
  let open = 0;
  for (const line of lines) {
    const cost = byteLength(line) + 1;
    // Keep room to close every <details> still open, so the rest of the page renders normally.
    const opens = line.startsWith('<details') ? 1 : line === '</details>' ? -1 : 0;
    if (used + cost + (open + opens) * closing.length > budget) break;
    out += `${line}\n`;
    used += cost;
    open += opens;
  }
  return out + closing.repeat(open) + notice;
}
