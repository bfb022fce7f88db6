/** Fixtures for the explainability tests: datasets, model inputs, models, references (paths inside the repo only). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCsvDataset } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/types.js';
import { decodeModel, findNodes } from '../../src/model/onnx-graph.js';
import { loadModel } from '../../src/model/session.js';
import type { ColumnsInput, MatrixInput, ModelInput, ScoringModel } from '../../src/model/types.js';
import type { ModelSpec } from '../../src/policy/types.js';
import { parseTreeEnsemble, type TreeEnsemble } from '../../src/checks/explainability/tree-ensemble.js';

export type FixtureSet = 'adult' | 'german-credit';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

export function fixturePath(set: FixtureSet, file: string): string {
  return join(FIXTURES, set, file);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function readJson(set: FixtureSet, file: string): any {
  return JSON.parse(readFileSync(fixturePath(set, file), 'utf8'));
}

const datasets = new Map<FixtureSet, Promise<Dataset>>();
export function loadDataset(set: FixtureSet): Promise<Dataset> {
  let d = datasets.get(set);
  if (!d) {
    d = readCsvDataset(fixturePath(set, 'test.csv'), { displayPath: `${set}/test.csv`, missingValues: [''], maxRows: 1_000_000 });
    datasets.set(set, d);
  }
  return d;
}

interface OneHotSpec {
  numeric_columns: string[];
  categorical_columns: string[];
  categories: Record<string, string[]>;
  feature_names: string[];
}

/** The one-hot feature matrix of the whole dataset (the rule in onehot_features.json). */
export function oneHotInput(set: FixtureSet, dataset: Dataset): MatrixInput {
  const spec = readJson(set, 'onehot_features.json') as OneHotSpec;
  const width = spec.feature_names.length;
  const data = new Float32Array(dataset.rows * width);
  const oneHotGroups: Record<string, number[]> = {};
  let c = 0;
  for (const name of spec.numeric_columns) {
    const col = dataset.byName.get(name);
    if (!col || col.kind !== 'numeric') throw new Error(`numeric column ${name}`);
    for (let r = 0; r < dataset.rows; r++) data[r * width + c] = col.values[r];
    c++;
  }
  for (const name of spec.categorical_columns) {
    const col = dataset.byName.get(name);
    if (!col) throw new Error(`column ${name}`);
    const cats = spec.categories[name];
    oneHotGroups[name] = cats.map((_, k) => c + k);
    const text = (r: number): string => (col.kind === 'categorical' ? col.levels[col.codes[r]] : String(col.values[r]));
    for (let r = 0; r < dataset.rows; r++) {
      const k = cats.indexOf(text(r));
      if (k >= 0) data[r * width + c + k] = 1;
    }
    c += cats.length;
  }
  return { kind: 'matrix', rows: dataset.rows, input: 'features', width, data, featureNames: spec.feature_names, oneHotGroups };
}

/** One [N,1] tensor per model input, fed from the column of the same name (strings / float32). */
export function columnsInput(dataset: Dataset, model: ScoringModel): ColumnsInput {
  const tensors: ColumnsInput['tensors'] = {};
  const sourceColumns: Record<string, string> = {};
  for (const sig of model.info.inputs) {
    const col = dataset.byName.get(sig.name);
    if (!col) throw new Error(`no column ${sig.name}`);
    sourceColumns[sig.name] = sig.name;
    if (sig.type === 'string') {
      const data = new Array<string>(dataset.rows);
      for (let r = 0; r < dataset.rows; r++) data[r] = col.kind === 'categorical' ? col.levels[col.codes[r]] : String(col.values[r]);
      tensors[sig.name] = { type: 'string', data };
    } else {
      if (col.kind !== 'numeric') throw new Error(`column ${sig.name} is not numeric`);
      tensors[sig.name] = { type: 'float32', data: Float32Array.from(col.values) };
    }
  }
  return { kind: 'columns', rows: dataset.rows, tensors, sourceColumns };
}

export async function openModel(set: FixtureSet, file: string): Promise<ScoringModel> {
  const spec = { path: file, threshold: 0.5, batch_size: 65536 } as ModelSpec;
  return loadModel({ file: fixturePath(set, file), displayPath: file, spec });
}

export function modelBytes(set: FixtureSet, file: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath(set, file)));
}

export function treeOf(set: FixtureSet, file: string): TreeEnsemble {
  const proto = decodeModel(modelBytes(set, file));
  const [node] = findNodes(proto.graph!, 'TreeEnsembleClassifier', 'ai.onnx.ml');
  return parseTreeEnsemble(node);
}

/** Rows of a matrix input as a new row-major Float32Array. */
export function matrixRows(input: MatrixInput, rows: number[]): Float32Array {
  const out = new Float32Array(rows.length * input.width);
  rows.forEach((r, i) => out.set(input.data.subarray(r * input.width, (r + 1) * input.width), i * input.width));
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export type { ModelInput };

import { join as joinPath } from 'node:path';
import type { CheckContext } from '../../src/checks/context.js';
import { buildGroupings } from '../../src/data/groups.js';
import { makeLabels } from '../../src/data/labels.js';
import { encodeModelInput } from '../../src/model/encode.js';
import { scoresToPredictions } from '../../src/metrics/index.js';
import { parsePolicy } from '../../src/policy/load.js';
import { resolvePolicyPath } from '../../src/policy/load.js';
import { createRng } from '../../src/util/rng.js';

export const REPO = joinPath(import.meta.dirname, '..', '..');

/** A CheckContext built from a policy text, as gate.ts builds it (paths relative to the repository root). */
export async function contextFromPolicy(yaml: string): Promise<CheckContext> {
  const doc = parsePolicy(yaml, { workspace: REPO, displayPath: 'test-policy.yml' });
  const { policy } = doc;
  const dataset = await readCsvDataset(resolvePolicyPath(doc, policy.dataset.path), {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
  });
  const labels = makeLabels(dataset, policy.dataset);
  const groupings = buildGroupings(dataset, policy);
  const model = await loadModel({ file: resolvePolicyPath(doc, policy.model.path), displayPath: policy.model.path, spec: policy.model });
  const input = encodeModelInput(dataset, model.info.inputs, policy.model.features, { workspace: REPO, policyFile: doc.file });
  const scores = await model.score(input);
  const yPred = scoresToPredictions(scores, policy.model.threshold);
  return { doc, dataset, model, input, labels, scores, yPred, groupings, rng: createRng(policy.seed), deadline: Date.now() + 10 * 60_000 };
}

export function adultPolicy(model: string, explainability: string, extra = ''): string {
  const features = model.includes('onehot') || model.includes('mlp') ? `\n  features:\n    file: test/fixtures/adult/onehot_features.json` : '';
  return `version: 1
seed: 7
model:
  path: test/fixtures/adult/${model}
  threshold: 0.5${features}
dataset:
  path: test/fixtures/adult/test.csv
  label: income
  positive_label: '>50K'
  missing_values: ['?']
sensitive:
  - column: sex
  - column: race
${extra}checks:
  explainability:
${explainability
  .split('\n')
  .map((l) => `    ${l}`)
  .join('\n')}
`;
}
