/** Fixtures for the scikit-learn / XGBoost tests (test/fixtures/sklearn, copied from the shared fixture set). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { readCsvDataset } from '../../../src/data/csv.js';
import type { Dataset } from '../../../src/data/types.js';
import { encodeModelInput } from '../../../src/model/encode.js';
import { loadModel } from '../../../src/model/session.js';
import type { ModelInput, ScoringModel } from '../../../src/model/types.js';

export const ROOT = join(import.meta.dirname, '..', '..', '..');
export const SK = join(ROOT, 'test', 'fixtures', 'sklearn');
export const sk = (...p: string[]): string => join(SK, ...p);

export interface Fixture {
  set: 'adult' | 'german-credit';
  file: string;
  /** Columns of a model fitted without names (model.features.columns). */
  matrixColumns?: string[];
}

export const MODELS: Fixture[] = [
  { set: 'adult', file: 'lr_pipeline.joblib' },
  { set: 'adult', file: 'rf_pipeline.joblib' },
  { set: 'adult', file: 'hgb_native_categorical.joblib' },
  { set: 'adult', file: 'gb_pipeline.pkl' },
  { set: 'adult', file: 'xgb_onehot.json' },
  { set: 'german-credit', file: 'dt_pipeline.joblib' },
  { set: 'german-credit', file: 'et_minmax.joblib' },
  { set: 'german-credit', file: 'lr_numpy.joblib' },
];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reference(f: Fixture): any {
  return JSON.parse(readFileSync(sk(f.set, f.file.replace(/\.(joblib|pkl|json)$/, '.reference.json')), 'utf8'));
}

/** The reference predict_proba[:, 1] per test row. */
export function referenceScores(f: Fixture): Float64Array {
  return referenceColumn(f, 'score');
}

/** A column of the reference predictions (score, y_true, y_pred) per test row. */
export function referenceColumn(f: Fixture, name: string): Float64Array {
  const text = gunzipSync(readFileSync(sk(f.set, f.file.replace(/\.(joblib|pkl|json)$/, '.predictions.csv.gz')))).toString('utf8');
  const lines = text.trim().split('\n');
  const header = lines[0].split(',');
  const col = header.indexOf(name);
  return Float64Array.from(lines.slice(1), (l) => Number(l.split(',')[col]));
}

const datasets = new Map<string, Promise<Dataset>>();
export function dataset(set: Fixture['set']): Promise<Dataset> {
  let d = datasets.get(set);
  if (!d) {
    d = readCsvDataset(join(ROOT, 'test', 'fixtures', set, 'test.csv'), { displayPath: `${set}/test.csv`, missingValues: [''], maxRows: 1_000_000 });
    datasets.set(set, d);
  }
  return d;
}

/** Load a fixture through the gate's own path (loadModel + encodeModelInput) and score the whole test set. */
export async function scoreFixture(f: Fixture): Promise<{ model: ScoringModel; input: ModelInput; scores: Float32Array; dataset: Dataset }> {
  const spec = { path: f.file, threshold: 0.5, batch_size: 8192, ...(f.matrixColumns ? { features: { columns: f.matrixColumns } } : {}) };
  const model = await loadModel({ file: sk(f.set, f.file), displayPath: `${f.set}/${f.file}`, spec });
  const ds = await dataset(f.set);
  const input = encodeModelInput(ds, model.info.inputs, spec.features, { workspace: ROOT, policyFile: 'policy.yml' });
  const scores = await model.score(input);
  return { model, input, scores, dataset: ds };
}
