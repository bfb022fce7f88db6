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
