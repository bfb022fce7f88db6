/**
 * What breached, worst first: a table of the measured breaches (value, limit, margin, the policy line, linked to the
 * file at the reviewed commit), then the checks the evidence does not decide either way (a wide interval, too few
 * rows), listed apart so an improvement with a wide interval never reads as "breached" (the outcome still counts as
 * the policy's on_insufficient says). Used by the job summary and the PR comment.
 */
import { rankedBreaches } from '../breaches.js';
import { formatCheckMargin, formatCheckValue, formatCount, formatIntervalBounds, formatLevel, formatThreshold, formatValue, plural } from '../format.js';
import type { CheckResult, Report } from '../types.js';
import { code, col, em, fig, para, status, strong, text, type Block, type Inline } from '../doc/model.js';
import { MAX_NAME_LENGTH, safeUrl } from '../doc/markdown.js';
import { checkTitleWithScope } from './checks.js';

/** Most rows of the breached table by default. */
export const MAX_BREACHED_ROWS = 300;

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
function policyLine(check: CheckResult, report: Report, blobUrl?: string): Inline[] {
  const words: Inline[] = check.location.file === report.policy.path ? [`line ${check.location.line}`] : [code(check.location.file), `:${check.location.line}`];
  const href = policyLineUrl(blobUrl, check.location.file, check.location.line);
  return href ? [{ k: 'link', href, c: words }] : words;
}

/** '▼ better, 0.2064 → 0.2863' for a baseline check (from its details), '' otherwise. */
function baselineChangeText(check: CheckResult): string {
  if (check.section !== 'baseline') return '';
  const d = check.details as { before?: unknown; after?: unknown; delta?: unknown; higherIsBetter?: unknown } | undefined;
  if (!d || typeof d.before !== 'number' || typeof d.after !== 'number' || typeof d.delta !== 'number') return '';
  const arrow = d.delta > 0 ? '▲' : d.delta < 0 ? '▼' : '▬';
  const better = typeof d.higherIsBetter === 'boolean' && d.delta !== 0 ? ((d.delta > 0) === d.higherIsBetter ? 'better' : 'worse') : d.delta === 0 ? 'unchanged' : 'changed';
  return `${arrow} ${better}, ${formatValue(d.before)} → ${formatValue(d.after)}`;
}

/** The title, strong in a list item, then the change of a baseline check in words. */
function titleWithChange(c: CheckResult, emphasis = false): Inline[] {
  const change = baselineChangeText(c);
  const title = text(checkTitleWithScope(c), MAX_NAME_LENGTH);
  return [emphasis ? strong(title) : title, ...(change ? [' (', fig(change), ')'] : [])];
}

export function breachedBlocks(report: Report, opts: { maxRows?: number; blobUrl?: string } = {}): Block[] {
  const all = rankedBreaches(report.checks);
  if (all.length === 0) return [];
  const breached = all.filter((c) => c.status !== 'insufficient');
  const undecided = all.filter((c) => c.status === 'insufficient');
  const max = opts.maxRows ?? MAX_BREACHED_ROWS;
  const blocks: Block[] = [];
  if (breached.length > 0) {
    blocks.push({ k: 'heading', c: [`Breached (${formatCount(breached.length)})`] });
    blocks.push({
      k: 'table',
      columns: [col('', 'status'), col('Check'), col('Value', 'number'), col('Limit', 'label'), col('Margin', 'number'), col('Policy', 'label')],
      rows: breached.map((c) => ({
        cells: [[status(c)], titleWithChange(c), [fig(formatCheckValue(c))], [fig(formatThreshold(c.threshold))], [fig(formatCheckMargin(c))], policyLine(c, report, opts.blobUrl)],
      })),
      maxRows: max,
      fixedRows: true,
      more: (n) => [em(`${plural(n, 'more breached check')} not shown.`)],
    });
  }
  if (undecided.length > 0) {
    if (breached.length === 0) blocks.push(para(strong('No threshold was breached'), ' by a measured value.'));
    const room = Math.max(0, max - Math.min(breached.length, max));
    const shown = undecided.slice(0, Math.max(1, room));
    const items = shown.map((c): Inline[] => {
      const why: Inline =
        c.evidence?.insufficientKind === 'inconclusive' && c.interval
          ? fig(`value ${formatCheckValue(c)}, its ${formatLevel(c.interval.level)} interval ${formatIntervalBounds(c.interval)} reaches both sides of the limit ${formatThreshold(c.threshold)}`)
          : text(c.message.startsWith(`${c.title}: `) ? c.message.slice(c.title.length + 2) : c.message, 400);
      return [status(c), ' ', ...titleWithChange(c, true), ': ', why, ' · ', ...policyLine(c, report, opts.blobUrl)];
    });
    blocks.push({ k: 'heading', c: [`Not decided (${formatCount(undecided.length)})`] });
    blocks.push(para("The evidence does not decide these checks either way; they are not measured breaches, and the policy's ", code('on_insufficient'), ' sets their outcome:'));
    blocks.push({ k: 'list', items });
    if (undecided.length > shown.length) blocks.push(para(em(`${plural(undecided.length - shown.length, 'more undecided check')} not shown.`)));
  }
  return blocks;
}
