import { createHash } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadPolicy, parsePolicy, resolvePolicyPath, MAX_POLICY_BYTES } from '../../src/policy/load.js';
import { FAIRNESS_METRIC_NAMES, NAMED_FAIRNESS_METRICS, PERFORMANCE_METRIC_NAMES } from '../../src/policy/metric-names.js';
import { Ajv } from 'ajv';
import { policySchema, policySchemaPath } from '../../src/policy/schema.js';
import { UserError } from '../../src/util/errors.js';

const repo = resolve(import.meta.dirname, '../..');

/** Parse a policy text; return the UserError's lines ("file:line:col: message"), or [] when valid. */
function problems(text: string, workspace = repo): string[] {
  try {
    parsePolicy(text, { workspace, displayPath: 'policy.yml' });
    return [];
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return [e.oneLine(), ...e.more.map((m) => m.oneLine())];
  }
}

const MINIMAL = `version: 1
model:
  path: test/fixtures/adult/logreg_pipeline.onnx
dataset:
  path: test/fixtures/adult/test.csv
  label: income
  positive_label: '>50K'
`;

describe('loadPolicy: the shipped example policies', () => {
  for (const name of ['example-adult.yml', 'example-adult-pass.yml', 'example-adult-gbt.yml', 'example-german-credit.yml']) {
    it(`${name} is valid and its files exist in the repository`, async () => {
      const doc = await loadPolicy(`policies/${name}`, { workspace: repo });
      expect(doc.file).toBe(`policies/${name}`);
      expect(readFileSync(join(repo, 'policies', name), 'utf8').startsWith('# yaml-language-server: $schema=./schema.json')).toBe(true);
      const model = resolvePolicyPath(doc, doc.policy.model.path, ['model', 'path']);
      expect(model.endsWith('.onnx')).toBe(true);
      expect(resolvePolicyPath(doc, doc.policy.dataset.path, ['dataset', 'path']).endsWith('test.csv')).toBe(true);
      if (doc.policy.model.features?.file) {
        expect(resolvePolicyPath(doc, doc.policy.model.features.file, ['model', 'features', 'file'])).toContain('onehot_features.json');
      }
      expect(Object.keys(doc.policy.checks.performance).length).toBeGreaterThan(0);
      expect(Object.keys(doc.policy.checks.fairness).length).toBeGreaterThan(0);
    });
  }

  it('example-adult.yml: sensitive attributes, bins and the intersection as the README describes', async () => {
    const doc = await loadPolicy('policies/example-adult.yml', { workspace: repo });
    const p = doc.policy;
    expect(p.sensitive.map((s) => s.name)).toEqual(['sex', 'race', 'age_bin']);
    expect(p.sensitive[2].bins).toEqual([25, 45]);
    expect(p.intersections).toEqual([['sex', 'age_bin']]);
    expect(p.checks.fairness.demographic_parity_ratio).toMatchObject({ min: 0.8, attributes: ['sex'] });
    expect(p.dataset.positive_label).toBe('>50K');
    // sha256 of the file bytes
    const bytes = readFileSync(join(repo, 'policies/example-adult.yml'));
    expect(doc.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });
});

describe('positions', () => {
  const text = `version: 1
model:
  path: test/fixtures/adult/logreg_pipeline.onnx
dataset:
  path: test/fixtures/adult/test.csv
  label: income
  positive_label: '>50K'
sensitive:
  - column: sex
checks:
  performance:
    roc_auc:
      min: 0.85
    accuracy: { min: 0.8, max: 0.99 }
  fairness:
    demographic_parity_ratio: { min: 0.8, attributes: [sex] }
`;
  const doc = parsePolicy(text, { workspace: repo, displayPath: '.github/model-policy.yml' });

  it('gives line:column of every value', () => {
    expect(doc.locate(['checks', 'performance', 'roc_auc', 'min'])).toEqual({ file: '.github/model-policy.yml', line: 13, column: 12 });
    expect(doc.locate(['checks', 'performance', 'accuracy', 'min'])).toEqual({ file: '.github/model-policy.yml', line: 14, column: 22 });
    expect(doc.locate(['checks', 'performance', 'accuracy', 'max'])).toEqual({ file: '.github/model-policy.yml', line: 14, column: 32 });
    // the same, counted from the text: the column where `0.99` starts on line 14
    expect(text.split('\n')[13].indexOf('0.99') + 1).toBe(32);
    expect(doc.locate(['checks', 'fairness', 'demographic_parity_ratio', 'attributes', 0])).toMatchObject({ line: 16, column: 56 });
    expect(doc.locate(['sensitive', 0, 'column'])).toMatchObject({ line: 9, column: 13 });
    expect(doc.locate(['dataset', 'positive_label'])).toMatchObject({ line: 7, column: 19 });
  });

  it('falls back to the nearest parent for values that were filled in by defaults, then to line 1', () => {
    // threshold is a default: not in the file -> the `model` mapping (line 3, where its content starts)
    expect(doc.policy.model.threshold).toBe(0.5);
    expect(doc.locate(['model', 'threshold'])).toMatchObject({ line: 3, column: 3 });
    expect(doc.locate(['checks', 'performance', 'roc_auc', 'max'])).toMatchObject({ line: 13, column: 7 });
    expect(doc.locate(['nothing', 'here'])).toMatchObject({ line: 1, column: 1 });
  });

  it('works for JSON policies too (the same parser)', () => {
    const json = JSON.stringify(
      {
        $schema: './schema.json',
        version: 1,
        model: { path: 'm.onnx' },
        dataset: { path: 'd.csv', label: 'y', positive_label: 1 },
        checks: { performance: { roc_auc: { min: 0.7 } } },
      },
      null,
      2,
    );
    const d = parsePolicy(json, { workspace: repo, displayPath: 'p.json' });
    expect(d.policy.dataset.positive_label).toBe(1);
    expect(d.locate(['checks', 'performance', 'roc_auc', 'min'])).toEqual({ file: 'p.json', line: 15, column: 16 });
    expect('$schema' in d.policy).toBe(false);
  });
});

describe('defaults', () => {
  it('fills every default of the Policy type', () => {
    const { policy } = parsePolicy(
      MINIMAL + 'sensitive:\n  - column: sex\n  - column: age\n    bins: [25, 45]\n  - column: race\n    name: ethnicity\n',
      { workspace: repo, displayPath: 'p.yml' },
    );
    expect(policy.seed).toBe(0);
    expect(policy.min_group_size).toBe(30);
    expect(policy.model.threshold).toBe(0.5);
    expect(policy.model.batch_size).toBe(8192);
    expect(policy.dataset.missing_values).toEqual(['', '?', 'NA', 'NaN']);
    expect(policy.dataset.max_rows).toBe(1_000_000);
    expect(policy.sensitive.map((s) => s.name)).toEqual(['sex', 'age_bin', 'ethnicity']);
    expect(policy.intersections).toEqual([]);
    expect(policy.checks).toEqual({ performance: {}, fairness: {} });
    expect(policy.report).toEqual({ include_examples: false });
  });

  it('keeps what the user wrote and stringifies one-hot categories YAML read as numbers', () => {
    const { policy } = parsePolicy(
      MINIMAL.replace('model:\n', 'seed: 42\nmin_group_size: 50\nmodel:\n  threshold: 0.3\n  features:\n    one_hot:\n      categorical: { rate: [1, 2, true] }\n'),
      { workspace: repo, displayPath: 'p.yml' },
    );
    expect(policy.seed).toBe(42);
    expect(policy.min_group_size).toBe(50);
    expect(policy.model.threshold).toBe(0.3);
    expect(policy.model.features?.one_hot).toEqual({ numeric: [], categorical: { rate: ['1', '2', 'true'] } });
  });
});

describe('errors', () => {
  it('reports every problem at once, sorted by position, each "file:line:col: what; what to do"', () => {
    const lines = problems(`version: 2
model:
  path: m.onnx
  thresold: 0.5
dataset:
  path: d.csv
  label: income
seed: -1
checks:
  performance:
    auc: { min: 0.8 }
    accuracy: { mn: 0.8 }
`);
    expect(lines).toEqual([
      'policy.yml:1:10: `version` must be `1`, not the number `2`; change it to `1`',
      'policy.yml:4:3: unknown key `thresold` in `model`; did you mean `threshold`?',
      'policy.yml:6:3: `dataset` needs `positive_label`; add the label value of the positive class (e.g. `positive_label: 1`)',
      'policy.yml:8:7: `seed` must be ≥ 0, not the number `-1`',
      'policy.yml:11:5: unknown performance metric `auc`; did you mean `roc_auc`?',
      'policy.yml:12:15: `checks.performance.accuracy` needs `min` or `max` (or both); add the limit the value must meet',
      'policy.yml:12:17: unknown key `mn` in `checks.performance.accuracy`; did you mean `min`?',
    ]);
  });

  it('suggests keys read from the schema at each place', () => {
    expect(problems(MINIMAL + 'sensitve:\n  - column: sex\n')).toEqual([
      'policy.yml:8:1: unknown key `sensitve` at the top level; did you mean `sensitive`?',
    ]);
    expect(problems(MINIMAL.replace('  label: income', '  lable: income'))).toEqual([
      // a missing key is reported where the mapping's content starts
      'policy.yml:5:3: `dataset` needs `label`; add the name of the label column',
      'policy.yml:6:3: unknown key `lable` in `dataset`; did you mean `label`?',
    ]);
    expect(problems(MINIMAL + 'checks:\n  fairnes: {}\n')).toEqual(['policy.yml:9:3: unknown key `fairnes` in `checks`; did you mean `fairness`?']);
    expect(problems(MINIMAL + 'sensitive:\n  - column: sex\n    bin: [1]\n')[0]).toBe(
      'policy.yml:10:5: unknown key `bin` in `sensitive[0]`; did you mean `bins`?',
    );
  });

  it('checks fairness names, attributes, intersections and bins', () => {
    const lines = problems(
      MINIMAL +
        `sensitive:
  - column: sex
  - column: age
    bins: [45, 25]
    labels: [young, old]
intersections: [[sex, age_bn]]
checks:
  fairness:
    demographic_parity_diff: { max: 0.1 }
    equalized_odds_difference: { max: 0.1, attributes: [sexx] }
    false_positive_rate_difference: { max: 0.1, attributes: [sex_x_age_bin] }
    accuracy_group_min: { min: 0.7, method: to_overall }
`,
    );
    expect(lines).toEqual([
      'policy.yml:11:16: bin edges must be strictly increasing, but 25 follows 45; sort them and remove repeats',
      'policy.yml:12:13: 2 bin edges make 3 bins, so `labels` needs 3 names, not 2',
      'policy.yml:13:23: intersection names `age_bn`, which is not a declared sensitive attribute; did you mean `age_bin`?',
      'policy.yml:16:5: unknown fairness metric `demographic_parity_diff`; did you mean `demographic_parity_difference`?',
      'policy.yml:17:57: `sexx` is not a sensitive attribute or intersection; did you mean `sex`?',
      // the intersection declared above is sex_x_age_bn (with the typo), so sex_x_age_bin does not exist
      'policy.yml:18:62: `sex_x_age_bin` is not a sensitive attribute or intersection; did you mean `sex_x_age_bn` or `age_bin`?',
      'policy.yml:19:45: `method` applies to differences and ratios, not to `accuracy_group_min`; remove it',
    ]);
  });

  it('needs a sensitive attribute for fairness checks and exactly one way to build features', () => {
    expect(problems(MINIMAL + 'checks:\n  fairness:\n    demographic_parity_ratio: { min: 0.8 }\n')).toEqual([
      'policy.yml:10:5: fairness checks need at least one sensitive attribute; add a `sensitive:` list (e.g. `- column: sex`)',
    ]);
    expect(problems(MINIMAL.replace('model:\n', 'model:\n  features: { columns: [a], file: f.json }\n'))[0]).toBe(
      'policy.yml:3:13: `features` has `columns` and `file`; give exactly one of `columns`, `one_hot`, `file`',
    );
  });

  it('refuses paths that leave the workspace (the policy may come from an untrusted pull request)', () => {
    const lines = problems(MINIMAL.replace('test/fixtures/adult/test.csv', '../../etc/passwd').replace('test/fixtures/adult/logreg_pipeline.onnx', '/etc/shadow'));
    expect(lines).toEqual([
      'policy.yml:3:9: `model.path` points outside the repository (`/etc/shadow`); use a path inside the workspace, relative to its root',
      'policy.yml:5:9: `dataset.path` points outside the repository (`../../etc/passwd`); use a path inside the workspace, relative to its root',
    ]);
  });

  it('reports YAML syntax errors with a hint for the classic mistakes', () => {
    expect(problems(MINIMAL.replace("'>50K'", '>50K'))).toEqual([
      "policy.yml:7:21: YAML syntax error: Block scalar header includes extra characters: >50K; a value starting with > | ! & * % @ or ` must be quoted, e.g. '>50K'",
    ]);
    const dup = problems(MINIMAL + 'seed: 1\nseed: 2\n');
    expect(dup).toHaveLength(1);
    expect(dup[0]).toMatch(/^policy\.yml:9:1: YAML syntax error: .*unique.*; keep one of them$/);
  });

  it('rejects an empty policy and a non-mapping', () => {
    expect(problems('')).toEqual(['policy.yml:1:1: the policy is empty; start from policies/example-adult.yml']);
    expect(problems('- a\n- b\n')[0]).toMatch(/^policy\.yml:1:1: the policy must be a mapping/);
  });
});

describe('files', () => {
  const ws = mkdtempSync(join(tmpdir(), 'mrg-policy-'));
  mkdirSync(join(ws, 'data'));
  writeFileSync(join(ws, 'data', 'eval.csv'), 'y\n1\n');
  writeFileSync(join(ws, 'model.onnx'), 'x');
  const outside = mkdtempSync(join(tmpdir(), 'mrg-outside-'));
  writeFileSync(join(outside, 'secret.csv'), 'y\n1\n');
  symlinkSync(join(outside, 'secret.csv'), join(ws, 'data', 'link.csv'));
  const policy = (dataPath: string) =>
    `version: 1\nmodel:\n  path: model.onnx\ndataset:\n  path: ${dataPath}\n  label: y\n  positive_label: 1\n`;

  it('loads relative to the workspace and names the file as users know it', async () => {
    writeFileSync(join(ws, 'policy.yml'), policy('data/eval.csv'));
    const doc = await loadPolicy('policy.yml', { workspace: ws });
    expect(doc.file).toBe('policy.yml');
    expect(resolvePolicyPath(doc, doc.policy.dataset.path, ['dataset', 'path'])).toBe(join(ws, 'data', 'eval.csv'));
    const named = await loadPolicy(join(ws, 'policy.yml'), { workspace: ws, displayPath: '.github/x.yml' });
    expect(named.file).toBe('.github/x.yml');
  });

  it('refuses a symbolic link to a file outside the workspace, and names missing files at their policy line', async () => {
    writeFileSync(join(ws, 'p2.yml'), policy('data/link.csv'));
    const doc = await loadPolicy('p2.yml', { workspace: ws });
    let caught: unknown;
    try {
      resolvePolicyPath(doc, doc.policy.dataset.path, ['dataset', 'path']);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).oneLine()).toBe(
      'p2.yml:5:9: `dataset.path` (`data/link.csv`) is a symbolic link to a file outside the repository; point at a file inside it',
    );
    writeFileSync(join(ws, 'p3.yml'), policy('data/nope.csv'));
    const doc3 = await loadPolicy('p3.yml', { workspace: ws });
    expect(() => resolvePolicyPath(doc3, 'data/nope.csv', ['dataset', 'path'])).toThrowError(/no such file `data\/nope.csv`/);
    expect(() => resolvePolicyPath(doc3, '../x', ['dataset', 'path'])).toThrowError(/points outside the repository/);
  });

  it('bounds the size and reports a missing policy file', async () => {
    writeFileSync(join(ws, 'big.yml'), '#'.repeat(MAX_POLICY_BYTES + 1));
    await expect(loadPolicy('big.yml', { workspace: ws })).rejects.toThrow(/more than the limit/);
    const err = await loadPolicy('missing.yml', { workspace: ws }).catch((e: UserError) => e);
    expect(err).toBeInstanceOf(UserError);
    expect((err as UserError).oneLine()).toBe('missing.yml: policy file not found (ENOENT); check the `policy` path');
  });
});

describe('schema', () => {
  const schema = policySchema() as {
    $defs: Record<string, { properties?: Record<string, unknown>; description?: string }>;
  };
  it('is the file in policies/ and lists exactly the metric names the loader accepts (editor completion)', () => {
    expect(policySchemaPath()).toBe(join(repo, 'policies', 'schema.json'));
    expect(Object.keys(schema.$defs.performance.properties ?? {})).toEqual([...PERFORMANCE_METRIC_NAMES]);
    expect(Object.keys(schema.$defs.fairness.properties ?? {})).toEqual([...NAMED_FAIRNESS_METRICS]);
    expect(FAIRNESS_METRIC_NAMES).toContain('false_positive_rate_difference');
    expect(FAIRNESS_METRIC_NAMES).toContain('roc_auc_group_min');
  });
  it('compiles under ajv strict mode (a misspelled keyword anywhere in the schema is an error)', () => {
    expect(() => new Ajv({ strict: true, allErrors: true, allowUnionTypes: true }).compile(policySchema())).not.toThrow();
  });
  it('describes every key of the sections it owns', () => {
    for (const def of ['model', 'dataset', 'sensitive']) {
      for (const [key, sub] of Object.entries(schema.$defs[def].properties ?? {})) {
        expect((sub as { description?: string }).description, `${def}.${key}`).toBeTruthy();
      }
    }
  });
});
