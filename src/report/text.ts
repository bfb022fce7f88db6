/**
 * The CLI's terminal output: verdict line, an aligned table of every check (breached first), the breached
 * thresholds as `file:line:col: level: message` lines (clickable in editors and terminals), and notes.
 * Pure: Report -> string. ANSI colour only when opts.color; names from data are stripped of escape sequences.
 */
import { compareBySeverity, outcomeCounts, rankedBreaches } from './breaches.js';
import { sanitizeTerminal } from './escape.js';
import { formatCount, formatSigned, formatThresholdAscii, formatValue, plural, shortSha, truncate } from './format.js';
import type { CheckResult, Report } from './types.js';

export interface TextOptions {
  /** Use ANSI colours (the CLI passes true for a TTY without NO_COLOR). */
  color?: boolean;
  /** Terminal width in columns (default 100, at least 60). */
  width?: number;
}

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m' };
type Style = keyof typeof ANSI;

function paint(text: string, color: boolean, ...styles: Style[]): string {
  if (!color || styles.length === 0) return text;
  return `${styles.map((s) => ANSI[s]).join('')}${text}${ANSI.reset}`;
}

/** Code points, so that alignment is right for accented names (wide CJK characters are not measured). */
function width(s: string): number {
  return [...s].length;
}

function fit(s: string, w: number): string {
  const chars = [...s];
  if (chars.length <= w) return s + ' '.repeat(w - chars.length);
  return `${chars.slice(0, Math.max(0, w - 1)).join('')}…`;
}

function fitRight(s: string, w: number): string {
  const n = width(s);
  return n >= w ? s : ' '.repeat(w - n) + s;
}

/** 'FAIL', 'WARN', 'PASS', 'INSUFFICIENT' and its colour. */
export function statusWord(check: CheckResult): { word: string; style: Style } {
  if (check.status === 'insufficient') return { word: 'INSUFFICIENT', style: check.outcome === 'fail' ? 'red' : check.outcome === 'warn' ? 'yellow' : 'cyan' };
  if (check.status === 'pass') return { word: 'PASS', style: 'green' };
  return check.outcome === 'fail' ? { word: 'FAIL', style: 'red' } : { word: 'WARN', style: 'yellow' };
}

function checkName(check: CheckResult): string {
  const suffix = check.scope !== undefined ? ` (${check.scope})` : '';
  const title = suffix !== '' && check.title.endsWith(suffix) ? check.title.slice(0, -suffix.length) : check.title;
  return sanitizeTerminal(title);
}

/** The verdict line and what was evaluated. */
export function renderTextHeader(report: Report, color = false): string {
  const n = outcomeCounts(report.checks);
  const pass = report.verdict === 'pass';
  const verdict = paint(pass ? '✔ PASS' : '✖ FAIL', color, 'bold', pass ? 'green' : 'red');
  const onInsufficient = (k: number) => (k > 0 ? ` (${formatCount(k)} on insufficient data)` : '');
  const counts = [
    n.failed > 0 ? paint(`${formatCount(n.failed)} failed`, color, 'red') + onInsufficient(n.failedInsufficient) : '',
    n.warned > 0 ? paint(`${formatCount(n.warned)} warned`, color, 'yellow') + onInsufficient(n.warnedInsufficient) : '',
    `${formatCount(n.passed)} passed`,
    n.notGated > 0 ? `${formatCount(n.notGated)} not gated (insufficient data)` : '',
  ].filter((x) => x !== '');
  const line1 = `${verdict}  model-risk-gate: ${counts.join(', ')} (${plural(n.checks, 'check')})`;
  const line2 =
    `  model ${sanitizeTerminal(report.model.path, { maxLength: 80 })} (sha256 ${shortSha(report.model.sha256)})` +
    ` · data ${sanitizeTerminal(report.dataset.path, { maxLength: 80 })} (${plural(report.dataset.rows, 'row')})` +
    ` · policy ${sanitizeTerminal(report.policy.path, { maxLength: 80 })} · seed ${report.seed}`;
  return `${line1}\n${paint(line2, color, 'dim')}`;
}

/** The checks table, breached first (then passing checks closest to their threshold first). */
export function renderTextTable(report: Report, opts: TextOptions = {}): string {
  const color = opts.color ?? false;
  const total = Math.max(60, Math.trunc(opts.width ?? 100));
  if (report.checks.length === 0) return '  (the policy names no checks)';
  const checks = [...report.checks].sort(compareBySeverity);
  const rows = checks.map((c) => ({
    check: c,
    status: statusWord(c),
    name: checkName(c),
    scope: c.scope === undefined ? '' : sanitizeTerminal(c.scope),
    value: formatValue(c.value),
    threshold: formatThresholdAscii(c.threshold),
    margin: formatSigned(c.margin),
  }));
  const head = { status: 'STATUS', name: 'CHECK', scope: 'SCOPE', value: 'VALUE', threshold: 'THRESHOLD', margin: 'MARGIN' };
  const w = {
    status: Math.max(width(head.status), ...rows.map((r) => width(r.status.word))),
    name: Math.max(width(head.name), ...rows.map((r) => width(r.name))),
    scope: Math.max(width(head.scope), ...rows.map((r) => width(r.scope))),
    value: Math.max(width(head.value), ...rows.map((r) => width(r.value))),
    threshold: Math.max(width(head.threshold), ...rows.map((r) => width(r.threshold))),
    margin: Math.max(width(head.margin), ...rows.map((r) => width(r.margin))),
  };
  const gaps = 2 + 2 * 5; // indent + gaps between 6 columns
  const fixed = w.status + w.value + w.threshold + w.margin + gaps;
  const room = total - fixed;
  // Share the remaining width between check and scope, the check name getting at least 60%.
  if (w.name + w.scope > room) {
    const scope = Math.min(w.scope, Math.max(width(head.scope), Math.floor(room * 0.4)));
    w.scope = scope;
    w.name = Math.max(width(head.name), room - scope);
  }
  const line = (r: { status: string; name: string; scope: string; value: string; threshold: string; margin: string }, style?: Style) =>
    `  ${paint(fit(r.status, w.status), color, ...(style ? [style] : []))}  ${fit(r.name, w.name)}  ${fit(r.scope, w.scope)}  ` +
    `${fitRight(r.value, w.value)}  ${fit(r.threshold, w.threshold)}  ${fitRight(r.margin, w.margin)}`;
  const out = [paint(line(head).trimEnd(), color, 'bold')];
  for (const r of rows) out.push(line({ ...r, status: r.status.word }, r.status.style).trimEnd());
  return out.join('\n');
}

/** `file:line:col: error: message` per breached check, worst first. Empty string when nothing breached. */
export function renderTextBreaches(report: Report, color = false): string {
  const breached = rankedBreaches(report.checks);
  if (breached.length === 0) return '';
  return breached
    .map((c) => {
      // Never start a line with '::' (a workflow command when the CLI runs inside GitHub Actions).
      const file = sanitizeTerminal(c.location.file);
      const where = `${file.startsWith(':') ? './' : ''}${file}:${c.location.line}:${c.location.column}`;
      const level = c.outcome === 'fail' ? paint('error', color, 'red') : paint('warning', color, 'yellow');
      return `${where}: ${level}: ${truncate(sanitizeTerminal(c.message), 300)}`;
    })
    .join('\n');
}

/** Notes, one per line. Empty string when none. */
export function renderTextNotes(report: Report): string {
  const notes = report.notes.concat(report.model.info.notes ?? []);
  if (notes.length === 0) return '';
  return ['Notes:', ...notes.slice(0, 50).map((n) => `  - ${sanitizeTerminal(n, { maxLength: 300 })}`)].join('\n');
}

/** The whole terminal output. */
export function renderText(report: Report, opts: TextOptions = {}): string {
  const color = opts.color ?? false;
  const parts = [renderTextHeader(report, color), renderTextTable(report, opts), renderTextBreaches(report, color), renderTextNotes(report)];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}
