/** Number formatting shared by check messages (plain text; renderers escape). */

export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return 'n/a';
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v !== 0 && Math.abs(v) < 1e-3) return v.toExponential(2);
  return Number(v.toFixed(digits)).toString();
}

/** "0.81 [0.78, 0.84] 95% CI", or just "0.81" without an interval. */
export function formatWithInterval(value: number | null, interval?: { low: number; high: number; level: number }): string {
  const v = formatNumber(value);
  if (!interval) return v;
  return `${v} [${formatNumber(interval.low)}, ${formatNumber(interval.high)}] ${formatNumber(interval.level * 100, 2)}% CI`;
}
