/**
 * A line chart on two numeric axes: series (lines or empirical-CDF steps), threshold markers (vertical and horizontal
 * lines, labelled points), axis labels and a legend. Used by ROC, precision-recall, precision-vs-threshold and KS.
 */
import { legend, textWidth, type LegendEntry } from './legend.js';
import { fixedTicks, linearScale, niceDomain, tickLabel, type Domain } from './scale.js';
import { el, line, paint, polylinePath, svgDocument, text } from './svg.js';
import type { ColorClass } from './theme.js';

export interface Series {
  name: string;
  points: ReadonlyArray<{ x: number; y: number }>;
  cls: ColorClass;
  dashed?: boolean;
  /** Draw as a step function (empirical CDF). */
  step?: boolean;
  width?: number;
}

export interface Marker {
  kind: 'vertical' | 'horizontal' | 'point' | 'segment';
  /** x for vertical, y for horizontal, (x, y) for a point, (x, y)-(x2, y2) for a segment. */
  x?: number;
  y?: number;
  x2?: number;
  y2?: number;
  label: string;
  /** Label shown in the legend (defaults to label); '' keeps it out of the legend. */
  legend?: string;
  cls: ColorClass;
  dashed?: boolean;
}

export interface Axis {
  label: string;
  /** Fixed domain (e.g. [0, 1] for rates); otherwise from the data, widened to nice ticks. */
  domain?: Domain;
}

export interface LineChartSpec {
  id: string;
  title: string;
  description: string;
  x: Axis;
  y: Axis;
  series: Series[];
  markers?: Marker[];
  width?: number;
  height?: number;
  /** Plain text shown under the title (e.g. 'AUC 0.9212'). */
  subtitle?: string;
}

const MARGIN = { left: 64, right: 20, bottom: 52 };

export function lineChart(spec: LineChartSpec): string {
  const width = spec.width ?? 640;
  const height = spec.height ?? 420;
  const markers = spec.markers ?? [];
  const entries: LegendEntry[] = [
    ...spec.series.map((s): LegendEntry => ({ label: s.name, cls: s.cls, swatch: s.dashed ? 'dash' : 'line' })),
    ...markers
      .filter((m) => (m.legend ?? m.label) !== '')
      .map((m): LegendEntry => ({ label: m.legend ?? m.label, cls: m.cls, swatch: m.kind === 'point' ? 'dot' : 'dash' })),
  ];
  let body = text(16, 24, spec.title, { size: 15, weight: 'bold', maxChars: 70 });
  let top = 34;
  if (spec.subtitle) {
    body += text(16, 44, spec.subtitle, { muted: true, maxChars: 90 });
    top = 52;
  }
  const lg = legend(entries, MARGIN.left, top + 10, width - MARGIN.left - MARGIN.right);
  body += lg.svg;
  const plotTop = top + lg.height + 16;
  const plotLeft = MARGIN.left;
  const plotRight = width - MARGIN.right;
  const plotBottom = height - MARGIN.bottom;

  const xs = axisOf(spec.x, spec.series.flatMap((s) => s.points.map((p) => p.x)));
  const ys = axisOf(spec.y, spec.series.flatMap((s) => s.points.map((p) => p.y)));
  const sx = linearScale(xs.domain, plotLeft, plotRight);
  const sy = linearScale(ys.domain, plotBottom, plotTop);
  const clampX = (v: number) => Math.min(xs.domain.max, Math.max(xs.domain.min, v));
  const clampY = (v: number) => Math.min(ys.domain.max, Math.max(ys.domain.min, v));

  // Grid and ticks.
  let grid = '';
  for (const t of ys.ticks) {
    grid += line(plotLeft, sy(t), plotRight, sy(t), 'grid', { 'stroke-width': 1 });
    grid += text(plotLeft - 8, sy(t) + 4, tickLabel(t, ys.step), { anchor: 'end', muted: true });
  }
  for (const t of xs.ticks) {
    grid += line(sx(t), plotTop, sx(t), plotBottom, 'grid', { 'stroke-width': 1 });
    grid += text(sx(t), plotBottom + 18, tickLabel(t, xs.step), { anchor: 'middle', muted: true });
  }
  grid += line(plotLeft, plotBottom, plotRight, plotBottom, 'muted', { 'stroke-width': 1 });
  grid += line(plotLeft, plotTop, plotLeft, plotBottom, 'muted', { 'stroke-width': 1 });
  body += `<g class="grid">${grid}</g>`;
  body += text((plotLeft + plotRight) / 2, height - 12, spec.x.label, { anchor: 'middle', maxChars: 80 });
  body += text(18, (plotTop + plotBottom) / 2, spec.y.label, { anchor: 'middle', rotate: -90, maxChars: 50 });

  // Series.
  let lines = '';
  for (const s of spec.series) {
    if (s.points.length === 0) continue;
    const pts = s.points
      .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y))
      .map((p) => [sx(clampX(p.x)), sy(clampY(p.y))] as const);
    lines += el('path', {
      d: polylinePath(pts, s.step),
      ...paint(undefined, s.cls),
      'stroke-width': s.width ?? 2.5,
      'stroke-dasharray': s.dashed ? '6 4' : undefined,
      'stroke-linejoin': 'round',
      'data-series': s.name,
    });
  }
  body += `<g class="series">${lines}</g>`;

  // Markers.
  let ms = '';
  for (const m of markers) {
    const dash = m.dashed === false ? undefined : '5 4';
    if (m.kind === 'vertical' && m.x !== undefined && Number.isFinite(m.x)) {
      const x = sx(clampX(m.x));
      ms += line(x, plotTop, x, plotBottom, m.cls, { 'stroke-width': 1.5, 'stroke-dasharray': dash });
      const right = x + 6 + textWidth(m.label) < plotRight;
      ms += text(right ? x + 5 : x - 5, plotTop + 14, m.label, { anchor: right ? 'start' : 'end', cls: m.cls, maxChars: 40, halo: true });
    } else if (m.kind === 'horizontal' && m.y !== undefined && Number.isFinite(m.y)) {
      const y = sy(clampY(m.y));
      ms += line(plotLeft, y, plotRight, y, m.cls, { 'stroke-width': 1.5, 'stroke-dasharray': dash });
      ms += text(plotRight - 4, y - 5, m.label, { anchor: 'end', cls: m.cls, maxChars: 50, halo: true });
    } else if (m.kind === 'segment' && m.x !== undefined && m.y !== undefined && m.x2 !== undefined && m.y2 !== undefined) {
      const [x1, y1, x2, y2] = [sx(clampX(m.x)), sy(clampY(m.y)), sx(clampX(m.x2)), sy(clampY(m.y2))];
      ms += line(x1, y1, x2, y2, m.cls, { 'stroke-width': 2.5, 'stroke-dasharray': dash });
      ms += text(x1 + 6, (y1 + y2) / 2, m.label, { cls: m.cls, maxChars: 40, halo: true });
    } else if (m.kind === 'point' && m.x !== undefined && m.y !== undefined && Number.isFinite(m.x) && Number.isFinite(m.y)) {
      const [x, y] = [sx(clampX(m.x)), sy(clampY(m.y))];
      ms += el('circle', { cx: x, cy: y, r: 5, ...paint(m.cls, 'fg'), 'stroke-width': 1.5 });
      const right = x + 10 + textWidth(m.label) < plotRight;
      const below = y < plotTop + 24;
      ms += text(right ? x + 9 : x - 9, below ? y + 18 : y - 9, m.label, { anchor: right ? 'start' : 'end', cls: m.cls, maxChars: 40, halo: true });
    }
  }
  body += `<g class="markers">${ms}</g>`;

  return svgDocument({ width, height, title: spec.title, description: spec.description, id: spec.id }, body);
}

function axisOf(axis: Axis, values: number[]): { domain: Domain; ticks: number[]; step: number } {
  if (axis.domain) {
    const ticks = fixedTicks(axis.domain, 5);
    const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
    return { domain: axis.domain, ticks, step };
  }
  const finite = values.filter(Number.isFinite);
  const min = finite.length ? Math.min(...finite) : 0;
  const max = finite.length ? Math.max(...finite) : 1;
  return niceDomain({ min, max }, 5);
}
