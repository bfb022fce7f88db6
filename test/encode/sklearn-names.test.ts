/**
 * Features files with scikit-learn's get_feature_names_out() names (issue #15): `num__age` is the raw column `age`,
 * `cat__checking_status_A11` the indicator `checking_status=A11`. The matrix equals the one the tool's own naming
 * builds (itself equal to the reference test_onehot.csv), on Adult and German credit.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseCsvDataset, readCsvDataset } from '../../src/data/csv.js';
import type { Dataset } from '../../src/data/types.js';
import { encodeModelInput } from '../../src/model/encode.js';
import type { MatrixInput, ModelInputSignature } from '../../src/model/types.js';
import { UserError } from '../../src/util/errors.js';

const repo = resolve(import.meta.dirname, '../..');
const MISSING = ['', '?', 'NA', 'NaN'];
const ws = mkdtempSync(join(tmpdir(), 'mrg-sklearn-names-'));
const opts = { workspace: ws, policyFile: 'policy.yml' };
afterAll(() => rmSync(ws, { recursive: true, force: true }));

const read = (p: string): Promise<Dataset> => readCsvDataset(resolve(repo, 'test/fixtures', p), { displayPath: p, missingValues: MISSING, maxRows: 1e6 });
const csv = (text: string): Dataset => parseCsvDataset(Buffer.from(text), { displayPath: 'data.csv', missingValues: MISSING, maxRows: 1e6 });
const sig = (width: number): ModelInputSignature[] => [{ name: 'features', type: 'float32', shape: [null, width] }];

interface Spec {
  numeric_columns: string[];
  categorical_columns: string[];
  categories: Record<string, string[]>;
}

/** What a ColumnTransformer([('num', 'passthrough', numeric), ('cat', OneHotEncoder(), categorical)]) names its outputs. */
function sklearnNames(spec: Spec): string[] {
  return [...spec.numeric_columns.map((c) => `num__${c}`), ...spec.categorical_columns.flatMap((c) => spec.categories[c]!.map((v) => `cat__${c}_${v}`))];
}

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof UserError) return e.oneLine();
    throw e;
  }
  return '';
}

describe('scikit-learn feature names in a features file', () => {
  for (const [set, width] of [['german-credit', 61], ['adult', 108]] as const) {
    it(`${set}: the ${width} get_feature_names_out() names give the same matrix as the tool's naming`, async () => {
      const file = `test/fixtures/${set}/onehot_features.json`;
      const spec = JSON.parse(readFileSync(resolve(repo, file), 'utf8')) as Spec;
      const d = await read(`${set}/test.csv`);
      const reference = encodeModelInput(d, sig(width), { file }, { ...opts, workspace: repo }) as MatrixInput;
      const names = sklearnNames(spec);
      expect(names).toHaveLength(width);
      writeFileSync(join(ws, `${set}.json`), JSON.stringify({ feature_names: names }));
      const m = encodeModelInput(d, sig(width), { file: `${set}.json` }, opts) as MatrixInput;
      expect(m.width).toBe(width);
      expect(m.featureNames).toEqual(reference.featureNames); // read in the tool's terms: `age`, `sex=Female`
      expect(m.oneHotGroups).toEqual(reference.oneHotGroups);
      expect(Buffer.from(m.data.buffer).equals(Buffer.from(reference.data.buffer))).toBe(true);
      // the rule and scikit-learn's names side by side in one file agree too
      writeFileSync(join(ws, `${set}-both.json`), JSON.stringify({ ...spec, feature_names: names }));
      const both = encodeModelInput(d, sig(width), { file: `${set}-both.json` }, opts) as MatrixInput;
      expect(Buffer.from(both.data.buffer).equals(Buffer.from(reference.data.buffer))).toBe(true);
    });
  }

  it('German credit: `num__age` and `cat__checking_status_A11` are the column and its indicator', async () => {
    const d = await read('german-credit/test.csv');
    const m = encodeModelInput(d, sig(3), { columns: ['num__age', 'cat__checking_status_A11', 'remainder__credit_amount'] }, opts) as MatrixInput;
    expect(m.featureNames).toEqual(['age', 'checking_status=A11', 'credit_amount']);
    expect(m.oneHotGroups).toEqual({ checking_status: [1] });
    const age = d.byName.get('age');
    const checking = d.byName.get('checking_status');
    if (age?.kind !== 'numeric' || checking?.kind !== 'categorical') throw new Error('fixture columns changed');
    for (const r of [0, 1, 2, 150, 299]) {
      expect(m.data[r * 3]).toBe(Math.fround(age.values[r]!));
      expect(m.data[r * 3 + 1]).toBe(checking.levels[checking.codes[r]!] === 'A11' ? 1 : 0);
    }
  });

  it('nested transformers, and the column that has the category when two column names overlap', () => {
    const d = csv('a,a_b,y\n1,x,0\n2,z,1\n3,x,0\n');
    const m = encodeModelInput(d, sig(4), { columns: ['outer__num__a', 'cat__a_b_x', 'cat__a_b_z', 'cat__a_2'] }, opts) as MatrixInput;
    expect(m.featureNames).toEqual(['a', 'a_b=x', 'a_b=z', 'a=2']);
    expect(Array.from(m.data)).toEqual([1, 1, 0, 0, 2, 0, 1, 1, 3, 1, 0, 0]);
  });

  it('says what is wrong with names it cannot read', () => {
    const d = csv('sex,age,y\nFemale,30,0\nMale,40,1\n');
    expect(message(() => encodeModelInput(d, sig(1), { columns: ['num__agee'] }, opts))).toBe(
      'policy.yml: feature `num__agee` is not a column of data.csv; did you mean `num__age`?',
    );
    expect(message(() => encodeModelInput(d, sig(1), { columns: ['num__zzz'] }, opts))).toBe(
      'policy.yml: feature `num__zzz` is not a column of data.csv; list dataset columns, `column=value` indicators of a dataset column, or scikit-learn names (`num__age`, `cat__sex_Female`)',
    );
    expect(message(() => encodeModelInput(d, sig(1), { columns: ['cat__sex_infrequent_sklearn'] }, opts))).toMatch(
      /^policy\.yml: feature `cat__sex_infrequent_sklearn` is scikit-learn's indicator of the infrequent categories of `sex`, which a features file cannot rebuild; /,
    );
  });
});
