/**
 * Obvious mistakes (issue #9 item 10): a limit outside the range of its metric — `accuracy: { min: 75 }`, a
 * percentage — is refused by the policy loader at its file:line:col, with the fix; and the policy key
 * dataset.favourable is validated. metricRange gives every metric name its range.
 */
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../src/policy/load.js';
import { FAIRNESS_METRIC_NAMES, PERFORMANCE_METRIC_NAMES } from '../../src/policy/metric-names.js';
import { metricRange } from '../../src/policy/validate.js';
import { UserError } from '../../src/util/errors.js';
import { robustnessSettings } from '../../src/checks/robustness/policy.js';
import { readExplainabilitySettings } from '../../src/checks/explainability/policy.js';

const repo = resolve(import.meta.dirname, '../..');

const HEAD = `version: 1
model:
  path: test/fixtures/adult/logreg_pipeline.onnx
dataset:
  path: test/fixtures/adult/test.csv
  label: income
  positive_label: '>50K'
sensitive:
  - column: sex
checks:
`; // `checks:` is line 10, the section under it line 11, the first metric line 12

function problems(text: string): string[] {
  try {
    parsePolicy(text, { workspace: repo, displayPath: 'policy.yml' });
    return [];
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return [e.oneLine(), ...e.more.map((m) => m.oneLine())];
  }
}

describe('limits outside the range of their metric', () => {
  it('a percentage: `accuracy: { min: 75 }` at its line and column, with the fix', () => {
    expect(problems(`${HEAD}  performance:\n    accuracy: { min: 75 }\n`)).toEqual([
      'policy.yml:12:22: `accuracy`: min 75 looks like a percentage; use 0.75 (accuracy is between 0 and 1)',
    ]);
  });

  it('percentages on fairness limits too, each at its own line', () => {
    const text = `${HEAD}  fairness:
    demographic_parity_ratio:
      min: 80
    equalized_odds_difference: { max: 10 }
    true_positive_rate_group_min: { min: 62.5 }
`;
    expect(problems(text)).toEqual([
      'policy.yml:13:12: `demographic_parity_ratio`: min 80 looks like a percentage; use 0.8 (demographic_parity_ratio is between 0 and 1)',
      'policy.yml:14:39: `equalized_odds_difference`: max 10 looks like a percentage; use 0.1 (equalized_odds_difference is between 0 and 1)',
      'policy.yml:15:42: `true_positive_rate_group_min`: min 62.5 looks like a percentage; use 0.625 (true_positive_rate_group_min is between 0 and 1)',
    ]);
  });

  it('limits no value can pass, or none can breach', () => {
    const text = `${HEAD}  performance:
    roc_auc: { min: 150 }
    brier: { max: -0.1 }
    f1: { min: -1 }
    precision: { max: 1.5 }
`;
    expect(problems(text)).toEqual([
      'policy.yml:12:21: `roc_auc`: min 150 is outside the range of the metric (roc_auc is between 0 and 1): no value can pass it; use a limit between 0 and 1',
      'policy.yml:13:19: `brier`: max -0.1 is outside the range of the metric (brier is between 0 and 1): no value can pass it; use a limit between 0 and 1',
      'policy.yml:14:16: `f1`: min -1 is outside the range of the metric (f1 is between 0 and 1): no value can breach it, so it checks nothing; use a limit between 0 and 1',
      'policy.yml:15:23: `precision`: max 1.5 looks like a percentage; use 0.015 (precision is between 0 and 1)',
    ]);
  });

  it('unbounded metrics accept large limits; bounded ones accept their ends', () => {
    const text = `${HEAD}  performance:
    log_loss: { max: 3 }
    count: { min: 1000 }
    accuracy: { min: 0, max: 1 }
    ks: { min: 0.2 }
  fairness:
    log_loss_difference: { max: 2.5 }
    count_group_min: { min: 50 }
    log_loss_ratio: { min: 0.5 }
    demographic_parity_ratio: { min: 0.8 }
`;
    expect(problems(text)).toEqual([]);
    expect(problems(`${HEAD}  performance:\n    log_loss: { max: -1 }\n`)).toEqual([
      'policy.yml:12:22: `log_loss`: max -1 is outside the range of the metric (log_loss is at least 0): no value can pass it; use a limit at least 0',
    ]);
    expect(problems(`${HEAD}  fairness:\n    count_ratio: { min: 30 }\n`)[0]).toBe(
      'policy.yml:12:25: `count_ratio`: min 30 looks like a percentage; use 0.3 (count_ratio is between 0 and 1)',
    );
  });

  it('metricRange: every ratio and rate in [0, 1]; count and log loss (and their differences, lowest/highest groups) in [0, ∞)', () => {
    const unbounded = new Set(['count', 'log_loss']);
    for (const m of PERFORMANCE_METRIC_NAMES) {
      expect(metricRange(m), m).toEqual({ low: 0, high: unbounded.has(m) ? Number.POSITIVE_INFINITY : 1 });
    }
    for (const m of FAIRNESS_METRIC_NAMES) {
      const base = m.replace(/_(difference|ratio|group_min|group_max)$/, '');
      const high = m.endsWith('_ratio') || !unbounded.has(base) ? 1 : Number.POSITIVE_INFINITY;
      expect(metricRange(m), m).toEqual({ low: 0, high });
    }
    expect(metricRange('log_loss_group_max')?.high).toBe(Number.POSITIVE_INFINITY);
    expect(metricRange('demographic_parity_difference')).toEqual({ low: 0, high: 1 });
    expect(metricRange('no_such_metric')).toBeUndefined();
  });
});

describe('dataset.favourable', () => {
  const policy = (value: string) => HEAD.replace("  positive_label: '>50K'\n", `  positive_label: '>50K'\n  favourable: ${value}\n`) + '  performance:\n    accuracy: { min: 0.7 }\n';

  it('accepts positive and negative, defaults to positive', () => {
    const doc = (text: string) => parsePolicy(text, { workspace: repo, displayPath: 'policy.yml' });
    expect(doc(policy('negative')).policy.dataset.favourable).toBe('negative');
    expect(doc(policy('positive')).policy.dataset.favourable).toBe('positive');
    expect(doc(`${HEAD}  performance:\n    accuracy: { min: 0.7 }\n`).policy.dataset.favourable ?? 'positive').toBe('positive');
  });

  it('refuses anything else at its line, naming the allowed values', () => {
    expect(problems(policy('good'))).toEqual([
      'policy.yml:8:15: `dataset.favourable` must be one of `positive`, `negative`, not the text `good`',
    ]);
  });
});

describe('robustness, explainability and baseline limits outside their range (a percentage never passes silently)', () => {
  /** The first problem of the section's settings (read as its stage reads them), or '(accepted)'. */
  const settingsOf = (section: 'robustness' | 'explainability', body: string): string => {
    try {
      const doc = parsePolicy(`${HEAD}  ${section}:\n${body}`, { workspace: repo, displayPath: 'policy.yml' });
      if (section === 'robustness') robustnessSettings(doc);
      else readExplainabilitySettings(doc);
      return '(accepted)';
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      return e.oneLine();
    }
  };
  const robustness = (body: string): string => settingsOf('robustness', body);
  const explainability = (body: string): string => settingsOf('explainability', body);

  it('an attack success rate of 5 (meaning 5%) is refused at its line with the fix', () => {
    expect(robustness('    score_attack:\n      success_rate: { max: 5, epsilon: 0.1 }\n')).toBe(
      'policy.yml:13:28: checks.robustness: `success_rate`: max 5 looks like a percentage; use 0.05 (success_rate is between 0 and 1)',
    );
  });

  it('every rate gate: counterfactual flip rate, worst-case robust accuracy, noise accuracy drop; a negative median perturbation', () => {
    expect(robustness('    counterfactual:\n      flip_rate: { max: 10 }\n')).toMatch(/`flip_rate`: max 10 looks like a percentage; use 0\.1/);
    expect(robustness('    worst_case:\n      robust_accuracy: { min: 70, epsilon: 0.1 }\n')).toMatch(/`robust_accuracy`: min 70 looks like a percentage; use 0\.7/);
    expect(robustness('    noise:\n      accuracy_drop: { max: 2, strength: 0.1 }\n')).toMatch(/`accuracy_drop`: max 2 looks like a percentage; use 0\.02 \(accuracy_drop is between -1 and 1\)/);
    expect(robustness('    score_attack:\n      median_perturbation: { min: -0.1, epsilon: 0.1 }\n')).toMatch(/`median_perturbation`: min -0\.1 is outside the range .*at least 0/);
    expect(robustness('    score_attack:\n      success_rate: { min: 0.5, max: 0.2, epsilon: 0.1 }\n')).toMatch(/`min` \(0\.5\) is greater than `max` \(0\.2\)/);
    expect(robustness('    score_attack:\n      success_rate: { max: 0.05, epsilon: 0.1 }\n      median_perturbation: { min: 0.5, epsilon: 0.1 }\n')).toBe('(accepted)');
  });

  it('explainability: a share of 10, a rank of 0, a stability above 1 are refused; sound limits accepted', () => {
    expect(explainability('    sensitive_share: { max: 10 }\n')).toMatch(/`sensitive_share`: max 10 looks like a percentage; use 0\.1/);
    expect(explainability('    sensitive_rank: { min: 0 }\n')).toMatch(/`sensitive_rank`: min 0 is outside the range .*at least 1/);
    expect(explainability("    stability: { min: 80 }\n")).toMatch(/`stability`: min 80 looks like a percentage; use 0\.8 \(stability is between -1 and 1\)/);
    expect(explainability('    sensitive_share: { max: 0.1 }\n    sensitive_rank: { min: 4 }\n    stability: { min: 0.8 }\n')).toBe('(accepted)');
  });

  it('a baseline regression limit of 2 on accuracy (meaning 2 points) is refused; 0.02 and log-loss limits above 1 are accepted', () => {
    const base = HEAD.replace('checks:\n', '');
    expect(problems(`${base}baseline:\n  max_regression:\n    accuracy: 2\n    f1: { max: 500 }\n`)).toEqual([
      'policy.yml:12:15: `accuracy`: a regression of 2 looks like a percentage; use 0.02 (accuracy is between 0 and 1, so it cannot fall by more than 1)',
      'policy.yml:13:16: `f1`: a regression of 500 can never happen (f1 is between 0 and 1), so the limit checks nothing; use a limit between 0 and 1',
    ]);
    expect(problems(`${base}baseline:\n  max_regression:\n    accuracy: 0.02\n    log_loss: 3\n`)).toEqual([]);
  });
});

describe('names from the policy in messages', () => {
  it('a control character inside a key is shown as an escape, on one line', () => {
    const [first] = problems(`${HEAD}  performance:\n    "accu\\rracy\\u2028": { min: 0.5 }\n`);
    expect(first).toMatch(/unknown performance metric `accu\\u000dracy\\u2028`/);
    expect(first).not.toMatch(/[\r\n\u2028]/);
  });
});
