import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inspectModel, loadModel } from '../../src/model/session.js';
import type { ColumnsInput } from '../../src/model/types.js';
import { UserError } from '../../src/util/errors.js';
import { columnsInput, fixtureModel, matrixInput, spec } from './fixtures.js';
import { FLOAT, tinyModel, writeTemp } from './tiny-models.js';

async function rejection(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

const columnsModel = fixtureModel('adult', 'logreg_pipeline_nozipmap');

describe('bad model files', () => {
  const good = readFileSync(columnsModel.file);
  const cases: Array<[string, Uint8Array | string, RegExp]> = [
    ['random bytes', Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251), /^bad\.onnx: not a valid ONNX model \(.+\)$/],
    ['truncated', good.subarray(0, Math.floor(good.length / 2)), /^bad\.onnx: not a valid ONNX model \(.+\)$/],
    ['a text file', 'this is not a model\n', /^bad\.onnx: not a valid ONNX model \(.+\)$/],
    ['empty file', '', /^bad\.onnx: not a valid ONNX model \(empty file\)$/],
  ];
  for (const [name, bytes, expected] of cases) {
    it(`${name} -> one-line UserError`, async () => {
      const file = writeTemp(`bad-${name.replace(/ /g, '_')}.onnx`, bytes);
      const e = await rejection(loadModel({ file, displayPath: 'bad.onnx', spec: spec() }));
      expect(e.oneLine()).toMatch(expected);
      expect(e.oneLine()).not.toContain('\n');
      await rejection(inspectModel(file, { displayPath: 'bad.onnx' }));
    });
  }

  it('a well-formed protobuf that onnxruntime rejects -> its first line in the message', async () => {
    const file = tinyModel('unknown_op', { opType: 'NoSuchOp' }, [{ name: 'x', elemType: FLOAT, shape: ['N', 1] }], [
      { name: 'p', elemType: FLOAT, shape: ['N', 1] },
    ]);
    const e = await rejection(loadModel({ file, displayPath: 'bad.onnx', spec: spec() }));
    expect(e.oneLine()).toMatch(/^bad\.onnx: not a valid ONNX model \(.*NoSuchOp.*\)$/);
  });

  it('missing file', async () => {
    const e = await rejection(loadModel({ file: '/nonexistent/m.onnx', displayPath: 'models/m.onnx', spec: spec() }));
    expect(e.oneLine()).toBe('models/m.onnx: model file not found: check model.path in the policy');
  });

  it('file above maxBytes is refused before reading', async () => {
    const e = await rejection(loadModel({ file: columnsModel.file, displayPath: 'm.onnx', spec: spec(), maxBytes: 1024 }));
    expect(e.oneLine()).toBe('m.onnx: model file is 4502 bytes, above the 1024 bytes limit: use a smaller model or raise the limit');
    const e2 = await rejection(inspectModel(columnsModel.file, { displayPath: 'm.onnx', maxBytes: 4000 }));
    expect(e2.message).toMatch(/above the .* limit/);
  });
});

describe('input does not fit the model', () => {
  it('missing input column names the input and the fix', async () => {
    const m = await loadModel({ file: columnsModel.file, displayPath: 'm.onnx', spec: spec() });
    const input = await columnsInput(columnsModel, 10);
    const { age: _age, ...rest } = input.tensors;
    const e = await rejection(m.score({ ...input, tensors: rest }));
    expect(e.oneLine()).toBe("m.onnx: the model needs input 'age' (float32 [?,1]) and the dataset has no column for it: add a column 'age' to the dataset");
    expect(m.queries).toBe(0);
    await m.dispose();
  });

  it('wrong type names the input and column', async () => {
    const m = await loadModel({ file: columnsModel.file, displayPath: 'm.onnx', spec: spec() });
    const input = await columnsInput(columnsModel, 10);
    const bad: ColumnsInput = {
      ...input,
      tensors: { ...input.tensors, sex: { type: 'float32', data: new Float32Array(10) } },
      sourceColumns: { ...input.sourceColumns, sex: 'gender' },
    };
    const e = await rejection(m.score(bad));
    expect(e.message).toBe("model input 'sex' is string but column 'gender' was read as float32: the column must hold text for this model");
    await m.dispose();
  });

  it('feature matrix of the wrong width, and a matrix for a per-column model', async () => {
    const gbt = fixtureModel('adult', 'gbt_onehot');
    const m = await loadModel({ file: gbt.file, displayPath: 'gbt.onnx', spec: spec() });
    const german = matrixInput(fixtureModel('german-credit', 'gbt_onehot'), 5);
    const e = await rejection(m.score(german));
    expect(e.message).toBe(
      "model input 'features' takes 108 features per row but the feature list has 61: make model.features list the model's 108 features in training order",
    );
    await m.dispose();
    const cm = await loadModel({ file: columnsModel.file, displayPath: 'm.onnx', spec: spec() });
    const e2 = await rejection(cm.score(matrixInput(gbt, 5)));
    expect(e2.message).toMatch(/^the model has 14 inputs \(workclass string, .*\) but a single feature matrix was built/);
    await cm.dispose();
  });
});
