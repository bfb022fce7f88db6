/** Test helpers for src/stats: a policy document without a file, and the fixture predictions CSVs as typed arrays. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Policy, PolicyDocument } from '../../src/policy/types.js';

export const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** A PolicyDocument for makeCheckResults: every pointer located at policy.yml:<depth>:1. */
export function fakeDoc(partial: Partial<Policy> = {}): PolicyDocument {
  const policy = {
    version: 1,
    seed: 7,
    min_group_size: 30,
    model: { path: 'model.onnx', threshold: 0.5, batch_size: 8192 },
    checks: { performance: {}, fairness: {} },
    sensitive: [],
    intersections: [],
    report: { include_examples: false },
    ...partial,
  } as unknown as Policy;
  return {
    policy,
    file: 'policy.yml',
    sha256: '0'.repeat(64),
    locate: (pointer) => ({ file: 'policy.yml', line: pointer.length, column: 1 }),
  };
}

export interface FixturePredictions {
  yTrue: Uint8Array;
  yPred: Uint8Array;
  scores: Float32Array;
  /** Sensitive column -> value per row. */
  columns: Record<string, string[]>;
}

/** Reads <dataset>/<model>.predictions.csv (row, y_true, score, y_pred, score_native, sensitive columns...). */
export function readPredictions(dataset: string, model: string): FixturePredictions {
  const text = readFileSync(join(FIXTURES, dataset, `${model}.predictions.csv`), 'utf8').trim().split('\n');
  const header = text[0].split(',');
  const n = text.length - 1;
  const yTrue = new Uint8Array(n);
  const yPred = new Uint8Array(n);
  const scores = new Float32Array(n);
  const extra = header.filter((h) => !['row', 'y_true', 'score', 'y_pred', 'score_native'].includes(h));
  const columns: Record<string, string[]> = Object.fromEntries(extra.map((h) => [h, [] as string[]]));
  const index = Object.fromEntries(header.map((h, i) => [h, i]));
  for (let r = 0; r < n; r++) {
    const cells = text[r + 1].split(',');
    yTrue[r] = Number(cells[index.y_true]);
    scores[r] = Number(cells[index.score]);
    yPred[r] = Number(cells[index.y_pred]);
    for (const h of extra) columns[h].push(cells[index[h]]);
  }
  return { yTrue, yPred, scores, columns };
}

/** Group codes of a categorical column, keys sorted (fairlearn's order); several columns joined with '|'. */
export function groupCodes(name: string, values: string[][]): { name: string; keys: string[]; codes: Int32Array } {
  const n = values[0].length;
  const joined = Array.from({ length: n }, (_, i) => values.map((v) => v[i]).join('|'));
  const keys = [...new Set(joined)].sort();
  const at = new Map(keys.map((k, i) => [k, i]));
  return { name, keys, codes: Int32Array.from(joined, (k) => at.get(k) as number) };
}

export function readReference(dataset: string, model: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, dataset, `${model}.reference.json`), 'utf8'));
}
