/**
 * The job summary (GitHub-flavoured markdown) a reviewer reads: verdict first, then what breached, the comparison with
 * the base branch's model, every check, the run's fingerprints, notes, per-attribute group tables, robustness,
 * explainability and performance details.
 *
 * Pure: Report -> string. The sections are built once as documents (src/report/sections/*, the model in
 * src/report/doc/model.ts) and written by doc/markdown.ts, which escapes every text (escape.ts); numbers come from
 * format.ts. This file composes the summary and keeps the per-section functions other modules call. Output is bounded:
 * tables are capped (and say how many rows they omit) and the whole summary stays under `maxBytes` (GitHub accepts
 * at most 1 MiB of summary per step).
 */
import { isBreached } from './breaches.js';
import { escapeMarkdown } from './escape.js';
import { plural } from './format.js';
import type { AttributeResult } from '../metrics/types.js';
import type { Report } from './types.js';
import { renderDataMarkdown } from './data-section.js';
import { mdBlocks, mdInline, mdSection, safeUrl } from './doc/markdown.js';
import { checksTableBlock } from './sections/checks.js';
import { performanceBlocks } from './sections/performance.js';
import { runSection } from './sections/run.js';
import { breachedBlocks } from './sections/breached.js';
import { verdictLine } from './sections/verdict.js';
import { breachChartsBlock, chartNames, otherChartsBlock } from './sections/charts.js';
import { checksOfAttribute, fairnessOverviewBlocks, groupTableBlock, groupTableSummary } from './sections/fairness.js';
import { em, strong, type Block } from './doc/model.js';
import { notesSection } from './sections/notes.js';
import { policyChangesBlocks } from './sections/policy-changes.js';
import { explainabilitySection } from './sections/explainability.js';
import { baselineSection } from './sections/baseline.js';
import { robustnessSection, ROBUSTNESS_ROWS } from './sections/robustness.js';
import { mermaidCharts } from './mermaid.js';
import { MAX_BASELINE_ROWS, MAX_IMPORTANCE_ROWS } from './section-views.js';

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
export { policyLineUrl } from './sections/breached.js';

// ---------------------------------------------------------------------------------------------------------------
// Small building blocks

// ---------------------------------------------------------------------------------------------------------------
// Sections

/** The verdict, big, with counts and what was evaluated. */
export function renderVerdictHeader(report: Report): string {
  const title = report.verdict === 'pass' ? '## ✅ Model risk gate passed' : '## ❌ Model risk gate failed';
  const loosened = policyChangesBlocks(report);
  return `${title}\n\n${mdInline(verdictLine(report))}${loosened.length ? `\n\n${mdBlocks(loosened)}` : ''}`;
}

/** The checks that failed or warned, worst first, with value, threshold and margin (sections/breached.ts). '' when none. */
export function renderBreachedChecks(report: Report, opts: { maxRows?: number; blobUrl?: string } = {}): string {
  return mdBlocks(breachedBlocks(report, opts));
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

/** Model, data and policy fingerprints, decision settings, seed, tool version and runtime (sections/run.ts). */
export function renderProvenance(report: Report): string {
  return mdSection(runSection(report));
}

/** Notes about the model, data and skipped checks. Empty string when none. */
export function renderNotes(report: Report, opts: { maxNotes?: number; heading?: boolean } = {}): string {
  const s = notesSection(report, opts.maxNotes);
  return s ? mdSection(s, opts) : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Fairness

export { selectGroups } from './sections/fairness.js';

/** Per-group table of one sensitive attribute (or intersection), with the overall row last. */
export function renderGroupTable(attr: AttributeResult, report: Report, opts: { maxGroups?: number } = {}): string {
  return mdBlocks([groupTableBlock(attr, report, opts.maxGroups ?? DEFAULT_MAX_GROUPS)]);
}

/** One row per attribute: groups, fairlearn's summary metrics and the gate's result for that attribute. */
export function renderFairnessOverview(report: Report): string {
  const blocks = fairnessOverviewBlocks(report);
  return blocks.length ? mdBlocks([{ k: 'heading', c: ['Fairness'] }, ...blocks]) : '';
}

/** Collapsible group table of one attribute; open when a check on it breached. */
export function renderFairnessAttribute(attr: AttributeResult, report: Report, opts: { maxGroups?: number } = {}): string {
  const open = checksOfAttribute(report, attr).some(isBreached);
  return mdBlocks([{ k: 'details', summary: groupTableSummary(attr, report), open, blocks: [groupTableBlock(attr, report, opts.maxGroups ?? DEFAULT_MAX_GROUPS)] }]);
}

/** The fairness overview and one group table per attribute. Empty string when the policy names no attribute. */
export function renderFairness(report: Report, opts: { maxGroups?: number } = {}): string {
  if (report.fairness.length === 0) return '';
  return [renderFairnessOverview(report), ...report.fairness.map((a) => renderFairnessAttribute(a, report, opts))].join('\n\n');
}

// ---------------------------------------------------------------------------------------------------------------
// Performance

/** All performance metrics, the confusion matrix and where the KS statistic is reached (collapsed). */
export function renderPerformance(report: Report): string {
  return mdBlocks([{ k: 'details', summary: [strong(`Performance on ${plural(report.dataset.rows, 'row')}`)], open: false, blocks: performanceBlocks(report) }]);
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
  const mermaid = mermaidCharts(report);
  const { breached, other } = chartNames(mermaid, report);
  if (breached.length === 0 && other.length === 0) return '';
  const blocks: Block[] = [
    ...(opts.heading === false ? [] : [{ k: 'heading', c: ['Charts'] } as Block]),
    ...(breached.length ? [breachChartsBlock(breached)] : []),
    ...(other.length ? [otherChartsBlock(other, breached.length > 0, ['ROC curve, per-group rates'])] : []),
  ];
  return mdBlocks(blocks, { mermaid });
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
