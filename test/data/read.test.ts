/**
 * The streaming readers (issue #13): CSV, TSV / semicolon text, gzip-compressed text and Parquet read to the same typed
 * columns as the CSV reader; the format comes from the first bytes; the separator is detected (or refused when
 * ambiguous); renames apply to the header; max_rows stops the read; the Adult data reads the same through both readers.
 */
import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { readDataset, sniffFormat } from '../../src/data/read.js';
import { lineOfRow } from '../../src/data/csv.js';
import { detectDelimiter, DelimitedParser } from '../../src/data/delimited.js';
import type { Column, Dataset } from '../../src/data/types.js';
import { UserError } from '../../src/util/errors.js';
import { createRng } from '../../src/util/rng.js';
import { csv, fixture, MISSING, tempFile } from './helpers.js';

const TABLE = [
  ['age', 'workclass', 'score', 'note', 'income'],
  ['39', 'State-gov', '0.5', 'a', '<=50K'],
  ['50', '?', '', 'b c', '>50K'],
  ['38', 'Private', '1e3', 'a', '<=50K'],
  ['53', 'Private', '-2.25', 'd', '>50K'],
];

function text(sep: string, rows = TABLE): string {
  return rows.map((r) => r.join(sep)).join('\n') + '\n';
}

/** Plain data of a column, for comparing two datasets. */
function plain(c: Column): unknown {
  return c.kind === 'numeric'
    ? { kind: c.kind, name: c.name, values: Array.from(c.values), missing: c.missing, integer: c.integer }
    : { kind: c.kind, name: c.name, codes: Array.from(c.codes), levels: c.levels, missing: c.missing };
}
const columnsOf = (d: Dataset): unknown[] => d.columns.map(plain);

async function read(content: string | Buffer, name = 'data.csv', extra: Partial<Parameters<typeof readDataset>[1]> = {}): Promise<Dataset> {
  return readDataset(tempFile(name, content), { displayPath: name, missingValues: MISSING, maxRows: 1_000_000, ...extra });
}

async function message(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof UserError) return e.oneLine();
    throw e;
  }
  return '(no error)';
}

describe('format from the content', () => {
  it('magic bytes: Parquet, gzip, zip, binary, text', () => {
    expect(sniffFormat(Buffer.from('PAR1xxxx'))).toBe('parquet');
    expect(sniffFormat(gzipSync('a,b\n1,2\n'))).toBe('gzip');
    expect(sniffFormat(Buffer.from([0x50, 0x4b, 3, 4, 0]))).toBe('zip');
    expect(sniffFormat(Buffer.from([1, 2, 0, 4]))).toBe('binary');
    expect(sniffFormat(Buffer.from('a,b\n'))).toBe('text');
  });

  it('CSV, TSV, semicolon, bar and gzip text read to the CSV reader\'s columns (whatever the extension)', async () => {
    const expected = columnsOf(csv(text(',')));
    expect(columnsOf(await read(text(',')))).toEqual(expected);
    expect(columnsOf(await read(text('\t'), 'data.tsv'))).toEqual(expected);
    expect(columnsOf(await read(text(';'), 'data.txt'))).toEqual(expected);
    expect(columnsOf(await read(text('|')))).toEqual(expected);
    expect(columnsOf(await read(gzipSync(text(',')), 'data.csv.gz'))).toEqual(expected);
    expect(columnsOf(await read(gzipSync(text('\t')), 'data.csv'))).toEqual(expected); // named .csv, gzip TSV inside
  });

  it('Parquet (snappy, gzip, uncompressed) reads to the same typed columns as the CSV', async () => {
    const d = csv(text(','));
    const columnData = d.columns.map((c) => {
      if (c.kind === 'numeric') return { name: c.name, data: Array.from(c.values, (v) => (Number.isNaN(v) ? null : v)), type: 'DOUBLE' as const, nullable: true };
      return { name: c.name, data: Array.from(c.codes, (k) => c.levels[k]), type: 'STRING' as const };
    });
    for (const codec of ['SNAPPY', 'UNCOMPRESSED', 'GZIP'] as const) {
      const buf = parquetWriteBuffer({ columnData, codec, rowGroupSize: 2, ...(codec === 'GZIP' ? { compressors: { GZIP: (b: Uint8Array) => new Uint8Array(gzipSync(b)) } } : {}) });
      const p = await read(Buffer.from(buf), 'data.csv'); // a Parquet file named .csv
      const expected = columnsOf(d).map((c) => ((c as { kind: string }).kind === 'numeric' ? { ...(c as object), integer: (c as { integer: boolean }).integer } : c));
      expect(columnsOf(p)).toEqual(expected);
      expect(p.rows).toBe(4);
    }
  });

  it('quoted fields: separators, doubled quotes and newlines inside quotes; CRLF split across chunks', () => {
    const records: Array<[string[], number]> = [];
    const parser = new DelimitedParser(',', (f, line) => records.push([f, line]), 'x.csv');
    const input = 'a,b\r\n"x, y","say ""hi"""\r\n"multi\nline",2\r\n3,4';
    for (const ch of input) parser.push(ch); // one character at a time
    parser.end();
    expect(records).toEqual([
      [['a', 'b'], 1],
      [['x, y', 'say "hi"'], 2],
      [['multi\nline', '2'], 3],
      [['3', '4'], 5],
    ]);
  });

  it('any chunking gives the same records and lines (fast path for quote-free text, CRLF split across chunks, blank lines, a lone CR)', () => {
    const inputs = ['a;b\r\n1;2\r\n\r\n3;4\r\n5;6', 'a,b\n1,2\n\n3,4\n', 'a,b\r1,2\r3,4\r\n5,6\n', 'a,b\n"q,1",2\n3,4\n5,6'];
    const rng = createRng(21).fork('chunks');
    for (const input of inputs) {
      const d = input.startsWith('a;') ? ';' : ',';
      const whole: Array<[string[], number]> = [];
      const p1 = new DelimitedParser(d, (f, line) => whole.push([f, line]), 'x');
      p1.push(input);
      p1.end();
      if (input === inputs[0]) expect(whole.map(([, line]) => line)).toEqual([1, 2, 4, 5]);
      if (input === inputs[2]) expect(whole).toEqual([[['a', 'b'], 1], [['1', '2'], 2], [['3', '4'], 3], [['5', '6'], 4]]);
      for (let rep = 0; rep < 30; rep++) {
        const parts: Array<[string[], number]> = [];
        const p2 = new DelimitedParser(d, (f, line) => parts.push([f, line]), 'x');
        for (let i = 0; i < input.length; ) {
          const k = 1 + rng.int(5);
          p2.push(input.slice(i, i + k));
          i += k;
        }
        p2.end();
        expect(parts).toEqual(whole);
      }
    }
  });

  it('Adult test data: the streaming reader gives the CSV reader\'s dataset (columns, hash, line numbers), gzip too', async () => {
    const bytes = readFileSync(fixture('adult/test.csv'));
    const a = csv(bytes.toString('utf8'), { missingValues: ['?'] });
    const b = await readDataset(fixture('adult/test.csv'), { displayPath: 'test.csv', missingValues: ['?'], maxRows: 1_000_000 });
    expect(b.rows).toBe(16_281);
    expect(columnsOf(b)).toEqual(columnsOf(a));
    expect(b.sha256).toBe(a.sha256);
    expect(lineOfRow(b, 100)).toBe(102);
    const g = await read(gzipSync(bytes), 'test.csv.gz', { missingValues: ['?'] });
    expect(columnsOf(g)).toEqual(columnsOf(a));
  });
});

describe('separator, renames, bounds', () => {
  it('detects the separator from the header, breaks ties with the first row, refuses a real tie', () => {
    expect(detectDelimiter('a;b;c\n1;2;3', 'x', 'dataset.delimiter')).toBe(';');
    expect(detectDelimiter('a,b;c;d,e\n1,2,3;4', 'x', 'dataset.delimiter')).toBe(',');
    expect(() => detectDelimiter('a,b;c\n', 'x', 'dataset.delimiter')).toThrow(/cannot tell the field separator: the header has 1 comma and semicolon characters each; set `dataset.delimiter`/);
  });

  it('a given delimiter wins; a one-column header that looks like another separator asks for it', async () => {
    const d = await read('a;b\n1,5;2\n', 'x.csv', { delimiter: ';' });
    expect(d.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(d.byName.get('a')?.kind).toBe('categorical');
    const one = await read('only\n1\n2\n');
    expect(one.columns.map((c) => c.name)).toEqual(['only']);
  });

  it('renames model_input <- file_column; an unknown file column names the fix', async () => {
    const d = await read(text(','), 'data.csv', { columns: { label: 'income', years: 'age' } });
    expect(d.columns.map((c) => c.name)).toEqual(['years', 'workclass', 'score', 'note', 'label']);
    expect(await message(read(text(','), 'data.csv', { columns: { y: 'incme' } }))).toMatch(/data\.csv:1: dataset\.columns maps `y` to the column `incme`, which the file does not have; did you mean `income`/);
  });

  it('max_rows is enforced while reading (the line of the first row past it); empty, header-only, ragged, zip', async () => {
    expect(await message(read(text(','), 'd.csv', { maxRows: 2 }))).toBe('d.csv:4: dataset has more than 2 data rows (dataset.max_rows); evaluate on a sample or raise dataset.max_rows');
    expect(await message(read('', 'e.csv'))).toMatch(/e\.csv:1: the file is empty/);
    expect(await message(read('a,b\n', 'h.csv'))).toBe('h.csv:2: the file has a header but no data rows');
    expect(await message(read('a,b\n1,2,3\n', 'r.csv'))).toMatch(/r\.csv:2: row has 3 fields but the header has 2/);
    expect(await message(read(Buffer.from([0x50, 0x4b, 3, 4, 1, 2]), 'x.xlsx'))).toMatch(/ZIP file/);
    expect(await message(read(gzipSync(text(',')).subarray(0, 30), 'cut.csv.gz'))).toMatch(/gzip data is damaged or cut off/);
  });

  it('a column that turns text after many distinct numbers is re-read (second pass) and typed as text', async () => {
    const rows = ['x,y'];
    for (let i = 0; i < 5000; i++) rows.push(`${i}.5,${i % 3}`);
    rows.push('oops,1');
    const d = await read(rows.join('\n'));
    const x = d.byName.get('x')!;
    expect(x.kind).toBe('categorical');
    if (x.kind === 'categorical') {
      expect(x.levels[0]).toBe('0.5');
      expect(x.levels[x.codes[5000]]).toBe('oops');
      expect(x.levels.length).toBe(5001);
    }
    expect(d.byName.get('y')?.kind).toBe('numeric');
  });
});

describe('bounds on hostile text (the same as the CSV reader, issue #10)', () => {
  it('a cell longer than 10,000 characters and a column name longer than 512 are refused with the line', async () => {
    expect(await message(read(`a,b\n1,${'x'.repeat(10_001)}\n`, 'long.csv'))).toBe(
      'long.csv:2: column 2 has a value of 10001 characters, more than the limit of 10000; values must be short (categories, numbers)',
    );
    expect(await message(read(`${'n'.repeat(513)},b\n1,2\n`, 'name.csv'))).toMatch(/^name\.csv:1: header column 1 has a name of 513 characters/);
    expect(await message(read(`a,b\n"${'q'.repeat(1_100_000)}`, 'open.csv'))).toMatch(/a field is longer than 1048576 characters/);
  });
});

describe('memory bound on distinct texts', () => {
  it('a column of millions of distinct long texts stops with a message instead of filling memory', async () => {
    const { MAX_DISTINCT_TEXT_CHARS } = await import('../../src/data/columns-builder.js');
    const cell = 'x'.repeat(9_000);
    const rows = Math.ceil(MAX_DISTINCT_TEXT_CHARS / 9_000) + 10;
    const body = Array.from({ length: rows }, (_, i) => `${i},${cell}${i}`).join('\n');
    expect(await message(read(`id,text\n${body}\n`, 'big.csv'))).toMatch(/^big\.csv: the text columns hold more than 64 Mi characters of distinct values \(by row \d+\)/);
  }, 60_000);
});
