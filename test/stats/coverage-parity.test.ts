import { describe, expect, it } from 'vitest';
import { parityCoverage } from './synthetic.js';

describe('coverage of nominal 95% stratified bootstrap intervals between groups (1,000 seeded repetitions)', () => {
  it('difference of selection rates: groups of 150 and 100 at 0.40 and 0.25 (true difference 0.15)', () => {
    const c = parityCoverage(1000, 'difference', [150, 100], [0.4, 0.25], 20240603, { resamples: 500 });
    console.log(`difference coverage (percentile): ${c.rate} (truth below ${c.below}, above ${c.above})`);
    expect(c.rate).toBeGreaterThanOrEqual(0.93);
    expect(c.rate).toBeLessThanOrEqual(0.97);
  }, 120_000);

  it('ratio of selection rates: same groups (true ratio 0.625)', () => {
    const c = parityCoverage(1000, 'ratio', [150, 100], [0.4, 0.25], 20240604, { resamples: 500 });
    console.log(`ratio coverage (percentile): ${c.rate} (truth below ${c.below}, above ${c.above})`);
    expect(c.rate).toBeGreaterThanOrEqual(0.93);
    expect(c.rate).toBeLessThanOrEqual(0.97);
  }, 120_000);
});
