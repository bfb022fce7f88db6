/**
 * The table of checks, built once for every place that lists checks (the terminal, the job summary's "All checks",
 * the comment's per-section blocks, HTML's breaches, all-checks and per-section tables): worst first, status, check,
 * scope in words, value, interval, threshold, margin; HTML adds the section, the policy line and why a check had
 * insufficient evidence. The terminal writes thresholds in ASCII (<=), the others with ≤.
 */
import { compareBySeverity } from '../breaches.js';
import { formatCheckMargin, formatCheckValue, formatIntervalBounds, formatLevel, formatThreshold, formatThresholdAscii } from '../format.js';
import { readableScope } from '../scope-words.js';
import type { CheckResult, CheckSection } from '../types.js';
import { code, col, fig, only, status, type Block, type Column, type Inline, type Row } from '../doc/model.js';

export const SECTION_TITLES: Record<CheckSection, string> = {
  performance: 'Performance',
  fairness: 'Fairness',
  robustness: 'Robustness',
  explainability: 'Explainability',
  baseline: 'Baseline comparison',
  data: 'Data',
};

/** Check title without the '(scope)' suffix the checks add, since scope has its own column. */
export function checkNameText(check: CheckResult): string {
  const suffix = check.scope !== undefined ? ` (${check.scope})` : '';
  return suffix !== '' && check.title.endsWith(suffix) ? check.title.slice(0, -suffix.length) : check.title;
}

/** The check's title, with its scope in words when the title does not already say it. */
export function checkTitleWithScope(check: CheckResult): string {
  if (check.scope === undefined) return check.title;
  const words = readableScope(check.scope);
  if (check.title.includes(check.scope) || check.title.includes(words)) return check.title;
  // Robustness titles say the attack and budget in their own words ('categorical, ≤ 2 changes').
  if (check.section === 'robustness' && /\(.+\)$/.test(check.title)) return check.title;
  return `${check.title} (${words})`;
}

export interface ChecksTableOptions {
  /** The policy file of the report (the Policy column says 'line N' for it, file:line for another file). */
  policyPath: string;
  /** A Scope column (default true); without it the check's title says its scope in words (the narrow PR comment). */
  scope?: boolean;
  /** The Interval column when a check has one (default true). */
  interval?: boolean;
  /** HTML: a Section column, for tables of checks from several sections. */
  section?: boolean;
  /** HTML: each row carries the check's anchor (`check-<id>`); set on one table only, since ids are unique on a page. */
  anchors?: boolean;
  /** Rows shown in the compact targets, and what is said of the rest. */
  maxRows?: number;
  more?: (omitted: number) => Inline[];
}

/** Every check, worst first (breached, then passing ones closest to their threshold). */
export function checksTableBlock(checks: readonly CheckResult[], opts: ChecksTableOptions): Extract<Block, { k: 'table' }> {
  const scope = opts.scope !== false;
  const withInterval = opts.interval !== false && checks.some((c) => c.interval !== undefined);
  const levels = new Set(checks.filter((c) => c.interval).map((c) => c.interval?.level));
  const sharedLevel = levels.size === 1 ? ([...levels][0] as number) : undefined;
  const withWhy = checks.some((c) => c.status === 'insufficient' || c.status === 'not-run');
  const columns: Column[] = [
    col('Status', 'status'),
    col('Check'),
    ...(scope ? [col('Scope', 'name')] : []),
    ...(opts.section ? [col('Section', 'label', ['html'])] : []),
    col('Value', 'number'),
    ...(withInterval ? [col(sharedLevel !== undefined ? `${formatLevel(sharedLevel)} interval` : 'Interval', 'label', ['markdown', 'html'])] : []),
    col('Threshold', 'label'),
    col('Margin', 'number'),
    col('Policy', 'label', ['html']),
    ...(withWhy ? [col('Why insufficient', 'text', ['html'])] : []),
  ];
  const rows: Row[] = [...checks].sort(compareBySeverity).map((c) => {
    const where = `${c.location.file}:${c.location.line}`;
    return {
      check: c,
      ...(opts.anchors ? { id: `check-${c.id.replace(/[^A-Za-z0-9_-]/g, '-')}` } : {}),
      cells: [
        [status(c)],
        [scope ? checkNameText(c) : checkTitleWithScope(c)],
        ...(scope ? [[c.scope === undefined ? only(['markdown', 'html'], fig('—')) : readableScope(c.scope)]] : []),
        ...(opts.section ? [[SECTION_TITLES[c.section] ?? c.section]] : []),
        [fig(formatCheckValue(c))],
        ...(withInterval
          ? [c.interval ? [fig(`${sharedLevel === undefined ? `${formatLevel(c.interval.level)} ` : ''}${formatIntervalBounds(c.interval)}`), ' ', c.interval.method] : [fig('—')]]
          : []),
        [only(['markdown', 'html'], fig(formatThreshold(c.threshold))), only(['text'], fig(formatThresholdAscii(c.threshold)))],
        [fig(formatCheckMargin(c))],
        [c.location.file === opts.policyPath ? `line ${c.location.line}` : code(where)],
        // The message restates value, interval and threshold; only an insufficient result needs its reason spelled out.
        ...(withWhy ? [[c.status === 'insufficient' || c.status === 'not-run' ? c.message : '']] : []),
      ],
    };
  });
  return { k: 'table', columns, rows, ...(opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {}), ...(opts.more ? { more: opts.more } : {}) };
}
