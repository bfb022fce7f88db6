/**
 * The CLI's terminal output: verdict line, an aligned table of every check (breached first), the breached
 * thresholds as `file:line:col: level: message` lines (clickable in editors and terminals), the comparison with the
 * base model (metric before -> after, change), one line per robustness attack, the top features, and notes.
 * Pure: Report -> string. The sections are the summary's documents (src/report/sections/*) written by doc/text.ts.
 * ANSI colour only when opts.color; names from data are stripped of escape sequences.
 */
import { adverseTerms } from './favourable-words.js';
import { rankedBreaches } from './breaches.js';
import { sanitizeTerminal } from './escape.js';
import { plural, shortSha, truncate } from './format.js';
import { TEXT_IMPORTANCE_ROWS } from './section-views.js';
import type { Report } from './types.js';
import { paint, textBlocks, textSection, textTable } from './doc/text.js';
import { policyChangesBlocks } from './sections/policy-changes.js';
import { checksTableBlock } from './sections/checks.js';
import { notesSection } from './sections/notes.js';
import { explainabilitySection } from './sections/explainability.js';
import { baselineSection } from './sections/baseline.js';
import { robustnessSection } from './sections/robustness.js';
import { verdictCounts } from './sections/verdict.js';
import { renderDataText } from './data-section.js';

export { statusWord, wrapCell } from './doc/text.js';

/** Most rows of the baseline block in the terminal. */
const TEXT_BASELINE_ROWS = 20;

export interface TextOptions {
  /** Use ANSI colours (the CLI passes true for a TTY without NO_COLOR). */
  color?: boolean;
  /** Terminal width in columns (default 100, at least 60). */
  width?: number;
}

/** The verdict line and what was evaluated. */
export function renderTextHeader(report: Report, color = false): string {
  const pass = report.verdict === 'pass';
  const verdict = paint(pass ? '✔ PASS' : '✖ FAIL', color, 'bold', pass ? 'green' : 'red');
  const counts = verdictCounts(report).map((c) => (c.level ? paint(c.words, color, c.level === 'fail' ? 'red' : 'yellow') : c.words) + c.extra);
  const line1 = `${verdict}  model-risk-gate: ${counts.join(', ')} (${plural(report.checks.length, 'check')})`;
  const line2 =
    `  model ${sanitizeTerminal(report.model.path, { maxLength: 80 })} (sha256 ${shortSha(report.model.sha256)})` +
    ` · data ${sanitizeTerminal(report.dataset.path, { maxLength: 80 })} (${plural(report.dataset.rows, 'row')})` +
    ` · policy ${sanitizeTerminal(report.policy.path, { maxLength: 80 })} · seed ${report.seed}`;
  const t = adverseTerms(report);
  const line3 = t
    ? `\n${paint(`  fairness on the favourable outcome ${sanitizeTerminal(t.label, { maxLength: 40 })} (the positive class ${sanitizeTerminal(t.adverseLabel, { maxLength: 40 })} is adverse): selection rate = rate of ${sanitizeTerminal(t.label, { maxLength: 40 })} decisions; the lowest group is the one flagged ${sanitizeTerminal(t.adverseLabel, { maxLength: 40 })} most`, color, 'dim')}`
    : '';
  const loosened = policyChangesBlocks(report);
  const line4 = loosened.length ? `\n${paint(textBlocks(loosened), color, 'yellow')}` : '';
  return `${line1}\n${paint(line2, color, 'dim')}${line3}${line4}`;
}

/** The checks table, breached first (then passing checks closest to their threshold first). */
export function renderTextTable(report: Report, opts: TextOptions = {}): string {
  if (report.checks.length === 0) return '  (the policy names no checks)';
  return textTable(checksTableBlock(report.checks, { policyPath: report.policy.path }), opts).join('\n');
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
  const s = notesSection(report);
  return s ? textSection(s) : '';
}

/** The comparison with the base model: what was compared, then metric, base -> PR, change, interval, gate. */
export function renderTextBaseline(report: Report, opts: TextOptions = {}): string {
  const s = baselineSection(report);
  return s ? textSection(s, { ...opts, maxRows: TEXT_BASELINE_ROWS }) : '';
}

/** The attack battery, the worst case per row and the counterfactual test. */
export function renderTextRobustness(report: Report, opts: TextOptions = {}): string {
  const s = robustnessSection(report, { details: false });
  return s ? textSection(s, opts) : '';
}

/** The method and the top features by mean |SHAP|, sensitive attributes and proxies flagged. */
export function renderTextExplainability(report: Report, opts: TextOptions = {}): string {
  const s = explainabilitySection(report);
  return s ? textSection(s, { ...opts, maxRows: TEXT_IMPORTANCE_ROWS }) : '';
}

/** The whole terminal output. */
export function renderText(report: Report, opts: TextOptions = {}): string {
  const color = opts.color ?? false;
  const parts = [
    renderTextHeader(report, color),
    renderTextTable(report, opts),
    renderTextBreaches(report, color),
    renderDataText(report, opts),
    renderTextBaseline(report, opts),
    renderTextRobustness(report, opts),
    renderTextExplainability(report, opts),
    renderTextNotes(report),
  ];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}
