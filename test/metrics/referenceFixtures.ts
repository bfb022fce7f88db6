/** Test helper: the per-row predictions CSVs and reference JSONs of test/fixtures, as typed arrays and Groupings. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { Grouping } from '../../src/data/types.js';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface Predictions {
  rows: number;
  yTrue: Uint8Array;
  /** float32, as onnxruntime returned them. */
  scores: Float32Array;
  yPred: Uint8Array;
  /** Raw text columns (sensitive attributes, age_bin, ...). */
  columns: Record<string, string[]>;
}

export function loadPredictions(dataset: string, model: string): Predictions {
  const text = readFileSync(`${FIXTURES}${dataset}/${model}.predictions.csv`, 'utf8');
  const records = parse(text, { columns: false, skip_empty_lines: true }) as string[][];
  const header = records[0] as string[];
  const body = records.slice(1);
  const rows = body.length;
  const col = (name: string): number => {
    const i = header.indexOf(name);
    if (i < 0) throw new Error(`${model}.predictions.csv has no column ${name}`);
    return i;
  };
  const yTrue = new Uint8Array(rows);
  const scores = new Float32Array(rows);
  const yPred = new Uint8Array(rows);
  const iy = col('y_true');
  const is = col('score');
  const ip = col('y_pred');
  const columns: Record<string, string[]> = {};
  for (const name of header) columns[name] = new Array<string>(rows);
  body.forEach((r, i) => {
    yTrue[i] = Number(r[iy]);
    scores[i] = Number(r[is]);
    yPred[i] = Number(r[ip]);
    header.forEach((name, j) => {
      (columns[name] as string[])[i] = r[j] as string;
    });
  });
  return { rows, yTrue, scores, yPred, columns };
}

export function loadReference(dataset: string, model: string): any {
  return JSON.parse(readFileSync(`${FIXTURES}${dataset}/${model}.reference.json`, 'utf8'));
}

/**
 * A Grouping as fairlearn builds it: the sorted distinct values of each attribute, every combination of them
 * (cartesian product, empty ones included), keys joined with '|'.
 */
export function buildGrouping(name: string, attributes: string[], columns: Record<string, string[]>): Grouping {
  const levels = attributes.map((a) => {
    const values = columns[a];
    if (values === undefined) throw new Error(`no column ${a}`);
    return [...new Set(values)].sort();
  });
  const combos: string[][] = [[]];
  for (const lv of levels) {
    const next: string[][] = [];
    for (const c of combos) for (const v of lv) next.push([...c, v]);
    combos.splice(0, combos.length, ...next);
  }
  const keys = combos.map((c) => c.join('|'));
  const index = new Map(keys.map((k, i) => [k, i]));
  const rows = (columns[attributes[0] as string] as string[]).length;
  const codes = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const key = attributes.map((a) => (columns[a] as string[])[i]).join('|');
    codes[i] = index.get(key) as number;
  }
  const values = combos.map((c) => Object.fromEntries(attributes.map((a, j) => [a, c[j] as string])));
  return { name, attributes, keys, values, codes };
}

/** Largest |actual − expected| seen per metric family, for the report. */
export class DiffTracker {
  readonly max = new Map<string, number>();

  record(family: string, diff: number): void {
    this.max.set(family, Math.max(this.max.get(family) ?? 0, diff));
  }

  table(): Record<string, number> {
    return Object.fromEntries([...this.max.entries()].sort());
  }
}
