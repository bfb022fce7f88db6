/**
 * Large runs split each attack step into chunks of rows (bounded memory). Deterministic attacks give the same
 * results chunked or not; the randomised decision-based attack stays valid.
 */
import { describe, expect, it } from 'vitest';
import { runBattery } from '../../src/checks/robustness/battery.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { adultContext, auditExamples } from './helpers.js';

describe('chunked attack steps', () => {
  it('give the same noise, finite-difference and categorical results, and valid decision-attack examples', async () => {
    const ctx = await adultContext({
      model: 'mlp_torch',
      robustness: {
        rows: 80,
        noise: { strengths: [0.5, 1], repeats: 2 },
        score_attack: { gradient: 'finite_differences', epsilons: { linf: [0.25, 1] }, steps: 6 },
        decision_attack: { iterations: 3 },
        counterfactual: { enabled: false },
      },
    });
    const settings = robustnessSettings(ctx.doc)!;
    const whole = await runBattery(ctx, settings);
    const chunked = await runBattery(ctx, settings, { maxStepRows: 150 });
    for (const key of ['noise', 'score_attack/linf', 'categorical_attack']) {
      const a = whole.section.attacks.find((x) => x.key === key)!;
      const b = chunked.section.attacks.find((x) => x.key === key)!;
      expect(b.calls, key).toBeGreaterThan(a.calls);
      expect(JSON.stringify({ ...b, calls: 0, meanRowsPerCall: 0 }), key).toBe(JSON.stringify({ ...a, calls: 0, meanRowsPerCall: 0 }));
    }
    for (const audit of await auditExamples(ctx, chunked)) {
      expect(audit.violations, audit.attack).toEqual([]);
      expect(audit.notFlipped, audit.attack).toBe(0);
    }
    expect(chunked.section.attacks.find((x) => x.key === 'decision_attack/l2')!.perturbation.count).toBeGreaterThan(0);
  }, 60_000);
});
