import { describe, expect, it } from 'vitest';
import { aucCoverage } from './synthetic.js';

describe('coverage of nominal 95% bootstrap intervals for ROC AUC (1,000 seeded repetitions)', () => {
  it('100 positives ~ N(1,1) vs 200 negatives ~ N(0,1): true AUC Φ(1/√2) = 0.7602', () => {
    const c = aucCoverage(1000, 100, 200, 1, 20240602, { resamples: 500 });
    console.log(`AUC coverage (percentile, 500 resamples): ${c.rate} (truth below ${c.below}, above ${c.above})`);
    expect(c.rate).toBeGreaterThanOrEqual(0.93);
    expect(c.rate).toBeLessThanOrEqual(0.97);
  }, 120_000);
});
