/**
 * What a pull request changes in the policy (src/baseline/policy-changes.ts): every change that loosens the gate —
 * a lower min, a higher max or regression limit, a removed check or sensitive attribute, fewer attributes, a weaker
 * severity or outcome — is named with its line; a default written out is no change; and through the gate, a pull
 * request that lowers a limit below the model's value (so the check turns green) carries the note first in the report.
 */
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffPolicies, policyChangesNote, type PolicyChange } from '../../src/baseline/policy-changes.js';
import { runGate } from '../../src/gate.js';
import { parsePolicy } from '../../src/policy/load.js';
import { FIXTURES } from '../stats/helpers.js';
import { git, tempRepo } from './helpers.js';

const HEAD = `version: 1
model: { path: model.onnx }
dataset: { path: data.csv, label: income, positive_label: '>50K', missing_values: ['?'] }
`;

function parsed(text: string) {
  return parsePolicy(text, { workspace: '/tmp', displayPath: 'policy.yml' });
}

function diff(base: string, head: string): PolicyChange[] {
  const h = parsed(head);
  return diffPolicies(parsed(base).policy, h.policy, (p) => h.locate(p).line);
}

const BASE = `${HEAD}sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
checks:
  performance:
    accuracy: { min: 0.8 }
    roc_auc: { min: 0.75 }
  fairness:
    demographic_parity_ratio: { min: 0.8, attributes: [sex, age_bin], on_insufficient: fail }
    equal_opportunity_difference: { max: 0.1 }
`;

describe('policy changes', () => {
  it('names what loosens the gate first, each with its line, and what tightens it', () => {
    const head = `${HEAD}sensitive:
  - column: sex
checks:
  performance:
    accuracy: { min: 0.6, severity: warning }
    roc_auc: { min: 0.8 }
  fairness:
    demographic_parity_ratio: { min: 0.8, attributes: [sex], on_insufficient: pass }
`;
    const changes = diff(BASE, head);
    expect(changes.map((c) => [c.kind, c.path, c.before, c.after])).toEqual([
      ['loosened', 'checks.fairness.demographic_parity_ratio.attributes', '["sex","age_bin"]', '["sex"]'],
      ['loosened', 'checks.fairness.demographic_parity_ratio.on_insufficient', '"fail"', '"pass"'],
      ['loosened', 'checks.performance.accuracy.min', '0.8', '0.6'],
      ['loosened', 'checks.performance.accuracy.severity', '"error"', '"warning"'],
      ['removed', 'checks.fairness.equal_opportunity_difference', '{"max":0.1,"severity":"error"}', undefined],
      ['removed', 'sensitive.age_bin', '{"column":"age","bins":[25,45],"name":"age_bin"}', undefined],
      ['tightened', 'checks.performance.roc_auc.min', '0.75', '0.8'],
    ]);
    expect(changes.find((c) => c.path === 'checks.performance.accuracy.min')?.line).toBe(8);
    const note = policyChangesNote({ base: 'base commit abc1234', newFile: false, changes });
    expect(note).toMatch(/^⚠️ This pull request loosens the policy against base commit abc1234 \(4 loosened, 2 removed, 1 tightened\): /);
    expect(note).toContain('`checks.performance.accuracy.min` 0.8 → 0.6 (loosened) (line 8)');
  });

  it('a default written out, reordered keys or reformatting are no change; a seed change is a change', () => {
    const same = BASE.replace('demographic_parity_ratio: { min: 0.8, attributes: [sex, age_bin], on_insufficient: fail }', 'demographic_parity_ratio: { on_insufficient: fail, attributes: [sex, age_bin], min: 0.8, severity: error }');
    expect(diff(BASE, same)).toEqual([]);
    expect(diff(BASE, `${BASE}seed: 7\n`).map((c) => [c.kind, c.path])).toEqual([['changed', 'seed']]);
  });

  it('removing the whole baseline section (its regression limits) or switching a comparison off loosens the gate', () => {
    const base = `${HEAD}baseline:\n  max_regression:\n    accuracy: 0.01\n`;
    expect(diff(base, HEAD).map((c) => [c.kind, c.path])).toEqual([['removed', 'baseline']]);
    expect(diff(`${HEAD}baseline:\n  enabled: true\n`, `${HEAD}baseline:\n  enabled: false\n`).map((c) => [c.kind, c.path])).toEqual([['loosened', 'baseline.enabled']]);
  });

  it('raising a max, a regression limit, or adding a check and a limit', () => {
    const base = `${HEAD}checks:\n  performance:\n    brier: { max: 0.1 }\nbaseline:\n  max_regression:\n    accuracy: 0.01\n`;
    const head = `${HEAD}checks:\n  performance:\n    brier: { max: 0.2, min: 0.0 }\n    f1: { min: 0.5 }\nbaseline:\n  max_regression:\n    accuracy: 0.05\n`;
    expect(diff(base, head).map((c) => [c.kind, c.path])).toEqual([
      ['loosened', 'baseline.max_regression.accuracy'],
      ['loosened', 'checks.performance.brier.max'],
      ['tightened', 'checks.performance.brier.min'],
      ['added', 'checks.performance.f1'],
    ]);
  });

  it('through the gate: a pull request that lowers accuracy.min to pass carries the note first and report.policyChanges', async () => {
    const repo = tempRepo();
    copyFileSync(join(FIXTURES, 'adult', 'logreg_pipeline.onnx'), join(repo, 'model.onnx'));
    const rows = readFileSync(join(FIXTURES, 'adult', 'test.csv'), 'utf8').split('\n').slice(0, 2001).join('\n') + '\n';
    writeFileSync(join(repo, 'data.csv'), rows);
    const policy = (min: number) => `${HEAD}statistics: { resamples: 0 }\nchecks:\n  performance:\n    accuracy: { min: ${min} }\n`;
    writeFileSync(join(repo, 'policy.yml'), policy(0.95));
    git(repo, 'add', '.');
    git(repo, 'commit', '-qm', 'base');
    const base = git(repo, 'rev-parse', 'HEAD');
    writeFileSync(join(repo, 'policy.yml'), policy(0.5));
    git(repo, 'commit', '-qam', 'lower the bar');
    mkdirSync(join(repo, '.gh'));
    const event = join(repo, '.gh', 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { base: { sha: base } } }));
    const { report } = await runGate({ policyFile: join(repo, 'policy.yml'), workspace: repo, eventPath: event });
    expect(report.verdict).toBe('pass');
    expect(report.policyChanges).toEqual({
      base: `base commit ${base.slice(0, 7)}`,
      newFile: false,
      changes: [{ path: 'checks.performance.accuracy.min', kind: 'loosened', before: '0.95', after: '0.5', line: 7 }],
    });
    expect(report.notes[0]).toBe(`⚠️ This pull request loosens the policy against base commit ${base.slice(0, 7)} (1 loosened): \`checks.performance.accuracy.min\` 0.95 → 0.5 (loosened) (line 7).`);
    // the Action with `baseline: none`: no model comparison, but the policy is still compared
    const policyOnly = await runGate({ policyFile: join(repo, 'policy.yml'), workspace: repo, policyEventPath: event });
    expect(policyOnly.report.policyChanges?.changes.map((c) => c.path)).toEqual(['checks.performance.accuracy.min']);
    expect(policyOnly.report.baseline).toBeUndefined();
    // no pull request event and no --baseline: nothing compared, nothing said
    const plain = await runGate({ policyFile: join(repo, 'policy.yml'), workspace: repo });
    expect(plain.report.policyChanges).toBeUndefined();
    expect(plain.report.notes.some((n) => n.includes('policy'))).toBe(false);
  }, 60_000);
});
