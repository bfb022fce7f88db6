import { describe, expect, it } from 'vitest';
import { makeCheckResults, type CheckInput } from '../../src/checks/result.js';
import { applyMultipleTestingCorrection } from '../../src/stats/correction.js';
import { performanceEstimate } from '../../src/stats/estimators.js';
import { resolveStatistics } from '../../src/stats/policy.js';
import { decideVerdict } from '../../src/stats/verdict.js';
import { fakeDoc } from './helpers.js';

const ci = (low: number, high: number) => ({ low, high, level: 0.95 });

describe('decideVerdict', () => {
  const base = { kind: 'min' as const, limit: 0.8, rule: 'point' as const, inconclusiveWidth: 0.1 };
  it.each([
    // [value, interval, rule, expected status]
    [0.85, ci(0.83, 0.87), 'point', 'pass'],
    [0.78, ci(0.76, 0.8), 'point', 'fail'],
    [0.79, ci(0.77, 0.81), 'point', 'fail'], // narrow CI containing the limit: the point decides
    [0.79, ci(0.77, 0.81), 'interval', 'pass'], // ... under 'interval' no breach is shown
    [0.75, ci(0.7, 0.78), 'interval', 'fail'], // the whole CI below the limit
    [0.82, ci(0.7, 0.92), 'point', 'pass'], // rule point: the point decides, always (issue #9)
    [0.78, ci(0.7, 0.92), 'point', 'fail'], // ... a point breach stays a fail however wide the CI
    [0.82, ci(0.7, 0.92), 'interval', 'insufficient'],
    [0.82, ci(0.81, 0.92), 'point', 'pass'], // wide but wholly above: evidence enough
    [0.85, undefined, 'interval', 'pass'], // no interval: falls back to the point
    [0.75, undefined, 'interval', 'fail'],
    [null, undefined, 'point', 'insufficient'],
  ] as const)('value %s CI %o rule %s -> %s', (value, interval, rule, status) => {
    const q = { ...base, value, rule, ...(interval ? { interval } : {}) };
    expect(decideVerdict(q).status).toBe(status);
  });
  it('max limits mirror min limits, and a caller reason wins', () => {
    expect(decideVerdict({ ...base, kind: 'max', limit: 0.1, value: 0.12, interval: ci(0.105, 0.135), rule: 'interval' }).status).toBe('fail');
    expect(decideVerdict({ ...base, kind: 'max', limit: 0.1, value: 0.12, interval: ci(0.09, 0.15), rule: 'interval' }).status).toBe('pass');
    expect(decideVerdict({ ...base, value: 0.9, insufficientReason: "group 'x' has 3 rows" })).toMatchObject({ status: 'insufficient', reason: "group 'x' has 3 rows" });
  });
});

describe('makeCheckResults', () => {
  const accuracy = (successes: number, trials: number): Pick<CheckInput, 'value' | 'estimate'> => {
    const yTrue = new Uint8Array(trials);
    const yPred = new Uint8Array(trials);
    for (let i = 0; i < trials; i++) { yTrue[i] = 1; yPred[i] = i < successes ? 1 : 0; }
    const g = performanceEstimate('accuracy', { yTrue, yPred, scores: null });
    return { value: g.value, estimate: g.estimate! };
  };
  const input = (doc = fakeDoc(), more: Partial<CheckInput> = {}): CheckInput => ({
    doc, section: 'performance', metric: 'accuracy', title: 'Accuracy', threshold: { min: 0.8 }, pointer: ['checks', 'performance', 'accuracy'],
    ...accuracy(850, 1000), ...more,
  });

  it('a rate gets a Wilson interval, its p-value and the documented message', () => {
    const [r] = makeCheckResults(input());
    // Wilson bounds from the closed form with scipy's z (0.8265313415731996, 0.8707899274869118)
    expect(r.interval).toEqual({ low: expect.closeTo(0.8265313415731996, 12), high: expect.closeTo(0.8707899274869118, 12), level: 0.95, method: 'wilson' });
    expect(r.status).toBe('pass');
    expect(r.message).toBe('Accuracy = 0.85 [0.8265, 0.8708] 95% CI, required ≥ 0.8');
    expect(r.evidence).toMatchObject({ rule: 'point', basis: 'point', inconclusiveWidth: 0.1, onInsufficient: 'warn', severity: 'error' });
    // score test of H0 p >= 0.8 at 0.85: z = 0.05 / sqrt(0.16/1000) = 3.95, p = Φ(-... ) on the passing side: p close to 1
    expect(r.evidence!.pValue).toBeGreaterThan(0.99);
    expect(r.location).toEqual({ file: 'policy.yml', line: 4, column: 1 });
  });

  it('fail under rule point, and under rule interval only when the whole CI is beyond', () => {
    const [pointFail] = makeCheckResults(input(fakeDoc(), { ...accuracy(790, 1000) }));
    expect(pointFail.status).toBe('fail');
    expect(pointFail.message).toBe('Accuracy = 0.79 [0.7637, 0.8141] 95% CI breaches min 0.8 by 0.01 (the 95% CI reaches the threshold)');
    const [intervalPass] = makeCheckResults(input(fakeDoc(), { ...accuracy(790, 1000), threshold: { min: 0.8, rule: 'interval' } }));
    expect(intervalPass.status).toBe('pass');
    expect(intervalPass.message).toContain("rule 'interval'");
    const [intervalFail] = makeCheckResults(input(fakeDoc({ statistics: { rule: 'interval' } }), { ...accuracy(700, 1000) }));
    expect(intervalFail.status).toBe('fail');
    expect(intervalFail.message).toBe('Accuracy = 0.7 [0.6709, 0.7276] 95% CI breaches min 0.8 by 0.1 (the whole 95% CI is below it)');
  });

  it('rule interval: a wide CI straddling the limit is inconclusive (not "insufficient data"), with on_insufficient from the threshold or statistics', () => {
    const small = accuracy(17, 20); // 0.85, Wilson [0.64, 0.95]
    const interval = (stats: Record<string, unknown> = {}) => fakeDoc({ statistics: { rule: 'interval', ...stats } });
    const [warn] = makeCheckResults(input(interval(), small));
    expect(warn).toMatchObject({ status: 'insufficient', outcome: 'warn', evidence: { insufficientKind: 'inconclusive' } });
    expect(warn.message).toMatch(/^Accuracy = 0\.85 \[0\.6396, 0\.9476\] 95% CI: inconclusive \(the 95% CI straddles the threshold 0\.8 and is 0\.3081 wide, more than inconclusive_width 0\.1 \(rule 'interval'\)\); required ≥ 0\.8$/);
    expect(makeCheckResults(input(interval({ on_insufficient: 'fail' }), small))[0].outcome).toBe('fail');
    expect(makeCheckResults(input(interval({ on_insufficient: 'fail' }), { ...small, threshold: { min: 0.8, on_insufficient: 'pass' } }))[0].outcome).toBe('pass');
    expect(makeCheckResults(input(interval({ inconclusive_width: { default: 0.5 } }), small))[0].status).toBe('pass');
    // rule point: the same wide CI never changes the point's verdict (a pass, marked close to the limit)
    const [point] = makeCheckResults(input(fakeDoc(), small));
    expect(point).toMatchObject({ status: 'pass', outcome: 'pass' });
    expect(point.message).toContain('close to the limit');
    const breach = accuracy(15, 20); // 0.75 < 0.8, Wilson [0.53, 0.89]
    expect(makeCheckResults(input(fakeDoc(), breach))[0]).toMatchObject({ status: 'fail', outcome: 'fail' });
  });

  it('not run (the time budget): outcome fail by default, warn only when the policy opts in; never pass', () => {
    const small = accuracy(17, 20);
    const [r] = makeCheckResults({ ...input(fakeDoc(), small), notRunReason: 'the time budget ran out in stage robustness' });
    expect(r).toMatchObject({ status: 'not-run', outcome: 'fail' });
    expect(r.message).toBe('Accuracy: not run (the time budget ran out in stage robustness); required ≥ 0.8');
    const [w] = makeCheckResults({ ...input(fakeDoc({ statistics: { on_not_run: 'warn' } }), small), notRunReason: 'x' });
    expect(w).toMatchObject({ status: 'not-run', outcome: 'warn' });
  });

  it('a bootstrap interval when there is no proportion; min and max both produce results sharing one interval', () => {
    const yTrue = Uint8Array.from({ length: 400 }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const scores = Float32Array.from({ length: 400 }, (_, i) => ((i * 37) % 101) / 100 + (yTrue[i] ? 0.3 : 0));
    const g = performanceEstimate('roc_auc', { yTrue, yPred: new Uint8Array(400), scores });
    const rs = makeCheckResults({ ...input(), metric: 'roc_auc', title: 'ROC AUC', value: g.value, estimate: g.estimate!, threshold: { min: 0.5, max: 0.99 } });
    expect(rs.map((r) => r.id)).toEqual(['performance/roc_auc/min', 'performance/roc_auc/max']);
    expect(rs[0].interval).toEqual(rs[1].interval);
    expect(rs[0].interval!.method).toBe('bootstrap-percentile');
    expect(rs[0].interval!.low).toBeLessThan(g.value!);
  });

  it('resamples 0: no bootstrap interval, the point decides', () => {
    const yTrue = Uint8Array.from({ length: 100 }, (_, i) => i % 2);
    const g = performanceEstimate('roc_auc', { yTrue, yPred: new Uint8Array(100), scores: Float32Array.from(yTrue, (y, i) => y * 0.5 + (i % 7) / 10) });
    const [r] = makeCheckResults({ ...input(fakeDoc({ statistics: { resamples: 0 } })), metric: 'roc_auc', title: 'ROC AUC', value: g.value, estimate: g.estimate! });
    expect(r.interval).toBeUndefined();
    expect(r.status).toBe(g.value! >= 0.8 ? 'pass' : 'fail');
  });
});

describe('multiple-testing correction', () => {
  // three accuracy checks under rule 'interval', each individually significant below 0.8
  const doc = fakeDoc({ statistics: { rule: 'interval', correction: 'holm' } });
  const check = (metric: string, successes: number, trials: number) => {
    const yTrue = new Uint8Array(trials);
    const yPred = new Uint8Array(trials);
    for (let i = 0; i < successes; i++) yPred[i] = 0;
    for (let i = successes; i < trials; i++) yPred[i] = 1;
    const g = performanceEstimate('accuracy', { yTrue, yPred, scores: null });
    return makeCheckResults({ doc, section: 'fairness', metric: 'accuracy_group_min', scope: metric, title: metric, value: g.value, estimate: g.estimate!, threshold: { min: 0.8 }, pointer: ['x'] })[0];
  };

  it('Holm keeps the strong breach and turns a marginal one into inconclusive (never a pass) within the family', () => {
    const checks = [check('a', 740, 1000), check('b', 772, 1000), check('c', 900, 1000)];
    expect(checks.map((c) => c.status)).toEqual(['fail', 'fail', 'pass']);
    const p = checks.map((c) => c.evidence!.pValue!);
    expect(p[0]).toBeLessThan(0.0001);
    expect(p[1]).toBeGreaterThan(0.0125);
    expect(p[1]).toBeLessThan(0.025);
    const family = { ...resolveStatistics(doc.policy), correctionFamily: 'metric' as const };
    const corrected = applyMultipleTestingCorrection(checks, family);
    expect(corrected.map((c) => c.status)).toEqual(['fail', 'insufficient', 'pass']);
    expect(corrected[1].evidence).toMatchObject({ correction: 'holm', family: 'fairness/accuracy_group_min', familySize: 3, insufficientKind: 'multiple-testing' });
    expect(corrected[1].evidence!.adjustedPValue).toBeCloseTo(Math.min(1, 2 * p[1]), 12);
    expect(corrected[1].message).toMatch(/^b = 0\.772 \[0\.745, 0\.7969\] 95% CI: inconclusive \(after the Holm correction over 3 checks the breach is not significant: adjusted p = 0\.0\d+ ≥ 0\.025\); required ≥ 0\.8$/);
    expect(corrected[1].outcome).toBe('warn');
    // the strong breach keeps its fail and shows its adjusted p-value on its line
    expect(corrected[0].message).toMatch(/Holm-adjusted p (=|<) .* over 3 checks/);
    // the default family is the whole gate
    expect(applyMultipleTestingCorrection(checks, resolveStatistics(doc.policy))[1].evidence).toMatchObject({ family: 'all' });
    // the input is not modified, and 'none' changes nothing
    expect(checks[1].status).toBe('fail');
    expect(applyMultipleTestingCorrection(checks, { ...resolveStatistics(doc.policy), correction: 'none' }).map((c) => c.status)).toEqual(['fail', 'fail', 'pass']);
  });

  it('Benjamini-Hochberg is less strict than Holm on the same family', () => {
    const checks = [check('a', 760, 1000), check('b', 770, 1000), check('c', 772, 1000)];
    const s = resolveStatistics(doc.policy);
    const holm = applyMultipleTestingCorrection(checks, s).map((c) => c.evidence!.adjustedPValue!);
    const bh = applyMultipleTestingCorrection(checks, { ...s, correction: 'benjamini-hochberg' }).map((c) => c.evidence!.adjustedPValue!);
    for (let i = 0; i < 3; i++) expect(bh[i]).toBeLessThanOrEqual(holm[i]);
  });
});
