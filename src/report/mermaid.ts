/**
 * Compact charts for the places GitHub renders mermaid (job summary, PR comment): `xychart-beta` bars of the selection
 * rate by group for each sensitive attribute, and the ROC curve as a line. Mermaid has no escaping inside quoted
 * strings, so labels are reduced to a safe character set (a label can never close the string, the code fence or
 * inject markup). Pure: Report in, fenced ```mermaid blocks out.
 */
import { selectionRateName } from './favourable-words.js';
import type { AttributeResult, CurvePoint } from '../metrics/types.js';
import { sanitizeText } from './escape.js';
import { truncate } from './format.js';
import type { Report } from './types.js';

/** More groups than this make the bars unreadable: the largest groups are kept. */
export const MERMAID_MAX_GROUPS = 16;
/** Points of the resampled ROC curve (x = 0, 0.05, ..., 1). */
export const MERMAID_ROC_POINTS = 21;

/**
 * Text for a mermaid quoted string: no quotes, backticks, square or curly brackets, angle brackets (shown as the
 * full-width ＜ ＞ so '<25' still reads as such), backslashes, semicolons, colons, #, & or line breaks (each becomes a
 * similar harmless character or a space), at most `max` characters.
 */
export function mermaidLabel(text: unknown, max = 24): string {
  const s = sanitizeText(text)
    .replace(/["`]/g, "'")
    .replace(/</g, '＜')
    .replace(/>/g, '＞')
    .replace(/[[{]/g, '(')
    .replace(/[\]}]/g, ')')
    .replace(/[\\;#&%]/g, ' ')
    .replace(/:/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return truncate(s || '?', max);
}

function n4(v: number): string {
  const r = Math.round(v * 10000) / 10000;
  return Object.is(r, -0) ? '0' : String(r);
}

function fenced(lines: string[]): string {
  return ['```mermaid', ...lines, '```'].join('\n');
}

/** Selection rate by group of one attribute, with the overall rate as a line. undefined when no group has a rate. */
export function mermaidSelectionRate(attr: AttributeResult, report?: Pick<Report, 'dataset'>): string | undefined {
  let groups = attr.groups.filter((g) => typeof g.metrics.selection_rate === 'number');
  if (groups.length === 0) return undefined;
  let hidden = 0;
  if (groups.length > MERMAID_MAX_GROUPS) {
    const keep = new Set([...groups].sort((a, b) => b.count - a.count).slice(0, MERMAID_MAX_GROUPS));
    hidden = groups.length - keep.size;
    groups = groups.filter((g) => keep.has(g));
  }
  const labels = groups.map((g) => `"${mermaidLabel(g.key)}${g.sufficient ? '' : ' (too few rows)'}"`);
  const rates = groups.map((g) => g.metrics.selection_rate as number);
  const overall = attr.overall.selection_rate;
  // rate of favourable decisions when the favourable outcome is the negative class (report.fairness is on it)
  const rateName = report ? selectionRateName(report) : 'Selection rate';
  const highest = Math.max(...rates, typeof overall === 'number' ? overall : 0);
  const top = Math.min(1, Math.max(0.1, Math.ceil(highest * 11) / 10));
  const lines = [
    'xychart-beta',
    `  title "${mermaidLabel(`${rateName} by ${attr.name}`, 60)}${hidden ? ` (largest ${groups.length} groups)` : ''}"`,
    `  x-axis [${labels.join(', ')}]`,
    `  y-axis "${mermaidLabel(rateName, 60)}" 0 --> ${n4(top)}`,
    `  bar [${rates.map(n4).join(', ')}]`,
  ];
  if (typeof overall === 'number') lines.push(`  line [${groups.map(() => n4(overall)).join(', ')}]`);
  return fenced(lines);
}

/** Linear interpolation of a curve (sorted by x, ties allowed) at x. */
function interpolate(points: ReadonlyArray<CurvePoint>, x: number): number {
  let prev = points[0]!;
  for (const p of points) {
    if (p.x >= x) {
      if (p.x === prev.x) return Math.max(p.y, prev.y);
      return prev.y + ((x - prev.x) / (p.x - prev.x)) * (p.y - prev.y);
    }
    prev = p;
  }
  return prev.y;
}

/** The ROC curve resampled on an even FPR grid (mermaid lines are evenly spaced), with the chance diagonal. */
export function mermaidRoc(report: Report): string | undefined {
  const roc = report.performance.curves?.roc;
  if (!roc || roc.length < 2) return undefined;
  const sorted = [...roc].sort((a, b) => a.x - b.x || a.y - b.y);
  const grid = Array.from({ length: MERMAID_ROC_POINTS }, (_, i) => i / (MERMAID_ROC_POINTS - 1));
  const auc = report.performance.metrics.roc_auc;
  return fenced([
    'xychart-beta',
    `  title "ROC curve (AUC ${typeof auc === 'number' ? auc.toFixed(4) : 'n/a'}); diagonal = chance"`,
    '  x-axis "False positive rate" 0 --> 1',
    '  y-axis "True positive rate" 0 --> 1',
    `  line [${grid.map((x) => n4(Math.min(1, Math.max(0, interpolate(sorted, x))))).join(', ')}]`,
    `  line [${grid.map(n4).join(', ')}]`,
  ]);
}

/** Every compact chart: the ROC curve, then selection rate by each single sensitive attribute (not intersections). */
export function mermaidCharts(report: Report, options: { intersections?: boolean } = {}): Array<{ name: string; title: string; block: string }> {
  const out: Array<{ name: string; title: string; block: string }> = [];
  const roc = mermaidRoc(report);
  if (roc) out.push({ name: 'roc', title: 'ROC curve', block: roc });
  for (const attr of report.fairness) {
    if (attr.attributes.length > 1 && !options.intersections) continue;
    const block = mermaidSelectionRate(attr, report);
    if (block) out.push({ name: `selection-rate-${attr.name}`, title: `${selectionRateName(report)} by ${attr.name}`, block });
  }
  return out;
}
