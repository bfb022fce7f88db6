/**
 * Baseline comparison end to end, the way a pull request runs it: a git repository whose base commit holds one model
 * and whose head commit holds another (same inputs), `node dist/index.js` on the head with the pull_request event
 * naming the base sha, fake GitHub API and artifact service on 127.0.0.1. The comment must show the before/after
 * deltas, and a tight max_regression must fail on exactly the metric that regressed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fixtures, parseOutputs, repoRoot, runNode } from './harness.js';
import { pullRequestEvent, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

const POLICY = `version: 1
seed: 3
model:
  path: models/credit.onnx
  features:
    file: models/onehot_features.json
dataset:
  path: data/eval.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
statistics: { resamples: 300 }
checks:
  performance:
    roc_auc: { min: 0.85 }
baseline:
  max_regression:
    roc_auc: 0.01
    equalized_odds_difference: { max: 0.01, attributes: [age_bin] }
`;

function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@e', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@e' } }).trim();
}

describe('baseline: the base branch model against the pull request model', () => {
  let gh: FakeGitHub;
  let dir: string;
  let baseSha: string;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    dir = mkdtempSync(join(tmpdir(), 'mrg-baseline-'));
    mkdirSync(join(dir, 'models'));
    mkdirSync(join(dir, 'data'));
    mkdirSync(join(dir, '.github'));
    cpSync(join(fixtures, 'adult', 'onehot_features.json'), join(dir, 'models', 'onehot_features.json'));
    cpSync(join(fixtures, 'adult', 'test.csv'), join(dir, 'data', 'eval.csv'));
    writeFileSync(join(dir, '.github', 'model-policy.yml'), POLICY);
    git(dir, 'init', '-q', '-b', 'main');
    git(dir, 'config', 'core.autocrlf', 'false');
    // base: the logistic regression on the one-hot matrix
    cpSync(join(fixtures, 'adult', 'logreg_onehot.onnx'), join(dir, 'models', 'credit.onnx'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'base model');
    baseSha = git(dir, 'rev-parse', 'HEAD');
    // pull request: the PyTorch MLP (same 108 inputs)
    cpSync(join(fixtures, 'adult', 'mlp_torch.onnx'), join(dir, 'models', 'credit.onnx'));
    git(dir, 'commit', '-q', '-am', 'retrain: MLP');
  });
  afterAll(async () => gh?.close());

  it('shows the deltas in the comment and fails on the metric that regressed', async () => {
    const event = pullRequestEvent({ number: 9 });
    (event.pull_request as { base: { sha: string } }).base.sha = baseSha;
    const env = gh.env({ event });
    const runnerTemp = mkdtempSync(join(tmpdir(), 'mrg-runner-'));
    writeFileSync(join(runnerTemp, 'summary.md'), '');
    writeFileSync(join(runnerTemp, 'output'), '');
    const r = await runNode([join(repoRoot, 'dist', 'index.js')], {
      env: {
        ...env,
        GITHUB_WORKSPACE: dir,
        GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'),
        GITHUB_OUTPUT: join(runnerTemp, 'output'),
        RUNNER_TEMP: runnerTemp,
        INPUT_POLICY: '.github/model-policy.yml',
        INPUT_COMMENT: 'true',
        'INPUT_GITHUB-TOKEN': gh.token,
        'INPUT_ARTIFACT-NAME': '',
        INPUT_BASELINE: 'auto',
      },
      timeoutMs: 240_000,
    });
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code, r.stdout.slice(-3000) + r.stderr).toBe(1);
    const outputs = parseOutputs(readFileSync(join(runnerTemp, 'output'), 'utf8'));
    const failed = JSON.parse(outputs['failed-check-ids']) as string[];
    // the MLP's equalized odds difference on age rises by ~0.11 over the logistic regression's: that limit fails;
    // its ROC AUC rises (0.9044 -> 0.9062), so the AUC regression limit passes
    expect(failed).toEqual(['baseline/equalized_odds_difference/age_bin']);

    const report = JSON.parse(readFileSync(outputs['report-path'], 'utf8'));
    expect(report.baseline.status).toBeDefined();
    const auc = report.baseline.metrics.find((m: { metric: string; scope?: string }) => m.metric === 'roc_auc' && m.scope === undefined);
    const refBase = JSON.parse(readFileSync(join(fixtures, 'adult', 'logreg_onehot.reference.json'), 'utf8')).performance.roc_auc;
    const refPr = JSON.parse(readFileSync(join(fixtures, 'adult', 'mlp_torch.reference.json'), 'utf8')).performance.roc_auc;
    expect(auc.before).toBeCloseTo(refBase, 9);
    expect(auc.after).toBeCloseTo(refPr, 9);
    expect(auc.delta).toBeCloseTo(refPr - refBase, 9);

    const comment = gh.comments.find((c) => c.issue_number === 9);
    expect(comment, JSON.stringify(gh.apiCalls())).toBeDefined();
    expect(comment!.body).toMatch(/0\.9044/); // before
    expect(comment!.body).toMatch(/0\.9062/); // after
    expect(comment!.body).toMatch(/Equalized odds difference/);
  });

  it('a pull request that loosens its own policy gets a warning under the verdict in the comment (baseline: none)', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'mrg-baseline-policy-'));
    cpSync(dir, clone, { recursive: true });
    const loosened = POLICY.replace('roc_auc: { min: 0.85 }', 'roc_auc: { min: 0.5 }').replace(/baseline:[\s\S]*$/, '');
    writeFileSync(join(clone, '.github', 'model-policy.yml'), loosened);
    git(clone, 'commit', '-q', '-am', 'lower the bar');
    const event = pullRequestEvent({ number: 11 });
    (event.pull_request as { base: { sha: string } }).base.sha = baseSha;
    const runnerTemp = mkdtempSync(join(tmpdir(), 'mrg-runner-'));
    writeFileSync(join(runnerTemp, 'summary.md'), '');
    writeFileSync(join(runnerTemp, 'output'), '');
    const r = await runNode([join(repoRoot, 'dist', 'index.js')], {
      env: {
        ...gh.env({ event }),
        GITHUB_WORKSPACE: clone,
        GITHUB_STEP_SUMMARY: join(runnerTemp, 'summary.md'),
        GITHUB_OUTPUT: join(runnerTemp, 'output'),
        RUNNER_TEMP: runnerTemp,
        INPUT_POLICY: '.github/model-policy.yml',
        INPUT_COMMENT: 'true',
        'INPUT_GITHUB-TOKEN': gh.token,
        'INPUT_ARTIFACT-NAME': '',
        INPUT_BASELINE: 'none',
      },
      timeoutMs: 240_000,
    });
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    const comment = gh.comments.find((c) => c.issue_number === 11);
    expect(comment, JSON.stringify(gh.apiCalls())).toBeDefined();
    const warning = `> [!WARNING]\n> **This pull request loosens the policy** against base commit ${baseSha.slice(0, 7)}: `;
    expect(comment!.body).toContain(warning);
    expect(comment!.body).toContain('`checks.performance.roc_auc.min` `0.85` → `0.5` (line 18)');
    expect(comment!.body).toContain('removed `baseline`');
    expect(readFileSync(join(runnerTemp, 'summary.md'), 'utf8')).toContain(warning);
  });

  it('reports an unchanged model as such, without rescoring it', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'mrg-baseline-same-'));
    cpSync(dir, clone, { recursive: true });
    const head = git(clone, 'rev-parse', 'HEAD');
    const runnerTemp = mkdtempSync(join(tmpdir(), 'mrg-runner-'));
    writeFileSync(join(runnerTemp, 'output'), '');
    const r = await runNode([join(repoRoot, 'dist', 'index.js')], {
      env: {
        GITHUB_WORKSPACE: clone,
        GITHUB_OUTPUT: join(runnerTemp, 'output'),
        RUNNER_TEMP: runnerTemp,
        INPUT_POLICY: '.github/model-policy.yml',
        INPUT_COMMENT: 'false',
        'INPUT_ARTIFACT-NAME': '',
        INPUT_BASELINE: head, // compare with itself
      },
      timeoutMs: 240_000,
    });
    expect(r.code, r.stdout.slice(-2000) + r.stderr).toBe(0);
    const outputs = parseOutputs(readFileSync(join(runnerTemp, 'output'), 'utf8'));
    const report = JSON.parse(readFileSync(outputs['report-path'], 'utf8'));
    expect(report.baseline.status).toBe('unchanged');
  });
});
