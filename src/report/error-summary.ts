/** Job summary for a run that could not use its inputs (exit 2). Pure. */
import { escapeMarkdown } from './escape.js';

export function renderErrorSummary(lines: string[]): string {
  const items = lines.slice(0, 50).map((l) => `- ${escapeMarkdown(l)}`);
  const more = lines.length > 50 ? [`- … and ${lines.length - 50} more`] : [];
  return [
    '## ⚠️ Model risk gate could not run',
    '',
    'The policy, dataset or model could not be used, so no verdict was reached. Fix the following and push again:',
    '',
    ...items,
    ...more,
    '',
  ].join('\n');
}
