/**
 * Bar charts: vertical bars over categories (groups), optionally stacked, with horizontal reference/threshold lines;
 * and horizontal ranked bars (feature importance) with optional error whiskers. Hatched bars mark groups whose
 * values are not evidence (too few rows).
 */
import { legend, textWidth, type LegendEntry } from './legend.js';
import { fixedTicks, linearScale, niceDomain, tickLabel, type Domain } from './scale.js';
import { el, line, paint, rect, svgDocument, text } from './svg.js';
import type { ColorClass } from './theme.js';

export interface BarSegment {
  value: number;
  cls: ColorClass;
}

export interface BarDatum {
  label: string;
  segments: BarSegment[];
  /** Text above the bar (the value as shown to people). */
  valueLabel: string;
  /** Drawn hatched and muted: not evidence (e.g. a group under min_group_size). */
  hatched?: boolean;
  /** Short note under the value label (e.g. 'n < 150'). */
  note?: string;
}

export interface LevelLine {
  y: number;
  label: string;
  cls: ColorClass;
  dashed?: boolean;
}

export interface BarChartSpec {
  id: string;
  title: string;
  subtitle?: string;
  description: string;
  xLabel: string;
  yLabel: string;
  bars: BarDatum[];
  /** Legend of the segment colours. */
  legend: LegendEntry[];
  levels?: LevelLine[];
  yDomain?: Domain;
  /** Format of y tick labels; default from the tick step. */
  yTick?: (v: number, step: number) => string;
}

const MAX_LABEL = 28;

export function hatchPattern(id: string): string {
  return (
    `<defs>${el(
      'pattern',
      { id, width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' },
      line(0, 0, 0, 6, 'muted', { 'stroke-width': 2 }),
    )}</defs>`
  );
}

export function barChart(spec: BarChartSpec): string {
  const n = spec.bars.length;
  const longest = Math.max(0, ...spec.bars.map((b) => textWidth(b.label.slice(0, MAX_LABEL))));
  const band = Math.max(44, Math.min(96, 560 / Math.max(1, n)));
  const rotate = longest > band - 6;
  const left = 64;
  const right = 20;
  const width = Math.max(520, left + right + band * n);
  const labelSpace = rotate ? Math.min(150, longest * 0.6 + 12) : 22;
  const bottom = labelSpace + 40;
  const patternId = `${spec.id.replace(/[^A-Za-z0-9_-]/g, '_')}-hatch`;

  let body = hatchPattern(patternId);
  body += text(16, 24, spec.title, { size: 15, weight: 'bold', maxChars: 70 });
  let top = 34;
  if (spec.subtitle) {
    body += text(16, 44, spec.subtitle, { muted: true, maxChars: 100 });
    top = 52;
  }
  const levels = spec.levels ?? [];
  const entries: LegendEntry[] = [
    ...spec.legend,
    ...levels.map((l): LegendEntry => ({ label: l.label, cls: l.cls, swatch: l.dashed === false ? 'line' : 'dash' })),
  ];
  if (spec.bars.some((b) => b.hatched)) entries.push({ label: 'not enough rows (excluded)', cls: 'muted', swatch: 'hatch' });
  const lg = legend(entries, left, top + 10, width - left - right, patternId);
  body += lg.svg;
  const plotTop = top + lg.height + 20;
  const plotHeight = 260;
  const plotBottom = plotTop + plotHeight;
  const height = plotBottom + bottom;
  const plotLeft = left;
  const plotRight = width - right;

  const totals = spec.bars.map((b) => b.segments.reduce((s, x) => s + Math.max(0, x.value), 0));
  const levelValues = levels.map((l) => l.y);
  let domain: Domain;
  let ticks: number[];
  let step: number;
  if (spec.yDomain) {
    domain = spec.yDomain;
    ticks = fixedTicks(domain, 5);
    step = ticks.length > 1 ? ticks[1]! - ticks[0]! : 1;
  } else {
    ({ domain, ticks, step } = niceDomain({ min: 0, max: Math.max(0, ...totals, ...levelValues) }, 5));
  }
  const sy = linearScale(domain, plotBottom, plotTop);
  const clamp = (v: number) => Math.min(domain.max, Math.max(domain.min, v));
  const fmt = spec.yTick ?? tickLabel;

  let grid = '';
  for (const t of ticks) {
    grid += line(plotLeft, sy(t), plotRight, sy(t), 'grid', { 'stroke-width': 1 });
    grid += text(plotLeft - 8, sy(t) + 4, fmt(t, step), { anchor: 'end', muted: true });
  }
  grid += line(plotLeft, plotBottom, plotRight, plotBottom, 'muted', { 'stroke-width': 1 });
  body += `<g class="grid">${grid}</g>`;

  const bandWidth = (plotRight - plotLeft) / Math.max(1, n);
  const barWidth = Math.min(56, bandWidth * 0.62);
  let bars = '';
  spec.bars.forEach((b, i) => {
    const cx = plotLeft + bandWidth * (i + 0.5);
    let base = 0;
    let g = '';
    for (const s of b.segments) {
      const y0 = sy(clamp(base));
      const y1 = sy(clamp(base + Math.max(0, s.value)));
      g += rect(cx - barWidth / 2, y1, barWidth, y0 - y1, {
        ...(b.hatched ? paint(undefined, 'muted') : paint(s.cls, undefined)),
        ...(b.hatched ? { fill: `url(#${patternId})`, 'stroke-width': 1 } : {}),
      });
      base += Math.max(0, s.value);
    }
    const topY = sy(clamp(base));
    g += text(cx, topY - 6, b.valueLabel, { anchor: 'middle', size: 11, muted: b.hatched });
    if (b.note) g += text(cx, topY - 20, b.note, { anchor: 'middle', size: 10, cls: 'warn', maxChars: 20 });
    g += rotate
      ? text(cx + 4, plotBottom + 14, b.label, { anchor: 'end', rotate: -35, maxChars: MAX_LABEL })
      : text(cx, plotBottom + 18, b.label, { anchor: 'middle', maxChars: MAX_LABEL });
    bars += el('g', { class: 'bar', 'data-label': b.label }, g);
  });
  body += `<g class="bars">${bars}</g>`;

  let ls = '';
  for (const l of levels) {
    if (!Number.isFinite(l.y)) continue;
    const y = sy(clamp(l.y));
    ls += line(plotLeft, y, plotRight, y, l.cls, { 'stroke-width': 1.5, 'stroke-dasharray': l.dashed === false ? undefined : '6 4' });
  }
  body += `<g class="markers">${ls}</g>`;
  body += text((plotLeft + plotRight) / 2, height - 12, spec.xLabel, { anchor: 'middle', maxChars: 80 });
  body += text(18, (plotTop + plotBottom) / 2, spec.yLabel, { anchor: 'middle', rotate: -90, maxChars: 50 });
  return svgDocument({ width, height, title: spec.title, description: spec.description, id: spec.id }, body);
}

export interface RankedBar {
  label: string;
  value: number;
  /** Spread (e.g. standard deviation over repeats), drawn as a whisker. */
  spread?: number;
  valueLabel: string;
  cls: ColorClass;
  /** Label drawn bold in the bar's colour (e.g. a sensitive attribute). */
  emphasis?: boolean;
}

export interface RankedBarChartSpec {
  id: string;
  title: string;
  subtitle?: string;
  description: string;
  xLabel: string;
  bars: RankedBar[];
  legend: LegendEntry[];
}

/** Horizontal bars, one row per item, largest first as given. */
export function rankedBarChart(spec: RankedBarChartSpec): string {
  const width = 640;
  const labelWidth = Math.min(200, Math.max(80, ...spec.bars.map((b) => textWidth(b.label.slice(0, MAX_LABEL)) + 16)));
  const left = 16 + labelWidth;
  const right = 84;
  let body = text(16, 24, spec.title, { size: 15, weight: 'bold', maxChars: 70 });
  let top = 34;
  if (spec.subtitle) {
    body += text(16, 44, spec.subtitle, { muted: true, maxChars: 100 });
    top = 52;
  }
  const lg = legend(spec.legend, 16, top + 10, width - 32);
  body += lg.svg;
  const plotTop = top + lg.height + 16;
  const row = 22;
  const plotBottom = plotTop + row * spec.bars.length;
  const height = plotBottom + 56;
  const maxValue = Math.max(0, ...spec.bars.map((b) => b.value + (b.spread ?? 0)));
  const minValue = Math.min(0, ...spec.bars.map((b) => b.value - (b.spread ?? 0)));
  const { domain, ticks, step } = niceDomain({ min: minValue, max: maxValue }, 5);
  const sx = linearScale(domain, left, width - right);

  let grid = '';
  for (const t of ticks) {
    grid += line(sx(t), plotTop - 4, sx(t), plotBottom, 'grid', { 'stroke-width': 1 });
    grid += text(sx(t), plotBottom + 16, tickLabel(t, step), { anchor: 'middle', muted: true });
  }
  grid += line(sx(0), plotTop - 4, sx(0), plotBottom, 'muted', { 'stroke-width': 1 });
  body += `<g class="grid">${grid}</g>`;

  let bars = '';
  spec.bars.forEach((b, i) => {
    const y = plotTop + i * row;
    const x0 = sx(0);
    const x1 = sx(b.value);
    let g = text(left - 8, y + row / 2 + 4, b.label, {
      anchor: 'end',
      maxChars: MAX_LABEL,
      ...(b.emphasis ? { cls: b.cls, weight: 'bold' as const } : {}),
    });
    g += rect(Math.min(x0, x1), y + 4, Math.abs(x1 - x0), row - 8, { ...paint(b.cls, undefined), rx: 2 });
    if (b.spread !== undefined && b.spread > 0) {
      const a = sx(b.value - b.spread);
      const c = sx(b.value + b.spread);
      const my = y + row / 2;
      g += line(a, my, c, my, 'fg', { 'stroke-width': 1.2 });
      g += line(a, my - 4, a, my + 4, 'fg', { 'stroke-width': 1.2 });
      g += line(c, my - 4, c, my + 4, 'fg', { 'stroke-width': 1.2 });
    }
    g += text(Math.max(x1, sx(b.value + (b.spread ?? 0))) + 6, y + row / 2 + 4, b.valueLabel, { size: 11, muted: true });
    bars += el('g', { class: 'bar', 'data-label': b.label }, g);
  });
  body += `<g class="bars">${bars}</g>`;
  body += text((left + width - right) / 2, height - 14, spec.xLabel, { anchor: 'middle', maxChars: 80 });
  return svgDocument({ width, height, title: spec.title, description: spec.description, id: spec.id }, body);
}
