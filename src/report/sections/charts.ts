/**
 * The compact (mermaid) charts of the job summary and the PR comment, by name: those about what breached (the ROC
 * curve when a performance check breached, the group rates of a breached fairness attribute) shown open, the others
 * collapsed. The markdown serializer writes each named chart from mermaid.ts.
 */
import { isBreached } from '../breaches.js';
import type { MermaidChart } from '../mermaid.js';
import type { Report } from '../types.js';
import { strong, type Block, type Inline } from '../doc/model.js';

/** Names of the charts about what breached (at most `maxBreached`; the rest join the others) and of the others. */
export function chartNames(charts: readonly MermaidChart[], report: Report, maxBreached = Number.POSITIVE_INFINITY): { breached: string[]; other: string[] } {
  const breachedAttrs = new Set(report.checks.filter((c) => c.section === 'fairness' && isBreached(c)).map((c) => c.scope));
  const perfBreached = report.checks.some((c) => c.section === 'performance' && isBreached(c));
  const out = { breached: [] as string[], other: [] as string[] };
  for (const c of charts) {
    const hot = c.name === 'roc' ? perfBreached : c.attribute !== undefined && breachedAttrs.has(c.attribute);
    (hot ? out.breached : out.other).push(c.name);
  }
  if (out.breached.length > maxBreached) out.other.unshift(...out.breached.splice(maxBreached));
  return out;
}

/** The open block of the breach charts. */
export function breachChartsBlock(names: string[]): Block {
  return { k: 'details', summary: ['📈 ', strong('Charts of the breaches')], open: true, blocks: [{ k: 'charts', names }] };
}

/** The block of the other charts, with what they are; open when there is no breach chart. */
export function otherChartsBlock(names: string[], anyBreached: boolean, what: Inline[], open = !anyBreached): Block {
  return { k: 'details', summary: ['📈 ', strong(anyBreached ? 'More charts' : 'Charts'), ' (', ...what, ')'], open, blocks: [{ k: 'charts', names }] };
}
