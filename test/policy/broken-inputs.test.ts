/**
 * A table of broken policies and datasets: each must give a UserError whose one line names the file and the line
 * (policy: line and column), never a stack trace. Runs the stages owned here in the gate's order: policy -> paths ->
 * CSV -> labels -> groupings -> model input.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { buildGroupings } from '../../src/data/groups.js';
import { makeLabels } from '../../src/data/labels.js';
import { encodeModelInput } from '../../src/model/encode.js';
import type { ModelInputSignature } from '../../src/model/types.js';
import { loadPolicy, resolvePolicyPath } from '../../src/policy/load.js';
import { UserError } from '../../src/util/errors.js';

const GOOD_POLICY = `version: 1
model:
  path: model.onnx
dataset:
  path: data.csv
  label: y
  positive_label: yes
sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
intersections: [[sex, age_bin]]
checks:
  performance:
    accuracy: { min: 0.5 }
  fairness:
    demographic_parity_ratio: { min: 0.8, attributes: [sex] }
`;
const GOOD_DATA = 'age,sex,income,y\n22,F,10,yes\n50,M,20,no\n33,F,15,no\n';
const SIGS: ModelInputSignature[] = [
  { name: 'age', type: 'float32', shape: [null, 1] },
  { name: 'sex', type: 'string', shape: [null, 1] },
  { name: 'income', type: 'float32', shape: [null, 1] },
];

async function runStages(policyText: string, dataText: string, sigs: ModelInputSignature[] = SIGS): Promise<void> {
  const ws = mkdtempSync(join(tmpdir(), 'mrg-broken-'));
  mkdirSync(join(ws, '.github'));
  writeFileSync(join(ws, 'policy.yml'), policyText);
  writeFileSync(join(ws, 'data.csv'), dataText);
  writeFileSync(join(ws, 'model.onnx'), 'not used here');
  const doc = await loadPolicy('policy.yml', { workspace: ws });
  const { policy } = doc;
  resolvePolicyPath(doc, policy.model.path, ['model', 'path']);
  const dataPath = resolvePolicyPath(doc, policy.dataset.path, ['dataset', 'path']);
  const dataset = await readCsvDataset(dataPath, {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
  });
  makeLabels(dataset, policy.dataset, doc);
  buildGroupings(dataset, policy, doc);
  encodeModelInput(dataset, sigs, policy.model.features, { workspace: ws, policyFile: doc.file, locate: doc.locate });
}

const P = (from: string, to: string): string => {
  if (!GOOD_POLICY.includes(from)) throw new Error(`test setup: ${from}`);
  return GOOD_POLICY.replace(from, to);
};

interface Case {
  name: string;
  policy?: string;
  data?: string;
  sigs?: ModelInputSignature[];
  /** Expected start of the one line: file and position. */
  at: string;
  /** A phrase the message must contain. */
  says: string;
}

const cases: Case[] = [
  { name: 'version missing', policy: P('version: 1\n', ''), at: 'policy.yml:1:1:', says: 'needs `version`' },
  { name: 'unknown top-level key', policy: GOOD_POLICY + 'min_group_sise: 10\n', at: 'policy.yml:18:1:', says: 'did you mean `min_group_size`?' },
  { name: 'threshold is text', policy: P('path: model.onnx\n', 'path: model.onnx\n  threshold: high\n'), at: 'policy.yml:4:14:', says: 'must be a number' },
  { name: 'threshold above 1', policy: P('path: model.onnx\n', 'path: model.onnx\n  threshold: 5\n'), at: 'policy.yml:4:14:', says: 'must be ≤ 1' },
  { name: 'positive label is a list', policy: P('positive_label: yes', 'positive_label: [yes]'), at: 'policy.yml:7:19:', says: 'must be a text, a number or true or false' },
  { name: 'unknown fairness metric', policy: P('demographic_parity_ratio', 'demographic_parity'), at: 'policy.yml:17:5:', says: 'unknown fairness metric' },
  { name: 'fairness attribute not declared', policy: P('attributes: [sex]', 'attributes: [gender]'), at: 'policy.yml:17:56:', says: '`gender` is not a sensitive attribute' },
  { name: 'intersection of an undeclared attribute', policy: P('[[sex, age_bin]]', '[[sex, age]]'), at: 'policy.yml:12:23:', says: 'did you mean `age_bin`?' },
  { name: 'bins not increasing', policy: P('bins: [25, 45]', 'bins: [45, 25]'), at: 'policy.yml:11:16:', says: 'strictly increasing' },
  { name: 'bin labels of the wrong count', policy: P('bins: [25, 45]', 'bins: [25, 45]\n    labels: [young, old]'), at: 'policy.yml:12:13:', says: 'needs 3 names, not 2' },
  { name: 'two ways to build features', policy: P('path: model.onnx\n', 'path: model.onnx\n  features: { columns: [age], file: f.json }\n'), at: 'policy.yml:4:13:', says: 'exactly one of' },
  { name: 'dataset path leaves the workspace', policy: P('path: data.csv', 'path: ../../../etc/passwd'), at: 'policy.yml:5:9:', says: 'points outside the repository' },
  { name: 'seed is not a whole number', policy: 'seed: 1.5\n' + GOOD_POLICY, at: 'policy.yml:1:7:', says: 'must be a whole number' },
  { name: 'tab indentation', policy: P('  label: y', '\tlabel: y'), at: 'policy.yml:6:', says: 'YAML syntax error' },
  { name: 'duplicate key', policy: P('  label: y\n', '  label: y\n  label: z\n'), at: 'policy.yml:7:3:', says: 'keep one of them' },
  { name: 'threshold without a limit', policy: P('accuracy: { min: 0.5 }', 'accuracy: { severity: warning }'), at: 'policy.yml:15:15:', says: 'needs `min` or `max`' },
  { name: 'min above max', policy: P('accuracy: { min: 0.5 }', 'accuracy: { min: 0.9, max: 0.5 }'), at: 'policy.yml:15:22:', says: 'no value can pass' },
  { name: 'batch size zero', policy: P('path: model.onnx\n', 'path: model.onnx\n  batch_size: 0\n'), at: 'policy.yml:4:15:', says: 'must be ≥ 1' },
  { name: 'model file missing', policy: P('path: model.onnx', 'path: models/credit.onnx'), at: 'policy.yml:3:9:', says: 'no such file `models/credit.onnx`' },
  { name: 'ragged CSV row', data: GOOD_DATA + '40,M\n', at: 'data.csv:5:', says: 'row has 2 fields but the header has 4' },
  { name: 'duplicate CSV header', data: GOOD_DATA.replace('income', 'age'), at: 'data.csv:1:', says: 'header names `age` twice' },
  { name: 'label column missing', policy: P('label: y', 'label: outcome'), at: 'policy.yml:6:10:', says: 'label column `outcome` is not in data.csv' },
  { name: 'a third label value', data: GOOD_DATA + '40,M,5,maybe\n', at: 'data.csv:5:', says: 'more than two values' },
  { name: 'positive label absent', policy: P('positive_label: yes', 'positive_label: Yes'), at: 'policy.yml:7:19:', says: 'never occurs' },
  { name: 'missing label', data: GOOD_DATA + '40,M,5,?\n', at: 'data.csv:5:', says: 'is missing on this row' },
  { name: 'sensitive column missing', policy: P('- column: sex\n', '- column: gender\n    name: sex\n'), at: 'policy.yml:9:13:', says: 'sensitive column `gender` is not in data.csv' },
  { name: 'unbinned numeric sensitive column', policy: P('- column: sex\n', '- column: sex\n  - column: income\n'), data: 'age,sex,income,y\n' + Array.from({ length: 25 }, (_, i) => `${20 + i},F,${i},${i % 2 ? 'yes' : 'no'}`).join('\n') + '\n', at: 'policy.yml:10:13:', says: 'add `bins`' },
  { name: 'text in a numeric model input', data: GOOD_DATA + '40,M,lots,no\n', at: 'data.csv:5:', says: 'column `income` holds text (`lots` on this line) but model input `income` (float32)' },
  { name: 'missing value in a numeric model input', data: GOOD_DATA + '40,M,?,no\n', at: 'data.csv:5:', says: 'column `income` has a missing value' },
  { name: 'model input without a column', sigs: [...SIGS, { name: 'tenure', type: 'float32', shape: [null, 1] }], at: 'data.csv:1:', says: 'the model needs input `tenure`' },
  { name: 'feature matrix of the wrong width', policy: P('path: model.onnx\n', 'path: model.onnx\n  features: { columns: [age, income] }\n'), sigs: [{ name: 'features', type: 'float32', shape: [null, 3] }], at: 'policy.yml:4:24:', says: 'takes 3 features per row but `model.features` gives 2' },
  { name: 'too many rows', policy: P('label: y', 'label: y\n  max_rows: 2'), at: 'data.csv:4:', says: 'more than 2 data rows' },
];

describe('broken policies and datasets give one located line each', () => {
  it('has at least 15 cases', () => expect(cases.length).toBeGreaterThanOrEqual(15));
  for (const c of cases) {
    it(c.name, async () => {
      const err = await runStages(c.policy ?? GOOD_POLICY, c.data ?? GOOD_DATA, c.sigs).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err, 'should fail').toBeInstanceOf(UserError);
      const line = (err as UserError).oneLine();
      expect(line.startsWith(c.at), line).toBe(true);
      expect(line).toMatch(/^(policy\.yml:\d+:\d+|data\.csv:\d+): \S/);
      expect(line).toContain(c.says);
      expect(line).not.toMatch(/\n|    at /);
    });
  }

  it('the good policy and data pass every stage', async () => {
    await expect(runStages(GOOD_POLICY, GOOD_DATA)).resolves.toBeUndefined();
  });
});
