/**
 * `model-risk-gate init` (issue #13): from a model and a dataset (and a reference), a starter policy that loads, maps
 * the inputs, guesses the label and sensitive columns, has a data section against the reference, and runs; an
 * existing file is never overwritten.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInit, guessLabel } from '../../src/init/index.js';
import { cli } from '../../src/cli.js';
import { loadPolicy } from '../../src/policy/load.js';
import { parseCsvDataset } from '../../src/data/csv.js';
import { fixture } from './helpers.js';

function workspace(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-init-'));
  mkdirSync(join(dir, 'data'));
  copyFileSync(fixture('adult/logreg_pipeline.onnx'), join(dir, 'model.onnx'));
  // 3,000 evaluation rows keep the run short
  const lines = readFileSync(fixture('adult/test.csv'), 'utf8').split('\n').slice(0, 3001).join('\n') + '\n';
  writeFileSync(join(dir, 'data/eval.csv'), lines);
  copyFileSync(fixture('adult/train.csv.gz'), join(dir, 'data/train.csv.gz'));
  return dir;
}

class Sink {
  text = '';
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

describe('init', () => {
  it('writes a policy that loads: inputs by name, label income = >50K, sex/race/age candidates, data section on the reference', async () => {
    const dir = workspace();
    const r = await runInit({ model: 'model.onnx', data: 'data/eval.csv', reference: 'data/train.csv.gz', output: 'policy.yml', workspace: dir, cwd: dir });
    expect(r.label).toBe('income');
    expect(r.positiveLabel).toBe('>50K');
    expect(r.sensitive).toEqual(['age', 'marital_status', 'race', 'sex', 'native_country']);
    expect(r.text).toContain('reference: "data/train.csv.gz"');
    expect(r.text).toContain('bins: [25, 45]');
    const doc = await loadPolicy(join(dir, 'policy.yml'), { workspace: dir });
    expect(doc.policy.dataset.label).toBe('income');
    expect((doc.policy.data as { reference: string }).reference).toBe('data/train.csv.gz');
  });

  it('the CLI writes it in one command, the first check runs on it, and a second init refuses to overwrite', async () => {
    const dir = workspace();
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const out = new Sink();
      const err = new Sink();
      const code = await cli(['init', '--model', 'model.onnx', '--data', 'data/eval.csv', '--reference', 'data/train.csv.gz'], out as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream);
      expect(err.text).toBe('');
      expect(code).toBe(0);
      expect(out.text).toContain('Wrote .github/model-policy.yml: label income = >50K');
      const check = new Sink();
      const code2 = await cli(['check', '--policy', '.github/model-policy.yml', '--no-color'], check as unknown as NodeJS.WritableStream, err as unknown as NodeJS.WritableStream);
      expect(err.text).toBe('');
      expect([0, 1]).toContain(code2); // it runs (the verdict depends on the starter limits)
      expect(check.text).toMatch(/model-risk-gate: /);
      const again = new Sink();
      const code3 = await cli(['init', '--model', 'model.onnx', '--data', 'data/eval.csv'], out as unknown as NodeJS.WritableStream, again as unknown as NodeJS.WritableStream);
      expect(code3).toBe(2);
      expect(again.text).toContain('.github/model-policy.yml exists already; init never overwrites a file');
    } finally {
      process.chdir(cwd);
    }
  }, 60_000);

  it('favourable: set to negative when the positive label reads adverse (German credit: bad), offered as a comment otherwise', async () => {
    const adult = workspace();
    const a = await runInit({ model: 'model.onnx', data: 'data/eval.csv', output: 'p.yml', workspace: adult, cwd: adult });
    expect(a.text).toContain('  # favourable: negative        # if ">50K" is the adverse outcome');
    expect((await loadPolicy(join(adult, 'p.yml'), { workspace: adult })).policy.dataset.favourable).toBe('positive'); // the default
    const dir = mkdtempSync(join(tmpdir(), 'mrg-init-'));
    copyFileSync(fixture('german-credit/logreg_pipeline.onnx'), join(dir, 'model.onnx'));
    copyFileSync(fixture('german-credit/test.csv'), join(dir, 'eval.csv'));
    const g = await runInit({ model: 'model.onnx', data: 'eval.csv', output: 'p.yml', workspace: dir, cwd: dir });
    expect(g.label).toBe('credit_risk');
    expect(g.positiveLabel).toBe('bad');
    expect(g.text).toContain('  favourable: negative          # "bad" reads as the adverse outcome');
    const doc = await loadPolicy(join(dir, 'p.yml'), { workspace: dir });
    expect(doc.policy.dataset.favourable).toBe('negative');
  });

  it('without a reference: integrity and single-column leakage only, and the policy still loads and runs', async () => {
    const dir = workspace();
    const r = await runInit({ model: 'model.onnx', data: 'data/eval.csv', output: 'p.yml', workspace: dir, cwd: dir });
    expect(r.text).not.toContain('reference:');
    expect(r.text).toContain('single_column: { max: 0.95 }');
    const doc = await loadPolicy(join(dir, 'p.yml'), { workspace: dir });
    expect(Object.keys(doc.policy.data as object).sort()).toEqual(['integrity', 'leakage', 'representation']);
    await expect(runInit({ model: 'model.onnx', data: '../outside.csv', output: 'q.yml', workspace: dir, cwd: dir })).rejects.toThrow(/cannot read the dataset|outside the workspace/);
  });

  it('label guess: a two-valued column the model does not read; the positive is an obvious positive text or the rarer value', () => {
    const d = parseCsvDataset(Buffer.from('x,flag,z\n1,no,a\n2,yes,b\n3,no,c\n'), { displayPath: 'd.csv', missingValues: [], maxRows: 10 });
    expect(guessLabel(d, new Set(['x', 'z']))).toEqual({ column: 'flag', positive: 'yes' });
    const e = parseCsvDataset(Buffer.from('x,target\n1,A\n2,B\n3,B\n'), { displayPath: 'e.csv', missingValues: [], maxRows: 10 });
    expect(guessLabel(e, new Set(['x']))).toEqual({ column: 'target', positive: 'A' });
  });
});
