import { describe, expect, it } from 'vitest';
import { downsampleCurve } from '../../src/metrics/downsampleCurve.js';
import { performanceMetrics } from '../../src/metrics/performanceMetrics.js';
import type { CurvePoint } from '../../src/metrics/types.js';
import { loadPredictions } from './referenceFixtures.js';

const u8 = (xs: number[]): Uint8Array => Uint8Array.from(xs);
const f32 = (xs: number[]): Float32Array => Float32Array.from(xs);

describe('performanceMetrics', () => {
  it('label-only model: score metrics, ksAt and curves are null', () => {
    const p = performanceMetrics(u8([1, 0, 1]), null, u8([1, 0, 0]), { curves: true });
    expect(p.metrics.accuracy).toBeCloseTo(2 / 3, 15);
    expect(p.metrics.roc_auc).toBeNull();
    expect(p.metrics.log_loss).toBeNull();
    expect(p.ksAt).toBeNull();
    expect(p.curves).toBeNull();
  });

  it('zero rows: nothing but nulls and zero counts', () => {
    const p = performanceMetrics(u8([]), f32([]), u8([]), { curves: true });
    expect(p.confusion).toEqual({ tn: 0, fp: 0, fn: 0, tp: 0 });
    expect(p.metrics.count).toBe(0);
    for (const [k, v] of Object.entries(p.metrics)) if (k !== 'count') expect(v, k).toBeNull();
    expect(p.curves).toBeNull();
  });

  it('all-positive labels: ranking metrics null, ROC and KS curves empty, PR defined', () => {
    const p = performanceMetrics(u8([1, 1, 1]), f32([0.2, 0.6, 0.9]), u8([0, 1, 1]), { curves: true });
    expect(p.metrics.roc_auc).toBeNull();
    expect(p.metrics.average_precision).toBeNull();
    expect(p.metrics.ks).toBeNull();
    expect(p.metrics.brier).toBeCloseTo((0.64 + 0.16 + 0.01) / 3, 7);
    expect(p.curves?.roc).toEqual([]);
    expect(p.curves?.ksPositives).toEqual([]);
    expect(p.curves?.pr.map((q) => q.y)).toEqual([1, 1, 1, 1]);
  });

  it('small curves keep every step: ROC from (0,0) to (1,1), PR from recall 0 to 1', () => {
    const p = performanceMetrics(u8([0, 0, 1, 1]), f32([0.1, 0.4, 0.35, 0.8]), u8([0, 0, 0, 1]), { curves: true });
    const c = p.curves!;
    expect(c.roc.map((q) => [q.x, q.y])).toEqual([[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
    expect(c.pr.map((q) => [q.x, q.y])).toEqual([[0, 1], [0.5, 1], [0.5, 0.5], [1, 2 / 3], [1, 0.5]]);
    expect(c.precisionByThreshold.map((q) => q.y)).toEqual([0.5, 2 / 3, 0.5, 1]);
    expect(c.ksPositives.map((q) => q.y)).toEqual([0, 0.5, 0.5, 1]);
    expect(c.ksNegatives.map((q) => q.y)).toEqual([0.5, 0.5, 1, 1]);
    expect(p.ksAt).toBe(c.ksPositives[0]?.x);
  });

  it('Adult: curves are thinned to <= 200 points, keep both ends and the KS point', () => {
    const d = loadPredictions('adult', 'gbt_onehot');
    const p = performanceMetrics(d.yTrue, d.scores, d.yPred, { curves: true });
    const c = p.curves!;
    for (const [name, curve] of Object.entries(c) as Array<[string, CurvePoint[]]>) {
      expect(curve.length, name).toBeLessThanOrEqual(200);
      expect(curve.length, name).toBeGreaterThan(100);
    }
    expect(c.roc[0]).toEqual({ x: 0, y: 0 });
    expect(c.roc.at(-1)).toMatchObject({ x: 1, y: 1 });
    expect(c.pr.at(-1)?.x).toBe(1);
    expect(c.pr.at(-1)?.y).toBeCloseTo(3846 / 16281, 15);
    const kp = c.ksPositives.find((q) => q.x === p.ksAt);
    const kn = c.ksNegatives.find((q) => q.x === p.ksAt);
    expect(kp).toBeDefined();
    expect(kn).toBeDefined();
    expect(Math.abs((kn as CurvePoint).y - (kp as CurvePoint).y)).toBeCloseTo(p.metrics.ks as number, 15);
    expect(p.ksAt).toBe(0.23004239797592163); // scipy 1.17 ks_2samp(...).statistic_location
    for (const curve of [c.roc, c.pr, c.ksPositives]) {
      for (let i = 1; i < curve.length; i++) expect((curve[i] as CurvePoint).x).toBeGreaterThanOrEqual((curve[i - 1] as CurvePoint).x);
    }
  });
});

describe('downsampleCurve', () => {
  const curve: CurvePoint[] = Array.from({ length: 1000 }, (_, i) => ({ x: i / 999, y: Math.sqrt(i / 999) }));
  it('returns short curves unchanged', () => {
    expect(downsampleCurve(curve.slice(0, 50))).toEqual(curve.slice(0, 50));
  });
  it('keeps the ends, the requested points, order, and the bound', () => {
    const out = downsampleCurve(curve, 20, [123, 456]);
    expect(out.length).toBeLessThanOrEqual(20);
    expect(out[0]).toBe(curve[0]);
    expect(out.at(-1)).toBe(curve[999]);
    expect(out).toContain(curve[123]);
    expect(out).toContain(curve[456]);
    for (let i = 1; i < out.length; i++) expect((out[i] as CurvePoint).x).toBeGreaterThan((out[i - 1] as CurvePoint).x);
  });
  it('keeps a sharp corner', () => {
    const corner: CurvePoint[] = Array.from({ length: 500 }, (_, i) => ({ x: i, y: i < 250 ? 0 : 1 }));
    const out = downsampleCurve(corner, 10);
    expect(out.some((p) => p.x === 249 || p.x === 250)).toBe(true);
  });
});
