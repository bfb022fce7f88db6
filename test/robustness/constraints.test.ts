/**
 * Constraints: every example every attack reports is valid — immutable features (sensitive attributes by default, and
 * the policy's) never change, one-hot groups stay one-hot with values seen in the data, integers stay integers,
 * bounds and allowed directions hold — checked on the encoded model input itself, not only in the attack space.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from '../../src/checks/context.js';
import { runBattery, type BatteryRun } from '../../src/checks/robustness/battery.js';
import { encodeCandidates } from '../../src/checks/robustness/encode.js';
import { robustnessSettings, type RobustnessSettings } from '../../src/checks/robustness/policy.js';
import { allocCandidates, float32Toward, projectValue, violations } from '../../src/checks/robustness/project.js';
import { copyCandidate } from '../../src/checks/robustness/outcome.js';
import { buildAttackSpace } from '../../src/checks/robustness/space.js';
import type { Dataset } from '../../src/data/types.js';
import type { MatrixInput } from '../../src/model/types.js';
import type { PolicyDocument } from '../../src/policy/types.js';
import { adultContext, auditExamples, oneHotFeatures } from './helpers.js';

const names = oneHotFeatures.feature_names;
const col = (n: string): number => names.indexOf(n);

describe('every reported example satisfies the constraints (mlp_torch, std units, data bounds, one-hot groups)', () => {
  let ctx: CheckContext;
  let run: BatteryRun;
  beforeAll(async () => {
    ctx = await adultContext({
      model: 'mlp_torch',
      robustness: {
        rows: 150,
        immutable: ['education'],
        features: {
          hours_per_week: { min: 1, max: 80, direction: 'increase' },
          capital_loss: { immutable: true },
          fnlwgt: { direction: 'decrease' },
        },
        noise: { strengths: [0.1, 0.5, 1], repeats: 2 },
        score_attack: { epsilons: { linf: [0.25, 1], l2: [0.5, 2] }, steps: 10 },
        decision_attack: { iterations: 8 },
        categorical_attack: { max_changes: 2 },
        counterfactual: { rows: 200 },
      },
    });
    run = await runBattery(ctx, robustnessSettings(ctx.doc)!);
  }, 120_000);

  it('derives the constraints: sensitive and listed features immutable, groups categorical, integers from the data', () => {
    const s = run.space;
    const mutableNumeric = [...s.mutableNumeric].map((j) => s.numeric[j]!.name);
    // education_num is determined by education (a learned one-to-one relation), which is immutable here
    expect(mutableNumeric).toEqual(['fnlwgt', 'capital_gain', 'hours_per_week']);
    expect(s.numeric.find((f) => f.name === 'education_num')!.immutableReason).toBe('determined by education (immutable)');
    expect(s.numeric.find((f) => f.name === 'age')!.immutableReason).toBe('sensitive');
    expect(s.numeric.find((f) => f.name === 'capital_loss')!.immutableReason).toBe('policy');
    const mutableCategorical = [...s.mutableCategorical].map((j) => s.categorical[j]!.name);
    expect(mutableCategorical).toEqual(['workclass', 'marital_status', 'occupation', 'relationship', 'native_country']);
    expect(s.categorical.find((f) => f.name === 'sex')!.immutableReason).toBe('sensitive');
    expect(s.categorical.find((f) => f.name === 'education')!.immutableReason).toBe('policy');
    for (const f of s.numeric) expect(f.integer, f.name).toBe(true);
    const hours = s.numeric.find((f) => f.name === 'hours_per_week')!;
    expect([hours.lower, hours.upper, hours.direction]).toEqual([1, 80, 'increase']);
    const age = s.numeric.find((f) => f.name === 'age')!;
    expect([age.lower, age.upper]).toEqual([17, 90]);
    expect(run.section.constraints.find((c) => c.feature === 'sex')).toMatchObject({ kind: 'categorical', mutable: false, reason: 'sensitive', values: 2 });
  });

  it('every attack reports examples, all valid in the attack space, flipping the decision when re-scored', async () => {
    const audits = await auditExamples(ctx, run);
    expect(audits.map((a) => a.attack)).toEqual(['noise', 'score_attack/linf', 'score_attack/l2', 'decision_attack/l2', 'categorical_attack']);
    for (const a of audits) {
      expect(a.examples, a.attack).toBeGreaterThan(0);
      expect(a.violations, a.attack).toEqual([]);
      expect(a.notFlipped, a.attack).toBe(0);
      expect(a.sizeMismatch, a.attack).toBe(0);
    }
  });

  it('in the model input itself: immutables unchanged, one-hot intact, integers, bounds and directions hold', () => {
    const input = ctx.input as MatrixInput;
    const d = input.width;
    const frozen = names.flatMap((n, j) => (/^(sex|race|education)=/.test(n) || n === 'age' || n === 'capital_loss' ? [j] : []));
    const groups = Object.values(input.oneHotGroups);
    let checked = 0;
    for (const o of run.outcomes) {
      const idx: number[] = [];
      for (let i = 0; i < o.instances.rows.length; i++) if (o.minPerturbation[i] === o.minPerturbation[i]) idx.push(i);
      const cands = allocCandidates(run.space, idx.length);
      idx.forEach((i, k) => copyCandidate(run.space, o.examples, i, cands, k));
      const enc = encodeCandidates(run.space, cands) as MatrixInput;
      for (let k = 0; k < idx.length; k++) {
        const r = cands.origin[k] as number;
        const row = enc.data.subarray(k * d, k * d + d);
        const orig = input.data.subarray(r * d, r * d + d);
        for (const j of frozen) expect(row[j], `${o.key} ${names[j]}`).toBe(orig[j]);
        for (const g of groups) {
          const ones = g.filter((j) => row[j] === 1).length;
          expect(g.every((j) => row[j] === 0 || row[j] === 1), o.key).toBe(true);
          expect(ones, o.key).toBe(g.filter((j) => orig[j] === 1).length);
        }
        for (const n of oneHotFeatures.numeric_columns) expect(Number.isInteger(row[col(n)]), `${o.key} ${n}`).toBe(true);
        const h = row[col('hours_per_week')] as number;
        const h0 = orig[col('hours_per_week')] as number;
        expect(h).toBeGreaterThanOrEqual(h0);
        expect(h).toBeLessThanOrEqual(Math.max(80, h0));
        expect(row[col('fnlwgt')] as number).toBeLessThanOrEqual(orig[col('fnlwgt')] as number);
        for (const n of ['education_num', 'capital_gain']) {
          const f = run.space.numeric.find((x) => x.name === n)!;
          expect(row[col(n)] as number).toBeGreaterThanOrEqual(f.lower);
          expect(row[col(n)] as number).toBeLessThanOrEqual(f.upper);
        }
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('the categorical attack only picks values seen in the data and changes at most max_changes features', () => {
    const o = run.outcomes.find((x) => x.key === 'categorical_attack')!;
    const nc = run.space.categorical.length;
    for (let i = 0; i < o.instances.rows.length; i++) {
      if (!(o.minPerturbation[i] === o.minPerturbation[i])) continue;
      let changed = 0;
      for (let j = 0; j < nc; j++) {
        const v = o.examples.c[i * nc + j] as number;
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThan(run.space.categorical[j]!.levels.length);
        if (v !== run.space.c0[(o.instances.rows[i] as number) * nc + j]) changed++;
      }
      expect(changed).toBe(o.minPerturbation[i]);
      expect(changed).toBeLessThanOrEqual(2);
    }
  });

  it('counterfactual rows differ from the original only in the attribute and the dependents the relations name', () => {
    const input = ctx.input as MatrixInput;
    const d = input.width;
    expect(run.counterfactuals.map((c) => c.result.attribute)).toEqual(['sex', 'race', 'age_bin']);
    // sex: relationship follows (no female husband is seen in the data), and the result says so
    const sex = run.counterfactuals[0]!.result;
    expect(sex.dependents!.find((x) => x.feature === 'relationship')!.changed).toBeGreaterThan(0);
    for (const c of run.counterfactuals) {
      const dependents = (c.result.dependents ?? []).map((x) => x.feature);
      const own = c.result.attribute === 'age_bin' ? ['age'] : names.filter((n) => [c.result.attribute, ...dependents].some((a) => n.startsWith(`${a}=`)) || dependents.includes(n));
      const allowed = new Set(own.map(col));
      const enc = encodeCandidates(run.space, c.candidates, { numeric: c.changedNumeric, categorical: c.changedCategorical }) as MatrixInput;
      let differing = 0;
      for (let k = 0; k < c.candidates.count; k++) {
        const r = c.candidates.origin[k] as number;
        let diff = false;
        for (let j = 0; j < d; j++) {
          if (enc.data[k * d + j] === input.data[r * d + j]) continue;
          expect(allowed.has(j), `${c.result.attribute}: ${names[j]} changed`).toBe(true);
          diff = true;
        }
        if (diff) differing++;
      }
      expect(differing).toBe(c.candidates.count);
      expect(c.result.rows).toBe(200);
    }
    const age = run.counterfactuals[2]!.result;
    expect(age.method).toBe('bins');
    expect(age.values.map((v) => v.key)).toEqual(['25-45', '<25', '>45']);
    for (const v of age.values) expect(Number.isInteger(v.value)).toBe(true);
  });
});

/** A two-row synthetic space for the projection rules. */
function syntheticSpace(settings: Partial<RobustnessSettings> = {}) {
  const featureNames = ['a', 'b', 'c', 'g=x', 'g=y'];
  const data = Float32Array.from([1, 10, 0.5, 1, 0, 3, 20, 2.25, 0, 1]);
  const input: MatrixInput = { kind: 'matrix', rows: 2, input: 'x', width: 5, data, featureNames, oneHotGroups: { g: [3, 4] } };
  const dataset = { file: 'd.csv', sha256: '', rows: 2, columns: [], byName: new Map() } as unknown as Dataset;
  const doc = {
    policy: { sensitive: [], intersections: [], checks: {} },
    file: 'p.yml',
    sha256: '',
    locate: () => ({ file: 'p.yml', line: 1, column: 1 }),
  } as unknown as PolicyDocument;
  const base = robustnessSettings({ ...doc, policy: { ...doc.policy, checks: { robustness: {} } } } as unknown as PolicyDocument)!;
  return buildAttackSpace({ input, dataset, doc, settings: { ...base, ...settings } });
}

describe('projection rules', () => {
  it('float32Toward never moves away from the original value', () => {
    for (const [v, a] of [
      [0.1, 0],
      [0.1, 1],
      [-0.1, 0],
      [-0.1, -1],
      [1e-46, 0],
      [189778.3600001, 189778.359375],
      [189778.3624, 189780],
    ]) {
      const f = float32Toward(v as number, Math.fround(a as number));
      expect(Math.fround(f)).toBe(f);
      expect(Math.abs(f - Math.fround(a as number))).toBeLessThanOrEqual(Math.abs((v as number) - Math.fround(a as number)));
      expect(Math.abs(f - (v as number))).toBeLessThan(Math.abs(v as number) * 2 ** -22 + 2e-45);
    }
  });

  it('bounds from the data, integers truncated towards the original, direction, immutability', () => {
    const s = syntheticSpace({ features: { b: { direction: 'decrease' }, c: { immutable: true } } });
    expect(s.numeric.map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(s.categorical.map((f) => [f.name, f.levels])).toEqual([['g', ['x', 'y']]]);
    const [a, b, c] = [0, 1, 2];
    // a: integer in [1, 3]
    expect(projectValue(s, a, 2.9, 1, 'toward')).toBe(2);
    expect(projectValue(s, a, 2.6, 1, 'nearest')).toBe(3);
    expect(projectValue(s, a, 9, 1, 'toward')).toBe(3);
    expect(projectValue(s, a, -5, 3, 'nearest')).toBe(1);
    // b: may only decrease, integer, bounds [10, 20]
    expect(projectValue(s, b, 25, 20, 'toward')).toBe(20);
    expect(projectValue(s, b, 14.5, 20, 'toward')).toBe(15);
    expect(projectValue(s, b, 5, 20, 'toward')).toBe(10);
    // c: immutable
    expect(projectValue(s, c, 1, 0.5, 'toward')).toBe(0.5);
    // a NaN original never moves
    expect(projectValue(s, a, 2, Number.NaN, 'toward')).toBeNaN();
  });

  it('bounds: none and integers: none free the values (float32 still applies)', () => {
    const s = syntheticSpace({ bounds: 'none', integers: 'none' });
    expect(projectValue(s, 0, -7.3, 1, 'toward')).toBe(Math.fround(-7.3) >= -7.3 ? Math.fround(-7.3) : float32Toward(-7.3, 1));
    expect(projectValue(s, 1, 1e6 + 0.3, 10, 'nearest')).toBe(Math.fround(1e6 + 0.3));
  });

  it('violations() reports each broken rule', () => {
    const s = syntheticSpace({ features: { b: { direction: 'decrease' }, c: { immutable: true } } });
    const cands = allocCandidates(s, 1);
    cands.origin[0] = 0;
    cands.x.set([1.5, 11, 0.75]);
    cands.c.set([5]);
    const rules = violations(s, cands, 0).map((v) => `${v.feature}:${v.rule}`);
    expect(rules).toEqual(['a:integer', 'b:direction', 'c:immutable', 'g:level']);
  });
});
