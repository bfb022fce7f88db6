/**
 * Annotations on the policy lines whose thresholds were breached. Pure: Report -> Annotation[]; the publisher
 * writes them with `formatWorkflowCommand` (stdout) or @actions/core (`toAnnotationProperties`).
 *
 * GitHub shows at most 10 error and 10 warning annotations per step, so breaches are ranked (failures first, then
 * by relative margin, worst first) and the rest is counted in one notice that points to the job summary.
 * outcome 'fail' -> error, 'warn' -> warning; an insufficient-evidence check counts by its outcome.
 */
import { rankedBreaches } from './breaches.js';
import { escapeWorkflowCommandData, escapeWorkflowCommandProperty, sanitizeText } from './escape.js';
import { formatCheckMargin, formatCompact, formatInterval, plural, truncate } from './format.js';
import type { CheckResult, Report } from './types.js';

export type AnnotationLevel = 'error' | 'warning' | 'notice';

export interface Annotation {
  level: AnnotationLevel;
  /** Plain text (may hold line breaks); escaped when written. */
  message: string;
  /** Plain text, one line. */
  title: string;
  /** Path relative to the workspace (the policy file). */
  file: string;
  line: number;
  column: number;
}

/** GitHub's display limit per step and level. */
export const MAX_ANNOTATIONS_PER_LEVEL = 10;
const MAX_TITLE = 200;
const MAX_MESSAGE = 2000;

function titleOf(check: CheckResult): string {
  const what =
    check.status === 'not-run'
      ? ': not run'
      : check.status === 'insufficient'
      ? ': insufficient evidence'
      : ` ${check.threshold.kind === 'min' ? 'below' : 'above'} ${formatCompact(check.threshold.value)}`;
  return truncate(sanitizeText(`${check.title}${what}`), MAX_TITLE);
}

/**
 * The check's own message (value, interval, limit and by how much), said once: the margin is added only when the
 * message does not already give it ('breaches max 0.05 by 0.0992'), the interval only when it is not already there.
 * No internal check id: the title names the check, the annotation sits on its policy line.
 */
function messageOf(check: CheckResult): string {
  const first = sanitizeText(check.message);
  const facts: string[] = [];
  if (check.margin !== null && check.margin !== undefined && check.status !== 'insufficient' && check.status !== 'not-run') {
    const margin = formatCheckMargin(check);
    const magnitude = margin.replace(/^[-+−]/, '');
    if (!first.includes(` by ${magnitude}`)) facts.push(`margin ${margin}`);
  }
  // The checks' messages may already carry the interval (a CI, or an explainability gate's '95% range 2–4'); do not repeat it.
  if (check.interval && !/\bCI\b|% range \d/.test(first)) facts.push(formatInterval(check.interval));
  return truncate(facts.length ? `${first}\n${facts.join(' · ')}` : first, MAX_MESSAGE);
}

function toAnnotation(check: CheckResult): Annotation {
  return {
    level: check.outcome === 'fail' ? 'error' : 'warning',
    title: titleOf(check),
    message: messageOf(check),
    file: check.location.file,
    line: Math.max(1, Math.trunc(check.location.line)),
    column: Math.max(1, Math.trunc(check.location.column)),
  };
}

/**
 * One annotation per breached check, ranked, at most `maxPerLevel` errors and `maxPerLevel` warnings, plus one
 * notice counting the breaches left out. Passing checks produce nothing.
 */
export function renderAnnotations(report: Report, opts: { maxPerLevel?: number } = {}): Annotation[] {
  const max = opts.maxPerLevel ?? MAX_ANNOTATIONS_PER_LEVEL;
  const breached = rankedBreaches(report.checks);
  const errors = breached.filter((c) => c.outcome === 'fail');
  const warnings = breached.filter((c) => c.outcome === 'warn');
  const shown = [...errors.slice(0, max), ...warnings.slice(0, max)];
  const out = shown.map(toAnnotation);
  const rest = breached.length - shown.length;
  if (rest > 0) {
    const omittedErrors = Math.max(0, errors.length - max);
    const omittedWarnings = Math.max(0, warnings.length - max);
    const parts: string[] = [];
    if (omittedErrors > 0) parts.push(plural(omittedErrors, 'failure'));
    if (omittedWarnings > 0) parts.push(plural(omittedWarnings, 'warning'));
    const firstOmitted = breached.find((c) => !shown.includes(c)) as CheckResult;
    out.push({
      level: 'notice',
      title: `${plural(rest, 'more breached check')}`,
      message: `${plural(rest, 'more breached check')} (${parts.join(', ')}): see the job summary for every check.`,
      file: firstOmitted.location.file,
      line: 1,
      column: 1,
    });
  }
  return out;
}

/** `::error file=...,line=...,col=...,title=...::message`, escaped as the runner expects. */
export function formatWorkflowCommand(a: Annotation): string {
  const props = [
    `file=${escapeWorkflowCommandProperty(a.file)}`,
    `line=${a.line}`,
    `col=${a.column}`,
    `title=${escapeWorkflowCommandProperty(a.title)}`,
  ].join(',');
  return `::${a.level} ${props}::${escapeWorkflowCommandData(a.message)}`;
}

/** Properties for @actions/core's error()/warning()/notice() (which escape them itself). */
export function toAnnotationProperties(a: Annotation): { title: string; file: string; startLine: number; startColumn: number } {
  return { title: a.title, file: a.file, startLine: a.line, startColumn: a.column };
}
