/**
 * Protobuf wire format, at the level of top-level fields of one message: list them with their byte ranges and
 * rebuild a message from kept/replaced ranges. Lets us edit one field of a big ONNX model (e.g. drop one node)
 * while every other byte, including fields this code does not know, stays exactly as it was.
 */

/** One field occurrence in a message: [start, end) covers tag + (length) + payload. */
export interface WireField {
  field: number;
  wireType: number;
  start: number;
  end: number;
  /** Payload range of a length-delimited field (wire type 2); equal to [start, end) otherwise. */
  payloadStart: number;
  payloadEnd: number;
}

function readVarint(bytes: Uint8Array, pos: number): [value: number, next: number] {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new Error('truncated varint');
    const b = bytes[pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) return [value, pos];
    scale *= 128;
  }
  throw new Error('varint longer than 10 bytes');
}

/** Fields of a message, in file order. Throws on malformed input (truncated, groups, bad wire type). */
export function listFields(bytes: Uint8Array): WireField[] {
  const out: WireField[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const start = pos;
    const [tag, afterTag] = readVarint(bytes, pos);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new Error(`invalid field number 0 at byte ${start}`);
    let payloadStart = afterTag;
    let end: number;
    switch (wireType) {
      case 0:
        end = readVarint(bytes, afterTag)[1];
        break;
      case 1:
        end = afterTag + 8;
        break;
      case 2: {
        const [len, afterLen] = readVarint(bytes, afterTag);
        payloadStart = afterLen;
        end = afterLen + len;
        break;
      }
      case 5:
        end = afterTag + 4;
        break;
      default:
        throw new Error(`unsupported wire type ${wireType} at byte ${start}`);
    }
    if (end > bytes.length) throw new Error(`field ${field} at byte ${start} runs past the end of the message`);
    out.push({ field, wireType, start, end, payloadStart: wireType === 2 ? payloadStart : start, payloadEnd: end });
    pos = end;
  }
  return out;
}

function encodeVarint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** Tag + length + payload of a length-delimited field. */
export function lengthDelimited(field: number, payload: Uint8Array): Uint8Array {
  const head = [...encodeVarint(field * 8 + 2), ...encodeVarint(payload.length)];
  const out = new Uint8Array(head.length + payload.length);
  out.set(head, 0);
  out.set(payload, head.length);
  return out;
}

/** Concatenate byte chunks. */
export function concatBytes(chunks: Uint8Array[]): Uint8Array {
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Size of an ONNX model as decoded objects, measured on the wire before decoding (issue #10: a 40 MB file of 20M empty
// nodes took 6.9 GB to decode). protobufjs makes one JS object per message and one JS number per repeated number, so
// these are what bound the memory a model file can cost, not its byte size.

type FieldKind = string | 'packed-varint' | 'packed-f32' | 'packed-f64';
/** message type -> field number -> submessage type or packed kind (the ONNX fields that can repeat at scale). */
const ONNX_WIRE_SCHEMA: Record<string, Record<number, FieldKind>> = {
  Model: { 7: 'Graph', 20: 'TrainingInfo', 25: 'Function' },
  TrainingInfo: { 1: 'Graph', 2: 'Graph' },
  Function: { 7: 'Node', 11: 'Attribute', 12: 'ValueInfo' },
  Graph: { 1: 'Node', 5: 'Tensor', 15: 'SparseTensor', 11: 'ValueInfo', 12: 'ValueInfo', 13: 'ValueInfo' },
  Node: { 5: 'Attribute' },
  Attribute: { 5: 'Tensor', 6: 'Graph', 7: 'packed-f32', 8: 'packed-varint', 10: 'Tensor', 11: 'Graph', 14: 'Type', 15: 'Type', 22: 'SparseTensor', 23: 'SparseTensor' },
  Tensor: { 1: 'packed-varint', 4: 'packed-f32', 5: 'packed-varint', 7: 'packed-varint', 10: 'packed-f64', 11: 'packed-varint' },
  SparseTensor: { 1: 'Tensor', 2: 'Tensor', 3: 'packed-varint' },
  ValueInfo: { 2: 'Type' },
  Type: { 1: 'TensorType', 4: 'Sequence', 5: 'Map', 8: 'TensorType', 9: 'Sequence' },
  TensorType: { 2: 'Shape' },
  Shape: {},
  Sequence: { 1: 'Type' },
  Map: { 2: 'Type' },
};

export interface WireCost {
  /** NodeProto messages, subgraphs and functions included. */
  nodes: number;
  /** Every length-delimited field (messages, strings, bytes): one JS object each once decoded. */
  objects: number;
  /** Fixed-width numbers (float/double elements, packed or not). */
  numbers: number;
  /** Varint numbers, packed or not (int32/int64/uint64 data, ints attributes, dims, scalars): costlier to decode. */
  varints: number;
  /** Deepest nesting of graphs (If/Loop bodies). */
  depth: number;
}

/**
 * Measured peak memory of decoding (node dist/cli.js, RSS over a small model): about 320 bytes per message or string,
 * 40 per float/double and 100 per varint element (3.9M empty attributes took 1.4 GB, 10M floats 0.48 GB, 10M int64
 * 1.0 GB). The estimate bounds decoding, whatever mix a file uses.
 */
export const DECODE_BYTES = { object: 320, number: 40, varint: 100 } as const;

/** Estimated bytes that decoding a model of this cost takes. */
export function estimatedDecodeBytes(c: Pick<WireCost, 'objects' | 'numbers' | 'varints'>): number {
  return c.objects * DECODE_BYTES.object + c.numbers * DECODE_BYTES.number + c.varints * DECODE_BYTES.varint;
}

export interface WireLimits {
  maxNodes: number;
  /** Bound on estimatedDecodeBytes. */
  maxDecodeBytes: number;
  maxDepth: number;
}

export const DEFAULT_WIRE_LIMITS: WireLimits = { maxNodes: 500_000, maxDecodeBytes: 768 * 1024 * 1024, maxDepth: 64 };

/** Thrown by measureOnnxWire when a limit is passed: `what` names it, for the user's message. */
export class WireLimitError extends Error {
  constructor(readonly what: string) {
    super(what);
  }
}

/**
 * Counts what decoding these ModelProto bytes would create, without allocating per field; stops (WireLimitError) as
 * soon as a limit is passed, and throws a plain Error on malformed wire data (the decoder would fail too).
 */
export function measureOnnxWire(bytes: Uint8Array, limits: WireLimits = DEFAULT_WIRE_LIMITS): WireCost {
  const cost: WireCost = { nodes: 0, objects: 0, numbers: 0, varints: 0, depth: 0 };
  const varint = (pos: number, end: number): [number, number] => {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (pos >= end) throw new Error('truncated varint');
      const b = bytes[pos++]!;
      value += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return [value, pos];
      scale *= 128;
    }
    throw new Error('varint longer than 10 bytes');
  };
  const check = (): void => {
    if (cost.nodes > limits.maxNodes) throw new WireLimitError(`more than ${limits.maxNodes.toLocaleString('en-US')} nodes`);
    if (estimatedDecodeBytes(cost) > limits.maxDecodeBytes) {
      const mb = (n: number): string => `${Math.round(n / (1024 * 1024)).toLocaleString('en-US')} MB`;
      throw new WireLimitError(
        `decoding it would take more than ${mb(limits.maxDecodeBytes)} of memory (${cost.objects.toLocaleString('en-US')} messages and strings, ${(cost.numbers + cost.varints).toLocaleString('en-US')} numbers so far)`,
      );
    }
  };
  // depth-first with an explicit stack of open messages (no recursion, and the stack holds only the nesting path)
  const stack: Array<{ type: string; pos: number; end: number; graphDepth: number }> = [{ type: 'Model', pos: 0, end: bytes.length, graphDepth: 0 }];
  let steps = 0;
  while (stack.length > 0) {
    const frame = stack[stack.length - 1]!;
    if (frame.pos >= frame.end) {
      stack.pop();
      continue;
    }
    if (stack.length > 4 * limits.maxDepth + 16) throw new WireLimitError(`messages nested too deeply`);
    const schema = ONNX_WIRE_SCHEMA[frame.type] ?? {};
    const pos = frame.pos;
    const [tag, afterTag] = varint(pos, frame.end);
    const field = Math.floor(tag / 8);
    const wireType = tag & 7;
    if (field === 0) throw new Error(`invalid field number 0 at byte ${pos}`);
    let next: number;
    let child: { type: string; pos: number; end: number; graphDepth: number } | undefined;
    if (wireType === 0) {
      next = varint(afterTag, frame.end)[1];
      cost.varints++;
    } else if (wireType === 1 || wireType === 5) {
      next = afterTag + (wireType === 1 ? 8 : 4);
      cost.numbers++;
    } else if (wireType === 2) {
      const [len, start] = varint(afterTag, frame.end);
      next = start + len;
      if (next > frame.end) throw new Error(`field ${field} at byte ${pos} runs past the end of its message`);
      const kind = schema[field];
      if (kind === 'packed-varint') {
        for (let i = start; i < next; i++) if ((bytes[i]! & 0x80) === 0) cost.varints++;
      } else if (kind === 'packed-f32') cost.numbers += Math.floor(len / 4);
      else if (kind === 'packed-f64') cost.numbers += Math.floor(len / 8);
      else {
        cost.objects++;
        if (kind !== undefined) {
          if (kind === 'Node') cost.nodes++;
          const graphDepth = frame.graphDepth + (kind === 'Graph' ? 1 : 0);
          if (graphDepth > limits.maxDepth) throw new WireLimitError(`graphs nested more than ${limits.maxDepth} levels deep`);
          cost.depth = Math.max(cost.depth, graphDepth);
          child = { type: kind, pos: start, end: next, graphDepth };
        }
      }
    } else {
      throw new Error(`unsupported wire type ${wireType} at byte ${pos}`);
    }
    if (next > frame.end) throw new Error(`field ${field} at byte ${pos} runs past the end of its message`);
    frame.pos = next;
    if (child) stack.push(child);
    if ((++steps & 0x3fff) === 0) check();
  }
  check();
  return cost;
}
