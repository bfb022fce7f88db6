import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import type { Dataset, NumericColumn } from '../../src/data/types.js';
import { encodeModelInput } from '../../src/model/encode.js';
import type { ColumnsInput, MatrixInput, ModelInputSignature } from '../../src/model/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import { parseCsvDataset } from '../../src/data/csv.js';
import { UserError } from '../../src/util/errors.js';

const repo = resolve(import.meta.dirname, '../..');
const MISSING = ['', '?', 'NA', 'NaN'];
const opts = { workspace: repo, policyFile: 'policy.yml' };
const read = (p: string): Promise<Dataset> =>
  readCsvDataset(resolve(repo, 'test/fixtures', p), { displayPath: p, missingValues: MISSING, maxRows: 1e6 });
const csv = (text: string): Dataset =>
  parseCsvDataset(Buffer.from(text), { displayPath: 'data.csv', missingValues: MISSING, maxRows: 1e6 });
const matrixSig = (width: number | string | null): ModelInputSignature[] => [{ name: 'features', type: 'float32', shape: [null, width] }];

function errorLines(f: () => unknown): string[] {
  try {
    f();
    return [];
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return [e.oneLine(), ...e.more.map((m) => m.oneLine())];
  }
}

interface FeatureFile {
  feature_names: string[];
  numeric_columns: string[];
  categorical_columns: string[];
  categories: Record<string, string[]>;
}

/** The reference one-hot matrix (test_onehot.csv), row-major, with its feature names. */
async function referenceMatrix(set: string, width: number): Promise<{ names: string[]; data: Float32Array; rows: number }> {
  const d = await read(`${set}/test_onehot.csv`);
  const names = d.columns.slice(0, width).map((c) => c.name);
  const data = new Float32Array(d.rows * width);
  d.columns.slice(0, width).forEach((c, j) => {
    const values = (c as NumericColumn).values;
    for (let r = 0; r < d.rows; r++) data[r * width + j] = values[r];
  });
  return { names, data, rows: d.rows };
}

function firstDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -2;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

describe('feature matrix from raw columns equals the reference test_onehot.csv', () => {
  for (const [set, width] of [['adult', 108], ['german-credit', 61]] as const) {
    const featuresFile = `test/fixtures/${set}/onehot_features.json`;
    const spec = JSON.parse(readFileSync(resolve(repo, featuresFile), 'utf8')) as FeatureFile;

    it(`${set}: features.file (${width} features, every row)`, async () => {
      const d = await read(`${set}/test.csv`);
      const t = performance.now();
      const m = encodeModelInput(d, matrixSig(width), { file: featuresFile }, opts) as MatrixInput;
      const ms = performance.now() - t;
      console.log(`${set}: encoded ${d.rows} x ${width} in ${ms.toFixed(1)} ms`);
      const ref = await referenceMatrix(set, width);
      expect(m.kind).toBe('matrix');
      expect(m.input).toBe('features');
      expect(m.rows).toBe(ref.rows);
      expect(m.width).toBe(width);
      expect(m.featureNames).toEqual(ref.names);
      expect(m.featureNames).toEqual(spec.feature_names);
      expect(firstDifference(m.data, ref.data)).toBe(-1);
      // Indicator groups: each categorical column -> its indicators, in order.
      expect(Object.keys(m.oneHotGroups)).toEqual(spec.categorical_columns);
      let j = spec.numeric_columns.length;
      for (const c of spec.categorical_columns) {
        const n = spec.categories[c].length;
        expect(m.oneHotGroups[c]).toEqual(Array.from({ length: n }, (_, k) => j + k));
        j += n;
      }
    });

    it(`${set}: the same rule inline (features.one_hot)`, async () => {
      const d = await read(`${set}/test.csv`);
      const categorical = Object.fromEntries(spec.categorical_columns.map((c) => [c, spec.categories[c]]));
      const m = encodeModelInput(d, matrixSig(width), { one_hot: { numeric: spec.numeric_columns, categorical } }, opts) as MatrixInput;
      const ref = await referenceMatrix(set, width);
      expect(firstDifference(m.data, ref.data)).toBe(-1);
    });

    it(`${set}: features.columns over the ready-made one-hot CSV groups 'col=value' columns by prefix`, async () => {
      const d = await read(`${set}/test_onehot.csv`);
      const m = encodeModelInput(d, matrixSig('N'), { columns: spec.feature_names }, opts) as MatrixInput;
      const ref = await referenceMatrix(set, width);
      expect(firstDifference(m.data, ref.data)).toBe(-1);
      expect(Object.keys(m.oneHotGroups)).toEqual(spec.categorical_columns);
      expect(m.oneHotGroups[spec.categorical_columns[0]][0]).toBe(spec.numeric_columns.length);
    });
  }

  it("a category the model never saw gives all-zero indicators; '?' is a category like any other", () => {
    const d = csv('age,color\n30,red\n40,green\n50,?\n');
    const m = encodeModelInput(d, matrixSig(4), { one_hot: { numeric: ['age'], categorical: { color: ['?', 'blue', 'red'] } } }, opts) as MatrixInput;
    expect(m.featureNames).toEqual(['age', 'color=?', 'color=blue', 'color=red']);
    expect([...m.data]).toEqual([30, 0, 0, 1, 40, 0, 0, 0, 50, 1, 0, 0]);
    expect(m.oneHotGroups).toEqual({ color: [1, 2, 3] });
  });

  it('one-hot over a numeric column matches categories by number; `col=value` in columns builds indicators too', () => {
    const d = csv('rate,x\n1,0.5\n2,1.5\n4,2.5\n');
    const m = encodeModelInput(d, matrixSig(4), { columns: ['x', 'rate=1', 'rate=2', 'rate=3'] }, opts) as MatrixInput;
    expect([...m.data]).toEqual([0.5, 1, 0, 0, 1.5, 0, 1, 0, 2.5, 0, 0, 0]);
    expect(m.oneHotGroups).toEqual({ rate: [1, 2, 3] });
  });
});

describe('one tensor per column, matched by name', () => {
  it('Adult logreg_pipeline: 8 string inputs with raw texts (including ?), 6 float inputs', async () => {
    const d = await read('adult/test.csv');
    const manifest = JSON.parse(readFileSync(resolve(repo, 'test/fixtures/adult/models.json'), 'utf8')) as {
      models: Array<{ name: string; onnx: { inputs: Array<{ name: string; elem_type: string; shape: Array<number | null> }> } }>;
    };
    const model = manifest.models.find((m) => m.name === 'logreg_pipeline')!;
    const sigs: ModelInputSignature[] = model.onnx.inputs.map((i) => ({ name: i.name, type: i.elem_type, shape: i.shape }));
    const input = encodeModelInput(d, sigs, undefined, opts) as ColumnsInput;
    expect(input.kind).toBe('columns');
    expect(input.rows).toBe(16281);
    expect(Object.keys(input.tensors).sort()).toEqual(sigs.map((s) => s.name).sort());
    const workclass = input.tensors.workclass;
    expect(workclass.type).toBe('string');
    expect((workclass.data as string[]).slice(0, 2)).toEqual(['Private', 'Private']);
    expect((workclass.data as string[]).filter((w) => w === '?').length).toBe(963);
    const age = input.tensors.age;
    expect(age.type).toBe('float32');
    expect(age.data).toBeInstanceOf(Float32Array);
    expect([...(age.data as Float32Array).slice(0, 3)]).toEqual([25, 38, 28]);
    expect(input.sourceColumns.age).toBe('age');
  });

  it('converts to the input type: double, int64, int32', () => {
    const d = csv('a,b,c\n1,2,3\n4,5,6\n');
    const input = encodeModelInput(
      d,
      [
        { name: 'a', type: 'float64', shape: [null, 1] },
        { name: 'b', type: 'int64', shape: [null, 1] },
        { name: 'c', type: 'int32', shape: ['N'] },
      ],
      undefined,
      opts,
    ) as ColumnsInput;
    expect(input.tensors.a).toEqual({ type: 'float64', data: Float64Array.from([1, 4]) });
    expect(input.tensors.b).toEqual({ type: 'int64', data: BigInt64Array.from([2n, 5n]) });
    expect(input.tensors.c).toEqual({ type: 'int32', data: Int32Array.from([3, 6]) });
  });

  it('a single [N,1] input named like a column is a column input', () => {
    const input = encodeModelInput(csv('x\n1\n2\n'), [{ name: 'x', type: 'float32', shape: [null, 1] }], undefined, opts);
    expect(input.kind).toBe('columns');
  });
});

describe('encoding errors name the column, the input and the line', () => {
  const sig = (name: string, type = 'float32'): ModelInputSignature => ({ name, type, shape: [null, 1] });
  it('text or a missing value in a numeric input; a fraction in an integer input; every input at once', () => {
    const d = csv('age,hours,n\n30,40,1\n?,x,2.5\n');
    expect(errorLines(() => encodeModelInput(d, [sig('age'), sig('hours'), sig('n', 'int64')], undefined, opts))).toEqual([
      'data.csv:3: column `age` has a missing value on this line (and 0 more) but model input `age` (float32) cannot take one; fill in or drop the rows with missing values',
      'data.csv:3: column `hours` holds text (`x` on this line) but model input `hours` (float32) takes numbers; fix the value, or map the column to numbers before evaluation',
      'data.csv:3: column `n` has 2.5 on this line but model input `n` (int64) takes whole numbers; round the values or export the model with a float input',
    ]);
  });

  it('a model input without a column', () => {
    expect(errorLines(() => encodeModelInput(csv('Age\n1\n'), [sig('age'), sig('sex', 'string')], undefined, opts))).toEqual([
      'data.csv:1: the model needs input `age` (float32 [N, 1]) but the dataset has no column named so; did you mean `Age`?',
      'data.csv:1: the model needs input `sex` (string [N, 1]) but the dataset has no column named so; add the column (model inputs are matched to columns by name)',
    ]);
  });

  it('width mismatch names both numbers, at the policy line when the document is given', () => {
    const doc = parsePolicy(
      'version: 1\nmodel:\n  path: m.onnx\n  features:\n    columns: [a, b]\ndataset:\n  path: d.csv\n  label: y\n  positive_label: 1\n',
      { workspace: repo, displayPath: 'policy.yml' },
    );
    const d = csv('a,b,y\n1,2,1\n');
    expect(errorLines(() => encodeModelInput(d, matrixSig(3), doc.policy.model.features, { ...opts, locate: doc.locate }))).toEqual([
      "policy.yml:5:14: the model's input `features` takes 3 features per row but `model.features` gives 2; list exactly the model's 3 features, in training order",
    ]);
  });

  it('a feature matrix model without model.features; features for a per-column model; a missing feature', () => {
    expect(errorLines(() => encodeModelInput(csv('a\n1\n'), matrixSig(108), undefined, opts))).toEqual([
      "policy.yml: model input `features` is one float32 matrix [N, 108]; say how to build it from the dataset's columns with `model.features` (`columns`, `one_hot` or `file`)",
    ]);
    expect(errorLines(() => encodeModelInput(csv('a,b\n1,2\n'), [sig('a'), sig('b')], { columns: ['a', 'b'] }, opts))[0]).toBe(
      'policy.yml: the model has 2 inputs (`a`, `b`), one per column, so it needs no feature matrix; remove `model.features` from the policy',
    );
    expect(errorLines(() => encodeModelInput(csv('age,y\n1,2\n'), matrixSig(1), { columns: ['agee'] }, opts))).toEqual([
      'policy.yml: feature `agee` is not a column of data.csv; did you mean `age`?',
    ]);
  });

  it('a features file outside the workspace or missing is refused at the policy line', () => {
    const doc = parsePolicy(
      'version: 1\nmodel:\n  path: m.onnx\n  features:\n    file: features.json\ndataset:\n  path: d.csv\n  label: y\n  positive_label: 1\n',
      { workspace: repo, displayPath: 'policy.yml' },
    );
    expect(errorLines(() => encodeModelInput(csv('a\n1\n'), matrixSig(1), { file: '../../x.json' }, { ...opts, locate: doc.locate }))).toEqual([
      'policy.yml:5:11: `model.features.file` points outside the repository (`../../x.json`); use a path inside the workspace, relative to its root',
    ]);
    expect(errorLines(() => encodeModelInput(csv('a\n1\n'), matrixSig(1), { file: 'features.json' }, { ...opts, locate: doc.locate }))).toEqual([
      'policy.yml:5:11: `model.features.file`: no such file `features.json` in the repository; fix the path (it is relative to the repository root)',
    ]);
  });
});
