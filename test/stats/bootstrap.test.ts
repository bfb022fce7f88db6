import { describe, expect, it } from 'vitest';
import { drawStratifiedResample, fromRows, groupedJackknife, stratifiedBootstrap } from '../../src/stats/bootstrap.js';
import {
  bootstrapBounds,
  bootstrapPValueAbove,
  bootstrapPValueBelow,
  makeDistribution,
  quantileSorted,
  tieSplitCdf,
} from '../../src/stats/bootstrapInterval.js';
import { layoutStrata } from '../../src/stats/strata.js';
import { createRng } from '../../src/util/rng.js';

describe('stratified resampling', () => {
  it('keeps every stratum size and draws only rows of the stratum', () => {
    const strata = Int32Array.from({ length: 1000 }, (_, i) => (i % 7 === 0 ? 5 : i % 3));
    const layout = layoutStrata(strata);
    const out = new Uint32Array(1000);
    drawStratifiedResample(layout, createRng(1), out);
    const counts = new Map<number, number>();
    for (const r of out) counts.set(strata[r], (counts.get(strata[r]) ?? 0) + 1);
    const expected = new Map<number, number>();
    for (const s of strata) expected.set(s, (expected.get(s) ?? 0) + 1);
    expect(counts).toEqual(expected);
    // rows appear grouped by stratum, in the layout's order
    for (let s = 0; s < layout.count; s++) {
      for (let k = layout.offsets[s]; k < layout.offsets[s + 1]; k++) expect(strata[out[k]]).toBe(strata[layout.members[layout.offsets[s]]]);
    }
  });

  it('two indices per uniform draw are uniform and independent (chi-square over pairs)', () => {
    const m = 10;
    const layout = layoutStrata(new Int32Array(m));
    const out = new Uint32Array(m);
    const rng = createRng(42);
    const single = new Float64Array(m);
    const pairs = new Float64Array(m * m);
    const draws = 20000;
    for (let b = 0; b < draws; b++) {
      drawStratifiedResample(layout, rng, out);
      for (let k = 0; k < m; k++) single[out[k]]++;
      for (let k = 0; k + 1 < m; k += 2) pairs[out[k] * m + out[k + 1]]++;
    }
    const chi = (obs: Float64Array, expected: number) => obs.reduce((a, o) => a + (o - expected) ** 2 / expected, 0);
    // df 9 and 99: the 0.999 quantiles are 27.9 and 148.2
    expect(chi(single, (draws * m) / m)).toBeLessThan(27.9);
    expect(chi(pairs, (draws * (m / 2)) / (m * m))).toBeLessThan(148.2);
  });

  it('is deterministic for a seed and differs for another seed', () => {
    const strata = Int32Array.from({ length: 500 }, (_, i) => i % 2);
    const values = Float64Array.from({ length: 500 }, (_, i) => Math.sin(i) * 10);
    const mean = fromRows((rows) => rows.reduce((a, r) => a + values[r], 0) / rows.length);
    const a = stratifiedBootstrap(strata, [mean], 200, createRng(5).fork('x')).replicates[0];
    const b = stratifiedBootstrap(strata, [mean], 200, createRng(5).fork('x')).replicates[0];
    const c = stratifiedBootstrap(strata, [mean], 200, createRng(6).fork('x')).replicates[0];
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });
});

describe('intervals and p-values from a bootstrap distribution', () => {
  const replicates = Float64Array.from({ length: 1001 }, (_, i) => i / 1000); // uniform grid on [0, 1]

  it('percentile and basic bounds', () => {
    const d = makeDistribution(0.4, replicates);
    const pct = bootstrapBounds(d, 0.95, 'percentile')!;
    expect(pct.low).toBeCloseTo(0.025, 12);
    expect(pct.high).toBeCloseTo(0.975, 12);
    const basic = bootstrapBounds(d, 0.95, 'basic')!;
    expect(basic.low).toBeCloseTo(0.8 - 0.975, 12);
    expect(basic.high).toBeCloseTo(0.8 - 0.025, 12);
    expect(quantileSorted(Float64Array.of(1, 2, 3, 4), 0.5)).toBe(2.5);
    expect(tieSplitCdf(Float64Array.of(1, 2, 2, 3), 2)).toBe(0.5);
  });

  it('BCa reduces to percentile when z0 = 0 and a = 0, and moves with the bias', () => {
    const centred = makeDistribution(0.5, replicates);
    expect(centred.z0).toBeCloseTo(0, 12);
    const bca = bootstrapBounds(centred, 0.95, 'bca')!;
    expect(bca.low).toBeCloseTo(0.025, 9);
    expect(bca.high).toBeCloseTo(0.975, 9);
    const biased = makeDistribution(0.6, replicates); // estimate above the median: z0 > 0 shifts both bounds up
    expect(biased.z0).toBeGreaterThan(0);
    expect(bootstrapBounds(biased, 0.95, 'bca')!.low).toBeGreaterThan(0.025);
  });

  it('one-sided p-values invert the interval: the whole CI below the limit <=> p_below < (1 - level)/2', () => {
    const rng = createRng(9);
    const normal = Float64Array.from({ length: 2000 }, () => 0.8 + 0.02 * rng.normal());
    for (const method of ['percentile', 'basic', 'bca'] as const) {
      const jack = Float64Array.from({ length: 50 }, (_, i) => 0.8 + 0.001 * Math.sin(i));
      const d = makeDistribution(0.8, normal, jack);
      const ci = bootstrapBounds(d, 0.95, method)!;
      for (const limit of [0.7, 0.75, ci.high - 1e-3, ci.high + 1e-3, 0.85, 0.9]) {
        expect(bootstrapPValueBelow(d, limit, method) < 0.025, `${method} below ${limit}`).toBe(ci.high < limit);
      }
      for (const limit of [0.7, ci.low - 1e-3, ci.low + 1e-3, 0.9]) {
        expect(bootstrapPValueAbove(d, limit, method) < 0.025, `${method} above ${limit}`).toBe(ci.low > limit);
      }
    }
  });

  it('the grouped jackknife leaves out one block at a time', () => {
    const layout = layoutStrata(Int32Array.from({ length: 100 }, (_, i) => i % 2));
    const size = fromRows((rows) => rows.length);
    const [values] = groupedJackknife(layout, [size], 10);
    expect(Array.from(values)).toEqual(new Array(10).fill(90));
  });
});
