/**
 * Distribution overlays of the data section (issue #13): for each compared column, the reference's and the current
 * data's shares side by side per bin (numeric: equal-width bins over both samples) or per category (the most frequent
 * ones, the rest pooled). Drawn from report.data only; nothing is computed here but the layout.
 */
import type { DistributionOverlay, DriftColumnResult } from '../../checks/data/types.js';
import type { Report } from '../types.js';
import { legend, textWidth } from './legend.js';
import { linearScale, niceDomain } from './scale.js';
import { el, line, paint, rect, svgDocument, text } from './svg.js';
import type { Chart } from './performance-charts.js';

/** Columns drawn in the HTML report (drifted first, as the report orders them). */
export const MAX_OVERLAY_CHARTS = 12;

function binLabel(overlay: DistributionOverlay, i: number): string {
  if (overlay.kind === 'categorical') return overlay.categories?.[i] ?? '';
  const e = overlay.edges ?? [];
  const f = (v: number | undefined): string => (v === undefined ? '' : Math.abs(v) >= 1000 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(3));
  return `${f(e[i])}–${f(e[i + 1])}`;
}

/** One overlay chart: paired bars (reference, current) per bin or category. */
export function overlayChart(id: string, title: string, subtitle: string, overlay: DistributionOverlay): string {
  const n = overlay.reference.length;
  const labels = Array.from({ length: n }, (_, i) => binLabel(overlay, i));
  const longest = Math.max(0, ...labels.map((l) => textWidth(l.slice(0, 24))));
  const band = Math.max(26, Math.min(64, 620 / Math.max(1, n)));
  const rotate = longest > band - 4;
  const left = 64;
  const right = 20;
  const width = Math.max(520, left + right + band * n);
  const bottom = (rotate ? Math.min(140, longest * 0.6 + 12) : 22) + 30;
  let body = text(16, 24, title, { size: 15, weight: 'bold', maxChars: 70 });
  body += text(16, 44, subtitle, { muted: true, maxChars: 110 });
  const lg = legend(
    [
      { label: 'reference', cls: 'muted', swatch: 'box' },
      { label: 'current', cls: 's0', swatch: 'box' },
    ],
    left,
    62,
    width - left - right,
  );
  body += lg.svg;
  const plotTop = 62 + lg.height + 16;
  const plotBottom = plotTop + 200;
  const height = plotBottom + bottom;
  const max = Math.max(0, ...overlay.reference, ...overlay.current);
  const { domain, ticks } = niceDomain({ min: 0, max: max > 0 ? max : 1 }, 4);
  const sy = linearScale(domain, plotBottom, plotTop);
  let grid = '';
  for (const t of ticks) {
    grid += line(left, sy(t), width - right, sy(t), 'grid', { 'stroke-width': 1 });
    grid += text(left - 8, sy(t) + 4, `${Math.round(t * 1000) / 10}%`, { anchor: 'end', muted: true });
  }
  grid += line(left, plotBottom, width - right, plotBottom, 'muted', { 'stroke-width': 1 });
  body += `<g class="grid">${grid}</g>`;
  const bandWidth = (width - right - left) / Math.max(1, n);
  const barWidth = Math.min(24, bandWidth * 0.4);
  let bars = '';
  for (let i = 0; i < n; i++) {
    const cx = left + bandWidth * (i + 0.5);
    const r = overlay.reference[i] ?? 0;
    const c = overlay.current[i] ?? 0;
    let g = rect(cx - barWidth, sy(r), barWidth, plotBottom - sy(r), paint('muted', undefined));
    g += rect(cx, sy(c), barWidth, plotBottom - sy(c), paint('s0', undefined));
    g += rotate
      ? text(cx + 4, plotBottom + 14, labels[i], { anchor: 'end', rotate: -35, maxChars: 24, size: 11 })
      : text(cx, plotBottom + 16, labels[i], { anchor: 'middle', maxChars: 24, size: 11 });
    bars += el('g', { class: 'bar', 'data-label': labels[i] }, g);
  }
  body += `<g class="bars">${bars}</g>`;
  body += text(18, (plotTop + plotBottom) / 2, 'share of rows', { anchor: 'middle', rotate: -90, maxChars: 30 });
  return svgDocument(
    { width, height, title, id, description: `${subtitle}. Paired bars: the reference's share (grey) and the current data's share (blue) per ${overlay.kind === 'numeric' ? 'bin' : 'category'}.` },
    body,
  );
}

const METHOD: Record<string, string> = { ks: 'KS D', wasserstein: 'Wasserstein / σ', psi: 'PSI', jensen_shannon: 'Jensen–Shannon distance', chi_square: 'χ²' };

function statisticText(c: DriftColumnResult): string {
  const p = c.adjustedPValue ?? c.pValue;
  const stat = `${METHOD[c.method] ?? c.method} = ${c.statistic.toPrecision(3)}`;
  const test = p !== undefined ? `, ${c.adjustedPValue !== undefined && c.adjustedPValue !== c.pValue ? 'adjusted ' : ''}p = ${p.toPrecision(3)}` : c.threshold !== undefined ? `, threshold ${c.threshold}` : '';
  return `${c.drifted ? 'drifted' : 'no drift'}: ${stat}${test}`;
}

/** Overlay charts of the compared columns (drifted first), then of the model's scores. */
export function dataCharts(report: Report): Chart[] {
  const drift = report.data?.drift;
  if (!drift) return [];
  const out: Chart[] = [];
  const used = new Set<string>();
  const name = (column: string): string => {
    let base = `drift-${column.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'column'}`;
    for (let i = 2; used.has(base); i++) base = `${base}-${i}`;
    used.add(base);
    return base;
  };
  for (const c of drift.columns.slice(0, MAX_OVERLAY_CHARTS)) {
    if (c.overlay.reference.length === 0) continue;
    const id = name(c.column);
    out.push({ name: id, title: `Distribution of ${c.column}`, svg: overlayChart(id, `Distribution of ${c.column}`, statisticText(c), c.overlay) });
  }
  if (drift.prediction && drift.prediction.overlay.reference.length > 0) {
    const id = name('model-score');
    out.push({ name: id, title: "Distribution of the model's scores", svg: overlayChart(id, "Distribution of the model's scores", statisticText(drift.prediction), drift.prediction.overlay) });
  }
  return out;
}
