/**
 * The data section (issue #13) in markdown (job summary, PR comment) and HTML: a table of the compared columns,
 * drifted first, with the method, the statistic, the (adjusted) p-value and the reference vs current values; then one
 * line each for prediction / label drift, integrity, leakage and representation. Everything comes from report.data;
 * every text from the data (column names, categories) is escaped.
 */
import type { ColumnSummary, DataReport, DriftColumnResult } from '../checks/data/types.js';
import type { Chart } from './charts/performance-charts.js';
import { escapeHtml, escapeMarkdown } from './escape.js';
import { formatCompact, formatCount, formatPercent, formatValue, plural } from './format.js';
import { MAX_NAME_LENGTH, markdownTable, nameCell } from './markdown.js';
import type { Report } from './types.js';

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

/** The data section in markdown ('' when the report has none). */
export function renderDataMarkdown(report: Report, opts: { heading?: boolean; maxRows?: number } = {}): string {
  const d = report.data;
  if (!d) return '';
  const parts: string[] = [];
  if (opts.heading !== false) parts.push('### Data');
  if (d.reference) parts.push(`Reference: ${nameCell(d.reference.path)} (${formatCount(d.reference.rows)} rows) · evaluation data: ${formatCount(report.dataset.rows)} rows`);
  if (d.drift) {
    const max = opts.maxRows ?? MAX_DATA_ROWS;
    const rows = d.drift.columns.slice(0, max).map((c) => [
      c.drifted ? '⚠️ drifted' : 'ok',
      nameCell(c.column),
      method(c),
      formatValue(c.statistic),
      pText(c),
      nameCell(summaryText(c.reference, c.kind)),
      nameCell(summaryText(c.current, c.kind)),
    ]);
    const correction = d.drift.correction === 'none' ? '' : `, ${d.drift.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'}-adjusted p`;
    parts.push(`**Drift:** ${formatCount(d.drift.drifted)} of ${plural(d.drift.columns.length, 'column')} drifted (α = ${formatCompact(d.drift.alpha)}${correction}).`);
    parts.push(markdownTable(['', 'Column', 'Test', 'Statistic', 'p / threshold', 'Reference', 'Current'], rows, ['l', 'l', 'l', 'r', 'r', 'l', 'l']));
    if (d.drift.columns.length > rows.length) parts.push(`_${plural(d.drift.columns.length - rows.length, 'more column')} without drift not shown; see the JSON report._`);
  }
  const lines = driftLines(d);
  if (lines.length) parts.push(lines.map((l) => `- **${escapeMarkdown(l.label, { maxLength: MAX_NAME_LENGTH })}:** ${escapeMarkdown(l.text, { maxLength: 600 })}`).join('\n'));
  return parts.join('\n\n');
}

/** The data section's body in HTML: the drift table, the other lines and the overlay charts. */
export function renderDataHtml(report: Report, charts: Chart[]): string {
  const d = report.data;
  if (!d) return '';
  const e = (t: unknown): string => escapeHtml(t);
  let out = '';
  if (d.reference) out += `<p>Reference: <code>${e(d.reference.path)}</code> (${e(formatCount(d.reference.rows))} rows) · evaluation data: ${e(formatCount(report.dataset.rows))} rows</p>`;
  if (d.drift) {
    out += `<p><strong>Drift:</strong> ${e(formatCount(d.drift.drifted))} of ${e(plural(d.drift.columns.length, 'column'))} drifted (α = ${e(formatCompact(d.drift.alpha))}).</p>`;
    out += '<table><thead><tr><th></th><th>Column</th><th>Test</th><th>Statistic</th><th>p / threshold</th><th>Reference</th><th>Current</th></tr></thead><tbody>';
    for (const c of d.drift.columns) {
      out += `<tr><td>${c.drifted ? '<span class="st warn">drifted</span>' : 'ok'}</td><td>${e(c.column)}</td><td>${e(method(c))}</td><td class="num">${e(formatValue(c.statistic))}</td><td class="num">${e(pText(c))}</td><td>${e(summaryText(c.reference, c.kind))}</td><td>${e(summaryText(c.current, c.kind))}</td></tr>`;
    }
    out += '</tbody></table>';
  }
  const lines = driftLines(d);
  if (lines.length) out += `<ul>${lines.map((l) => `<li><strong>${e(l.label)}:</strong> ${e(l.text)}</li>`).join('')}</ul>`;
  const mine = charts.filter((c) => c.name.startsWith('drift-'));
  if (mine.length) out += `<div class="charts">${mine.map((c) => `<figure>${c.svg}</figure>`).join('')}</div>`;
  return out;
}
