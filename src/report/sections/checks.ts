/**
 * The table of checks: status, check, scope, value, threshold, margin, one row per check. Built once; the terminal
 * shows it breached first (then passing checks closest to their threshold).
 */
import { compareBySeverity } from '../breaches.js';
import { formatCheckMargin, formatCheckValue, formatThresholdAscii } from '../format.js';
import type { CheckResult } from '../types.js';
import { col, fig, status, type Block } from '../doc/model.js';

/** Check title without the '(scope)' suffix the checks add, since scope has its own column. */
export function checkNameText(check: CheckResult): string {
  const suffix = check.scope !== undefined ? ` (${check.scope})` : '';
  return suffix !== '' && check.title.endsWith(suffix) ? check.title.slice(0, -suffix.length) : check.title;
}

/** Every check, worst first: status, check, scope, value, threshold, margin. */
export function checksTableBlock(checks: readonly CheckResult[]): Extract<Block, { k: 'table' }> {
  return {
    k: 'table',
    columns: [col('Status', 'status'), col('Check'), col('Scope', 'name'), col('Value', 'number'), col('Threshold', 'label'), col('Margin', 'number')],
    rows: [...checks].sort(compareBySeverity).map((c) => ({
      check: c,
      cells: [[status(c)], [checkNameText(c)], [c.scope ?? ''], [fig(formatCheckValue(c))], [fig(formatThresholdAscii(c.threshold))], [fig(formatCheckMargin(c))]],
    })),
  };
}
