import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../../src/model/onnx-graph.js';
import { LABEL_ONLY_NOTE } from '../../src/model/output-convention.js';
import { loadModel } from '../../src/model/session.js';
import type { MatrixInput } from '../../src/model/types.js';
import { UserError } from '../../src/util/errors.js';
import { fixtureModel, inputFor, maxAbsDiff, referenceScores, spec } from './fixtures.js';
import { DOUBLE, FLOAT, INT32, INT64, STRING, tinyModel, writeTemp } from './tiny-models.js';

const zipmapModel = fixtureModel('adult', 'logreg_pipeline');

/** logreg_pipeline with its ZipMap and output_probability removed: output_label is the only output. */
function labelOnlyModel(): string {
  const proto = decodeModel(readFileSync(zipmapModel.file));
  proto.graph!.node = proto.graph!.node!.filter((n) => n.opType !== 'ZipMap');
  proto.graph!.output = proto.graph!.output!.filter((o) => o.name === 'output_label');
  return writeTemp('label_only.onnx', encodeModel(proto));
}

function matrix(rows: number, width: number, values: number[]): MatrixInput {
  return { kind: 'matrix', rows, input: 'x', width, data: Float32Array.from(values), featureNames: [], oneHotGroups: {} };
}

async function rejection(p: Promise<unknown>): Promise<UserError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(UserError);
  return e as UserError;
}

describe('output conventions', () => {
  it('label-only model: scores are the 0/1 label, equal to score >= 0.5 of the reference, with a note', async () => {
    const m = await loadModel({ file: labelOnlyModel(), displayPath: 'label_only.onnx', spec: spec() });
    expect(m.info.outputKind).toBe('label');
    expect(m.info.scoreOutput).toBe('output_label');
    expect(m.info.notes).toContain(LABEL_ONLY_NOTE);
    const s = await m.score(await inputFor(zipmapModel));
    const ref = referenceScores(zipmapModel);
    let positives = 0;
    let mismatches = 0;
    for (let i = 0; i < s.length; i++) {
      if (s[i] !== (ref[i]! >= 0.5 ? 1 : 0)) mismatches++;
      positives += s[i]!;
    }
    expect(mismatches).toBe(0);
    expect(positives).toBeGreaterThan(1000);
    await m.dispose();
  });

  it("spec.output='output_label' picks the label of the ZipMap model (no bypass needed)", async () => {
    const m = await loadModel({ file: zipmapModel.file, displayPath: 'm.onnx', spec: spec({ output: 'output_label' }) });
    expect(m.info.outputKind).toBe('label');
    expect(m.info.zipMapBypassed).toBe(false);
    const s = await m.score(await inputFor(zipmapModel, 500));
    const ref = referenceScores(zipmapModel);
    expect(Array.from(s)).toEqual(Array.from(ref.subarray(0, 500), (v) => (v >= 0.5 ? 1 : 0)));
    await m.dispose();
  });

  it('[N,1] sigmoid output (german-credit mlp_torch): kind probability, index 0', async () => {
    const fm = fixtureModel('german-credit', 'mlp_torch');
    const m = await loadModel({ file: fm.file, displayPath: 'mlp.onnx', spec: spec() });
    expect(m.info.outputKind).toBe('probability');
    expect(m.info.scoreOutput).toBe('probability');
    expect(m.info.positiveIndex).toBe(0);
    expect(maxAbsDiff(await m.score(await inputFor(fm)), referenceScores(fm))).toBeLessThanOrEqual(1e-6);
    await m.dispose();
    const e = await rejection(loadModel({ file: fm.file, displayPath: 'mlp.onnx', spec: spec({ positive_index: 1 }) }));
    expect(e.oneLine()).toBe("mlp.onnx: model.positive_index is 1 but output 'probability' has one column (P(positive)): use 0 or leave it out");
  });

  it('positive_index 0 on a [N,2] output reads column 0 (= 1 - P(positive))', async () => {
    const fm = fixtureModel('adult', 'gbt_onehot');
    const m = await loadModel({ file: fm.file, displayPath: 'gbt.onnx', spec: spec({ positive_index: 0 }) });
    const s = await m.score(await inputFor(fm, 300));
    const ref = referenceScores(fm).subarray(0, 300);
    expect(maxAbsDiff(s, Array.from(ref, (p) => 1 - p))).toBeLessThanOrEqual(1e-6);
    await m.dispose();
  });

  it('unknown model.output: UserError listing the outputs, at the policy line when locate is given', async () => {
    const fm = fixtureModel('adult', 'logreg_pipeline_nozipmap');
    const e = await rejection(
      loadModel({
        file: fm.file,
        displayPath: 'models/credit.onnx',
        spec: spec({ output: 'proba' }),
        locate: (p) => ({ file: '.github/model-policy.yml', line: p.join('.') === 'model.output' ? 7 : 1, column: 11 }),
      }),
    );
    expect(e.oneLine()).toBe(
      ".github/model-policy.yml:7:11: model.output 'proba' is not an output of the model; its outputs are: label (int64 [?]), probabilities (float32 [?,2])",
    );
  });

  it('multi-class [N,3] output: positive_index required, then that column is the score', async () => {
    const file = tinyModel('three_class', { opType: 'Identity' }, [{ name: 'x', elemType: FLOAT, shape: ['N', 3] }], [
      { name: 'probabilities', elemType: FLOAT, shape: ['N', 3] },
    ]);
    const e = await rejection(loadModel({ file, displayPath: 'three.onnx', spec: spec() }));
    expect(e.message).toBe("output 'probabilities' has 3 classes: set model.positive_index to the column of the positive class (0..2)");
    const m = await loadModel({ file, displayPath: 'three.onnx', spec: spec({ positive_index: 2 }) });
    const s = await m.score(matrix(2, 3, [0.2, 0.3, 0.5, 0.1, 0.1, 0.8]));
    expect(Array.from(s)).toEqual([0.5, 0.800000011920929]);
    expect(m.info.notes.join(' ')).toMatch(/3-class model: positive class is column 2/);
    await m.dispose();
  });

  it('logits or NaN from a probability output: UserError naming the fix', async () => {
    const file = tinyModel('logit', { opType: 'Identity' }, [{ name: 'x', elemType: FLOAT, shape: ['N', 1] }], [
      { name: 'score', elemType: FLOAT, shape: ['N', 1] },
    ]);
    const m = await loadModel({ file, displayPath: 'logit.onnx', spec: spec() });
    expect(Array.from(await m.score(matrix(3, 1, [0, 0.25, 1])))).toEqual([0, 0.25, 1]);
    let e = await rejection(m.score(matrix(3, 1, [0.5, 2.5, 0.1])));
    expect(e.oneLine()).toBe(
      "logit.onnx: output 'score' gave 2.5 for row 1, not a probability in [0, 1] (logits or a raw score?): pick a probability output with model.output, or add a Sigmoid/Softmax at the end of the model",
    );
    e = await rejection(m.score(matrix(2, 1, [0.5, Number.NaN])));
    expect(e.message).toMatch(/^output 'score' is NaN for row 1/);
    await m.dispose();
  });

  it('float64 [N] output and float64 matrix input work', async () => {
    const file = tinyModel('double', { opType: 'Flatten', attribute: [{ name: 'axis', type: 2, i: 0 }] }, [{ name: 'x', elemType: DOUBLE, shape: ['N', 1] }], [
      { name: 'p', elemType: DOUBLE, shape: [1, 'N'] },
    ]);
    // Flatten(axis=0) gives [1, N]: not a score shape for N rows -> caught at run time
    const m = await loadModel({ file, displayPath: 'd.onnx', spec: spec() });
    const e = await rejection(m.score(matrix(2, 1, [0.25, 0.75])));
    expect(e.message).toMatch(/came back with shape \[1,2\] for 2 rows/);
    await m.dispose();
    const file2 = tinyModel('double2', { opType: 'Identity' }, [{ name: 'x', elemType: DOUBLE, shape: ['N'] }], [
      { name: 'p', elemType: DOUBLE, shape: ['N'] },
    ]);
    const m2 = await loadModel({ file: file2, displayPath: 'd2.onnx', spec: spec() });
    expect(m2.info.outputKind).toBe('probability');
    const s = await m2.score({ kind: 'columns', rows: 2, tensors: { x: { type: 'float64', data: Float64Array.from([0.25, 0.75]) } }, sourceColumns: { x: 'x' } });
    expect(Array.from(s)).toEqual([0.25, 0.75]);
    await m2.dispose();
  });

  it('int64, int32 and string per-column inputs reach the model as [N,1] tensors', async () => {
    const cases = [
      { elemType: INT64, data: { type: 'int64' as const, data: BigInt64Array.from([0n, 1n, 1n]) } },
      { elemType: INT32, data: { type: 'int32' as const, data: Int32Array.from([1, 0, 1]) } },
      { elemType: STRING, data: { type: 'string' as const, data: ['0.25', '1', '0'] } },
    ];
    for (const c of cases) {
      const file = tinyModel(`cast_${c.elemType}`, { opType: 'Cast', attribute: [{ name: 'to', type: 2, i: FLOAT }] }, [{ name: 'v', elemType: c.elemType, shape: ['N', 1] }], [
        { name: 'probability', elemType: FLOAT, shape: ['N', 1] },
      ]);
      const m = await loadModel({ file, displayPath: 'cast.onnx', spec: spec({ batch_size: 2 }) });
      const s = await m.score({ kind: 'columns', rows: 3, tensors: { v: c.data }, sourceColumns: { v: 'v' } });
      expect(Array.from(s)).toEqual(Array.from(c.data.data as ArrayLike<unknown>, (v) => Number(v)));
      expect(m.queries).toBe(3);
      await m.dispose();
    }
  });
});
