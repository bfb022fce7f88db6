/** The verdict's counts, said once for the job summary, the comment and the terminal ('3 failed (1 not run)', …). */
import { outcomeCounts } from '../breaches.js';
import { formatCount, plural } from '../format.js';
import type { Report } from '../types.js';
import { code, strong, type Inline } from '../doc/model.js';

export interface VerdictCount {
  /** '3 failed' */
  words: string;
  /** ' (1 on insufficient data, 1 not run)' or '' */
  extra: string;
  /** failed and warned counts carry a level (bold in markdown, coloured in the terminal). */
  level?: 'fail' | 'warn';
}

function onInsufficient(k: number, notRun = 0): string {
  const parts = [k > 0 ? `${formatCount(k)} on insufficient data` : '', notRun > 0 ? `${formatCount(notRun)} not run` : ''].filter((x) => x !== '');
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export function verdictCounts(report: Report): VerdictCount[] {
  const n = outcomeCounts(report.checks);
  const out: VerdictCount[] = [];
  if (n.failed > 0) out.push({ words: `${formatCount(n.failed)} failed`, extra: onInsufficient(n.failedInsufficient, n.failedNotRun), level: 'fail' });
  if (n.warned > 0) out.push({ words: `${formatCount(n.warned)} warned`, extra: onInsufficient(n.warnedInsufficient, n.warnedNotRun), level: 'warn' });
  out.push({ words: `${formatCount(n.passed)} passed`, extra: '' });
  if (n.notGated > 0) out.push({ words: `${formatCount(n.notGated)} not gated (insufficient data)`, extra: '' });
  return out;
}

/** '**1 failed** · 10 passed — 11 checks of `model.onnx` on `test.csv` (16,281 rows), policy `policy.yml`'. */
export function verdictLine(report: Report): Inline[] {
  const counts = verdictCounts(report).flatMap((c, i): Inline[] => [...(i > 0 ? [' · '] : []), c.level === 'fail' ? strong(c.words) : c.words, c.extra]);
  return [
    ...counts,
    ` — ${plural(report.checks.length, 'check')} of `,
    code(report.model.path),
    ' on ',
    code(report.dataset.path),
    ` (${plural(report.dataset.rows, 'row')}), policy `,
    code(report.policy.path),
  ];
}
