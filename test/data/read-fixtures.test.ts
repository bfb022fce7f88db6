/**
 * The gate reads every dataset through the streaming reader (src/data/read.ts); on every shipped CSV fixture it gives
 * exactly the CSV reader's dataset: names, kinds, values, codes and levels in order, missing counts, the integer flag,
 * and the file hash.
 */
import { expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { readDataset } from '../../src/data/read.js';
import type { Dataset } from '../../src/data/types.js';

const plain = (d: Dataset): string =>
  JSON.stringify(d.columns.map((c) => [c.name, c.kind, c.kind === 'numeric' ? Array.from(c.values).map(String) : [Array.from(c.codes), c.levels], c.missing, c.kind === 'numeric' ? c.integer : null]));

it('streaming reader = CSV reader on the German credit and Adult fixtures (raw and one-hot)', async () => {
  for (const f of ['test/fixtures/german-credit/test.csv', 'test/fixtures/adult/test.csv', 'test/fixtures/adult/test_onehot.csv']) {
    const o = { displayPath: f, missingValues: ['', '?', 'NA', 'NaN'], maxRows: 1e6 };
    const a = await readCsvDataset(f, o);
    const b = await readDataset(f, o);
    expect(b.rows).toBe(a.rows);
    expect(plain(b)).toBe(plain(a));
    expect(b.sha256).toBe(a.sha256);
  }
});
