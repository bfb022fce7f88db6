/**
 * A model with one [N,1] input per raw column (scikit-learn pipeline: string and float inputs): string inputs are
 * categorical features (values seen in the data only), float inputs numeric ones; every attack and the counterfactual
 * test work on that layout too.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/checks/context.js';
import { runBattery, type BatteryRun } from '../../src/checks/robustness/battery.js';
import { encodeCandidates } from '../../src/checks/robustness/encode.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import type { ColumnsInput } from '../../src/model/types.js';
import { auditExamples, pipelineContext } from './helpers.js';

describe('logreg_pipeline_nozipmap (14 inputs, one per column)', () => {
  let ctx: CheckContext;
  let run: BatteryRun;
  beforeAll(async () => {
    ctx = await pipelineContext({
      robustness: {
        rows: 120,
        noise: { strengths: [0.5], repeats: 1 },
        score_attack: { epsilons: { linf: [0.5], l2: [1] }, steps: 10 },
        decision_attack: { iterations: 6 },
        counterfactual: { rows: 300 },
      },
    });
    run = await runBattery(ctx, robustnessSettings(ctx.doc)!);
  }, 120_000);

  it('string inputs are categorical, float inputs numeric; sensitive ones immutable', () => {
    const s = run.space;
    expect(s.categorical.map((f) => f.name)).toEqual(['workclass', 'education', 'marital_status', 'occupation', 'relationship', 'race', 'sex', 'native_country']);
    expect(s.numeric.map((f) => f.name)).toEqual(['age', 'fnlwgt', 'education_num', 'capital_gain', 'capital_loss', 'hours_per_week']);
    expect(s.categorical.filter((f) => !f.mutable).map((f) => f.name)).toEqual(['race', 'sex']);
    expect(s.numeric.filter((f) => !f.mutable).map((f) => f.name)).toEqual(['age']);
    expect(s.categorical.find((f) => f.name === 'workclass')!.levels).toContain('?');
  });

  it('every attack finds valid examples that flip the decision', async () => {
    const audits = await auditExamples(ctx, run);
    expect(audits.map((a) => a.attack)).toEqual(['noise', 'score_attack/linf', 'score_attack/l2', 'decision_attack/l2', 'categorical_attack']);
    for (const a of audits) {
      expect(a.violations, a.attack).toEqual([]);
      expect(a.notFlipped, a.attack).toBe(0);
      expect(a.sizeMismatch, a.attack).toBe(0);
    }
    expect(audits.find((a) => a.attack === 'categorical_attack')!.examples).toBeGreaterThan(0);
  });

  it('categorical examples use only texts seen in the data, and never touch sex or race', () => {
    const o = run.outcomes.find((x) => x.key === 'categorical_attack')!;
    const input = ctx.input as ColumnsInput;
    const enc = encodeCandidates(run.space, o.examples) as ColumnsInput;
    for (const name of ['workclass', 'occupation', 'sex', 'race']) {
      const seen = new Set((input.tensors[name] as { data: string[] }).data);
      const got = (enc.tensors[name] as { data: string[] }).data;
      for (let i = 0; i < got.length; i++) {
        expect(seen.has(got[i] as string)).toBe(true);
        if (name === 'sex' || name === 'race') expect(got[i]).toBe((input.tensors[name] as { data: string[] }).data[o.examples.origin[i] as number]);
      }
    }
  });

  it('counterfactuals change only the attribute and its dependents, for a string input and a binned float input', () => {
    const input = ctx.input as ColumnsInput;
    const [sex, race, age] = run.counterfactuals;
    expect(sex!.result.method).toBe('category');
    expect(sex!.result.values.map((v) => v.key).sort()).toEqual(['Female', 'Male']);
    expect(race!.result.pairs).toBe(300 * 4);
    expect(age!.result.method).toBe('bins');
    for (const c of run.counterfactuals) {
      const enc = encodeCandidates(run.space, c.candidates, { numeric: c.changedNumeric, categorical: c.changedCategorical }) as ColumnsInput;
      for (const [name, t] of Object.entries(enc.tensors)) {
        const orig = input.tensors[name]!.data as ArrayLike<unknown>;
        let changed = 0;
        for (let k = 0; k < c.candidates.count; k++) if (t.data[k] !== orig[c.candidates.origin[k] as number]) changed++;
        const own = name === c.result.column;
        const dependent = (c.result.dependents ?? []).some((x) => x.feature === name);
        if (own) expect(changed, name).toBe(c.candidates.count);
        else if (dependent) expect(changed, name).toBe(c.result.dependents!.find((x) => x.feature === name)!.changed);
        else expect(changed, `${c.result.attribute}: ${name}`).toBe(0);
      }
    }
    // the score change is real: a logistic regression with sex among its inputs reacts to it
    expect(sex!.result.meanAbsScoreChange as number).toBeGreaterThan(0);
    expect(sex!.result.transitions.map((t) => `${t.from}->${t.to}`).sort()).toEqual(['Female->Male', 'Male->Female']);
  });
});
