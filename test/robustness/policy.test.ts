/**
 * The `checks.robustness` settings: defaults, and one-line UserErrors at the policy line for what ajv cannot check
 * (names that match no model feature, gates on norms or attacks that do not run, bounds out of order, ...).
 */
import { describe, expect, it } from 'vitest';
import { runRobustness } from '../../src/checks/robustness/index.js';
import { ROBUSTNESS_DEFAULTS, robustnessSettings } from '../../src/checks/robustness/policy.js';
import { parsePolicy } from '../../src/policy/load.js';
import { UserError } from '../../src/util/errors.js';
import { adultContext, ROOT } from './helpers.js';

function policyYaml(robustness: string): string {
  return `version: 1
model:
  path: test/fixtures/adult/mlp_torch.onnx
dataset:
  path: test/fixtures/adult/test_onehot.csv
  label: income
  positive_label: '>50K'
sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
checks:
  robustness:
${robustness
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}

function settingsError(robustness: string): UserError {
  const doc = parsePolicy(policyYaml(robustness), { workspace: ROOT, displayPath: 'policy.yml' });
  try {
    robustnessSettings(doc);
  } catch (e) {
    if (e instanceof UserError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('robustness settings', () => {
  it('an empty section gives the defaults', () => {
    const doc = parsePolicy(policyYaml('{}'), { workspace: ROOT, displayPath: 'policy.yml' });
    const s = robustnessSettings(doc)!;
    expect(s.rows).toBe(500);
    expect(s.units).toBe('std');
    expect(s.score_attack.epsilons).toEqual(ROBUSTNESS_DEFAULTS.score_attack.epsilons);
    expect(s.decision_attack.epsilons).toEqual(ROBUSTNESS_DEFAULTS.score_attack.epsilons.l2);
    expect(s.noise.strengths).toEqual([0.05, 0.1, 0.25]);
    expect(s.counterfactual.rows).toBe('all');
  });

  it('a gate budget that is not listed is added; one norm only when epsilons names one', () => {
    const doc = parsePolicy(
      policyYaml(`score_attack:
  epsilons: { linf: [0.5, 0.1] }
  success_rate: { max: 0.2, epsilon: 0.3 }
noise:
  flip_rate: { max: 0.1, strength: 2 }`),
      { workspace: ROOT, displayPath: 'policy.yml' },
    );
    const s = robustnessSettings(doc)!;
    expect(s.score_attack.epsilons).toEqual({ linf: [0.1, 0.3, 0.5] });
    expect(s.noise.strengths).toEqual([0.05, 0.1, 0.25, 2]);
    expect(s.score_attack.success_rate).toEqual({ max: 0.2, epsilon: 0.3 });
  });

  it.each([
    ['score_attack:\n  epsilons: { linf: [0.1] }\n  success_rate: { max: 0.2, norm: l2 }', 16, 'norm l2, which the score attack does not run'],
    ['features:\n  age: { min: 90, max: 17 }', 15, 'min 90 is above max 17'],
    ['decision_attack:\n  gradient_samples: 50\n  max_gradient_samples: 10', 16, 'max_gradient_samples (10) is below gradient_samples (50)'],
    ['categorical_attack:\n  enabled: false\n  success_rate: { max: 0.1 }', 16, 'has `enabled: false` but gates `success_rate`'],
    ['counterfactual:\n  attributes: [sex, gender]', 15, '`gender` is not a sensitive attribute of the policy'],
    ['score_attack:\n  success_rate_disparity:\n    max: 0.1\n    groupings: [sex, race]', 17, '`race` is not a sensitive attribute or intersection'],
  ])('%s -> a UserError at the line', (yaml, line, message) => {
    const e = settingsError(yaml);
    expect(e.message).toContain(message);
    expect(e.location?.file).toBe('policy.yml');
    expect(e.location?.line).toBe(line);
  });

  it('names that match no model feature are UserErrors at their line, with a suggestion', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ immutable: ['educaton'] }, 'did you mean `education`'],
      [{ mutable: ['hours_per_week', 'capital_gian'] }, 'did you mean `capital_gain`'],
      [{ features: { hours: { min: 1 } } }, '`hours` is not a model feature'],
      [{ features: { workclass: { min: 1 } } }, '`workclass` is categorical; only `immutable` applies'],
      [{ one_hot_groups: { foo: 'foo=' } }, '0 model feature(s) start with `foo=`'],
    ];
    for (const [robustness, message] of cases) {
      const ctx = await adultContext({ model: 'mlp_torch', robustness: { rows: 10, ...robustness } });
      const err = await runRobustness(ctx).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err, message).toBeInstanceOf(UserError);
      expect((err as UserError).message).toContain(message);
      expect((err as UserError).location?.line).toBeGreaterThan(1);
    }
  });
});
