/**
 * Number and text formatting shared by every renderer (markdown, comment, text, annotations, SARIF, HTML), so that a
 * value reads the same everywhere. Pure functions; nothing here escapes for a target format (see escape.ts).
 *
 * Conventions:
 * - metric values: 4 decimals, fixed (0.8531, 0.0764, 0.0010, 1.0000) so columns line up; a non-zero value that
 *   would round to 0.0000 (|v| < 0.00005) in scientific notation with 3 significant digits (4.90e-5), as are
 *   |v| >= 1e6 (1.23e+7).
 * - undefined values (null, undefined, NaN) are 'n/a', never 'NaN'; infinities are '∞' / '-∞'.
 * - thresholds are policy literals: shortest form (0.8, not 0.8000).
 * - counts: integers with a comma every three digits (16,281), independent of the machine's locale.
 */
import type { CheckResult, Interval } from './types.js';

export const NOT_AVAILABLE = 'n/a';

function isMissing(v: number | null | undefined): v is null | undefined {
  return v === null || v === undefined || Number.isNaN(v);
}

/** A metric value: 4 fixed decimals, scientific notation for tiny or huge magnitudes, 'n/a' when undefined. */
export function formatValue(v: number | null | undefined, decimals = 4): string {
  if (isMissing(v)) return NOT_AVAILABLE;
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return (0).toFixed(decimals);
  const abs = Math.abs(v);
  // Scientific notation only where fixed decimals would show a non-zero value as 0.0000, or for huge magnitudes.
  if (abs < 0.5 * 10 ** -decimals || abs >= 1e6) return v.toExponential(2);
  const s = v.toFixed(decimals);
  return /^-0\.0*$/.test(s) ? s.slice(1) : s;
}

/** A policy literal (threshold): the shortest exact-looking form, at most 6 significant digits. */
export function formatCompact(v: number | null | undefined): string {
  if (isMissing(v)) return NOT_AVAILABLE;
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '-∞';
  if (v === 0) return '0';
  const abs = Math.abs(v);
  if (abs < 1e-4 || abs >= 1e9) return Number(v.toPrecision(6)).toExponential();
  return Number(v.toPrecision(6)).toString();
}

/** A signed difference: '+0.0123', '-0.4975', 'n/a'. */
export function formatSigned(v: number | null | undefined, decimals = 4): string {
  if (isMissing(v)) return NOT_AVAILABLE;
  const s = formatValue(v, decimals);
  return v > 0 ? `+${s}` : s;
}

/** An integer count with thousands separators: 16281 -> '16,281'. Non-integers fall back to formatValue. */
export function formatCount(v: number | null | undefined): string {
  if (isMissing(v)) return NOT_AVAILABLE;
  if (!Number.isFinite(v) || !Number.isInteger(v)) return formatValue(v);
  const sign = v < 0 ? '-' : '';
  const digits = String(Math.abs(v));
  let out = '';
  for (let i = 0; i < digits.length; i++) {
    if (i > 0 && (digits.length - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return sign + out;
}

/** A metric value that may be a count (metric 'count' is shown as an integer). */
export function formatMetric(metric: string, v: number | null | undefined): string {
  return metric === 'count' ? formatCount(v) : formatValue(v);
}

/**
 * Check metrics whose values are whole numbers (ranks and counts): shown as '4', not '4.0000'. The categorical
 * attack's median perturbation counts changed features (a whole number, or a half-way median such as 1.5).
 */
const INTEGER_CHECK_METRICS = new Set(['count', 'sensitive_rank', 'proxies_in_top_k', 'group_count', 'constant_columns', 'mixed_types']);

/** True when a check's value is a rank or a count (shown without decimals when it is a whole number). */
export function isIntegerValuedCheck(check: Pick<CheckResult, 'metric' | 'details'>): boolean {
  if (INTEGER_CHECK_METRICS.has(check.metric)) return true;
  return check.metric === 'median_perturbation' && check.details?.attack === 'categorical_attack';
}

/** A check's value: '4' for a rank or count, '0.3121' for everything else (formatValue). */
export function formatCheckValue(check: Pick<CheckResult, 'metric' | 'details' | 'value'>): string {
  const v = check.value;
  return isIntegerValuedCheck(check) && v !== null && Number.isInteger(v) ? formatCount(v) : formatValue(v);
}

/** A check's margin, signed: '-2' for a rank or count, '-0.4879' for everything else (formatSigned). */
export function formatCheckMargin(check: Pick<CheckResult, 'metric' | 'details' | 'margin'>): string {
  const m = check.margin;
  if (isIntegerValuedCheck(check) && m !== null && Number.isInteger(m)) return m > 0 ? `+${formatCount(m)}` : formatCount(m);
  return formatSigned(m);
}

/** The comparison a threshold demands: '≥ 0.8' for a min, '≤ 0.1' for a max. */
export function formatThreshold(t: CheckResult['threshold']): string {
  return `${t.kind === 'min' ? '≥' : '≤'} ${formatCompact(t.value)}`;
}

/** ASCII variant of formatThreshold, for plain-text channels that may not render '≥' (workflow commands, SARIF). */
export function formatThresholdAscii(t: CheckResult['threshold']): string {
  return `${t.kind === 'min' ? '>=' : '<='} ${formatCompact(t.value)}`;
}

/** '[0.8912, 0.9190]' */
export function formatIntervalBounds(i: Interval): string {
  // A rank's or a count's range (interval.integer): '[3, 4]', not '[3.0000, 4.0000]'.
  if (i.integer === true && Number.isInteger(i.low) && Number.isInteger(i.high)) return `[${formatCount(i.low)}, ${formatCount(i.high)}]`;
  return `[${formatValue(i.low)}, ${formatValue(i.high)}]`;
}

/** '95% CI [0.8912, 0.9190] (wilson)' */
export function formatInterval(i: Interval | undefined): string {
  if (!i) return '';
  return `${formatLevel(i.level)} CI ${formatIntervalBounds(i)} (${i.method})`;
}

/** 0.95 -> '95%' */
export function formatLevel(level: number): string {
  if (isMissing(level)) return NOT_AVAILABLE;
  return `${formatCompact(level * 100)}%`;
}

/** A share as a percentage with one decimal: 0.2362 -> '23.6%'. */
export function formatPercent(v: number | null | undefined, decimals = 1): string {
  if (isMissing(v) || !Number.isFinite(v)) return NOT_AVAILABLE;
  return `${(v * 100).toFixed(decimals)}%`;
}

/** The first 12 hex digits of a SHA-256 (enough to tell files apart; the full hash stays in the JSON report). */
export function shortSha(sha: string, length = 12): string {
  return sha.slice(0, length);
}

/** Bytes in binary units: 4649 -> '4.5 KiB'. */
export function formatBytes(bytes: number | null | undefined): string {
  if (isMissing(bytes) || !Number.isFinite(bytes) || bytes < 0) return NOT_AVAILABLE;
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = bytes / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v).toString()} ${units[u]}`;
}

/** Milliseconds as '850 ms', '2.31 s', '3 min 05 s'. */
export function formatDuration(ms: number | null | undefined): string {
  if (isMissing(ms) || !Number.isFinite(ms) || ms < 0) return NOT_AVAILABLE;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(2)} s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms - minutes * 60_000) / 1000);
  return `${minutes} min ${String(seconds).padStart(2, '0')} s`;
}

/** 'fail' -> 'failed' etc., and an English plural: plural(3, 'check') -> '3 checks'. */
export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${formatCount(n)} ${n === 1 ? word : pluralWord}`;
}

/**
 * Shortens text to at most `max` UTF-16 code units, ending with '…', without splitting a surrogate pair.
 * Apply before escaping (escaping adds characters that must not be cut in half).
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  if (max <= 1) return '…'.slice(0, Math.max(0, max));
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  return `${text.slice(0, cut)}…`;
}

/**
 * Relative distance to the threshold, for ranking breaches: margin / |threshold| (margin itself when the threshold
 * is 0). Negative = on the failing side. null when the check has no value.
 */
export function relativeMargin(check: Pick<CheckResult, 'margin' | 'threshold'>): number | null {
  if (check.margin === null || Number.isNaN(check.margin)) return null;
  const scale = Math.abs(check.threshold.value);
  return scale > 0 ? check.margin / scale : check.margin;
}
