import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lineOfRow, readCsvDataset } from '../../src/data/csv.js';
import type { CategoricalColumn, NumericColumn } from '../../src/data/types.js';
import { csv, errorLines, fixture, MISSING, readFixture, tempFile } from './helpers.js';

describe('readCsvDataset on Adult test.csv', () => {
  it('types every column and keeps `?` as a level of text columns', async () => {
    const d = await readFixture('adult/test.csv');
    expect(d.rows).toBe(16281);
    expect(d.columns.map((c) => `${c.name}:${c.kind}`)).toEqual([
      'age:numeric', 'workclass:categorical', 'fnlwgt:numeric', 'education:categorical', 'education_num:numeric',
      'marital_status:categorical', 'occupation:categorical', 'relationship:categorical', 'race:categorical',
      'sex:categorical', 'capital_gain:numeric', 'capital_loss:numeric', 'hours_per_week:numeric',
      'native_country:categorical', 'income:categorical',
    ]);
    const age = d.byName.get('age') as NumericColumn;
    expect(age.integer).toBe(true);
    expect(age.missing).toBe(0);
    expect(age.values[0]).toBe(25);
    expect(Math.min(...age.values)).toBe(17);
    expect(Math.max(...age.values)).toBe(90);
    const workclass = d.byName.get('workclass') as CategoricalColumn;
    expect(workclass.levels).toContain('?');
    expect(workclass.missing).toBe(963); // DATA-README: 963 test rows
    expect((d.byName.get('occupation') as CategoricalColumn).missing).toBe(966);
    expect((d.byName.get('native_country') as CategoricalColumn).missing).toBe(274);
    const sex = d.byName.get('sex') as CategoricalColumn;
    expect(sex.levels).toEqual(['Male', 'Female']); // order of first appearance
    expect(sex.codes.filter((c) => c === 1).length).toBe(5421);
    expect(d.sha256).toBe(createHash('sha256').update(readFileSync(fixture('adult/test.csv'))).digest('hex'));
    expect(lineOfRow(d, 0)).toBe(2);
    expect(lineOfRow(d, 16280)).toBe(16282);
  });

  it('reads German credit test.csv', async () => {
    const d = await readFixture('german-credit/test.csv');
    expect(d.rows).toBe(300);
    expect(d.columns.length).toBe(23);
    expect(d.byName.get('checking_status')?.kind).toBe('categorical');
    expect(d.byName.get('credit_amount')?.kind).toBe('numeric');
  });
});

describe('typing and missing values', () => {
  it('numeric when every non-missing cell is a decimal number, else categorical', () => {
    const d = csv('a,b,c,d,e,f\n1,x,1.5,?,0x10,1e3\nNA,y,2,?,1,-2.5E-1\n,z,3,?,2,.5\n');
    const a = d.byName.get('a') as NumericColumn;
    expect(a.kind).toBe('numeric');
    expect([...a.values].map((v) => (Number.isNaN(v) ? 'NaN' : v))).toEqual([1, 'NaN', 'NaN']);
    expect(a.missing).toBe(2);
    expect(a.integer).toBe(true);
    expect(d.byName.get('b')?.kind).toBe('categorical');
    expect((d.byName.get('c') as NumericColumn).integer).toBe(false);
    // A column of missing values only is numeric (all NaN).
    expect(d.byName.get('d')).toMatchObject({ kind: 'numeric', missing: 3 });
    // Hexadecimal is text, not a number.
    expect(d.byName.get('e')?.kind).toBe('categorical');
    expect([...(d.byName.get('f') as NumericColumn).values]).toEqual([1000, -0.25, 0.5]);
  });

  it('keeps missing-value texts as levels of text columns, counted as missing', () => {
    const d = csv('c\nred\n?\nblue\n?\n\n');
    const c = d.byName.get('c') as CategoricalColumn;
    expect(c.levels).toEqual(['red', '?', 'blue']);
    expect([...c.codes]).toEqual([0, 1, 2, 1]);
    expect(c.missing).toBe(2);
    expect(d.rows).toBe(4); // the trailing blank line is not a row
  });

  it('uses only the policy missing values', () => {
    const d = csv('x\n1\nNA\n', { missingValues: ['?'] });
    expect(d.byName.get('x')?.kind).toBe('categorical');
  });
});

describe('CSV dialects', () => {
  const plain = 'a,b\n1,x\n2,y\n';
  const expectSame = (text: string): void => {
    const d = csv(text);
    expect(d.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect([...(d.byName.get('a') as NumericColumn).values]).toEqual([1, 2]);
    expect((d.byName.get('b') as CategoricalColumn).levels).toEqual(['x', 'y']);
  };
  it('handles a BOM, CRLF and old-Mac CR line ends, and quoted fields', () => {
    expectSame(plain);
    expectSame('\uFEFF' + plain);
    expectSame(plain.replace(/\n/g, '\r\n'));
    expectSame(plain.replace(/\n/g, '\r'));
    expectSame('"a","b"\n"1","x"\n2,"y"\n');
  });

  it('reads quoted commas and newlines and still names the right line', () => {
    const d = csv('id,text\n1,"hello, world"\n2,"two\nlines"\n3,plain\n');
    expect((d.byName.get('text') as CategoricalColumn).levels).toEqual(['hello, world', 'two\nlines', 'plain']);
    expect([lineOfRow(d, 0), lineOfRow(d, 1), lineOfRow(d, 2)]).toEqual([2, 3, 5]);
  });

  it('counts blank lines when naming lines', () => {
    const d = csv('a\n1\n\n2\n');
    expect(d.rows).toBe(2);
    expect(lineOfRow(d, 1)).toBe(4);
  });
});

describe('errors name the file and the line', () => {
  it('ragged rows: every bad line (up to 10) at once', () => {
    expect(errorLines(() => csv('a,b,c\n1,2,3\n4,5\n6,7,8\n9,10,11,12\n'))).toEqual([
      'data.csv:3: row has 2 fields but the header has 3; fix this row (a value containing a comma must be in double quotes)',
      'data.csv:5: row has 4 fields but the header has 3; fix this row (a value containing a comma must be in double quotes)',
    ]);
    expect(errorLines(() => csv('a,b\n"x",1\n"y,2\n'))[0]).toMatch(/^data\.csv:3: /);
  });

  it('header problems', () => {
    expect(errorLines(() => csv('a,b,a\n1,2,3\n'))).toEqual([
      'data.csv:1: header names `a` twice (columns 1 and 3); column names must be unique',
    ]);
    expect(errorLines(() => csv('a,,c\n1,2,3\n'))).toEqual([
      'data.csv:1: header column 2 has no name; give every column a name in the first row',
    ]);
    expect(errorLines(() => csv(''))).toEqual(['data.csv:1: the file is empty; a CSV with a header row and data rows is needed']);
    expect(errorLines(() => csv('a,b\n'))).toEqual(['data.csv:2: the file has a header but no data rows']);
  });

  it('bounds rows and bytes', async () => {
    expect(errorLines(() => csv('a\n1\n2\n3\n', { maxRows: 2 }))).toEqual([
      'data.csv:4: dataset has more than 2 data rows (dataset.max_rows); evaluate on a sample or raise dataset.max_rows',
    ]);
    expect(errorLines(() => csv('a\n1\n2\n3\n', { maxBytes: 4 }))[0]).toMatch(/^data\.csv: dataset is 8 bytes, more than the limit of 4 bytes/);
    const file = tempFile('big.csv', 'a\n' + '1\n'.repeat(1000));
    await expect(
      readCsvDataset(file, { displayPath: 'big.csv', missingValues: MISSING, maxRows: 10, maxBytes: 100 }),
    ).rejects.toThrow(/more than the limit of 100 bytes/);
    await expect(
      readCsvDataset(file + '.nope', { displayPath: 'nope.csv', missingValues: MISSING, maxRows: 10 }),
    ).rejects.toThrow('cannot read the dataset (no such file); check dataset.path in the policy');
  });
});
