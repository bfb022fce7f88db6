/** The CLI end to end (node dist/cli.js), and a table of broken policies, datasets and models: each exits 2 with one
 * clear line naming the file (and line or column), never a stack trace. */
import { describe, expect, it, beforeAll } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, mkdirSync, cpSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fixtures, repoRoot, runNode } from './harness.js';

const cli = join(repoRoot, 'dist', 'cli.js');

const BASE = `version: 1
model:
  path: model.onnx
dataset:
  path: eval.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
checks:
  performance:
    roc_auc: { min: 0.8 }
  fairness:
    demographic_parity_difference: { max: 0.5, attributes: [sex] }
`;

const adultCsv = readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').split('\n');
const smallCsv = adultCsv.slice(0, 2001).join('\n') + '\n';

interface Case {
  name: string;
  policy?: string;
  csv?: string;
  model?: Buffer | string;
  extra?: Record<string, string | Buffer>;
  /** What the message must name. */
  file: RegExp;
  /** More the message must say. */
  says: RegExp;
  /** The message must carry a line number (file:line). */
  line?: boolean;
}

const pipeline = readFileSync(join(fixtures, 'adult', 'logreg_pipeline.onnx'));
const gbt = readFileSync(join(fixtures, 'adult', 'gbt_onehot.onnx'));

const replaceIn = (text: string, from: string, to: string): string => {
  if (!text.includes(from)) throw new Error(`fixture text '${from}' not found`);
  return text.replace(from, to);
};

const cases: Case[] = [
  { name: 'YAML syntax error', policy: BASE.replace('  label: income', '  label: [income'), file: /policy\.yml:\d+/, says: /./, line: true },
  { name: 'unknown top-level key with a suggestion', policy: BASE + 'seeds: 3\n', file: /policy\.yml:\d+/, says: /seed/, line: true },
  { name: 'missing model path', policy: replaceIn(BASE, '  path: model.onnx\n', '  threshold: 0.5\n'), file: /policy\.yml/, says: /path/ },
  { name: 'threshold is not a number', policy: replaceIn(BASE, '{ min: 0.8 }', '{ min: high }'), file: /policy\.yml:\d+/, says: /number/, line: true },
  { name: 'misspelled performance metric', policy: replaceIn(BASE, 'roc_auc:', 'roc_acu:'), file: /policy\.yml:\d+/, says: /roc_auc/, line: true },
  { name: 'unknown fairness metric', policy: replaceIn(BASE, 'demographic_parity_difference', 'demographic_parity_diff'), file: /policy\.yml:\d+/, says: /demographic_parity_difference/, line: true },
  { name: 'fairness check on an undeclared attribute', policy: replaceIn(BASE, 'attributes: [sex]', 'attributes: [gender]'), file: /policy\.yml:\d+/, says: /gender/, line: true },
  { name: 'bins not increasing', policy: replaceIn(BASE, 'bins: [25, 45]', 'bins: [45, 25]'), file: /policy\.yml:\d+/, says: /increas/, line: true },
  { name: 'intersection of an unknown attribute', policy: BASE + 'intersections:\n  - [sex, race]\n', file: /policy\.yml:\d+/, says: /race/, line: true },
  { name: 'unsupported version', policy: replaceIn(BASE, 'version: 1', 'version: 2'), file: /policy\.yml:\d+/, says: /version/, line: true },
  { name: 'threshold without min or max', policy: replaceIn(BASE, '{ min: 0.8 }', '{ severity: error }'), file: /policy\.yml:\d+/, says: /min|max/, line: true },
  { name: 'model path escapes the workspace', policy: replaceIn(BASE, 'path: model.onnx', 'path: ../../../etc/passwd'), file: /policy\.yml/, says: /workspace/ },
  { name: 'dataset file missing', policy: replaceIn(BASE, 'path: eval.csv', 'path: missing.csv'), file: /missing\.csv|policy\.yml/, says: /missing\.csv/ },
  { name: 'label column missing', policy: replaceIn(BASE, 'label: income', 'label: incme'), file: /eval\.csv|policy\.yml/, says: /income/ },
  { name: 'positive label absent from the data', policy: replaceIn(BASE, '">50K"', '">60K"'), file: /eval\.csv|policy\.yml/, says: />60K/ },
  { name: 'label with a third class', csv: smallCsv.replace(',<=50K\n', ',unknown\n'), file: /eval\.csv/, says: /unknown/ },
  { name: 'ragged row', csv: smallCsv.replace('\n38,Private', '\n38,Private,extra,cells'), file: /eval\.csv:\d+/, says: /./, line: true },
  { name: 'text in a numeric model input', csv: smallCsv.replace('\n38,Private', '\nthirty-eight,Private'), file: /eval\.csv/, says: /age/ },
  { name: 'sensitive column missing', policy: replaceIn(BASE, '  - column: sex\n', '  - column: gender\n').replace('attributes: [sex]', 'attributes: [gender]'), file: /eval\.csv|policy\.yml/, says: /gender/ },
  { name: 'dataset with a header only', csv: adultCsv[0] + '\n', file: /eval\.csv/, says: /row/ },
  { name: 'model file missing', policy: replaceIn(BASE, 'path: model.onnx', 'path: nope.onnx'), file: /nope\.onnx|policy\.yml/, says: /nope\.onnx/ },
  { name: 'corrupt model file', model: Buffer.from('this is not an onnx model at all'), file: /model\.onnx/, says: /ONNX/i },
  { name: 'output name that does not exist', policy: replaceIn(BASE, '  path: model.onnx\n', '  path: model.onnx\n  output: scores\n'), file: /model\.onnx|policy\.yml/, says: /output_probability|output_label/ },
  { name: 'feature list of the wrong width', model: gbt, policy: replaceIn(BASE, '  path: model.onnx\n', '  path: model.onnx\n  features:\n    columns: [age, fnlwgt, education_num]\n'), file: /model\.onnx|policy\.yml/, says: /108/ },
  { name: 'model input with no matching column', csv: smallCsv.replace(/^age,/, 'years,'), file: /eval\.csv|model\.onnx/, says: /age/ },
  { name: 'policy file that does not exist', policy: undefined, extra: {}, file: /nope\.yml/, says: /nope\.yml/ },
];

describe('CLI (node dist/cli.js)', () => {
  it('prints a readable table and exits 1 on a breach, 0 on a pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-cli-'));
    writeFileSync(join(dir, 'eval.csv'), smallCsv);
    writeFileSync(join(dir, 'model.onnx'), pipeline);
    writeFileSync(join(dir, 'policy.yml'), replaceIn(BASE, '{ max: 0.5, attributes: [sex] }', '{ max: 0.05, attributes: [sex] }'));
    const fail = await runNode([cli, 'check', '--policy', 'policy.yml', '--out', 'out', '--no-color'], { cwd: dir });
    expect(fail.code, fail.stderr).toBe(1);
    expect(fail.stdout).toMatch(/FAIL/);
    expect(fail.stdout).toMatch(/Demographic parity difference \(sex\)/);
    expect(existsSync(join(dir, 'out', 'report.json'))).toBe(true);
    expect(existsSync(join(dir, 'out', 'model-risk-gate.sarif'))).toBe(true);

    writeFileSync(join(dir, 'policy.yml'), BASE);
    const pass = await runNode([cli, 'check', '--policy', 'policy.yml', '--no-color'], { cwd: dir });
    expect(pass.code, pass.stderr).toBe(0);
    expect(pass.stdout).toMatch(/PASS/);
  });

  it('inspect prints the model signature', async () => {
    const r = await runNode([cli, 'inspect', join(fixtures, 'adult', 'logreg_pipeline.onnx')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/workclass/);
    expect(r.stdout).toMatch(/output_probability/);
  });

  it('--help exits 0 and a missing command exits 2', async () => {
    expect((await runNode([cli, '--help'])).code).toBe(0);
    expect((await runNode([cli])).code).toBe(2);
  });
});

describe(`broken inputs: ${cases.length} cases, each exit 2 with one clear line`, () => {
  let base: string;
  beforeAll(() => {
    base = mkdtempSync(join(tmpdir(), 'mrg-bad-'));
  });
  for (const [i, c] of cases.entries()) {
    it(c.name, async () => {
      const dir = join(base, String(i));
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'eval.csv'), c.csv ?? smallCsv);
      writeFileSync(join(dir, 'model.onnx'), c.model ?? pipeline);
      for (const [name, content] of Object.entries(c.extra ?? {})) {
        mkdirSync(dirname(join(dir, name)), { recursive: true });
        writeFileSync(join(dir, name), content);
      }
      const policyName = c.policy === undefined && c.extra ? 'nope.yml' : 'policy.yml';
      if (policyName === 'policy.yml') writeFileSync(join(dir, 'policy.yml'), c.policy ?? BASE);
      const r = await runNode([cli, 'check', '--policy', policyName, '--no-color'], { cwd: dir });
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(r.stderr).not.toMatch(/internal error/);
      const first = r.stderr.split('\n')[0];
      expect(first).toMatch(/^model-risk-gate: /);
      expect(first).toMatch(c.file);
      expect(r.stderr).toMatch(c.says);
      if (c.line) expect(first).toMatch(/:\d+(:\d+)?: /);
    });
  }
  void cpSync;
});
