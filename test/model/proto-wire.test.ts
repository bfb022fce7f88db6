import { describe, expect, it } from 'vitest';
import { concatBytes, lengthDelimited, listFields } from '../../src/model/proto-wire.js';

describe('proto-wire', () => {
  it('lists fields of every wire type with their byte ranges', () => {
    // field 1 varint 300, field 2 bytes "hi", field 3 fixed64, field 4 fixed32
    const msg = Uint8Array.from([0x08, 0xac, 0x02, 0x12, 0x02, 0x68, 0x69, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x25, 9, 9, 9, 9]);
    expect(listFields(msg)).toEqual([
      { field: 1, wireType: 0, start: 0, end: 3, payloadStart: 0, payloadEnd: 3 },
      { field: 2, wireType: 2, start: 3, end: 7, payloadStart: 5, payloadEnd: 7 },
      { field: 3, wireType: 1, start: 7, end: 16, payloadStart: 7, payloadEnd: 16 },
      { field: 4, wireType: 5, start: 16, end: 21, payloadStart: 16, payloadEnd: 21 },
    ]);
  });

  it('rejects truncated and malformed messages', () => {
    expect(() => listFields(Uint8Array.from([0x12, 0x05, 0x68]))).toThrow(/runs past the end/);
    expect(() => listFields(Uint8Array.from([0x08, 0x80]))).toThrow(/truncated varint/);
    expect(() => listFields(Uint8Array.from([0x0b]))).toThrow(/unsupported wire type 3/);
    expect(() => listFields(Uint8Array.from([0x00]))).toThrow(/field number 0/);
  });

  it('builds length-delimited fields with multi-byte lengths', () => {
    const payload = new Uint8Array(300).fill(7);
    const f = lengthDelimited(7, payload);
    expect(Array.from(f.subarray(0, 3))).toEqual([0x3a, 0xac, 0x02]);
    const [parsed] = listFields(concatBytes([f]));
    expect(parsed).toEqual({ field: 7, wireType: 2, start: 0, end: 303, payloadStart: 3, payloadEnd: 303 });
  });
});
