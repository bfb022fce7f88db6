import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseCsvDataset, readCsvDataset } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/types.js';
import { UserError } from '../../src/util/errors.js';

export const repo = resolve(import.meta.dirname, '../..');
export const fixture = (p: string): string => join(repo, 'test/fixtures', p);
export const MISSING = ['', '?', 'NA', 'NaN'];

export function csv(text: string, opts: { maxRows?: number; missingValues?: string[]; maxBytes?: number } = {}): Dataset {
  return parseCsvDataset(Buffer.from(text, 'utf8'), {
    displayPath: 'data.csv',
    missingValues: opts.missingValues ?? MISSING,
    maxRows: opts.maxRows ?? 1_000_000,
    maxBytes: opts.maxBytes,
  });
}

export function readFixture(p: string): Promise<Dataset> {
  return readCsvDataset(fixture(p), { displayPath: p, missingValues: MISSING, maxRows: 1_000_000 });
}

/** The UserError lines a function throws ([] when it does not throw). */
export function errorLines(f: () => unknown): string[] {
  try {
    f();
    return [];
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return [e.oneLine(), ...e.more.map((m) => m.oneLine())];
  }
}

export function tempFile(name: string, content: string | Buffer): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-data-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}
