import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { resolve } from 'node:path';
import { parseCsvDataset } from '../../src/data/csv.js';
import type { Column, Dataset } from '../../src/data/types.js';

export const repo = resolve(import.meta.dirname, '../..');

/** Adult train (gzip fixture) or test, read by the CSV reader; optionally the first `rows` data rows only. */
export function adult(which: 'train' | 'test', rows?: number): Dataset {
  let text =
    which === 'train'
      ? gunzipSync(readFileSync(resolve(repo, 'test/fixtures/adult/train.csv.gz'))).toString('utf8')
      : readFileSync(resolve(repo, 'test/fixtures/adult/test.csv'), 'utf8');
  if (rows !== undefined) text = text.split('\n').slice(0, rows + 1).join('\n') + '\n';
  return parseCsvDataset(Buffer.from(text), { displayPath: `${which}.csv`, missingValues: ['?'], maxRows: 1_000_000, maxBytes: 1 << 30 });
}

/** The dataset restricted to the given rows (in that order). */
export function subset(d: Dataset, rows: ArrayLike<number>): Dataset {
  const columns: Column[] = d.columns.map((c) => {
    if (c.kind === 'numeric') {
      const values = Float64Array.from(rows, (r) => c.values[r]);
      let missing = 0;
      for (const v of values) if (Number.isNaN(v)) missing++;
      return { ...c, values, missing };
    }
    return { ...c, codes: Int32Array.from(rows, (r) => c.codes[r]) };
  });
  return { file: d.file, sha256: d.sha256, rows: rows.length, columns, byName: new Map(columns.map((c) => [c.name, c])) };
}

/** A copy with one numeric column shifted by `delta`. */
export function shifted(d: Dataset, column: string, delta: number): Dataset {
  const columns = d.columns.map((c) => (c.name === column && c.kind === 'numeric' ? { ...c, values: c.values.map((v) => v + delta) } : c));
  return { ...d, columns, byName: new Map(columns.map((c) => [c.name, c])) };
}
