/**
 * No false pass (issue #9): every route from a breach to a green check, through the committed CLI (node dist/cli.js).
 * Each breaching policy must exit 1 with the reason on the breached line; each matching passing policy must exit 0.
 */
import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, repoRoot, runNode } from './harness.js';

const cli = join(repoRoot, 'dist', 'cli.js');

function workspace(policy: string, files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-nofalsepass-'));
  mkdirSync(join(dir, 'data'));
  for (const [target, source] of Object.entries(files)) cpSync(source, join(dir, target));
  writeFileSync(join(dir, 'policy.yml'), policy);
  return dir;
}

const check = (dir: string, ...extra: string[]) => runNode([cli, 'check', '--policy', 'policy.yml', '--workspace', dir, '--no-color', ...extra], { timeoutMs: 170_000, cwd: dir });

const ADULT_GBT = `version: 1
model:
  path: data/gbt.onnx
  features: { file: data/features.json }
dataset:
  path: data/test.csv
  label: income
  positive_label: '>50K'
  missing_values: ['?']
`;
const adultFiles = {
  'data/gbt.onnx': join(fixtures, 'adult', 'gbt_onehot.onnx'),
  'data/features.json': join(fixtures, 'adult', 'onehot_features.json'),
  'data/test.csv': join(fixtures, 'adult', 'test.csv'),
};

const GERMAN = `version: 1
model:
  path: data/model.onnx
dataset:
  path: data/test.csv
  label: credit_risk
  positive_label: good
sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
min_group_size: 30
`;
const germanFiles = {
  'data/model.onnx': join(fixtures, 'german-credit', 'logreg_pipeline.onnx'),
  'data/logreg_pipeline.onnx': join(fixtures, 'german-credit', 'logreg_pipeline.onnx'),
  'data/test.csv': join(fixtures, 'german-credit', 'test.csv'),
};

describe('no false pass: a breaching policy never exits 0 (node dist/cli.js)', () => {
  it('time budget: checks cut off by the budget are not run and fail the gate; the passing run still passes', async () => {
    const cut = await runNode([cli, 'check', '--policy', 'policies/example-adult-full.yml', '--no-color', '--time-budget', '0.02'], { timeoutMs: 170_000 });
    expect(cut.code, cut.stdout + cut.stderr).toBe(1);
    expect(cut.stdout).toMatch(/NOT RUN/);
    expect(cut.stdout).toMatch(/time budget ran out in stage \w+/);
    expect(cut.stdout).toMatch(/--time-budget/);
  });

  it("rule 'point': a point breach with a wide interval fails (German credit, groups of hundreds)", async () => {
    const policy = `${GERMAN}checks:
  fairness:
    accuracy_group_min: { min: 0.65, attributes: [age_bin] }
    demographic_parity_ratio: { min: 0.9, attributes: [sex] }
`;
    const r = await check(workspace(policy, germanFiles));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL +Accuracy, lowest group +age_bin/);
    expect(r.stdout).toMatch(/FAIL +Demographic parity ratio +sex/);
    expect(r.stdout).not.toMatch(/insufficient data/i);
    const pass = await check(workspace(policy.replace('min: 0.65', 'min: 0.5').replace('min: 0.9', 'min: 0.7'), germanFiles));
    expect(pass.code, pass.stdout + pass.stderr).toBe(0);
  });

  it("Holm over many checks under rule 'interval' keeps a blatant breach (p-values below 1/resamples)", async () => {
    const metrics = ['demographic_parity_ratio', 'demographic_parity_difference', 'equal_opportunity_difference', 'equalized_odds_difference', 'selection_rate_group_min', 'true_positive_rate_group_min', 'false_positive_rate_group_max', 'accuracy_group_min', 'precision_group_min'];
    const limits: Record<string, string> = {
      demographic_parity_ratio: 'min: 0.8', demographic_parity_difference: 'max: 0.9', equal_opportunity_difference: 'max: 0.9', equalized_odds_difference: 'max: 0.9',
      selection_rate_group_min: 'min: 0.001', true_positive_rate_group_min: 'min: 0.01', false_positive_rate_group_max: 'max: 0.9', accuracy_group_min: 'min: 0.3', precision_group_min: 'min: 0.05',
    };
    const policy = `${ADULT_GBT}sensitive:
  - column: sex
  - column: race
  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
  - [sex, race]
  - [race, age_bin]
statistics: { rule: interval, correction: holm, resamples: 1000 }
checks:
  fairness:
${metrics.map((m) => `    ${m}: { ${limits[m]} }`).join('\n')}
`;
    const r = await check(workspace(policy, adultFiles), '--json');
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.checks.length).toBeGreaterThanOrEqual(54);
    const dp = report.checks.find((c: { id: string }) => c.id === 'fairness/demographic_parity_ratio/sex');
    expect(dp.value).toBeLessThan(0.35);
    expect(dp.status).toBe('fail');
    expect(dp.evidence.adjustedPValue).toBeLessThan(0.025);
    expect(dp.message).toMatch(/Holm-adjusted p (=|<) .* over \d+ checks/);
  });

  it('a group left out (below min_group_size) holding the minimum fails the check that should catch it, by name', async () => {
    // a sensitive column that is not a model input: 40 rows the model predicts negative form group 'Z'
    const csv = readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').trimEnd().split('\n');
    const preds = readFileSync(join(fixtures, 'adult', 'gbt_onehot.predictions.csv'), 'utf8').trimEnd().split('\n').slice(1).map((l) => Number(l.split(',')[3]));
    let z = 0;
    const out = [`${csv[0]},region`];
    for (let i = 1; i < csv.length; i++) {
      const region = preds[i - 1] === 0 && z < 40 && i % 7 === 0 ? (z++, 'Z') : i % 2 ? 'A' : 'B';
      out.push(`${csv[i]},${region}`);
    }
    expect(z).toBe(40);
    const dir = workspace(`${ADULT_GBT}sensitive:
  - column: region
min_group_size: 50
checks:
  fairness:
    selection_rate_group_min: { min: 0.1 }
`, { 'data/gbt.onnx': adultFiles['data/gbt.onnx'], 'data/features.json': adultFiles['data/features.json'] });
    writeFileSync(join(dir, 'data', 'test.csv'), out.join('\n') + '\n');
    const r = await check(dir);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL +Selection rate, lowest group +region/);
    expect(r.stdout).toMatch(/'Z' \(40 rows < min_group_size 50/);
    // the same data with a limit the left-out group's exact interval cannot judge: insufficient, named — not a pass
    const loose = workspace(readFileSync(join(dir, 'policy.yml'), 'utf8').replace('min: 0.1', 'min: 0.05'), { 'data/gbt.onnx': adultFiles['data/gbt.onnx'], 'data/features.json': adultFiles['data/features.json'] });
    writeFileSync(join(loose, 'data', 'test.csv'), out.join('\n') + '\n');
    const w = await check(loose);
    expect(w.stdout).toMatch(/INSUFFICIENT +Selection rate, lowest group +region/);
    expect(w.stdout).toMatch(/'Z'/);
  });
  it('a robustness budget that cannot move any feature does not pass with 0 successes: not run, the smallest step named', async () => {
    const policy = `${ADULT_GBT}checks:
  robustness:
    rows: 60
    mutable: [education_num, hours_per_week]
    relations: { learn: false }
    noise: { enabled: false }
    categorical_attack: { enabled: false }
    counterfactual: { enabled: false }
    decision_attack: { enabled: false }
    score_attack: { epsilons: { linf: [0.05] }, success_rate: { max: 0.2 } }
`;
    const r = await check(workspace(policy, adultFiles));
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/NOT RUN +Attack success rate/);
    expect(r.stdout).toMatch(/cannot move any feature: the smallest step is [\d.]+ std \(hours_per_week, integer\)/);
    const moving = await check(workspace(policy.replace('linf: [0.05]', 'linf: [0.5]').replace('max: 0.2', 'max: 1'), adultFiles));
    expect(moving.code, moving.stdout + moving.stderr).toBe(0);
  });

  it('an adverse positive class: fairness is read on the favourable outcome, so the breach there fails', async () => {
    const adverse = readFileSync(join(repoRoot, 'policies', 'example-german-adverse.yml'), 'utf8');
    const r = await runNode([cli, 'check', '--policy', 'policies/example-german-adverse.yml', '--no-color'], { timeoutMs: 170_000 });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/FAIL .*Equal opportunity difference/);
    // the same policy without `favourable: negative` reads fairness on `bad` and passes that check
    const onPositive = adverse.replace(/^\s*favourable: negative.*$/m, '');
    expect(onPositive).not.toBe(adverse);
    const dir = workspace(onPositive.replaceAll('test/fixtures/german-credit/', 'data/'), germanFiles);
    const p = await check(dir);
    expect(p.stdout).toMatch(/PASS .*Equal opportunity difference/);
  });
});
