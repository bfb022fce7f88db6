/**
 * Issue #9 items 9 and 10 through the committed CLI (node dist/cli.js): a percentage as a limit stops the run with
 * the policy line and the fix (exit 2); a positive label that names the wrong column of the scores gives ROC AUC
 * < 0.5 and a note, on the terminal and in report.json; the adverse positive class with `favourable: negative`
 * fails on the favourable class's equal opportunity gap that the adverse reading would pass.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runNode } from './harness.js';
import type { Report } from '../../src/report/types.js';

const cli = join(repoRoot, 'dist', 'cli.js');

function policy(dataset: string, model: string, checks: string): string {
  return `version: 1
model:
  path: test/fixtures/german-credit/logreg_pipeline.onnx
${model}dataset:
  path: test/fixtures/german-credit/test.csv
  label: credit_risk
${dataset}sensitive:
  - column: age
    bins: [25, 45]
checks:
${checks}`;
}

async function check(text: string): Promise<{ code: number | null; stdout: string; stderr: string; report?: Report }> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-e2e-fav-'));
  writeFileSync(join(dir, 'policy.yml'), text);
  const out = join(dir, 'out');
  const r = await runNode([cli, 'check', '--policy', join(dir, 'policy.yml'), '--workspace', repoRoot, '--out', out, '--no-color'], { cwd: repoRoot, timeoutMs: 120_000 });
  let report: Report | undefined;
  try {
    report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  } catch {
    report = undefined;
  }
  return { ...r, report };
}

describe('issue #9 items 9 and 10 through node dist/cli.js', () => {
  it('`accuracy: { min: 75 }` exits 2 with the policy line and the fix, and no report', async () => {
    const r = await check(policy('  positive_label: good\n', '', '  performance:\n    accuracy: { min: 75 }\n'));
    expect(r.code).toBe(2);
    expect(`${r.stdout}${r.stderr}`).toMatch(/policy\.yml:13:22: .*`accuracy`: min 75 looks like a percentage; use 0\.75 \(accuracy is between 0 and 1\)/);
    expect(`${r.stdout}${r.stderr}`).not.toMatch(/\n\s+at /);
    expect(r.report).toBeUndefined();
  }, 120_000);

  it('ROC AUC below 0.5 (positive_label good with the P(bad) column): a note on the terminal and in report.json', async () => {
    const r = await check(policy('  positive_label: good\n', '  positive_index: 0\n', '  performance:\n    roc_auc: { min: 0.7 }\n'));
    expect(r.code).toBe(1);
    const note =
      'ROC AUC 0.2174 < 0.5: the scores rank the positive class `good` below the other class; is dataset.positive_label ' +
      'right (and model.positive_index the column of that class)? With `bad` as positive it would be 0.7826.';
    expect(r.stdout).toContain(`Notes:\n  - ${note}`);
    expect(r.report!.notes).toContain(note);
  }, 120_000);

  it('`bad` positive, `favourable: negative`: the equal opportunity gap of `good` by age (0.2216) fails; read on `bad` it would pass (0.127)', async () => {
    const checks = '  fairness:\n    equal_opportunity_difference: { max: 0.2 }\n';
    const favourable = await check(policy('  positive_label: bad\n  favourable: negative\n', '  positive_index: 0\n', checks));
    expect(favourable.code).toBe(1);
    const eo = favourable.report!.checks.find((c) => c.id === 'fairness/equal_opportunity_difference/age_bin')!;
    expect(eo.value).toBeCloseTo(0.2216117216117216, 12);
    expect(eo.outcome).toBe('fail');
    expect(favourable.stdout).toContain('error: Equal opportunity difference (TPR of good) (age_bin) = 0.2216');
    expect(favourable.report!.dataset.favourable).toEqual({ outcome: 'negative', label: 'good', adverseLabel: 'bad' });

    const adverse = await check(policy('  positive_label: bad\n', '  positive_index: 0\n', checks));
    expect(adverse.code).toBe(0);
    expect(adverse.report!.checks.find((c) => c.id === 'fairness/equal_opportunity_difference/age_bin')!.value).toBeCloseTo(0.12698412698412703, 12);
  }, 120_000);
});
