/**
 * Issue #14, against the exact oracle with all 108 columns of logreg_onehot mutable (one_hot: none, std units, no
 * bounds, no integers, no relations) at the README's budgets and the default query budget: the score attack finds
 * >= 95% of the exact successes at every budget, never more; HopSkipJump's median found / exact <= 1.10 (L2 and L∞).
 * Exact minima in the attack's units: |f| / Σ|w_j·s_j| (L∞), |f| / ‖w·s‖₂ (L2), s_j = the space's scale.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runBattery, type BatteryRun } from '../../src/checks/robustness/battery.js';
import type { AttackOutcome } from '../../src/checks/robustness/outcome.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { adultContext, robustnessReference as ref } from './helpers.js';

const BASE = {
  units: 'std',
  bounds: 'none',
  integers: 'none',
  one_hot: 'none',
  sensitive_immutable: false,
  relations: { learn: false },
  noise: { enabled: false },
  categorical_attack: { enabled: false },
  counterfactual: { enabled: false },
};

/** f(x) margin of each row is ref.margin; the exact minimal perturbation of row r in the space's units. */
export function exactMinimum(run: BatteryRun, norm: 'linf' | 'l2'): (row: number) => number {
  const scale = run.space.limits.scale;
  const names = run.space.numeric.map((f) => f.name);
  let dual = 0;
  ref.feature_names.forEach((name, i) => {
    const j = names.indexOf(name);
    const v = Math.abs((ref.w[i] as number) * (scale[j] as number));
    dual += norm === 'linf' ? v : v * v;
  });
  if (norm === 'l2') dual = Math.sqrt(dual);
  return (row) => Math.abs(ref.margin[row] as number) / dual;
}

function outcome(run: BatteryRun, key: string): AttackOutcome {
  const o = run.outcomes.find((x) => x.key === key);
  if (!o) throw new Error(`no outcome ${key}`);
  return o;
}

function medianRatio(run: BatteryRun, key: string, norm: 'linf' | 'l2'): { median: number; missing: number; below: number } {
  const o = outcome(run, key);
  const exact = exactMinimum(run, norm);
  const ratios: number[] = [];
  let missing = 0;
  let below = 0;
  for (let i = 0; i < o.instances.rows.length; i++) {
    if (!o.instances.correct[i]) continue;
    const e = exact(o.instances.rows[i] as number);
    const f = o.minPerturbation[i] as number;
    if (!(f === f)) {
      missing++;
      ratios.push(Infinity);
      continue;
    }
    if (f < e * (1 - 1e-4)) below++;
    ratios.push(f / e);
  }
  ratios.sort((a, b) => a - b);
  const m = (ratios.length - 1) / 2;
  return { median: ((ratios[Math.floor(m)] as number) + (ratios[Math.ceil(m)] as number)) / 2, missing, below };
}

describe('logreg_onehot, all 108 columns mutable, std units, README budgets', () => {
  let score: BatteryRun;
  let hsjL2: BatteryRun;
  let hsjLinf: BatteryRun;
  beforeAll(async () => {
    const ctx = await adultContext({ model: 'logreg_onehot', robustness: { ...BASE, rows: 200, decision_attack: { enabled: false } } });
    score = await runBattery(ctx, robustnessSettings(ctx.doc)!);
    const c2 = await adultContext({ model: 'logreg_onehot', robustness: { ...BASE, rows: 120, score_attack: { enabled: false }, decision_attack: { norm: 'l2' }, certify: false } });
    hsjL2 = await runBattery(c2, robustnessSettings(c2.doc)!);
    const c3 = await adultContext({ model: 'logreg_onehot', robustness: { ...BASE, rows: 120, score_attack: { enabled: false }, decision_attack: { norm: 'linf' }, certify: false } });
    hsjLinf = await runBattery(c3, robustnessSettings(c3.doc)!);
  }, 300_000);

  it('score attack (default estimator): >= 95% of the exact successes at every budget, never more', () => {
    expect(score.space.mutableNumeric.length).toBe(108);
    for (const norm of ['linf', 'l2'] as const) {
      const key = `score_attack/${norm}`;
      const o = outcome(score, key);
      const exact = exactMinimum(score, norm);
      const section = score.section.attacks.find((a) => a.key === key)!;
      expect(section.parameters.warm_start).toBe('finite_differences');
      expect(section.budgets.map((b) => b.budget)).toEqual(norm === 'linf' ? [0.05, 0.1, 0.25] : [0.1, 0.25, 0.5]);
      for (const [b, budget] of section.budgets.entries()) {
        let optimal = 0;
        let optimalHigh = 0;
        let found = 0;
        const n = o.instances.rows.length;
        for (let i = 0; i < n; i++) {
          if (!o.instances.correct[i]) continue;
          const e = exact(o.instances.rows[i] as number);
          if (e <= budget.budget * (1 - 1e-4)) optimal++;
          if (e <= budget.budget * (1 + 1e-4)) optimalHigh++;
          if (o.flipped[b * n + i]) found++;
        }
        expect(found, `${key} ε=${budget.budget}`).toBeGreaterThanOrEqual(Math.ceil(0.95 * optimal));
        expect(found, `${key} ε=${budget.budget}`).toBeLessThanOrEqual(optimalHigh);
      }
    }
  });

  it('certified lower bound (linear, exact): equal to the exact minimum on every correctly classified row, L∞ and L2', () => {
    expect(score.certificate?.method).toBe('linear');
    expect(score.certificate?.exact).toEqual({ linf: true, l2: true });
    const inst = score.outcomes[0]!.instances;
    let rows = 0;
    for (const norm of ['linf', 'l2'] as const) {
      const exact = exactMinimum(score, norm);
      const radius = score.certificate!.radius[norm]!;
      for (let i = 0; i < inst.rows.length; i++) {
        if (!inst.correct[i]) {
          expect(radius[i]).toBeNaN();
          continue;
        }
        const e = exact(inst.rows[i] as number);
        expect(Math.abs((radius[i] as number) - e), `row ${inst.rows[i]} ${norm}`).toBeLessThanOrEqual(1e-9 * e);
        rows++;
      }
      // certified and attacked never overlap; the rest is unknown
      for (const b of score.section.worstCase!.find((w) => w.norm === norm)!.budgets) {
        expect(b.certified! + b.successes + b.unknown!).toBe(b.correct);
        expect(b.unknown).toBeGreaterThanOrEqual(0);
      }
    }
    expect(rows).toBeGreaterThan(300);
  });

  it('HopSkipJump: median found / exact <= 1.10 in L2 and L∞, never below the exact minimum', () => {
    const l2 = medianRatio(hsjL2, 'decision_attack/l2', 'l2');
    const linf = medianRatio(hsjLinf, 'decision_attack/linf', 'linf');
    expect(l2.below).toBe(0);
    expect(linf.below).toBe(0);
    expect(l2.median).toBeLessThanOrEqual(1.1);
    expect(linf.median).toBeLessThanOrEqual(1.1);
  });
});
