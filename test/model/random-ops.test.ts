/**
 * A model that draws random numbers (RandomUniformLike, RandomNormal, Bernoulli, Dropout in training mode), in its
 * graph or in a Loop/If body, is refused when it is loaded: its scores change from one call to the next, so no check
 * could be reproduced (same inputs and seed -> same report) and attacks and certificates would mean nothing. Dropout in
 * inference (no training_mode, or an initializer holding false) is the identity and is accepted.
 */
import { describe, expect, it } from 'vitest';
import type { onnx as O } from 'onnx-proto';
import { encodeModel } from '../../src/model/onnx-graph.js';
import { parseModel } from '../../src/model/signature.js';
import { UserError } from '../../src/util/errors.js';
import { valueInfo } from '../hostile/kit.js';

type Node = O.INodeProto;

function model(extra: Node[], out: string, inits: O.ITensorProto[] = [], inputs: O.IValueInfoProto[] = []): Uint8Array {
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [{ opType: 'MatMul', input: ['x', 'w'], output: ['z'], name: 'mm' }, ...extra, { opType: 'Sigmoid', input: [out], output: ['prob'], name: 's' }],
      initializer: [{ name: 'w', dataType: 1, dims: [2, 1], floatData: [1, -1] }, ...inits],
      input: [valueInfo('x', ['N', 2]), ...inputs],
      output: [valueInfo('prob', ['N', 1])],
    },
  });
}

function load(bytes: Uint8Array): string {
  try {
    parseModel(bytes, { file: 'model.onnx' });
    return '(loaded)';
  } catch (e) {
    if (e instanceof UserError) return e.oneLine();
    throw e;
  }
}

describe('random operators', () => {
  it('RandomUniformLike noise on the logit is refused, naming the operator and the fix', () => {
    const m = model([
      { opType: 'RandomUniformLike', input: ['z'], output: ['u'], name: 'r', attribute: [{ name: 'high', type: 1, f: 0.01 }, { name: 'low', type: 1, f: 0 }] },
      { opType: 'Add', input: ['z', 'u'], output: ['z2'], name: 'a' },
    ], 'z2');
    expect(load(m)).toBe(
      'model.onnx: the model draws random numbers (a RandomUniformLike node): its scores would change from one call to the next, so no check could be reproduced and attacks and certified bounds would mean nothing; export the model for inference, without random operators or Dropout in training mode',
    );
  });

  it('a dead random node (nothing reads it) cannot change a score: accepted', () => {
    const m = model([{ opType: 'RandomUniformLike', input: ['z'], output: ['unused'], name: 'r' }], 'z');
    expect(load(m)).toBe('(loaded)');
  });

  it('inside a Loop body too', () => {
    const body: O.IGraphProto = {
      name: 'body',
      node: [
        { opType: 'RandomNormal', output: ['n'], name: 'rn', attribute: [{ name: 'shape', type: 7, ints: [1] }] },
        { opType: 'Identity', input: ['cond_in'], output: ['cond_out'], name: 'id' },
      ],
      input: [valueInfo('i', [], 7), valueInfo('cond_in', [], 9)],
      output: [valueInfo('cond_out', [], 9), valueInfo('n', [1])],
    };
    const m = model([
      { opType: 'Loop', input: ['trip', 'cond'], output: ['scan'], name: 'loop', attribute: [{ name: 'body', type: 5, g: body }] },
      { opType: 'ReduceSum', input: ['scan'], output: ['ssum'], name: 'rs', attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
      { opType: 'Mul', input: ['ssum', 'zero'], output: ['s0'], name: 'mu' },
      { opType: 'Add', input: ['z', 's0'], output: ['z2'], name: 'ad' },
    ], 'z2', [
      { name: 'zero', dataType: 1, dims: [], floatData: [0] },
      { name: 'trip', dataType: 7, dims: [], int64Data: [1] },
      { name: 'cond', dataType: 9, dims: [], int32Data: [1] },
    ]);
    expect(load(m)).toMatch(/the model draws random numbers \(a RandomNormal node\)/);
  });

  it('Dropout: identity in inference (no training_mode, or a false initializer); random in training mode', () => {
    const drop = (inputs: string[]): Node[] => [{ opType: 'Dropout', input: inputs, output: ['d'], name: 'dr' }];
    expect(load(model(drop(['z']), 'd'))).toBe('(loaded)');
    expect(load(model(drop(['z', '', 'tm']), 'd', [{ name: 'tm', dataType: 9, dims: [], int32Data: [0] }]))).toBe('(loaded)');
    expect(load(model(drop(['z', '', 'tm']), 'd', [{ name: 'tm', dataType: 9, dims: [], rawData: new Uint8Array([1]) }]))).toMatch(/a Dropout \(training mode\) node/);
    expect(load(model(drop(['z', '', 'tm']), 'd', [], [valueInfo('tm', [], 9)]))).toMatch(/a Dropout \(training mode\) node/);
  });
});
