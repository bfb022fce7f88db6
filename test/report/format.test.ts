import { describe, expect, test } from 'vitest';
import {
  formatBytes,
  formatCheckMargin,
  formatCheckValue,
  formatCompact,
  formatCount,
  formatDuration,
  formatInterval,
  formatMetric,
  formatPercent,
  formatSigned,
  formatThreshold,
  formatThresholdAscii,
  formatValue,
  isIntegerValuedCheck,
  relativeMargin,
  shortSha,
  truncate,
} from '../../src/report/format.js';

describe('formatCheckValue / formatCheckMargin', () => {
  test('ranks and counts are whole numbers: 4, not 4.0000', () => {
    const rank = { metric: 'sensitive_rank', value: 4, margin: -2 };
    expect(formatCheckValue(rank)).toBe('4');
    expect(formatCheckMargin(rank)).toBe('-2');
    expect(formatCheckValue({ metric: 'proxies_in_top_k', value: 0 })).toBe('0');
    expect(formatCheckMargin({ metric: 'proxies_in_top_k', margin: 0 })).toBe('0');
    expect(formatCheckMargin({ metric: 'sensitive_rank', margin: 7 })).toBe('+7');
    expect(formatCheckValue({ metric: 'count', value: 16281 })).toBe('16,281');
    // The categorical attack's median perturbation counts changed features; a half-way median keeps its decimals.
    const categorical = { metric: 'median_perturbation', details: { attack: 'categorical_attack' } };
    expect(isIntegerValuedCheck(categorical)).toBe(true);
    expect(formatCheckValue({ ...categorical, value: 2 })).toBe('2');
    expect(formatCheckValue({ ...categorical, value: 1.5 })).toBe('1.5000');
    // A threshold between two ranks gives a fractional margin: shown as such.
    expect(formatCheckMargin({ metric: 'sensitive_rank', margin: 0.5 })).toBe('+0.5000');
  });
  test('every other metric keeps 4 decimals, also at whole values; missing values are n/a', () => {
    expect(formatCheckValue({ metric: 'accuracy', value: 1 })).toBe('1.0000');
    expect(formatCheckMargin({ metric: 'accuracy', margin: -1 })).toBe('-1.0000');
    const decision = { metric: 'median_perturbation', details: { attack: 'decision_attack/l2' } };
    expect(isIntegerValuedCheck(decision)).toBe(false);
    expect(formatCheckValue({ ...decision, value: 1 })).toBe('1.0000');
    expect(formatCheckValue({ metric: 'sensitive_rank', value: null })).toBe('n/a');
    expect(formatCheckMargin({ metric: 'sensitive_rank', margin: null })).toBe('n/a');
  });
});

describe('formatValue', () => {
  test('4 fixed decimals', () => {
    expect(formatValue(0.9054298890894117)).toBe('0.9054');
    expect(formatValue(0.07636967349197565)).toBe('0.0764');
    expect(formatValue(1)).toBe('1.0000');
    expect(formatValue(0)).toBe('0.0000');
    expect(formatValue(0.00098)).toBe('0.0010');
    expect(formatValue(-0.1732)).toBe('-0.1732');
    expect(formatValue(12.345678)).toBe('12.3457');
  });
  test('never NaN: n/a; infinities; tiny and huge in scientific notation', () => {
    expect(formatValue(Number.NaN)).toBe('n/a');
    expect(formatValue(null)).toBe('n/a');
    expect(formatValue(undefined)).toBe('n/a');
    expect(formatValue(Number.POSITIVE_INFINITY)).toBe('∞');
    expect(formatValue(Number.NEGATIVE_INFINITY)).toBe('-∞');
    expect(formatValue(4.9e-5)).toBe('4.90e-5');
    expect(formatValue(-1e-9)).toBe('-1.00e-9');
    expect(formatValue(12_345_678)).toBe('1.23e+7');
  });
  test('no negative zero', () => {
    expect(formatValue(-0)).toBe('0.0000');
    expect(formatValue(-0.00004)).toBe('-4.00e-5');
  });
});

describe('other formats', () => {
  test('compact thresholds', () => {
    expect(formatCompact(0.8)).toBe('0.8');
    expect(formatCompact(0.30000000000000004)).toBe('0.3');
    expect(formatCompact(30)).toBe('30');
    expect(formatCompact(0.00001)).toBe('1e-5');
    expect(formatThreshold({ kind: 'min', value: 0.85 })).toBe('≥ 0.85');
    expect(formatThreshold({ kind: 'max', value: 0.1 })).toBe('≤ 0.1');
    expect(formatThresholdAscii({ kind: 'min', value: 0.85 })).toBe('>= 0.85');
  });
  test('signed, counts, metrics', () => {
    expect(formatSigned(0.0554)).toBe('+0.0554');
    expect(formatSigned(-0.0069197)).toBe('-0.0069');
    expect(formatSigned(0)).toBe('0.0000');
    expect(formatSigned(null)).toBe('n/a');
    expect(formatCount(16281)).toBe('16,281');
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(999)).toBe('999');
    expect(formatCount(-1200)).toBe('-1,200');
    expect(formatMetric('count', 16281)).toBe('16,281');
    expect(formatMetric('accuracy', 0.85308)).toBe('0.8531');
  });
  test('interval, percent, bytes, duration, sha', () => {
    expect(formatInterval({ low: 0.847558950545799, high: 0.8584350272937975, level: 0.95, method: 'wilson' })).toBe(
      '95% CI [0.8476, 0.8584] (wilson)',
    );
    expect(formatInterval(undefined)).toBe('');
    expect(formatPercent(0.23622627602727106)).toBe('23.6%');
    expect(formatBytes(4502)).toBe('4.4 KiB');
    expect(formatBytes(1759072)).toBe('1.7 MiB');
    expect(formatBytes(100)).toBe('100 B');
    expect(formatDuration(452)).toBe('452 ms');
    expect(formatDuration(2310)).toBe('2.31 s');
    expect(formatDuration(185_000)).toBe('3 min 05 s');
    expect(shortSha('da4eb2e33c0483275fe142253673fde7dd2c4061d8b37be06ed8e093ed61258c')).toBe('da4eb2e33c04');
  });
  test('truncate keeps surrogate pairs whole', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
    expect(truncate('ab😀cd', 4)).toBe('ab…');
    expect(truncate('abc', 3)).toBe('abc');
  });
  test('relative margin', () => {
    expect(relativeMargin({ margin: -0.1, threshold: { kind: 'max', value: 0.2 } })).toBeCloseTo(-0.5, 12);
    expect(relativeMargin({ margin: -0.1, threshold: { kind: 'max', value: 0 } })).toBe(-0.1);
    expect(relativeMargin({ margin: null, threshold: { kind: 'max', value: 0.2 } })).toBeNull();
  });
});
