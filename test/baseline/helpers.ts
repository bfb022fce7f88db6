/** Test helpers for the baseline: Adult's one-hot matrix, a CheckContext built from fixtures, temporary git repos. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckContext } from '../../src/checks/context.js';
import type { Dataset, Grouping } from '../../src/data/types.js';
import { scoresToPredictions } from '../../src/metrics/predictions.js';
import { loadModel } from '../../src/model/session.js';
import type { MatrixInput, ScoringModel } from '../../src/model/types.js';
import type { Policy } from '../../src/policy/types.js';
import { createRng } from '../../src/util/rng.js';
import { fakeDoc, FIXTURES, groupCodes, readPredictions } from '../stats/helpers.js';

/** The 108-column feature matrix of Adult test (test_onehot.csv, columns of onehot_features.json). */
export function adultMatrix(): MatrixInput {
  const features = JSON.parse(readFileSync(join(FIXTURES, 'adult', 'onehot_features.json'), 'utf8')).feature_names as string[];
  const lines = readFileSync(join(FIXTURES, 'adult', 'test_onehot.csv'), 'utf8').trim().split('\n');
  const header = lines[0].split(',');
  const at = features.map((f) => header.indexOf(f));
  if (at.some((i) => i < 0)) throw new Error('test_onehot.csv lacks a feature column');
  const rows = lines.length - 1;
  const width = features.length;
  const data = new Float32Array(rows * width);
  for (let r = 0; r < rows; r++) {
    const cells = lines[r + 1].split(',');
    for (let j = 0; j < width; j++) data[r * width + j] = Number(cells[at[j]]);
  }
  return { kind: 'matrix', rows, input: 'features', width, data, featureNames: features, oneHotGroups: {} };
}

export function loadFixtureModel(file: string): Promise<ScoringModel> {
  return loadModel({ file, displayPath: file, spec: { path: file, threshold: 0.5, batch_size: 8192 } });
}

/** Adult groupings as the gate builds them: sex, race, age_bin, sex_x_age_bin. */
export function adultGroupings(): Grouping[] {
  const pred = readPredictions('adult', 'logreg_onehot');
  const make = (name: string, cols: string[]): Grouping => {
    const g = groupCodes(name, cols.map((c) => pred.columns[c]));
    return { name, attributes: cols, keys: g.keys, codes: g.codes, values: g.keys.map((k) => Object.fromEntries(k.split('|').map((v, i) => [cols[i], v]))) };
  };
  return [make('sex', ['sex']), make('race', ['race']), make('age_bin', ['age_bin']), make('sex_x_age_bin', ['sex', 'age_bin'])];
}

/** A CheckContext for `model` scored on Adult test. */
export async function adultContext(model: ScoringModel, input: MatrixInput, policy: Partial<Policy>): Promise<CheckContext> {
  const pred = readPredictions('adult', 'logreg_onehot');
  const scores = await model.score(input);
  const positives = pred.yTrue.reduce((a, b) => a + b, 0);
  return {
    doc: fakeDoc(policy),
    dataset: { file: 'test.csv', sha256: '', rows: input.rows, columns: [], byName: new Map() } as Dataset,
    model,
    input,
    labels: { yTrue: pred.yTrue, positives },
    scores,
    yPred: scoresToPredictions(scores, 0.5),
    groupings: adultGroupings(),
    rng: createRng((policy.seed as number | undefined) ?? 7),
    deadline: Date.now() + 600_000,
  };
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
}

export function tempRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-baseline-test-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}
