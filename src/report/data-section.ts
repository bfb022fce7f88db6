/**
 * The data section (issue #13), built once as a document (dataSection) for markdown (job summary, PR comment), HTML and
 * the terminal: a table of the compared columns,
 * drifted first, with the method, the statistic, the (adjusted) p-value and the reference vs current values; then one
 * line each for prediction / label drift, integrity, leakage and representation. Everything comes from report.data;
 * every text from the data (column names, categories) is escaped.
 */
import type { ColumnSummary, DataReport, DriftColumnResult } from '../checks/data/types.js';
import type { Chart } from './charts/performance-charts.js';
import { formatCompact, formatCount, formatPercent, formatValue, plural } from './format.js';
import type { Report } from './types.js';
import { code, col, em, fig, flag, name, para, strong, text, type Block, type Section } from './doc/model.js';
import { MAX_NAME_LENGTH, mdBlocks } from './doc/markdown.js';
import { htmlBlocks } from './doc/html.js';
import { textBlocks, type TextDocOptions } from './doc/text.js';

export const MAX_DATA_ROWS = 30;

const METHOD: Record<string, string> = { ks: 'KS', wasserstein: 'Wasserstein/σ', psi: 'PSI', jensen_shannon: 'JS distance', chi_square: 'χ²' };

function method(c: DriftColumnResult): string {
  return METHOD[c.method] ?? c.method;
}

function pText(c: DriftColumnResult): string {
  const p = c.adjustedPValue ?? c.pValue;
  if (p === undefined) return c.threshold !== undefined ? `> ${formatValue(c.threshold)}?` : '';
  return p < 1e-4 ? '< 0.0001' : formatValue(p);
}

/** Reference or current value of a column, as plain text (numbers: mean and range; categories: the top one). */
function summaryText(s: ColumnSummary, kind: 'numeric' | 'categorical'): string {
  const missing = s.missing > 0 ? `, ${formatPercent(s.missing / Math.max(1, s.rows))} missing` : '';
  if (kind === 'numeric') {
    if (s.mean === undefined) return `no values${missing}`;
    return `mean ${formatCompact(s.mean)} [${formatCompact(s.min)}, ${formatCompact(s.max)}]${missing}`;
  }
  if (s.top === undefined) return `no values${missing}`;
  return `${s.top} ${formatPercent(s.topShare)} (${formatCount(s.distinct)} values)${missing}`;
}

function driftLines(d: DataReport): Array<{ label: string; text: string }> {
  const out: Array<{ label: string; text: string }> = [];
  const drift = d.drift;
  if (drift?.prediction) {
    const p = drift.prediction;
    out.push({ label: 'Prediction drift', text: `${method(p)} ${formatValue(p.statistic)}${p.pValue !== undefined ? ` (p = ${pText(p)})` : ''}; mean score ${formatValue(p.reference.mean)} → ${formatValue(p.current.mean)}` });
  }
  if (drift?.label) {
    const l = drift.label;
    out.push({ label: 'Label drift', text: `positive rate ${formatValue(l.reference)} → ${formatValue(l.current)} (χ² p = ${formatValue(l.pValue)})` });
  }
  const it = d.integrity;
  const worstMissing = [...it.columns].sort((a, b) => b.missingShare - a.missingShare)[0];
  out.push({
    label: 'Integrity',
    text: [
      `${formatCount(it.duplicateRows)} duplicate rows (${formatPercent(it.duplicateShare, 2)})`,
      worstMissing && worstMissing.missingShare > 0 ? `most missing: ${worstMissing.column} ${formatPercent(worstMissing.missingShare)}` : 'no missing values',
      it.constantColumns.length ? `constant: ${it.constantColumns.slice(0, 5).join(', ')}` : '',
      it.mixedTypeColumns.length ? `mixed types: ${it.mixedTypeColumns.slice(0, 5).join(', ')}` : '',
      ...it.columns.filter((c) => (c.unseenShare ?? 0) > 0).slice(0, 3).map((c) => `${c.column}: ${formatPercent(c.unseenShare, 2)} unseen categories`),
      ...it.columns.filter((c) => (c.outOfRangeShare ?? 0) > 0).slice(0, 3).map((c) => `${c.column}: ${formatPercent(c.outOfRangeShare, 2)} outside the reference range`),
    ]
      .filter((x) => x !== '')
      .join('; '),
  });
  if (d.leakage) {
    const l = d.leakage;
    const best = l.singleColumn[0];
    out.push({
      label: 'Leakage',
      text: [
        l.training ? `${formatCount(l.overlapRows)} of ${formatCount(it.rows)} evaluation rows are training rows (${formatPercent(l.overlapShare, 2)})${l.overlapLines.length ? `, first at line${l.overlapLines.length > 1 ? 's' : ''} ${l.overlapLines.slice(0, 5).join(', ')}` : ''}` : '',
        best ? `best single column: ${best.column} (ROC AUC ${formatValue(best.auc)})` : '',
      ]
        .filter((x) => x !== '')
        .join('; '),
    });
  }
  if (d.representation) {
    for (const a of d.representation.attributes) {
      const below = a.groups.filter((g) => g.belowMin);
      const moved = a.groups
        .filter((g) => g.referenceShare !== undefined)
        .sort((x, y) => Math.abs(y.share - (y.referenceShare as number)) - Math.abs(x.share - (x.referenceShare as number)))[0];
      out.push({
        label: `Groups of ${a.name}`,
        text: [
          `${plural(a.groups.length, 'group')}`,
          below.length ? `below ${formatCount(d.representation.minCount)} rows: ${below.slice(0, 5).map((g) => `${g.key} (${formatCount(g.count)})`).join(', ')}` : `all ≥ ${formatCount(d.representation.minCount)} rows`,
          moved ? `largest share change: ${moved.key} ${formatPercent(moved.referenceShare)} → ${formatPercent(moved.share)}` : '',
        ]
          .filter((x) => x !== '')
          .join('; '),
      });
    }
  }
  return out;
}

/** The data section as a document: reference, drift sentence and table (drifted first), one line per other finding. */
export function dataSection(report: Report): Section | undefined {
  const d = report.data;
  if (!d) return undefined;
  const blocks: Block[] = [];
  if (d.reference) blocks.push(para('Reference: ', code(d.reference.path), ` (${formatCount(d.reference.rows)} rows) · evaluation data: ${formatCount(report.dataset.rows)} rows`));
  if (d.drift) {
    const correction = d.drift.correction === 'none' ? '' : `, ${d.drift.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'}-adjusted p`;
    blocks.push(para(strong('Drift:'), ` ${formatCount(d.drift.drifted)} of ${plural(d.drift.columns.length, 'column')} drifted (α = ${formatCompact(d.drift.alpha)}${correction}).`));
    blocks.push({
      k: 'table',
      columns: [col('', 'status'), col('Column', 'name'), col('Test', 'label'), col('Statistic', 'number'), col('p / threshold', 'number'), col('Reference', 'text', ['markdown', 'html']), col('Current', 'text', ['markdown', 'html'])],
      rows: d.drift.columns.map((c) => ({
        cells: [[c.drifted ? flag('warn', 'drifted') : 'ok'], [name(c.column)], [method(c)], [fig(formatValue(c.statistic))], [fig(pText(c))], [name(summaryText(c.reference, c.kind))], [name(summaryText(c.current, c.kind))]],
      })),
      maxRows: MAX_DATA_ROWS,
      more: (n) => [em(`${plural(n, 'more column')} without drift not shown; see the JSON report.`)],
    });
  }
  const lines = driftLines(d);
  if (lines.length) blocks.push({ k: 'list', items: lines.map((l) => [strong(text(l.label, MAX_NAME_LENGTH), ':'), ' ', text(l.text, 600)]) });
  blocks.push({ k: 'charts', prefix: 'drift-' });
  return { id: 'data', title: 'Data', blocks };
}

/** The data section in markdown ('' when the report has none). */
export function renderDataMarkdown(report: Report, opts: { heading?: boolean; maxRows?: number } = {}): string {
  const s = dataSection(report);
  if (!s) return '';
  return mdBlocks([...(opts.heading !== false ? [{ k: 'heading', c: [s.title] } as Block] : []), ...s.blocks], opts.maxRows !== undefined ? { maxRows: opts.maxRows } : {});
}

/** The data section's body in HTML: the drift table, the other lines and the overlay charts. */
export function renderDataHtml(report: Report, charts: Chart[]): string {
  const s = dataSection(report);
  return s ? htmlBlocks(s.blocks, { charts }) : '';
}

/** The data section in the terminal ('' when the report has none). */
export function renderDataText(report: Report, opts: TextDocOptions = {}): string {
  const s = dataSection(report);
  return s ? textBlocks([{ k: 'heading', c: [s.title] }, ...s.blocks], opts) : '';
}
