/**
 * The breached table says what breached: a measured value beyond its limit. A check the evidence cannot decide (an
 * interval reaching both sides of the limit, too few rows) is listed apart, so that an improvement with a wide
 * interval (a demographic-parity ratio that rose 0.2064 → 0.2863 under `rule: interval`) never reads as breached.
 */
import { describe, expect, it } from 'vitest';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import { renderBreachedChecks } from '../../src/report/markdown.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import { samplePassingReport } from './sample-report.js';

/** The check of a real run (policies/example-adult-full.yml with rule: interval, base logreg_onehot.onnx). */
const IMPROVED_BUT_WIDE: CheckResult = {
  id: 'baseline/demographic_parity_ratio/race',
  ruleId: 'baseline/demographic_parity_ratio',
  section: 'baseline',
  title: 'Demographic parity ratio (race) drop vs base',
  metric: 'demographic_parity_ratio',
  scope: 'race',
  value: -0.07985363873457557,
  threshold: { kind: 'max', value: 0.02 },
  status: 'insufficient',
  outcome: 'warn',
  margin: 0.09985363873457558,
  message:
    "Demographic parity ratio (race) drop vs base = -0.0799 [-0.1905, 0.0427] 95% CI: inconclusive (the 95% CI straddles the threshold 0.02 and is 0.2331 wide, more than inconclusive_width 0.002 (rule 'interval')); required ≤ 0.02 (base 0.2064 → 0.2863)",
  location: { file: '.github/model-policy.yml', line: 72, column: 31 },
  evidence: { rule: 'interval', basis: 'interval', inconclusiveWidth: 0.002, onInsufficient: 'warn', onNotRun: 'fail', severity: 'error', insufficientKind: 'inconclusive' },
  interval: { low: -0.1904512627504779, high: 0.0426596697494668, level: 0.95, method: 'bootstrap-percentile' },
  details: { before: 0.20641831962586682, after: 0.2862719583604424, delta: 0.07985363873457557, higherIsBetter: true, baseline: 'demographic_parity_ratio/race' },
} as unknown as CheckResult;

function withCheck(check: CheckResult): Report {
  const r = samplePassingReport();
  r.checks = [...r.checks.filter((c) => c.outcome === 'pass'), check];
  return r;
}

describe('breached vs not decided', () => {
  it('an improvement with a wide interval is not under "Breached": it is not decided, and says it improved', () => {
    const md = renderBreachedChecks(withCheck(IMPROVED_BUT_WIDE));
    expect(md).not.toContain('### Breached');
    expect(md).toContain('**No threshold was breached** by a measured value.');
    expect(md).toContain('### Not decided (1)');
    expect(md).toContain(
      '- ⚠️ inconclusive **Demographic parity ratio (race) drop vs base** (▲ better, 0.2064 → 0.2863): value -0.0799, its 95% interval [-0.1905, 0.0427] reaches both sides of the limit ≤ 0.02 · line 72',
    );
    const body = renderComment(withCheck(IMPROVED_BUT_WIDE), { marker: commentMarker('p.yml') });
    expect(body).not.toContain('### Breached');
    expect(body).toContain('### Not decided (1)');
  });

  it('a measured worsening stays under "Breached", with its direction in words', () => {
    const worse = {
      ...IMPROVED_BUT_WIDE,
      value: 0.05,
      margin: -0.03,
      status: 'fail',
      outcome: 'fail',
      details: { before: 0.3, after: 0.25, delta: -0.05, higherIsBetter: true },
    } as unknown as CheckResult;
    const md = renderBreachedChecks(withCheck(worse));
    expect(md).toContain('### Breached (1)');
    expect(md).toContain('| ❌ fail | Demographic parity ratio (race) drop vs base (▼ worse, 0.3000 → 0.2500) | 0.0500 | ≤ 0.02 | -0.0300 | line 72 |');
    expect(md).not.toContain('Not decided');
  });
});
