/**
 * Colours of the charts, readable on GitHub's light and dark themes (Primer palette). Each SVG carries a small <style>
 * that switches palette with `prefers-color-scheme`; every element also has the light colour as a presentation
 * attribute, so a viewer that ignores CSS still draws a readable chart on the chart's own (white) background.
 * Text and axes use `currentColor`, set on the chart root.
 */

export interface Palette {
  bg: string;
  fg: string;
  muted: string;
  grid: string;
  series: readonly string[];
  pass: string;
  fail: string;
  warn: string;
  /** Threshold markers. */
  threshold: string;
}

export const LIGHT: Palette = {
  bg: '#ffffff',
  fg: '#1f2328',
  muted: '#59636e',
  grid: '#d1d9e0',
  series: ['#0969da', '#bc4c00', '#1a7f37', '#8250df', '#bf3989', '#59636e'],
  pass: '#1a7f37',
  fail: '#cf222e',
  warn: '#9a6700',
  threshold: '#cf222e',
};

export const DARK: Palette = {
  bg: '#0d1117',
  fg: '#e6edf3',
  muted: '#9198a1',
  grid: '#3d444d',
  series: ['#4493f8', '#f0883e', '#3fb950', '#ab7df8', '#f778ba', '#9198a1'],
  pass: '#3fb950',
  fail: '#f85149',
  warn: '#d29922',
  threshold: '#f85149',
};

/** Class names used by the chart elements. */
export type ColorClass = 'fg' | 'muted' | 'grid' | 'pass' | 'fail' | 'warn' | 'thr' | `s${number}`;

export function seriesClass(i: number): ColorClass {
  return `s${i % LIGHT.series.length}`;
}

/** The light colour of a class, for presentation attributes. */
export function lightColor(cls: ColorClass): string {
  return colorOf(LIGHT, cls);
}

function colorOf(p: Palette, cls: ColorClass): string {
  switch (cls) {
    case 'fg':
      return p.fg;
    case 'muted':
      return p.muted;
    case 'grid':
      return p.grid;
    case 'pass':
      return p.pass;
    case 'fail':
      return p.fail;
    case 'warn':
      return p.warn;
    case 'thr':
      return p.threshold;
    default:
      return p.series[Number(cls.slice(1)) % p.series.length]!;
  }
}

function rules(p: Palette): string {
  const classes: ColorClass[] = ['muted', 'grid', 'pass', 'fail', 'warn', 'thr', ...p.series.map((_, i) => seriesClass(i))];
  const out = [`.mrg-chart{color:${p.fg}}`, `.mrg-chart .bg{fill:${p.bg}}`, `.mrg-chart .st-fg{stroke:${p.fg}}`, `.mrg-chart .fl-fg{fill:${p.fg}}`, `.mrg-chart .halo{stroke:${p.bg}}`];
  for (const c of classes) {
    const color = colorOf(p, c);
    out.push(`.mrg-chart .st-${c}{stroke:${color}}`, `.mrg-chart .fl-${c}{fill:${color}}`);
  }
  return out.join('');
}

/** The <style> content of every chart (identical in every chart, so that inlining several in one page is harmless). */
export function chartStyle(): string {
  return (
    `.mrg-chart{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif;font-size:12px}` +
    `.mrg-chart text{fill:currentColor}.mrg-chart .t-muted{fill:${LIGHT.muted}}` +
    rules(LIGHT) +
    `@media (prefers-color-scheme:dark){${rules(DARK)}.mrg-chart .t-muted{fill:${DARK.muted}}}`
  );
}
