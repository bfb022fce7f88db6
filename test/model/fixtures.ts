/**
 * Test helpers: the fixture models and ModelInputs built straight from the fixture CSVs (csv-parse + typed arrays),
 * independent of src/data and src/model/encode.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { ModelSpec } from '../../src/policy/types.js';
import { inspectModel } from '../../src/model/session.js';
import type { ColumnsInput, InputTensorData, MatrixInput, ModelInput } from '../../src/model/types.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface FixtureModel {
  dataset: 'adult' | 'german-credit';
  name: string;
  mode: 'columns' | 'matrix';
  file: string;
  predictions: string;
}

export const FIXTURE_MODELS: FixtureModel[] = (['adult', 'german-credit'] as const).flatMap((dataset) => {
  const manifest = JSON.parse(readFileSync(join(FIXTURES, dataset, 'models.json'), 'utf8')) as {
    models: Array<{ name: string; input_mode: string }>;
  };
  return manifest.models.map((m) => ({
    dataset,
    name: m.name,
    mode: m.input_mode === 'single_float_matrix' ? ('matrix' as const) : ('columns' as const),
    file: join(FIXTURES, dataset, `${m.name}.onnx`),
    predictions: join(FIXTURES, dataset, `${m.name}.predictions.csv`),
  }));
});

export function fixtureModel(dataset: string, name: string): FixtureModel {
  const m = FIXTURE_MODELS.find((x) => x.dataset === dataset && x.name === name);
  if (!m) throw new Error(`no fixture model ${dataset}/${name}`);
  return m;
}

export function spec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  return { path: 'model.onnx', threshold: 0.5, batch_size: 8192, ...overrides };
}

interface Table {
  header: string[];
  columns: Map<string, string[]>;
  rows: number;
}

const tableCache = new Map<string, Table>();

export function readTable(file: string): Table {
  const hit = tableCache.get(file);
  if (hit) return hit;
  const records = parse(readFileSync(file), { relax_column_count: false }) as string[][];
  const header = records[0]!;
  const columns = new Map<string, string[]>();
  header.forEach((h, j) => columns.set(h, records.slice(1).map((r) => r[j]!)));
  const t = { header, columns, rows: records.length - 1 };
  tableCache.set(file, t);
  return t;
}

function column(t: Table, name: string): string[] {
  const c = t.columns.get(name);
  if (!c) throw new Error(`no column ${name}`);
  return c;
}

/** One [N,1] tensor per model input, typed as the model declares, from test.csv. */
export async function columnsInput(model: FixtureModel, rows?: number): Promise<ColumnsInput> {
  const sig = await inspectModel(model.file);
  const t = readTable(join(FIXTURES, model.dataset, 'test.csv'));
  const n = rows ?? t.rows;
  const tensors: Record<string, InputTensorData> = {};
  const sourceColumns: Record<string, string> = {};
  for (const input of sig.inputs) {
    const values = column(t, input.name).slice(0, n);
    sourceColumns[input.name] = input.name;
    switch (input.type) {
      case 'string':
        tensors[input.name] = { type: 'string', data: values };
        break;
      case 'float32':
        tensors[input.name] = { type: 'float32', data: Float32Array.from(values, Number) };
        break;
      case 'float64':
        tensors[input.name] = { type: 'float64', data: Float64Array.from(values, Number) };
        break;
      case 'int64':
        tensors[input.name] = { type: 'int64', data: BigInt64Array.from(values, (v) => BigInt(v)) };
        break;
      default:
        throw new Error(`fixture input type ${input.type}`);
    }
  }
  return { kind: 'columns', rows: n, tensors, sourceColumns };
}

/** The [N, d] float32 feature matrix from test_onehot.csv, columns in onehot_features.json order. */
export function matrixInput(model: FixtureModel, rows?: number): MatrixInput {
  const features = JSON.parse(readFileSync(join(FIXTURES, model.dataset, 'onehot_features.json'), 'utf8')) as {
    feature_names: string[];
  };
  const t = readTable(join(FIXTURES, model.dataset, 'test_onehot.csv'));
  const n = rows ?? t.rows;
  const d = features.feature_names.length;
  const data = new Float32Array(n * d);
  features.feature_names.forEach((name, j) => {
    const c = column(t, name);
    for (let i = 0; i < n; i++) data[i * d + j] = Number(c[i]);
  });
  return { kind: 'matrix', rows: n, input: 'features', width: d, data, featureNames: features.feature_names, oneHotGroups: {} };
}

export async function inputFor(model: FixtureModel, rows?: number): Promise<ModelInput> {
  return model.mode === 'matrix' ? matrixInput(model, rows) : columnsInput(model, rows);
}

/** The `score` column of <model>.predictions.csv. */
export function referenceScores(model: FixtureModel): Float64Array {
  return Float64Array.from(column(readTable(model.predictions), 'score'), Number);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
