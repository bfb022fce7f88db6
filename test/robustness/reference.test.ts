/**
 * The attacks against an exact oracle: logreg_onehot is linear in its input (f = w·x + b), so the minimal L∞ / L2
 * perturbation that flips each row's decision is |f| / ‖w_S‖₁ / ‖w_S‖₂ (logreg_onehot.robustness.reference.json, raw
 * units, no bounds or integrality). Attacks configured to match (units raw, bounds none, integers none):
 * - no attack ever reports a success below the exact minimum (that would be a bug);
 * - the score-based attack's success rates equal the optimal attacker's, from below;
 * - the decision-based attack is within 10% of the exact minimum on at least 90% of the rows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/checks/context.js';
import { runBattery, type BatteryRun } from '../../src/checks/robustness/battery.js';
import type { AttackOutcome } from '../../src/checks/robustness/outcome.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { adultContext, auditExamples, robustnessReference as ref } from './helpers.js';

type RefKey = 'linf' | 'l2' | 'linf_mutable' | 'l2_mutable';

/** Largest logit error of the float32 ONNX graph against the exact f (reference `checks`), with margin. */
const LOGIT_SLACK = 2e-5;

function dualNorm(key: RefKey, mutable: Set<number>): number {
  const p = key.startsWith('linf') ? 1 : 2;
  let acc = 0;
  ref.w.forEach((w, i) => {
    if (key.endsWith('_mutable') && !mutable.has(i)) return;
    acc += p === 1 ? Math.abs(w) : w * w;
  });
  return p === 1 ? acc : Math.sqrt(acc);
}

const mutableIdx = new Set(ref.mutable.feature_names.map((n) => ref.feature_names.indexOf(n)));

interface Comparison {
  correct: number;
  found: number;
  belowMinimum: number;
  within10: number;
}

function compare(o: AttackOutcome, key: RefKey): Comparison {
  const slack = LOGIT_SLACK / dualNorm(key, mutableIdx);
  const c: Comparison = { correct: 0, found: 0, belowMinimum: 0, within10: 0 };
  for (let i = 0; i < o.instances.rows.length; i++) {
    if (!o.instances.correct[i]) continue;
    c.correct++;
    const exact = ref.min_perturbation[key][o.instances.rows[i] as number] as number;
    const found = o.minPerturbation[i] as number;
    if (!(found === found)) continue;
    c.found++;
    if (found < exact - slack) c.belowMinimum++;
    if (found <= exact * 1.1) c.within10++;
  }
  return c;
}

/** Optimal attacker's success rate on the same correct rows, with the float32 slack on both sides. */
function optimal(o: AttackOutcome, key: RefKey, eps: number): { low: number; high: number } {
  const slack = LOGIT_SLACK / dualNorm(key, mutableIdx);
  let n = 0;
  let low = 0;
  let high = 0;
  for (let i = 0; i < o.instances.rows.length; i++) {
    if (!o.instances.correct[i]) continue;
    n++;
    const exact = ref.min_perturbation[key][o.instances.rows[i] as number] as number;
    if (exact <= eps - slack) low++;
    if (exact <= eps + slack) high++;
  }
  return { low: low / n, high: high / n };
}

function outcome(run: BatteryRun, key: string): AttackOutcome {
  const o = run.outcomes.find((x) => x.key === key);
  if (!o) throw new Error(`no outcome ${key}`);
  return o;
}

function expectScoreAttackOptimal(run: BatteryRun, attack: string, key: RefKey, tolerance: number): void {
  const o = outcome(run, attack);
  const section = run.section.attacks.find((a) => a.key === attack)!;
  for (const b of section.budgets) {
    const opt = optimal(o, key, b.budget);
    expect(b.successRate, `${attack} ε=${b.budget}`).not.toBeNull();
    // from below (an attacker cannot beat the optimum) and within `tolerance` of it
    expect(b.successRate as number, `${attack} ε=${b.budget}`).toBeLessThanOrEqual(opt.high + 1e-12);
    expect(b.successRate as number, `${attack} ε=${b.budget}`).toBeGreaterThanOrEqual(opt.low - tolerance);
  }
}

const MUTABLE = ['fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week'];
const RAW = { units: 'raw', bounds: 'none', integers: 'none', sensitive_immutable: false };

describe('logreg_onehot, only the 5 continuous non-age columns mutable (raw units, no bounds)', () => {
  let ctx: CheckContext;
  let run: BatteryRun;
  let runLinf: BatteryRun;
  beforeAll(async () => {
    const robustness = {
      ...RAW,
      rows: 200,
      mutable: MUTABLE,
      noise: { enabled: false },
      score_attack: { epsilons: { linf: [1, 2, 5, 10, 20, 50], l2: [1, 2, 5, 10, 20, 50] } },
      decision_attack: { norm: 'l2', epsilons: [5, 20] },
      categorical_attack: { enabled: false },
      counterfactual: { enabled: false },
    };
    ctx = await adultContext({ model: 'logreg_onehot', robustness });
    run = await runBattery(ctx, robustnessSettings(ctx.doc)!);
    const ctxLinf = await adultContext({
      model: 'logreg_onehot',
      robustness: { ...robustness, score_attack: { enabled: false }, decision_attack: { norm: 'linf', epsilons: [5, 20] } },
    });
    runLinf = await runBattery(ctxLinf, robustnessSettings(ctxLinf.doc)!);
  }, 120_000);

  it('uses finite differences on the 5 mutable columns and attacks every correctly classified sampled row', () => {
    expect(run.space.mutableNumeric.length).toBe(5);
    expect(run.space.mutableCategorical.length).toBe(0);
    const a = run.section.attacks.find((x) => x.key === 'score_attack/linf')!;
    expect(a.parameters.gradient).toBe('finite_differences');
    expect(run.section.sample.rows).toBe(200);
    expect(a.budgets[0]!.correct).toBe(run.section.sample.correct);
  });

  it('never reports a perturbation below the exact minimum', () => {
    for (const [attack, key] of [
      ['score_attack/linf', 'linf_mutable'],
      ['score_attack/l2', 'l2_mutable'],
      ['decision_attack/l2', 'l2_mutable'],
    ] as const) {
      const c = compare(outcome(run, attack), key);
      expect(c.found, attack).toBeGreaterThan(0.9 * c.correct);
      expect(c.belowMinimum, attack).toBe(0);
    }
    const c = compare(outcome(runLinf, 'decision_attack/linf'), 'linf_mutable');
    expect(c.belowMinimum).toBe(0);
  });

  it('score-based attack: success rates equal the optimal attacker, from below, at every ε', () => {
    expectScoreAttackOptimal(run, 'score_attack/linf', 'linf_mutable', 0.01);
    expectScoreAttackOptimal(run, 'score_attack/l2', 'l2_mutable', 0.01);
  });

  it('decision-based attack (labels only): within 10% of the exact minimum on >= 90% of the rows (L2 and L∞)', () => {
    const l2 = compare(outcome(run, 'decision_attack/l2'), 'l2_mutable');
    expect(l2.within10 / l2.correct).toBeGreaterThanOrEqual(0.9);
    const linf = compare(outcome(runLinf, 'decision_attack/linf'), 'linf_mutable');
    expect(linf.within10 / linf.correct).toBeGreaterThanOrEqual(0.9);
    // its success rates at ε are those of the optimal attacker, from below, within a few points
    for (const b of run.section.attacks.find((a) => a.key === 'decision_attack/l2')!.budgets) {
      const opt = optimal(outcome(run, 'decision_attack/l2'), 'l2_mutable', b.budget);
      expect(b.successRate as number).toBeLessThanOrEqual(opt.high + 1e-12);
      expect(b.successRate as number).toBeGreaterThanOrEqual(opt.low - 0.03);
    }
  });

  it('every reported example is valid, flips the decision when re-scored, and has the reported size', async () => {
    for (const a of [...(await auditExamples(ctx, run)), ...(await auditExamples(ctx, runLinf))]) {
      expect(a.examples, a.attack).toBeGreaterThan(0);
      expect(a.violations, a.attack).toEqual([]);
      expect(a.notFlipped, a.attack).toBe(0);
      expect(a.sizeMismatch, a.attack).toBe(0);
    }
  });
});

describe('logreg_onehot, all 108 columns mutable (one_hot: none, raw units, no bounds)', () => {
  let ctx: CheckContext;
  let decision: BatteryRun;
  let scoreFd: BatteryRun;
  let scoreSpsa: BatteryRun;
  beforeAll(async () => {
    const base = { ...RAW, one_hot: 'none', noise: { enabled: false }, categorical_attack: { enabled: false }, counterfactual: { enabled: false } };
    ctx = await adultContext({
      model: 'logreg_onehot',
      robustness: { ...base, rows: 120, score_attack: { enabled: false }, decision_attack: { norm: 'l2', epsilons: [0.1, 0.25] } },
    });
    decision = await runBattery(ctx, robustnessSettings(ctx.doc)!);
    const fdCtx = await adultContext({
      model: 'logreg_onehot',
      robustness: {
        ...base,
        rows: 40,
        decision_attack: { enabled: false },
        score_attack: { gradient: 'finite_differences', epsilons: { linf: [0.01, 0.05], l2: [0.05, 0.25] } },
      },
    });
    scoreFd = await runBattery(fdCtx, robustnessSettings(fdCtx.doc)!);
    const spsaCtx = await adultContext({
      model: 'logreg_onehot',
      robustness: { ...base, rows: 120, decision_attack: { enabled: false }, score_attack: { epsilons: { linf: [0.01, 0.05, 0.1], l2: [0.05, 0.25, 0.5] } } },
    });
    scoreSpsa = await runBattery(spsaCtx, robustnessSettings(spsaCtx.doc)!);
  }, 180_000);

  it('moves every column (indicators become plain numbers)', () => {
    expect(decision.space.mutableNumeric.length).toBe(108);
    expect(decision.space.categorical.length).toBe(0);
  });

  it('decision-based attack (L2): within 10% of the exact minimum on >= 90% of the rows, never below it', () => {
    const c = compare(outcome(decision, 'decision_attack/l2'), 'l2');
    expect(c.belowMinimum).toBe(0);
    expect(c.within10 / c.correct).toBeGreaterThanOrEqual(0.9);
  });

  it('score-based attack with finite differences: the optimal success rates, from below', () => {
    expectScoreAttackOptimal(scoreFd, 'score_attack/linf', 'linf', 0.02);
    expectScoreAttackOptimal(scoreFd, 'score_attack/l2', 'l2', 0.02);
    expect(compare(outcome(scoreFd, 'score_attack/linf'), 'linf').belowMinimum).toBe(0);
    expect(compare(outcome(scoreFd, 'score_attack/l2'), 'l2').belowMinimum).toBe(0);
  });

  it('score-based attack with SPSA (10 probe pairs in 108 dimensions): never above the optimum nor below the minimum', () => {
    const a = scoreSpsa.section.attacks.find((x) => x.key === 'score_attack/linf')!;
    expect(a.parameters.gradient).toBe('spsa');
    for (const [attack, key] of [
      ['score_attack/linf', 'linf'],
      ['score_attack/l2', 'l2'],
    ] as const) {
      expect(compare(outcome(scoreSpsa, attack), key).belowMinimum).toBe(0);
      for (const b of scoreSpsa.section.attacks.find((x) => x.key === attack)!.budgets) {
        const opt = optimal(outcome(scoreSpsa, attack), key, b.budget);
        expect(b.successRate as number).toBeLessThanOrEqual(opt.high + 1e-12);
        // a query-limited estimate still finds a substantial share of what is there
        expect(b.successRate as number).toBeGreaterThan(0.4 * opt.low);
      }
    }
  });

  it('every reported example is valid and flips the decision', async () => {
    for (const r of [decision, scoreFd, scoreSpsa]) {
      for (const a of await auditExamples(ctx, r)) {
        expect(a.violations, a.attack).toEqual([]);
        expect(a.notFlipped, a.attack).toBe(0);
        expect(a.sizeMismatch, a.attack).toBe(0);
      }
    }
  });
});
