import { describe, expect, it } from 'vitest';
import { EXPLAINABILITY_DEFAULTS, readExplainabilitySettings } from '../../src/checks/explainability/policy.js';
import { parsePolicy } from '../../src/policy/load.js';
import { UserError } from '../../src/util/errors.js';
import { adultPolicy, REPO } from './helpers.js';

function settingsOf(explainability: string) {
  return readExplainabilitySettings(parsePolicy(adultPolicy('gbt_onehot.onnx', explainability), { workspace: REPO, displayPath: 'p.yml' }));
}

function errorOf(explainability: string): string {
  try {
    settingsOf(explainability);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).oneLine();
  }
  throw new Error('expected a UserError');
}

describe('checks.explainability settings', () => {
  it('fills defaults and keeps the gates as written', () => {
    const s = settingsOf('sensitive_rank: { min: 6, attributes: [sex] }\nproxies_in_top_k: { max: 0, severity: warning }');
    expect(s.method).toBe('auto');
    expect(s.rows).toBe(EXPLAINABILITY_DEFAULTS.rows);
    expect(s.background).toEqual({ size: 50, method: 'sample' });
    expect(s.kernel_shap).toEqual({ samples: 512, max_evaluations: 3_000_000, exact: 'auto' });
    expect(s.permutation).toEqual({ enabled: true, repeats: 5, metric: 'roc_auc', max_rows: 10_000 });
    expect(s.proxy).toEqual({ cramers_v: 0.3, correlation_ratio: 0.3 });
    expect(s.sensitive_rank).toMatchObject({ min: 6, attributes: ['sex'] });
    expect(s.proxies_in_top_k).toMatchObject({ max: 0, severity: 'warning' });
    expect(s.stability).toBeUndefined();
  });

  it.each([
    ['rowz: 5', /p\.yml:\d+:\d+: .*unknown key `rowz`.*did you mean `rows`/],
    ['rows: 0', /p\.yml:\d+:\d+: .*rows.* ≥ 1/],
    ['proxy: { cramers_v: 2 }', /p\.yml:\d+:\d+: .*cramers_v.* ≤ 1/],
    ['background: { method: centroids }', /p\.yml:\d+:\d+: .*background\.method/],
    ['stability: { method: halves }', /p\.yml:\d+:\d+: .*stability.*min/],
    ['sensitive_rank: { min: 6, attributes: [gender] }', /p\.yml:18:\d+: .*"gender" is not a sensitive attribute of this policy \(known: sex, race\)/],
  ])('%s is refused with a located one-line message', (text, pattern) => {
    expect(errorOf(text)).toMatch(pattern);
  });
});
