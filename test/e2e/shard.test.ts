/**
 * Past one runner (issue #12): Adult ×10 (162,810 rows: above the 100,000-row sample limit, so scoring is chunked and
 * robustness / explainability run on the seeded sample) scored in 4 shards and merged gives the single-runner report
 * byte for byte apart from timings; shards from another dataset, a missing shard or a forged file are refused.
 * And the chunked path gives the same performance and fairness results as the in-memory one.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/gate.js';
import { fixtures, makeWorkspace, repoRoot, runNode } from './harness.js';

const cli = join(repoRoot, 'dist', 'cli.js');

function adultTimes(k: number): string {
  const lines = readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').trimEnd().split('\n');
  const out = [lines[0]];
  for (let r = 0; r < k; r++) out.push(...lines.slice(1));
  return out.join('\n') + '\n';
}

const POLICY = `version: 1
model:
  path: gbt.onnx
  features: { file: features.json }
dataset:
  path: eval.csv
  label: income
  positive_label: '>50K'
  missing_values: ['?']
sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
statistics: { resamples: 300 }
checks:
  performance:
    roc_auc: { min: 0.9 }
    average_precision: { min: 0.7 }
    f1: { min: 0.6 }
  fairness:
    demographic_parity_ratio: { min: 0.3 }
    equalized_odds_difference: { max: 0.2 }
  robustness:
    rows: 60
    score_attack: { epsilons: { linf: [0.1] }, success_rate: { max: 0.9 } }
    decision_attack: { enabled: false }
    categorical_attack: { enabled: false }
    counterfactual: { enabled: false }
    noise: { enabled: false }
  explainability:
    rows: 40
`;

function workspaceWith(rows: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-shard-'));
  copyFileSync(join(fixtures, 'adult', 'gbt_onehot.onnx'), join(dir, 'gbt.onnx'));
  copyFileSync(join(fixtures, 'adult', 'onehot_features.json'), join(dir, 'features.json'));
  writeFileSync(join(dir, 'eval.csv'), adultTimes(rows));
  return dir;
}

/** Where two strings first differ, with some context (a readable failure instead of two megabytes of JSON). */
function firstDifference(x: string, y: string): string {
  let i = 0;
  while (i < x.length && i < y.length && x[i] === y[i]) i++;
  return `first difference at ${i}: …${x.slice(Math.max(0, i - 80), i + 80)}… vs …${y.slice(Math.max(0, i - 80), i + 80)}…`;
}

const strip = (json: string): unknown => {
  const r = JSON.parse(json);
  delete r.createdAt;
  delete r.timings;
  return r;
};

describe('shard and merge (node dist/cli.js)', () => {
  it('4 shards of Adult x10 merge into the single-runner report, byte for byte apart from timings', async () => {
    const dir = workspaceWith(10);
    writeFileSync(join(dir, 'policy.yml'), POLICY);
    const opts = { cwd: dir, timeoutMs: 300_000 };
    const single = await runNode([cli, 'check', '--policy', 'policy.yml', '--json'], opts);
    expect(single.code, single.stderr).toBeLessThan(2);
    const shards = await Promise.all([0, 1, 2, 3].map((i) => runNode([cli, 'shard', '--policy', 'policy.yml', '--index', String(i), '--of', '4', '-o', `shard-${i}.bin`], opts)));
    for (const s of shards) expect(s.code, s.stderr).toBe(0);
    expect(shards[3].stdout).toMatch(/shard 3 of 4, rows 122107\.\.162809 of 162810/);
    const merged = await runNode([cli, 'merge', '--policy', 'policy.yml', '--json', 'shard-0.bin', 'shard-1.bin', 'shard-2.bin', 'shard-3.bin'], opts);
    expect(merged.code, merged.stderr).toBe(single.code);
    const a = strip(single.stdout) as { notes: string[]; robustness: unknown };
    expect(a.notes.join('\n')).toMatch(/162,810 rows: scored in chunks .* seeded sample of 100,000 rows/);
    const fromMerge = JSON.stringify(strip(merged.stdout));
    expect(fromMerge === JSON.stringify(a), firstDifference(fromMerge, JSON.stringify(a))).toBe(true);

    // the Action as the final job of the matrix: INPUT_SHARDS names the directory of the downloaded shards
    const ws = makeWorkspace(POLICY, {
      'gbt.onnx': join(dir, 'gbt.onnx'), 'features.json': join(dir, 'features.json'), 'eval.csv': join(dir, 'eval.csv'),
      ...Object.fromEntries([0, 1, 2, 3].map((i) => [`shards/shard-${i}.bin`, join(dir, `shard-${i}.bin`)])),
    });
    writeFileSync(join(ws.dir, 'policy.yml'), POLICY);
    const action = await runNode([join(repoRoot, 'dist', 'index.js')], { env: ws.env({ INPUT_POLICY: 'policy.yml', INPUT_SHARDS: 'shards', 'INPUT_REPORT-DIR': 'out', INPUT_BASELINE: 'none' }), cwd: ws.dir, timeoutMs: 300_000 });
    expect(action.code === 0 ? 'pass' : 'fail').toBe(ws.outputs().verdict);
    const fromAction = JSON.stringify(strip(readFileSync(join(ws.dir, 'out', 'report.json'), 'utf8')));
    expect(fromAction === JSON.stringify(a), firstDifference(fromAction, JSON.stringify(a))).toBe(true);
    expect(ws.summary()).toMatch(/model-risk-gate|Model risk gate/i);

    const missing = await runNode([cli, 'merge', '--policy', 'policy.yml', 'shard-0.bin', 'shard-1.bin', 'shard-3.bin'], opts);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/missing shard\(s\) 2 of 4/);
    writeFileSync(join(dir, 'forged.bin'), Buffer.concat([readFileSync(join(dir, 'shard-2.bin')).subarray(0, 300), Buffer.from('::warning::x\n')]));
    const forged = await runNode([cli, 'merge', '--policy', 'policy.yml', 'shard-0.bin', 'shard-1.bin', 'forged.bin', 'shard-3.bin'], opts);
    expect(forged.code).toBe(2);
    expect(forged.stderr).toMatch(/forged\.bin is not a model-risk-gate shard/);
    expect(forged.stderr).not.toMatch(/^::/m);
    writeFileSync(join(dir, 'eval.csv'), adultTimes(10).replace('\n25,', '\n26,'));
    const other = await runNode([cli, 'merge', '--policy', 'policy.yml', 'shard-0.bin', 'shard-1.bin', 'shard-2.bin', 'shard-3.bin'], opts);
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/another dataset/);
  }, 600_000);

  it('chunked scoring (rows above the sample limit) gives the same performance and fairness as scoring in one piece', async () => {
    const dir = workspaceWith(1);
    writeFileSync(join(dir, 'policy.yml'), POLICY.replace(/ {2}robustness:[\s\S]*$/, ''));
    const whole = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir });
    const chunked = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir, sampleRows: 5000 });
    expect(chunked.report.notes.join('\n')).toMatch(/16,281 rows: scored in chunks/);
    expect(chunked.report.performance).toEqual(whole.report.performance);
    expect(chunked.report.fairness).toEqual(whole.report.fairness);
    expect(chunked.report.checks).toEqual(whole.report.checks);
  }, 300_000);
});
