/**
 * A very small SVG writer: elements as strings, every text escaped, coordinates rounded to 0.1 px so the output is
 * short and deterministic. No DOM, no browser.
 */
import { escapeHtml } from '../escape.js';
import { truncate } from '../format.js';
import { chartStyle, lightColor, type ColorClass } from './theme.js';

/** A coordinate with at most one decimal ('12.3', '-4', '0'). */
export function px(v: number): string {
  if (!Number.isFinite(v)) return '0';
  const r = Math.round(v * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}

type Attrs = Record<string, string | number | undefined>;

function attrs(a: Attrs): string {
  let s = '';
  for (const [k, v] of Object.entries(a)) {
    if (v === undefined) continue;
    s += ` ${k}="${typeof v === 'number' ? px(v) : escapeHtml(v)}"`;
  }
  return s;
}

export function el(name: string, a: Attrs, children?: string): string {
  return children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

/** Stroke colour attributes of a class (CSS class + light presentation colour). */
export function stroke(cls: ColorClass): Attrs {
  return { class: `st-${cls}`, stroke: lightColor(cls) };
}

export function fill(cls: ColorClass): Attrs {
  return { class: `fl-${cls}`, fill: lightColor(cls) };
}

/** Fill and stroke together (one class attribute). */
export function paint(fillCls: ColorClass | undefined, strokeCls: ColorClass | undefined): Attrs {
  const classes: string[] = [];
  const a: Attrs = {};
  if (fillCls) {
    classes.push(`fl-${fillCls}`);
    a.fill = lightColor(fillCls);
  } else a.fill = 'none';
  if (strokeCls) {
    classes.push(`st-${strokeCls}`);
    a.stroke = lightColor(strokeCls);
  }
  if (classes.length) a.class = classes.join(' ');
  return a;
}

export function line(x1: number, y1: number, x2: number, y2: number, cls: ColorClass, extra: Attrs = {}): string {
  return el('line', { x1, y1, x2, y2, ...stroke(cls), ...extra });
}

export function rect(x: number, y: number, width: number, height: number, extra: Attrs): string {
  return el('rect', { x, y, width: Math.max(0, width), height: Math.max(0, height), ...extra });
}

export interface TextOptions {
  anchor?: 'start' | 'middle' | 'end';
  size?: number;
  weight?: 'bold' | 'normal';
  muted?: boolean;
  cls?: ColorClass;
  rotate?: number;
  /** Cut the text (before escaping) to this many characters. */
  maxChars?: number;
  /** Outline in the background colour, so the text stays readable over lines. */
  halo?: boolean;
  baseline?: 'middle' | 'hanging' | 'auto';
}

/** A text element; the content is untrusted and escaped here. */
export function text(x: number, y: number, content: string, o: TextOptions = {}): string {
  const shown = o.maxChars !== undefined ? truncate(content, o.maxChars) : content;
  const a: Attrs = {
    x,
    y,
    'text-anchor': o.anchor && o.anchor !== 'start' ? o.anchor : undefined,
    'font-size': o.size,
    'font-weight': o.weight === 'bold' ? 'bold' : undefined,
    'dominant-baseline': o.baseline && o.baseline !== 'auto' ? o.baseline : undefined,
    transform: o.rotate ? `rotate(${px(o.rotate)} ${px(x)} ${px(y)})` : undefined,
  };
  if (o.cls) Object.assign(a, fill(o.cls));
  else if (o.muted) Object.assign(a, { class: 't-muted', fill: lightColor('muted') });
  else a.fill = 'currentColor';
  if (o.halo) Object.assign(a, { class: `${a.class ?? ''} halo`.trim(), stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke', 'stroke-linejoin': 'round' });
  const title = shown !== content ? el('title', {}, escapeHtml(content)) : '';
  return el('text', a, title + escapeHtml(shown));
}

/** Path through points ('M x y L x y ...'); `step` draws an empirical CDF (horizontal, then vertical). */
export function polylinePath(points: ReadonlyArray<readonly [number, number]>, step = false): string {
  let d = '';
  for (let i = 0; i < points.length; i++) {
    const [x, y] = points[i]!;
    if (i === 0) d += `M${px(x)} ${px(y)}`;
    else if (step) d += `H${px(x)}V${px(y)}`;
    else d += `L${px(x)} ${px(y)}`;
  }
  return d;
}

export interface DocumentOptions {
  width: number;
  height: number;
  /** Accessible name (also the visible title, drawn by the chart itself). */
  title: string;
  /** Accessible description: what the chart shows, in one or two sentences. */
  description: string;
  /** Stable id prefix for this chart's ids (title/desc, patterns). */
  id: string;
}

/** A standalone SVG document: namespace, size, viewBox, accessible title/description, the theme style, background. */
export function svgDocument(o: DocumentOptions, body: string): string {
  o = { ...o, width: Math.ceil(o.width), height: Math.ceil(o.height) };
  const id = o.id.replace(/[^A-Za-z0-9_-]/g, '_');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="mrg-chart" width="${px(o.width)}" height="${px(o.height)}" ` +
    `viewBox="0 0 ${px(o.width)} ${px(o.height)}" role="img" aria-labelledby="${id}-title ${id}-desc">` +
    `<title id="${id}-title">${escapeHtml(o.title)}</title>` +
    `<desc id="${id}-desc">${escapeHtml(o.description)}</desc>` +
    `<style>${chartStyle()}</style>` +
    el('rect', { class: 'bg', x: 0, y: 0, width: o.width, height: o.height, rx: 6, fill: '#ffffff' }) +
    body +
    `</svg>`
  );
}
