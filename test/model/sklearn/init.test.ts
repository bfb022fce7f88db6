/** `init` reads a .joblib through the pickle reader (issue #11): the starter policy points at it and loads. */
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInit } from '../../../src/init/index.js';
import { inspectModel } from '../../../src/model/session.js';
import { ROOT, sk } from './helpers.js';

describe('init and inspectModel on a scikit-learn pickle', () => {
  it('inspectModel gives the translated signature (raw columns in, probabilities out)', async () => {
    const sig = await inspectModel(sk('adult', 'lr_pipeline.joblib'), { displayPath: 'lr_pipeline.joblib' });
    expect(sig.inputs.map((i) => i.name)).toContain('native_country');
    expect(sig.inputs.find((i) => i.name === 'age')?.type).toBe('float64');
    expect(sig.outputs.map((o) => o.name)).toEqual(['probabilities']);
    expect(sig.sha256).toHaveLength(64);
  });

  it('init writes a policy for a .joblib model', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-sk-init-'));
    mkdirSync(join(dir, 'data'));
    copyFileSync(sk('german-credit', 'dt_pipeline.joblib'), join(dir, 'model.joblib'));
    copyFileSync(join(ROOT, 'test', 'fixtures', 'german-credit', 'test.csv'), join(dir, 'data', 'eval.csv'));
    const r = await runInit({ model: 'model.joblib', data: 'data/eval.csv', output: 'policy.yml', workspace: dir, cwd: dir });
    expect(r.label).toBe('credit_risk');
    const policy = readFileSync(join(dir, 'policy.yml'), 'utf8');
    expect(policy).toMatch(/path: "model\.joblib"/);
    expect(policy).toMatch(/# inputs read from the dataset by name: checking_status, .*credit_amount/);
  }, 60_000);
});
