/** Legend rows: a swatch (line, dashed line, box or dot) and a label per entry, wrapped to the chart width. */
import { el, line, paint, text } from './svg.js';
import type { ColorClass } from './theme.js';

export interface LegendEntry {
  label: string;
  cls: ColorClass;
  swatch: 'line' | 'dash' | 'box' | 'dot' | 'hatch';
}

/** Rough width of 12px sans-serif text; good enough to lay out legends and labels. */
export function textWidth(s: string, size = 12): number {
  let w = 0;
  for (const ch of s) w += /[A-Z0-9%≥≤]/.test(ch) ? 0.64 : /[ il.,:;|'!()[\]]/.test(ch) ? 0.3 : 0.55;
  return w * size;
}

const MAX_LABEL = 48;

/** Lays out entries from (x, y) within maxWidth; returns the SVG and the height used. */
export function legend(entries: LegendEntry[], x: number, y: number, maxWidth: number, patternId?: string): { svg: string; height: number } {
  let cx = x;
  let cy = y;
  let svg = '';
  const rowHeight = 18;
  for (const e of entries) {
    const label = e.label.length > MAX_LABEL ? `${e.label.slice(0, MAX_LABEL - 1)}…` : e.label;
    const w = 24 + textWidth(label) + 16;
    if (cx > x && cx + w > x + maxWidth) {
      cx = x;
      cy += rowHeight;
    }
    svg += swatch(e, cx, cy, patternId);
    svg += text(cx + 24, cy + 4, e.label, { maxChars: MAX_LABEL });
    cx += w;
  }
  return { svg: `<g class="legend">${svg}</g>`, height: entries.length ? cy - y + rowHeight : 0 };
}

function swatch(e: LegendEntry, x: number, y: number, patternId?: string): string {
  switch (e.swatch) {
    case 'line':
      return line(x, y, x + 18, y, e.cls, { 'stroke-width': 2.5 });
    case 'dash':
      return line(x, y, x + 18, y, e.cls, { 'stroke-width': 2, 'stroke-dasharray': '5 3' });
    case 'dot':
      return el('circle', { cx: x + 9, cy: y, r: 4, ...paint(e.cls, undefined) });
    case 'hatch':
      return el('rect', {
        x: x + 3,
        y: y - 6,
        width: 12,
        height: 12,
        ...paint(undefined, e.cls),
        fill: patternId ? `url(#${patternId})` : 'none',
      });
    case 'box':
    default:
      return el('rect', { x: x + 3, y: y - 6, width: 12, height: 12, rx: 2, ...paint(e.cls, undefined) });
  }
}
