import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeModel, findNodes, valueInfoSignature } from '../../src/model/onnx-graph.js';
import { listFields } from '../../src/model/proto-wire.js';
import { loadModel } from '../../src/model/session.js';
import { bypassZipMaps, findBypassableZipMaps } from '../../src/model/zipmap.js';
import { fixtureModel, inputFor, maxAbsDiff, referenceScores, spec } from './fixtures.js';

const zipmapModel = fixtureModel('adult', 'logreg_pipeline');
const plainModel = fixtureModel('adult', 'logreg_pipeline_nozipmap');

describe('ZipMap bypass', () => {
  it('finds the skl2onnx ZipMap and the tensor that feeds it', () => {
    const proto = decodeModel(readFileSync(zipmapModel.file));
    expect(findBypassableZipMaps(proto.graph!)).toEqual([
      { zipMapOutput: 'output_probability', tensor: 'probabilities', classes: [0, 1] },
    ]);
  });

  it('rewrites the graph: ZipMap gone, its input a float [?,2] output, every other byte kept', () => {
    const bytes = new Uint8Array(readFileSync(zipmapModel.file));
    const proto = decodeModel(bytes);
    const { bytes: out, bypassed } = bypassZipMaps(bytes, proto);
    expect(bypassed).toHaveLength(1);
    const rewritten = decodeModel(out);
    expect(findNodes(rewritten.graph!, 'ZipMap')).toHaveLength(0);
    expect(rewritten.graph!.node!.length).toBe(proto.graph!.node!.length - 1);
    expect(rewritten.graph!.output!.map(valueInfoSignature)).toEqual([
      { name: 'output_label', type: 'int64', shape: [null] },
      { name: 'probabilities', type: 'float32', shape: [null, 2] },
    ]);
    expect(rewritten.graph!.initializer!.length).toBe(proto.graph!.initializer!.length);
    // the model-level fields other than the graph are byte-identical
    const before = listFields(bytes).filter((f) => f.field !== 7).map((f) => Buffer.from(bytes.subarray(f.start, f.end)).toString('hex'));
    const after = listFields(out).filter((f) => f.field !== 7).map((f) => Buffer.from(out.subarray(f.start, f.end)).toString('hex'));
    expect(after).toEqual(before);
    expect(out.length).toBeLessThan(bytes.length);
  });

  it('leaves a model without ZipMap untouched (same bytes object)', () => {
    const bytes = new Uint8Array(readFileSync(plainModel.file));
    const r = bypassZipMaps(bytes, decodeModel(bytes));
    expect(r.bypassed).toEqual([]);
    expect(r.bytes).toBe(bytes);
  });

  it('scores the ZipMap export like the zipmap=False export and the predictions CSV (1e-6)', async () => {
    const withZip = await loadModel({ file: zipmapModel.file, displayPath: 'logreg_pipeline.onnx', spec: spec() });
    const without = await loadModel({ file: plainModel.file, displayPath: 'logreg_pipeline_nozipmap.onnx', spec: spec() });
    const input = await inputFor(zipmapModel);
    const a = await withZip.score(input);
    const b = await without.score(input);
    expect(maxAbsDiff(a, b)).toBeLessThanOrEqual(1e-6);
    expect(maxAbsDiff(a, referenceScores(zipmapModel))).toBeLessThanOrEqual(1e-6);
    expect(withZip.info.zipMapBypassed).toBe(true);
    expect(withZip.info.scoreOutput).toBe('output_probability');
    expect(withZip.info.outputKind).toBe('probabilities');
    expect(withZip.info.positiveIndex).toBe(1);
    expect(withZip.info.outputs).toEqual([
      { name: 'output_label', type: 'int64', shape: [null] },
      { name: 'output_probability', type: 'seq(map(int64,float32))', shape: [] },
    ]);
    expect(withZip.info.notes.join('\n')).toMatch(/ZipMap.*'probabilities'/);
    expect(without.info.zipMapBypassed).toBe(false);
    expect(without.info.scoreOutput).toBe('probabilities');
    await withZip.dispose();
    await without.dispose();
  });

  it('accepts the ZipMap output or the tensor behind it as model.output', async () => {
    for (const output of ['output_probability', 'probabilities']) {
      const m = await loadModel({ file: zipmapModel.file, displayPath: 'm.onnx', spec: spec({ output }) });
      expect(m.info.zipMapBypassed).toBe(true);
      const s = await m.score(await inputFor(zipmapModel, 200));
      expect(maxAbsDiff(s, referenceScores(zipmapModel).subarray(0, 200))).toBeLessThanOrEqual(1e-6);
      await m.dispose();
    }
  });
});
