/**
 * A small ONNX graph builder: nodes, initializers (float64 / int64 / string), inputs and outputs, encoded with the
 * project's onnx-proto classes. Doubles and int64s go in raw_data (little-endian), so no precision is lost.
 */
import type { onnx as O } from 'onnx-proto';
import { encodeModel } from '../onnx-graph.js';

export const T_FLOAT = 1;
export const T_INT64 = 7;
export const T_STRING = 8;
export const T_BOOL = 9;
export const T_DOUBLE = 11;

export type AttrValue =
  | { i: number }
  | { f: number }
  | { s: string }
  | { ints: number[] }
  | { floats: number[] }
  | { strings: string[] }
  | { t: O.ITensorProto };

const enc = new TextEncoder();

export function doubleTensor(name: string, values: ArrayLike<number>, dims: number[]): O.ITensorProto {
  const data = Float64Array.from(values as ArrayLike<number>);
  return { name, dataType: T_DOUBLE, dims, rawData: new Uint8Array(data.buffer) };
}
export function int64Tensor(name: string, values: ArrayLike<number>, dims: number[]): O.ITensorProto {
  const data = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) data[i] = BigInt(values[i]);
  return { name, dataType: T_INT64, dims, rawData: new Uint8Array(data.buffer) };
}
export function uint8Tensor(name: string, values: ArrayLike<number>): O.ITensorProto {
  return { name, dataType: 2, dims: [values.length], rawData: Uint8Array.from(values as ArrayLike<number>) };
}
export function stringTensor(name: string, values: string[], dims: number[]): O.ITensorProto {
  return { name, dataType: T_STRING, dims, stringData: values.map((s) => enc.encode(s)) };
}

function attribute(name: string, v: AttrValue): O.IAttributeProto {
  if ('i' in v) return { name, type: 2, i: v.i };
  if ('f' in v) return { name, type: 1, f: v.f };
  if ('s' in v) return { name, type: 3, s: enc.encode(v.s) };
  if ('ints' in v) return { name, type: 7, ints: v.ints };
  if ('floats' in v) return { name, type: 6, floats: v.floats };
  if ('strings' in v) return { name, type: 8, strings: v.strings.map((s) => enc.encode(s)) };
  return { name, type: 4, t: v.t };
}

export class GraphBuilder {
  readonly nodes: O.INodeProto[] = [];
  readonly initializers: O.ITensorProto[] = [];
  readonly inputs: O.IValueInfoProto[] = [];
  readonly outputs: O.IValueInfoProto[] = [];
  private counter = 0;
  private readonly used = new Set<string>();

  fresh(prefix: string): string {
    const base = prefix.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 40) || 't';
    let name: string;
    do name = `${base}_${this.counter++}`;
    while (this.used.has(name));
    this.used.add(name);
    return name;
  }

  reserve(name: string): void {
    this.used.add(name);
  }

  constDouble(values: ArrayLike<number>, dims: number[], prefix = 'c'): string {
    const name = this.fresh(prefix);
    this.initializers.push(doubleTensor(name, values, dims));
    return name;
  }
  constInt64(values: ArrayLike<number>, dims: number[], prefix = 'c'): string {
    const name = this.fresh(prefix);
    this.initializers.push(int64Tensor(name, values, dims));
    return name;
  }
  constString(values: string[], dims: number[], prefix = 'c'): string {
    const name = this.fresh(prefix);
    this.initializers.push(stringTensor(name, values, dims));
    return name;
  }

  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, opts: { domain?: string; outputs?: number; prefix?: string; names?: string[] } = {}): string[] {
    const outs = opts.names ?? Array.from({ length: opts.outputs ?? 1 }, () => this.fresh(opts.prefix ?? op.toLowerCase()));
    for (const o of outs) this.used.add(o);
    this.nodes.push({
      opType: op,
      domain: opts.domain ?? '',
      name: this.fresh(`n_${op}`),
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }
  /** One-output node. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.node(op, inputs, attrs, { domain })[0];
  }

  input(name: string, elemType: number, dims: Array<number | string>): void {
    this.used.add(name);
    this.inputs.push(valueInfo(name, elemType, dims));
  }
  output(name: string, elemType: number, dims: Array<number | string>): void {
    this.outputs.push(valueInfo(name, elemType, dims));
  }

  build(opts: { producer: string; docString?: string; mlOpset?: number; graphName?: string; metadata?: Record<string, string> }): Uint8Array {
    const model: O.IModelProto = {
      irVersion: 10,
      producerName: opts.producer,
      producerVersion: '1',
      docString: opts.docString ?? '',
      opsetImport: [
        { domain: '', version: 21 },
        { domain: 'ai.onnx.ml', version: opts.mlOpset ?? 5 },
      ],
      metadataProps: Object.entries(opts.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: {
        name: opts.graphName ?? 'translated',
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      },
    };
    return encodeModel(model);
  }
}

function valueInfo(name: string, elemType: number, dims: Array<number | string>): O.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}
