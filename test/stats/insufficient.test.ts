/**
 * Issue #6: a very small group and a group with no actual positives are reported as insufficient evidence, by name,
 * and never pass on a rate that could not be estimated (fairlearn's convention gives TPR = 0 to a group without
 * positives, so a TPR difference between two such groups reads "0": a pass).
 */
import { describe, expect, it } from 'vitest';
import { fairnessChecks } from '../../src/checks/fairness.js';
import type { CheckContext } from '../../src/checks/context.js';
import { makeCheckResults } from '../../src/checks/result.js';
import type { Grouping } from '../../src/data/types.js';
import { groupMetrics } from '../../src/metrics/groupMetrics.js';
import { fairnessEstimate } from '../../src/stats/estimators.js';
import type { FairnessPlan } from '../../src/stats/weighted/metrics.js';
import { createRng } from '../../src/util/rng.js';
import { fakeDoc } from './helpers.js';

/**
 * 808 rows. region: 'north' (800 rows) and 'islands' (8 rows, below min_group_size 30).
 * segment: 'retail' (400), 'corporate' (308), 'students' (100 rows, no actual positives).
 * site: 'lab-a' and 'lab-b' (404 rows each, no actual positives in either).
 */
function fixture() {
  const n = 808;
  const rng = createRng(3).fork('fixture');
  const yTrue = new Uint8Array(n);
  const yPred = new Uint8Array(n);
  const region = new Int32Array(n);
  const segment = new Int32Array(n);
  const site = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    region[i] = i < 800 ? 0 : 1;
    segment[i] = i < 400 ? 0 : i < 708 ? 1 : 2;
    site[i] = i % 2;
    yTrue[i] = segment[i] === 2 ? 0 : rng.next() < 0.4 ? 1 : 0;
    yPred[i] = rng.next() < (yTrue[i] ? 0.7 : 0.2) ? 1 : 0;
  }
  const grouping = (name: string, keys: string[], codes: Int32Array): Grouping => ({
    name, attributes: [name], keys, codes, values: keys.map((k) => ({ [name]: k })),
  });
  return {
    yTrue, yPred,
    region: grouping('region', ['islands', 'north'].sort(), region.map((c) => (c === 0 ? 1 : 0))),
    segment: grouping('segment', ['corporate', 'retail', 'students'], segment.map((c) => [1, 0, 2][c])),
    // a label vector where nobody is positive: the site grouping's TPRs are both undefined
    noPositives: new Uint8Array(n),
    site: grouping('site', ['lab-a', 'lab-b'], site),
  };
}

const TPR_DIFFERENCE: FairnessPlan = { bases: ['true_positive_rate'], aggregate: 'difference', combine: 'worst', method: 'between_groups' };
const DP_RATIO: FairnessPlan = { bases: ['selection_rate'], aggregate: 'ratio', combine: 'worst', method: 'between_groups' };

describe('insufficient evidence, by name', () => {
  const f = fixture();
  const doc = fakeDoc({ checks: { performance: {}, fairness: {} } as never });

  it('a group without actual positives: TPR difference is insufficient evidence naming the group', () => {
    const g = fairnessEstimate(TPR_DIFFERENCE, { yTrue: f.yTrue, yPred: f.yPred, scores: null }, f.segment, 30);
    expect(g.value).toBeNull();
    expect(g.insufficientReason).toBe("group 'students' has no actual positives, so its true positive rate cannot be estimated");
    const [r] = makeCheckResults({
      doc, section: 'fairness', metric: 'equal_opportunity_difference', scope: 'segment', title: 'Equal opportunity difference (segment)',
      value: g.value, threshold: { max: 0.1 }, pointer: ['checks', 'fairness', 'equal_opportunity_difference'],
      ...(g.insufficientReason ? { insufficientReason: g.insufficientReason } : {}),
    });
    expect(r).toMatchObject({ status: 'insufficient', outcome: 'warn', value: null, margin: null });
    expect(r.message).toBe(
      "Equal opportunity difference (segment): insufficient data (group 'students' has no actual positives, so its true positive rate cannot be estimated); required ≤ 0.1",
    );
  });

  it('two groups without positives never read as "difference 0, pass"', () => {
    const g = fairnessEstimate(TPR_DIFFERENCE, { yTrue: f.noPositives, yPred: f.yPred, scores: null }, f.site, 30);
    expect(g.value).toBeNull();
    expect(g.insufficientReason).toContain("group 'lab-a' has no actual positives");
    expect(g.insufficientReason).toContain("group 'lab-b' has no actual positives");
    const [r] = makeCheckResults({
      doc, section: 'fairness', metric: 'equal_opportunity_difference', scope: 'site', title: 'Equal opportunity difference (site)',
      value: g.value, threshold: { max: 0.1, on_insufficient: 'fail' }, pointer: ['checks', 'fairness', 'equal_opportunity_difference'],
      insufficientReason: g.insufficientReason,
    });
    expect(r.status).toBe('insufficient');
    expect(r.outcome).toBe('fail');
  });

  it('a group below min_group_size: named, and the comparison is insufficient when too few groups remain', () => {
    const g = fairnessEstimate(DP_RATIO, { yTrue: f.yTrue, yPred: f.yPred, scores: null }, f.region, 30);
    expect(g.value).toBeNull();
    expect(g.insufficientReason).toBe("only 1 group(s) of 'region' have at least min_group_size 30 rows; too small: 'islands' (8 rows)");
  });

  it('the demographic parity ratio of the segments is estimable (selection rates need no positives) and gets a CI', () => {
    const g = fairnessEstimate(DP_RATIO, { yTrue: f.yTrue, yPred: f.yPred, scores: null }, f.segment, 30);
    expect(g.insufficientReason).toBeUndefined();
    const [r] = makeCheckResults({
      doc, section: 'fairness', metric: 'demographic_parity_ratio', scope: 'segment', title: 'Demographic parity ratio (segment)',
      value: g.value, threshold: { min: 0.05 }, pointer: ['checks', 'fairness', 'demographic_parity_ratio'], estimate: g.estimate,
    });
    expect(r.interval).toMatchObject({ level: 0.95, method: 'bootstrap-percentile' });
    expect(r.interval!.low).toBeLessThanOrEqual(g.value!);
    expect(r.interval!.high).toBeGreaterThanOrEqual(g.value!);
    expect(r.status, r.message).toBe('pass');
  });

  it("through the gate's fairness checks: insufficient by name, never a pass", () => {
    const policy = {
      min_group_size: 30,
      checks: { performance: {}, fairness: { equal_opportunity_difference: { max: 0.1 }, demographic_parity_ratio: { min: 0.5 } } },
    };
    const groupings = [f.region, f.segment];
    const ctx = {
      doc: fakeDoc(policy as never), labels: { yTrue: f.yTrue, positives: f.yTrue.reduce((a, b) => a + b, 0) }, yPred: f.yPred,
      scores: Float32Array.from(f.yPred), groupings, rng: createRng(7), deadline: Date.now() + 60_000,
      model: { info: { outputKind: 'label' } },
    } as unknown as CheckContext;
    const results = groupings.map((grouping) => groupMetrics({ yTrue: f.yTrue, yPred: f.yPred, scores: null, grouping, minGroupSize: 30 }));
    const checks = fairnessChecks(ctx, results);
    const eop = checks.find((c) => c.id === 'fairness/equal_opportunity_difference/segment')!;
    expect(eop.status).toBe('insufficient');
    expect(eop.message).toContain("'students'");
    const region = checks.filter((c) => c.scope === 'region');
    expect(region.length).toBeGreaterThan(0);
    for (const c of region) {
      expect(c.status).toBe('insufficient');
      expect(c.outcome).not.toBe('pass');
    }
  });
});
