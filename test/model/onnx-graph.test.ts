import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  decodeModel,
  encodeModel,
  findNodes,
  graphFeedInputs,
  graphOperators,
  nodeAttribute,
  onnx,
  numberListAttribute,
  stringListAttribute,
  tensorDims,
  tensorValues,
} from '../../src/model/onnx-graph.js';
import { inspectModel } from '../../src/model/session.js';
import { fixtureModel } from './fixtures.js';

describe('onnx-graph', () => {
  it('reads TreeEnsembleClassifier attributes (for TreeSHAP)', () => {
    const proto = decodeModel(readFileSync(fixtureModel('adult', 'gbt_onehot').file));
    const [tree] = findNodes(proto.graph!, 'TreeEnsembleClassifier', 'ai.onnx.ml');
    expect(tree).toBeDefined();
    expect(nodeAttribute(tree!, 'post_transform')).toBe('LOGISTIC');
    expect(numberListAttribute(tree!, 'classlabels_int64s')).toEqual([0, 1]);
    expect(numberListAttribute(tree!, 'base_values')![0]).toBeCloseTo(-1.1482462882995605, 12);
    const values = numberListAttribute(tree!, 'nodes_values')!;
    expect(values).toHaveLength(1484);
    expect(values.slice(0, 3)).toEqual([0.5, 7073.5, 12.5]);
    expect(numberListAttribute(tree!, 'nodes_featureids')!.slice(0, 3)).toEqual([33, 3, 2]);
    expect(new Set(stringListAttribute(tree!, 'nodes_modes'))).toEqual(new Set(['BRANCH_LEQ', 'LEAF']));
    expect(numberListAttribute(tree!, 'class_weights')).toHaveLength(792);
    expect(nodeAttribute(tree!, 'no_such_attribute')).toBeUndefined();
    expect(() => stringListAttribute(tree!, 'nodes_values')).toThrow(/not a list of strings/);
  });

  it('reads initializers (mlp_torch weights)', () => {
    const proto = decodeModel(readFileSync(fixtureModel('adult', 'mlp_torch').file));
    const w = proto.graph!.initializer!.find((t) => t.name === 'net.0.weight')!;
    expect(tensorDims(w)).toEqual([32, 108]);
    const v = tensorValues(w);
    expect(v).toHaveLength(32 * 108);
    expect(v[0]).toBeCloseTo(0.144133061170578, 12);
    expect(graphOperators(proto.graph!)).toEqual(['ai.onnx:Div', 'ai.onnx:Gemm', 'ai.onnx:Relu', 'ai.onnx:Softmax', 'ai.onnx:Sub']);
    expect(graphFeedInputs(proto.graph!).map((i) => i.name)).toEqual(['features']);
  });

  it('encode(decode(bytes)) round-trips a model (same decoded content)', () => {
    for (const [ds, name] of [
      ['adult', 'logreg_pipeline'],
      ['adult', 'gbt_onehot'],
      ['german-credit', 'mlp_torch'],
    ] as const) {
      const bytes = new Uint8Array(readFileSync(fixtureModel(ds, name).file));
      const once = decodeModel(bytes);
      const twice = decodeModel(encodeModel(once));
      expect(onnx.ModelProto.toObject(twice, { longs: String, bytes: String })).toEqual(onnx.ModelProto.toObject(once, { longs: String, bytes: String }));
      expect(twice.graph!.node!.length).toBeGreaterThan(0);
    }
  });

  it('inspectModel gives the signature without scoring', async () => {
    const fm = fixtureModel('adult', 'logreg_pipeline');
    const sig = await inspectModel(fm.file, { displayPath: 'models/logreg.onnx' });
    expect(sig.file).toBe('models/logreg.onnx');
    expect(sig.sha256).toBe(createHash('sha256').update(readFileSync(fm.file)).digest('hex'));
    expect(sig.bytes).toBe(4649);
    expect(sig.producer).toBe('skl2onnx 1.14.1');
    expect(sig.irVersion).toBe(8);
    expect(sig.opsets).toEqual({ 'ai.onnx': 11, 'ai.onnx.ml': 1 });
    expect(sig.operators).toContain('ai.onnx.ml:ZipMap');
    expect(sig.inputs).toHaveLength(14);
    expect(sig.inputs[0]).toEqual({ name: 'workclass', type: 'string', shape: [null, 1] });
    expect(sig.inputs.find((i) => i.name === 'age')).toEqual({ name: 'age', type: 'float32', shape: [null, 1] });
    expect(sig.zipMaps).toEqual([{ zipMapOutput: 'output_probability', tensor: 'probabilities', classes: [0, 1] }]);
    expect(sig.classes).toEqual([0, 1]);
    expect(sig.defaultScore).toEqual({ output: 'output_probability', kind: 'probabilities', positiveIndex: 1 });
    const mlp = await inspectModel(fixtureModel('german-credit', 'mlp_torch').file);
    expect(mlp.inputs).toEqual([{ name: 'features', type: 'float32', shape: ['N', 61] }]);
    expect(mlp.defaultScore).toEqual({ output: 'probability', kind: 'probability', positiveIndex: 0 });
  });
});
