/** Linear scales and "nice" axis ticks for the SVG charts. Pure arithmetic on numbers. */

export interface Domain {
  min: number;
  max: number;
}

export type Scale = (v: number) => number;

/** Maps [domain.min, domain.max] onto [from, to] (to < from for a y axis that grows upwards). */
export function linearScale(domain: Domain, from: number, to: number): Scale {
  const span = domain.max - domain.min;
  if (!(span > 0)) return () => (from + to) / 2;
  return (v) => from + ((v - domain.min) / span) * (to - from);
}

/** A step of 1, 2, 2.5 or 5 times a power of ten giving about `count` intervals over the span. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10;
  return nice * power;
}

/** The domain widened to whole steps, and the ticks on it. */
export function niceDomain(domain: Domain, count = 5): { domain: Domain; ticks: number[]; step: number } {
  let { min, max } = domain;
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    min = 0;
    max = 1;
  }
  if (max === min) {
    max = min === 0 ? 1 : min + Math.abs(min);
    if (max === min) max = min + 1;
  }
  const step = niceStep(max - min, count);
  const lo = Math.floor(min / step + 1e-9) * step;
  const hi = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let i = 0; lo + i * step <= hi + step * 1e-9 && i < 100; i++) ticks.push(roundTo(lo + i * step, step));
  return { domain: { min: lo, max: hi }, ticks, step };
}

/** Ticks of a fixed domain (e.g. [0, 1] for rates), without widening it. */
export function fixedTicks(domain: Domain, count = 5): number[] {
  const step = niceStep(domain.max - domain.min, count);
  const ticks: number[] = [];
  const first = Math.ceil(domain.min / step - 1e-9) * step;
  for (let v = first, i = 0; v <= domain.max + step * 1e-9 && i < 100; i++, v = first + i * step) ticks.push(roundTo(v, step));
  return ticks;
}

function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(v.toFixed(Math.min(decimals, 12)));
}

/** Tick label with just enough decimals for the step: 0.25 -> '0.25', 2000 -> '2,000'. */
export function tickLabel(v: number, step: number): string {
  const decimals = step >= 1 ? 0 : Math.min(6, Math.ceil(-Math.log10(step) - 1e-9) + (isHalfStep(step) ? 1 : 0));
  if (decimals === 0) return groupThousands(Math.round(v));
  return v.toFixed(decimals);
}

function isHalfStep(step: number): boolean {
  const power = 10 ** Math.floor(Math.log10(step));
  return Math.abs(step / power - 2.5) < 1e-9;
}

function groupThousands(v: number): string {
  const sign = v < 0 ? '-' : '';
  return sign + String(Math.abs(v)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
