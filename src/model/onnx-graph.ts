/**
 * Read (and, rarely, write) the ONNX ModelProto of a model file: the graph's inputs, outputs, nodes, node attributes and
 * initializers, without a runtime. Built on the `onnx-proto` package (protobufjs 6 static classes for ONNX 1.10).
 *
 * Used by the model loader (signature, ZipMap detection) and by the explainability checks (e.g. the attributes of a
 * `TreeEnsembleClassifier` node: `nodeAttribute(node, 'nodes_values')` etc.).
 *
 * Notes on the decoded objects:
 * - 64-bit integers (`AttributeProto.i`, `ints`, `TensorProto.dims`, ...) come back as `number` or as a `Long`
 *   object depending on whether protobufjs found the `long` package; always read them through `int64ToNumber`.
 * - Strings inside attributes and string tensors are UTF-8 bytes; `nodeAttribute` decodes them.
 * - Fields newer than ONNX 1.10 are dropped by decode; `encodeModel(decodeModel(b))` may therefore lose e.g. node
 *   metadata. The ZipMap rewrite (zipmap.ts) splices bytes instead, so it keeps every field.
 */
import onnxProto from 'onnx-proto';
import type { onnx as O } from 'onnx-proto';
import type { ModelInputSignature } from './types.js';

/** The protobufjs static classes (onnx.ModelProto.decode, onnx.AttributeProto.AttributeType, ...). */
export const onnx = onnxProto.onnx;
export type ModelProto = O.ModelProto;
export type GraphProto = O.IGraphProto;
export type NodeProto = O.INodeProto;
export type AttributeProto = O.IAttributeProto;
export type ValueInfoProto = O.IValueInfoProto;
export type TensorProto = O.ITensorProto;
export type TypeProto = O.ITypeProto;

/** An int64 as protobufjs hands it out: a number, or a Long when the `long` package is present. */
export type Int64Like = number | { toNumber(): number } | { low: number; high: number } | null | undefined;

/** ONNX TensorProto.DataType -> the element type names onnxruntime uses. */
const ELEM_TYPE_NAMES: Record<number, string> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  8: 'string',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  14: 'complex64',
  15: 'complex128',
  16: 'bfloat16',
};

/** Element type code for a float32 tensor (TensorProto.DataType.FLOAT). */
export const ELEM_TYPE_FLOAT = 1;

const utf8 = new TextDecoder('utf-8');

/** Decode ModelProto bytes. Throws (protobufjs error) when the bytes are not a protobuf message of that shape. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  return onnx.ModelProto.decode(bytes);
}

/** Encode a ModelProto (or a plain object of the same shape) to bytes. */
export function encodeModel(proto: O.IModelProto): Uint8Array {
  return onnx.ModelProto.encode(proto).finish();
}

/** A protobufjs int64 (number or Long) as a JS number (exact up to 2^53). */
export function int64ToNumber(value: Int64Like): number {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'number') return value;
  if ('toNumber' in value) return value.toNumber();
  return value.high * 4294967296 + (value.low >>> 0);
}

/** Element type name ('float32', 'int64', 'string', ...) of an ONNX data type code; 'unknown(<code>)' otherwise. */
export function elemTypeName(code: number | null | undefined): string {
  return ELEM_TYPE_NAMES[code ?? 0] ?? `unknown(${code ?? 0})`;
}

/** Human-readable type of a ValueInfo: 'float32' for tensors, 'seq(map(int64,float32))' for ZipMap outputs, ... */
export function typeName(type: TypeProto | null | undefined): string {
  if (!type) return 'unknown';
  if (type.tensorType) return elemTypeName(type.tensorType.elemType);
  if (type.sequenceType) return `seq(${typeName(type.sequenceType.elemType)})`;
  if (type.mapType) return `map(${elemTypeName(type.mapType.keyType)},${typeName(type.mapType.valueType)})`;
  if (type.optionalType) return `optional(${typeName(type.optionalType.elemType)})`;
  if (type.sparseTensorType) return `sparse(${elemTypeName(type.sparseTensorType.elemType)})`;
  return 'unknown';
}

/** True when the ValueInfo is a plain tensor (what onnxruntime-node can return). */
export function isTensorType(type: TypeProto | null | undefined): boolean {
  return Boolean(type?.tensorType);
}

/** Shape of a tensor ValueInfo: numbers for fixed dims, the dim_param name for symbolic ones, null when unknown. */
export function tensorShape(type: TypeProto | null | undefined): Array<number | string | null> {
  const dims = type?.tensorType?.shape?.dim;
  if (!dims) return [];
  return dims.map((d) => {
    if (d.dimParam) return d.dimParam;
    if (d.dimValue !== null && d.dimValue !== undefined) {
      const v = int64ToNumber(d.dimValue as Int64Like);
      return v > 0 ? v : null;
    }
    return null;
  });
}

/** Name, type and shape of a graph input or output. */
export function valueInfoSignature(vi: ValueInfoProto): ModelInputSignature {
  return { name: vi.name ?? '', type: typeName(vi.type), shape: tensorShape(vi.type) };
}

/** Graph inputs the caller must feed (old IR versions also list initializers as inputs; those are left out). */
export function graphFeedInputs(graph: GraphProto): ValueInfoProto[] {
  const initialized = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
  return (graph.input ?? []).filter((vi) => !initialized.has(vi.name ?? ''));
}

/** Every operator used in the graph as 'domain:op_type' ('ai.onnx' for the default domain), sorted, unique. */
export function graphOperators(graph: GraphProto): string[] {
  const ops = new Set<string>();
  for (const node of graph.node ?? []) ops.add(`${node.domain || 'ai.onnx'}:${node.opType ?? ''}`);
  return [...ops].sort();
}

/** Nodes of a given op type (and domain, when given: '' and 'ai.onnx' are the same default domain). */
export function findNodes(graph: GraphProto, opType: string, domain?: string): NodeProto[] {
  const norm = (d: string | null | undefined): string => (!d || d === 'ai.onnx' ? '' : d);
  return (graph.node ?? []).filter(
    (n) => n.opType === opType && (domain === undefined || norm(n.domain) === norm(domain)),
  );
}

/** The raw AttributeProto of a node by name, or undefined. */
export function findAttribute(node: NodeProto, name: string): AttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

/** A decoded attribute value: what `nodeAttribute` returns. */
export type AttributeValue = number | string | number[] | string[] | TensorProto | GraphProto | undefined;

/**
 * Value of a node attribute by name, decoded by its declared type: FLOAT/INT -> number, STRING -> string,
 * FLOATS/INTS -> number[], STRINGS -> string[], TENSOR -> TensorProto, GRAPH -> GraphProto; undefined when absent.
 */
export function nodeAttribute(node: NodeProto, name: string): AttributeValue {
  const a = findAttribute(node, name);
  if (!a) return undefined;
  const T = onnx.AttributeProto.AttributeType;
  switch (a.type) {
    case T.FLOAT:
      return a.f ?? 0;
    case T.INT:
      return int64ToNumber(a.i as Int64Like);
    case T.STRING:
      return a.s ? utf8.decode(a.s) : '';
    case T.FLOATS:
      return a.floats ?? [];
    case T.INTS:
      return (a.ints ?? []).map((v) => int64ToNumber(v as Int64Like));
    case T.STRINGS:
      return (a.strings ?? []).map((s) => utf8.decode(s));
    case T.TENSOR:
      return a.t ?? undefined;
    case T.GRAPH:
      return a.g ?? undefined;
    default:
      return undefined;
  }
}

/** Numeric list attribute (INTS or FLOATS) or undefined; throws if the attribute has another type. */
export function numberListAttribute(node: NodeProto, name: string): number[] | undefined {
  const v = nodeAttribute(node, name);
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'number')) return v as number[];
  throw new Error(`attribute ${name} of node ${node.name ?? node.opType} is not a list of numbers`);
}

/** String list attribute (STRINGS) or undefined; throws if the attribute has another type. */
export function stringListAttribute(node: NodeProto, name: string): string[] | undefined {
  const v = nodeAttribute(node, name);
  if (v === undefined) return undefined;
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  throw new Error(`attribute ${name} of node ${node.name ?? node.opType} is not a list of strings`);
}

/**
 * The values of a float/double/int32/int64 TensorProto (an initializer, or a TENSOR attribute) as a Float64Array,
 * from raw_data (little-endian) or the typed repeated fields. Throws for other types and for external data.
 */
export function tensorValues(t: TensorProto): Float64Array {
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    throw new Error(`tensor ${t.name ?? ''} keeps its data in an external file`);
  }
  const type = t.dataType ?? 0;
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (raw) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const read: Record<number, [number, (o: number) => number]> = {
      1: [4, (o) => view.getFloat32(o, true)],
      11: [8, (o) => view.getFloat64(o, true)],
      6: [4, (o) => view.getInt32(o, true)],
      7: [8, (o) => Number(view.getBigInt64(o, true))],
    };
    const r = read[type];
    if (!r) throw new Error(`tensor ${t.name ?? ''}: unsupported data type ${elemTypeName(type)}`);
    const [size, get] = r;
    const out = new Float64Array(raw.byteLength / size);
    for (let i = 0; i < out.length; i++) out[i] = get(i * size);
    return out;
  }
  switch (type) {
    case 1:
      return Float64Array.from(t.floatData ?? []);
    case 11:
      return Float64Array.from(t.doubleData ?? []);
    case 6:
      return Float64Array.from(t.int32Data ?? []);
    case 7:
      return Float64Array.from((t.int64Data ?? []).map((v) => int64ToNumber(v as Int64Like)));
    default:
      throw new Error(`tensor ${t.name ?? ''}: unsupported data type ${elemTypeName(type)}`);
  }
}

/** Dims of a TensorProto as numbers. */
export function tensorDims(t: TensorProto): number[] {
  return (t.dims ?? []).map((d) => int64ToNumber(d as Int64Like));
}

/** Producer as 'name version' (e.g. 'skl2onnx 1.14.1'), or '' when the file does not say. */
export function producerOf(model: ModelProto): string {
  return [model.producerName, model.producerVersion].filter((s) => s).join(' ');
}

/** Opset imports as { domain: version } ('ai.onnx' for the default domain). */
export function opsetImports(model: ModelProto): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of model.opsetImport ?? []) out[o.domain || 'ai.onnx'] = int64ToNumber(o.version as Int64Like);
  return out;
}
