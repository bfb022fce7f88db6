/**
 * Parquet page headers are checked against their row groups before hyparquet decodes a page (issue #10): a page that
 * claims 2^31 values in a few bytes, a snappy page that claims 2 GB, a gzip page that inflates past 256 MiB and a
 * dictionary with more entries than rows are refused with one message naming the file; honest files of every codec and
 * several row groups and pages still read.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readDataset } from '../../src/data/read.js';
import { parsePageHeader } from '../../src/data/parquet-pages.js';
import { UserError } from '../../src/util/errors.js';
import { craftParquet, rleRun } from '../helpers/parquet-craft.js';
import { MISSING, tempFile } from './helpers.js';

async function message(bytes: Uint8Array): Promise<string> {
  try {
    const d = await readDataset(tempFile('data.parquet', Buffer.from(bytes)), { displayPath: 'data.parquet', missingValues: MISSING, maxRows: 1_000_000 });
    return `(read ${d.rows} rows)`;
  } catch (e) {
    if (e instanceof UserError) return e.oneLine();
    throw e;
  }
}

describe('Parquet page headers', () => {
  it('an honest hand-made page reads (the crafting is sound)', async () => {
    expect(await message(craftParquet({ numValues: 3, rows: 3 }))).toBe('(read 3 rows)');
  });

  it('a data page claiming 2^31 values in 8 bytes is refused before decoding', async () => {
    const m = await message(craftParquet({ numValues: 2 ** 31 - 1 }));
    expect(m).toMatch(/^data\.parquet: /);
    expect(m).toMatch(/column `x` in row group 1: its data pages claim 2147483647 values in 1 rows/);
  });

  it('a snappy page claiming a 2 GB uncompressed size is refused (nothing allocated)', async () => {
    const m = await message(craftParquet({ numValues: 1, codec: 'SNAPPY', uncompressedSize: 2 ** 31 - 2, body: new Uint8Array([1, 0, 7]) }));
    expect(m).toMatch(/data\.parquet: .*claims 2147483646 bytes uncompressed, more than 256 MiB/);
  });

  it('a gzip page that inflates past 256 MiB while claiming a small size is refused', async () => {
    // 300 concatenated gzip members of 1 MiB of zeros each: ~300 KB on disk, 300 MiB inflated
    const member = gzipSync(Buffer.alloc(1 << 20), { level: 9 });
    const body = new Uint8Array(Buffer.concat(Array.from({ length: 300 }, () => member)));
    const m = await message(craftParquet({ numValues: 1, codec: 'GZIP', uncompressedSize: 16, body }));
    expect(m).toMatch(/data\.parquet: a Parquet page decompresses to more than 256 MiB/);
  });

  it('a dictionary page with more entries than the row group has rows is refused', async () => {
    const m = await message(craftParquet({ type: 'DICTIONARY_PAGE', numValues: 50_000_000, body: new Uint8Array(8) }));
    expect(m).toMatch(/a dictionary page claims 50000000 entries for 1 rows/);
  });

  it('a column chunk pointing outside the file is refused', async () => {
    const f = craftParquet({ numValues: 1 });
    // cut the page body's last byte out while keeping the footer: the chunk now overruns
    const pageEnd = 4 + 10;
    const cut = new Uint8Array([...f.subarray(0, pageEnd), ...f.subarray(pageEnd + 1)]);
    expect(await message(cut)).toMatch(/^data\.parquet: /);
  });

  it('honest files (snappy, gzip, uncompressed; several row groups, dictionaries and pages) pass the page check', async () => {
    const n = 5000;
    const columnData = [
      { name: 'a', data: Array.from({ length: n }, (_, i) => i % 7), type: 'INT32' as const },
      { name: 'b', data: Array.from({ length: n }, (_, i) => (i % 3 === 0 ? null : `g${i % 5}`)), type: 'STRING' as const },
      { name: 'c', data: Float64Array.from({ length: n }, (_, i) => i / 3), type: 'DOUBLE' as const },
    ];
    for (const codec of ['SNAPPY', 'UNCOMPRESSED', 'GZIP'] as const) {
      const buf = parquetWriteBuffer({ columnData, codec, rowGroupSize: 1200, pageSize: 2000, ...(codec === 'GZIP' ? { compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) } } : {}) });
      expect(await message(new Uint8Array(buf))).toBe(`(read ${n} rows)`);
    }
  });

  it('the header walker skips fields it does not bound and reports where a header is cut off', () => {
    const f = craftParquet({ numValues: 3, rows: 3 });
    const h = parsePageHeader(f.subarray(4));
    expect(h).toMatchObject({ type: 0, values: 3, compressedSize: rleRun(3).length, uncompressedSize: rleRun(3).length });
    expect(parsePageHeader(f.subarray(4, 7))).toBeNull();
  });
});
