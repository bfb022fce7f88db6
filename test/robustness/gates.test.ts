/**
 * runRobustness: gates become CheckResults anchored on their policy line, the section is deterministic for a seed,
 * and the battery stops at the deadline or the query budget and says so.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/checks/context.js';
import { runRobustness } from '../../src/checks/robustness/index.js';
import type { RobustnessReport } from '../../src/checks/robustness/types.js';
import type { CheckResult } from '../../src/report/types.js';
import { adultContext, policyText, type AdultContextOptions } from './helpers.js';

/** A small battery on mlp_torch (fast), with gates on every attack. */
function options(extra: Partial<AdultContextOptions> = {}, robustness: Record<string, unknown> = {}): AdultContextOptions {
  return {
    model: 'mlp_torch',
    robustness: {
      rows: 120,
      noise: { strengths: [0.1, 0.5], repeats: 2, flip_rate: { max: 0.5 }, accuracy_drop: { max: 0.2, strength: 0.1 } },
      score_attack: {
        epsilons: { linf: [0.1, 0.5], l2: [0.25] },
        steps: 8,
        success_rate: { max: 0.05, norm: 'linf', epsilon: 0.5 },
        accuracy_drop: { max: 0.9 },
        ks: { max: 1 },
        success_rate_disparity: { max: 0.5, groupings: ['sex', 'race'] },
      },
      decision_attack: { iterations: 5, median_perturbation: { min: 0.01 }, success_rate: { max: 0.9, epsilon: 0.25 } },
      categorical_attack: { success_rate: { max: 0.9 }, accuracy_under_attack: { min: 0.01 } },
      counterfactual: { rows: 300, flip_rate: { max: 0.5 }, mean_abs_score_change: { max: 0.0001, attributes: ['sex'] } },
      ...robustness,
    },
    ...extra,
  };
}

function lineOf(text: string, needle: string, after = ''): number {
  const lines = text.split('\n');
  const start = after ? lines.findIndex((l) => l.includes(after)) : 0;
  const i = lines.findIndex((l, k) => k >= start && l.includes(needle));
  return i + 1;
}

describe('runRobustness with gates (point estimates: no intervals)', () => {
  let ctx: CheckContext;
  let out: Awaited<ReturnType<typeof runRobustness>>;
  beforeAll(async () => {
    ctx = await adultContext(options({ policy: { statistics: { resamples: 0, proportion: 'bootstrap' } } }));
    out = await runRobustness(ctx);
  }, 120_000);

  const byId = (id: string): CheckResult => {
    const c = out.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id}; have ${out.checks.map((x) => x.id).join(', ')}`);
    return c;
  };

  it('emits one result per gate and budget/scope, all in the robustness section', () => {
    const ids = out.checks.map((c) => c.id);
    expect(ids).toEqual([
      'robustness/accuracy_drop/noise@0.1',
      'robustness/noise_flip_rate/noise@0.5',
      'robustness/attack_success_rate/score_attack/linf@0.5',
      'robustness/accuracy_drop/score_attack/linf@0.5',
      'robustness/ks_adversarial/score_attack/linf@0.5',
      'robustness/robustness_disparity/score_attack/linf@0.5/sex',
      'robustness/robustness_disparity/score_attack/linf@0.5/race',
      'robustness/accuracy_drop/score_attack/l2@0.25',
      'robustness/ks_adversarial/score_attack/l2@0.25',
      'robustness/robustness_disparity/score_attack/l2@0.25/sex',
      'robustness/robustness_disparity/score_attack/l2@0.25/race',
      'robustness/attack_success_rate/decision_attack/l2@0.25',
      'robustness/median_perturbation/decision_attack/l2',
      'robustness/attack_success_rate/categorical_attack@2',
      'robustness/accuracy_under_attack/categorical_attack@2',
      'robustness/counterfactual_flip_rate/counterfactual/sex',
      'robustness/counterfactual_mean_abs_score_change/counterfactual/sex',
      'robustness/counterfactual_flip_rate/counterfactual/race',
      'robustness/counterfactual_flip_rate/counterfactual/age_bin',
    ]);
    for (const c of out.checks) expect(c.section).toBe('robustness');
  });

  it('values come from the section and the verdict follows the threshold', () => {
    const s = out.section;
    const linf = s.attacks.find((a) => a.key === 'score_attack/linf')!;
    const at05 = linf.budgets.find((b) => b.budget === 0.5)!;
    const sr = byId('robustness/attack_success_rate/score_attack/linf@0.5');
    expect(sr.value).toBe(at05.successRate);
    expect(sr.value as number).toBeGreaterThan(0.05); // the MLP is not that robust at 0.5 std
    expect(sr.status).toBe('fail');
    expect(sr.outcome).toBe('fail');
    expect(sr.message).toContain('breaches max 0.05');
    const cf = byId('robustness/counterfactual_mean_abs_score_change/counterfactual/sex');
    expect(cf.value).toBe(s.counterfactual[0]!.meanAbsScoreChange);
    expect(cf.status).toBe('fail');
    expect(byId('robustness/ks_adversarial/score_attack/l2@0.25').status).toBe('pass');
    const dm = byId('robustness/median_perturbation/decision_attack/l2');
    expect(dm.value).toBe(s.attacks.find((a) => a.key === 'decision_attack/l2')!.medianPerturbation!.value);
    expect(dm.status).toBe('pass');
  });

  it('disparity across groups that are too small is insufficient, not pass or fail', () => {
    const race = byId('robustness/robustness_disparity/score_attack/linf@0.5/race');
    const sex = byId('robustness/robustness_disparity/score_attack/linf@0.5/sex');
    const groups = out.section.attacks.find((a) => a.key === 'score_attack/linf')!.budgets[1]!.groups;
    const raceGroups = groups.find((g) => g.grouping === 'race')!;
    const sufficient = raceGroups.groups.filter((g) => g.sufficient).length;
    if (sufficient < 2) {
      expect(race.status).toBe('insufficient');
      expect(race.value).toBeNull();
    }
    expect(sex.status).not.toBe('insufficient');
    const sexGroups = groups.find((g) => g.grouping === 'sex')!;
    const rates = sexGroups.groups.map((g) => g.successRate as number);
    expect(sex.value).toBeCloseTo(Math.max(...rates) - Math.min(...rates), 12);
    expect(sexGroups.mostVulnerable).not.toBeNull();
  });

  it('anchors each result on its gate line in the policy file', () => {
    const text = policyText(options({ policy: { statistics: { resamples: 0, proportion: 'bootstrap' } } }));
    const sr = byId('robustness/attack_success_rate/score_attack/linf@0.5');
    expect(sr.location.file).toBe('policy.json');
    expect(sr.location.line).toBe(lineOf(text, '"max": 0.05', '"score_attack"'));
    const cf = byId('robustness/counterfactual_flip_rate/counterfactual/race');
    expect(cf.location.line).toBe(lineOf(text, '"flip_rate"', '"counterfactual"') + 1);
    const dm = byId('robustness/median_perturbation/decision_attack/l2');
    expect(dm.location.line).toBe(lineOf(text, '"min": 0.01', '"decision_attack"'));
  });

  it('the section is plain JSON with bounded curves', () => {
    const s = out.section;
    const json = JSON.stringify(s);
    expect(JSON.parse(json)).toEqual(s);
    for (const a of s.attacks) {
      for (const b of a.budgets) {
        expect(b.ks.curves.original.length).toBeLessThanOrEqual(200);
        expect(b.ks.curves.adversarial.length).toBeLessThanOrEqual(200);
      }
      expect(a.successCurve.length).toBeLessThanOrEqual(200);
      expect(a.examples).toBeUndefined(); // no rows unless report.include_examples
    }
    expect(s.stopped).toBeNull();
    expect(s.queries).toBe(s.attacks.reduce((n, a) => n + a.queries, 0) + s.counterfactual.reduce((n, c) => n + c.queries, 0));
  });
});

describe('confidence intervals (policy statistics, issue #6)', () => {
  it('rates get Wilson intervals, other values a seeded stratified bootstrap over the attacked rows', async () => {
    const ctx = await adultContext(
      options({ policy: { statistics: { resamples: 200 } } }, { rows: 300, noise: { enabled: false }, decision_attack: { enabled: false }, categorical_attack: { enabled: false } }),
    );
    const r = await runRobustness(ctx);
    const sr = r.checks.find((c) => c.id === 'robustness/attack_success_rate/score_attack/linf@0.5')!;
    expect(sr.interval?.method).toMatch(/wilson|clopper/);
    expect(sr.interval!.low).toBeLessThanOrEqual(sr.value as number);
    expect(sr.interval!.high).toBeGreaterThanOrEqual(sr.value as number);
    const drop = r.checks.find((c) => c.id === 'robustness/accuracy_drop/score_attack/linf@0.5')!;
    expect(drop.interval?.method).toMatch(/^bootstrap/);
    const cf = r.checks.find((c) => c.id === 'robustness/counterfactual_mean_abs_score_change/counterfactual/sex')!;
    expect(cf.interval?.method).toMatch(/^bootstrap/);
    expect(cf.interval!.high).toBeGreaterThan(cf.interval!.low);
    // a rate whose interval straddles a close threshold is reported as insufficient evidence, not silently passed
    for (const c of r.checks) if (c.status === 'insufficient') expect(c.message).toMatch(/insufficient (evidence|data)/);
  }, 60_000);
});

describe('determinism and limits', () => {
  const small = (seed: number, extra: Partial<AdultContextOptions> = {}): AdultContextOptions =>
    options({ seed, ...extra }, { rows: 60, decision_attack: { iterations: 3 }, counterfactual: { rows: 100 } });

  it('same seed -> identical section JSON; another seed -> a different sample', async () => {
    const a = await runRobustness(await adultContext(small(7)));
    const b = await runRobustness(await adultContext(small(7)));
    const c = await runRobustness(await adultContext(small(8)));
    expect(JSON.stringify(a.section)).toBe(JSON.stringify(b.section));
    expect(JSON.stringify(a.checks)).toBe(JSON.stringify(b.checks));
    expect(JSON.stringify(a.section)).not.toBe(JSON.stringify(c.section));
  }, 120_000);

  it('a passed deadline stops the battery and says so', async () => {
    const r = await runRobustness(await adultContext(small(1, { deadline: Date.now() - 1 })));
    const s: RobustnessReport = r.section;
    expect(s.stopped).toBe('deadline');
    expect(s.attacks).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/not run \(time limit reached\): noise, score_attack\/linf/);
    // gates on attacks that did not run are insufficient (never silently passed), with the reason
    expect(r.checks.length).toBe(13);
    for (const c of r.checks) {
      expect(c.status, c.id).toBe('insufficient');
      expect(c.outcome, c.id).toBe('warn');
      expect(c.message, c.id).toContain('not run: the time limit was reached');
    }
  });

  it('a small query budget stops an attack partway, keeps what it found, and says so', async () => {
    const ctx = await adultContext(
      options({ seed: 3 }, { rows: 60, noise: { enabled: false }, score_attack: { epsilons: { linf: [0.5] }, max_queries: 3000 }, decision_attack: { enabled: false }, categorical_attack: { enabled: false }, counterfactual: { enabled: false } }),
    );
    const r = await runRobustness(ctx);
    const a = r.section.attacks[0]!;
    expect(a.stopped).toBe('query_budget');
    expect(a.queries).toBeLessThanOrEqual(3000);
    expect(r.section.stopped).toBe('query_budget');
    expect(r.notes.some((n) => n.includes('stopped at its query budget'))).toBe(true);
  });

  it('a label-only model: no score-based attack (its gates are insufficient, with the reason); the others still run', async () => {
    const ctx = await adultContext(small(4));
    const real = ctx.model;
    ctx.model = {
      info: { ...real.info, outputKind: 'label' },
      get queries() {
        return real.queries;
      },
      dispose: () => real.dispose(),
      score: async (input) => Float32Array.from(await real.score(input), (s) => (s >= 0.5 ? 1 : 0)),
    };
    ctx.scores = Float32Array.from(ctx.scores, (s) => (s >= 0.5 ? 1 : 0));
    const r = await runRobustness(ctx);
    expect(r.section.attacks.map((a) => a.key)).toEqual(['noise', 'decision_attack/l2', 'categorical_attack']);
    expect(r.notes.some((n) => n.includes('outputs labels only'))).toBe(true);
    const sr = r.checks.find((c) => c.id === 'robustness/attack_success_rate/score_attack/linf@0.5')!;
    expect(sr.status).toBe('insufficient');
    expect(sr.message).toContain('labels only');
    const decision = r.section.attacks.find((a) => a.key === 'decision_attack/l2')!;
    expect(decision.perturbation.count).toBeGreaterThan(0);
  });

  it('include_examples adds a few examples as feature changes', async () => {
    const r = await runRobustness(await adultContext(small(2, { includeExamples: true })));
    const a = r.section.attacks.find((x) => x.key === 'categorical_attack')!;
    expect(a.examples!.length).toBeGreaterThan(0);
    expect(a.examples!.length).toBeLessThanOrEqual(5);
    for (const e of a.examples!) {
      // categorical changes, plus the numeric partner of a functional relation (education -> education_num)
      expect(e.changes.filter((ch) => typeof ch.to === 'string').length).toBe(e.perturbation);
      for (const ch of e.changes) if (typeof ch.to !== 'string') expect(ch.feature).toBe('education_num');
    }
  });
});
