/**
 * numpy dtypes and arrays as plain data: build a dtype from its pickled (str, state), read array elements as numbers or
 * strings, read one field of a record array. Never trusts sizes: every accessor checks the bytes it reads.
 */
import { PickleRefusal } from './findings.js';
import { NdArray, PyDict, isTuple, type DType, type PyValue } from './values.js';

function bad(message: string, offset?: number): PickleRefusal {
  return new PickleRefusal({ severity: 'error', kind: 'malformed', message: `malformed numpy data: ${message}`, offset });
}

/** A dtype from numpy's type string ('f8', '<i8', 'O8', 'U5', 'V56', 'b1', ...). */
export function makeDType(s: string): DType {
  const m = /^([<>|=]?)([a-zA-Z?])(\d*)$/.exec(s);
  if (!m) throw bad(`dtype string ${s.slice(0, 20)}`);
  let kind = m[2];
  let n = m[3] === '' ? NaN : Number(m[3]);
  if (kind === '?') {
    kind = 'b';
    n = 1;
  }
  let itemsize: number;
  switch (kind) {
    case 'f':
    case 'i':
    case 'u':
    case 'b':
    case 'c':
      itemsize = Number.isNaN(n) ? 8 : n;
      break;
    case 'O':
      itemsize = 8;
      break;
    case 'U':
      itemsize = Number.isNaN(n) ? 0 : 4 * n;
      break;
    case 'S':
    case 'V':
      itemsize = Number.isNaN(n) ? 0 : n;
      break;
    case 'M':
    case 'm':
      itemsize = 8;
      break;
    default:
      throw bad(`dtype kind ${kind}`);
  }
  if (!(itemsize >= 0 && itemsize <= 1 << 20)) throw bad(`dtype size ${itemsize}`);
  const d: DType & { __dtype: true } = { kind, itemsize, byteOrder: m[1] || (itemsize <= 1 ? '|' : '<'), fields: null, str: s, __dtype: true };
  return d;
}

/** numpy dtype.__setstate__: (version, byteorder, subarray, names, fields, elsize, alignment, flags[, metadata]). */
export function dtypeFromState(d: DType, state: PyValue, at: number): DType {
  if (!Array.isArray(state) || state.length < 8) throw bad('dtype state', at);
  const byteOrder = state[1];
  if (typeof byteOrder === 'string') d.byteOrder = byteOrder;
  if (state[2] !== null && state[2] !== undefined) throw bad('sub-array dtypes are not read', at);
  const elsize = state[5];
  if (typeof elsize === 'number' && elsize > 0) d.itemsize = elsize;
  const names = state[3];
  const fields = state[4];
  if (Array.isArray(names) && fields instanceof PyDict) {
    const out: NonNullable<DType['fields']> = [];
    for (const name of names) {
      const f = fields.get(name);
      if (typeof name !== 'string' || !Array.isArray(f) || f.length < 2) throw bad(`record field ${String(name)}`, at);
      const fd = f[0] as unknown as DType;
      const offset = f[1];
      if (typeof offset !== 'number' || !fd || typeof fd !== 'object' || !('kind' in fd)) throw bad(`record field ${name}`, at);
      if (offset < 0 || offset + fd.itemsize > d.itemsize) throw bad(`record field ${name} outside the record`, at);
      out.push({ name, dtype: fd, offset });
    }
    d.fields = out;
  }
  return d;
}

function readNumber(dt: DType, bytes: Uint8Array, offset: number): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, dt.itemsize);
  const le = dt.byteOrder !== '>';
  switch (dt.kind) {
    case 'f':
      if (dt.itemsize === 8) return view.getFloat64(0, le);
      if (dt.itemsize === 4) return view.getFloat32(0, le);
      if (dt.itemsize === 2) return half(view.getUint16(0, le));
      break;
    case 'i':
      if (dt.itemsize === 8) return Number(view.getBigInt64(0, le));
      if (dt.itemsize === 4) return view.getInt32(0, le);
      if (dt.itemsize === 2) return view.getInt16(0, le);
      if (dt.itemsize === 1) return view.getInt8(0);
      break;
    case 'u':
      if (dt.itemsize === 8) return Number(view.getBigUint64(0, le));
      if (dt.itemsize === 4) return view.getUint32(0, le);
      if (dt.itemsize === 2) return view.getUint16(0, le);
      if (dt.itemsize === 1) return view.getUint8(0);
      break;
    case 'b':
      return view.getUint8(0) ? 1 : 0;
  }
  throw bad(`dtype ${dt.str} is not numeric`);
}

function half(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** A numpy scalar's value (numbers and bools), or undefined for other dtypes. */
export function decodeScalar(dt: DType, raw: Uint8Array): PyValue {
  if (raw.length !== dt.itemsize) throw bad(`scalar of ${raw.length} bytes for ${dt.str}`);
  if (dt.kind === 'b') return raw[0] !== 0;
  if ('fiu'.includes(dt.kind)) return readNumber(dt, raw, 0);
  if (dt.kind === 'U') return decodeUnicode(raw, 0, dt.itemsize, dt.byteOrder !== '>');
  if (dt.kind === 'S') return latin1Trim(raw, 0, dt.itemsize);
  return undefined;
}

function decodeUnicode(b: Uint8Array, off: number, size: number, le: boolean): string {
  const view = new DataView(b.buffer, b.byteOffset + off, size);
  let s = '';
  for (let i = 0; i + 4 <= size; i += 4) {
    const c = view.getUint32(i, le);
    if (c === 0) break;
    s += String.fromCodePoint(c > 0x10ffff ? 0xfffd : c);
  }
  return s;
}
function latin1Trim(b: Uint8Array, off: number, size: number): string {
  let end = off + size;
  while (end > off && b[end - 1] === 0) end--;
  return String.fromCharCode(...b.subarray(off, end));
}

export function isNdArray(v: PyValue): v is NdArray {
  return v instanceof NdArray;
}

/** Elements of a numeric (or boolean) array as float64, in C order. */
export function toFloat64(arr: NdArray): Float64Array {
  const n = arr.size;
  const out = new Float64Array(n);
  if (arr.dtype.kind === 'O') {
    const objs = arr.objects ?? [];
    for (let i = 0; i < n; i++) {
      const v = objs[i];
      if (typeof v === 'number') out[i] = v;
      else if (typeof v === 'boolean') out[i] = v ? 1 : 0;
      else if (v === null) out[i] = NaN;
      else if (typeof v === 'bigint') out[i] = Number(v);
      else throw bad(`object array holds ${typeof v}, not a number`);
    }
    return cOrder(arr, out);
  }
  const data = arr.data;
  if (!data || data.length !== n * arr.dtype.itemsize) throw bad('array without its data');
  const dt = arr.dtype;
  if (dt.kind === 'f' && dt.itemsize === 8 && dt.byteOrder !== '>' && data.byteOffset % 8 === 0) {
    out.set(new Float64Array(data.buffer, data.byteOffset, n));
  } else {
    for (let i = 0; i < n; i++) out[i] = readNumber(dt, data, i * dt.itemsize);
  }
  return cOrder(arr, out);
}

/** Elements of a string array (object array of str, or 'U'/'S' array), in C order. Numbers become their text. */
export function toStrings(arr: NdArray): PyValue[] {
  const n = arr.size;
  if (arr.dtype.kind === 'O') return cOrderList(arr, (arr.objects ?? []).slice(0, n));
  const dt = arr.dtype;
  const data = arr.data;
  if (!data || data.length !== n * dt.itemsize) throw bad('array without its data');
  const out: PyValue[] = new Array(n);
  if (dt.kind === 'U') for (let i = 0; i < n; i++) out[i] = decodeUnicode(data, i * dt.itemsize, dt.itemsize, dt.byteOrder !== '>');
  else if (dt.kind === 'S') for (let i = 0; i < n; i++) out[i] = latin1Trim(data, i * dt.itemsize, dt.itemsize);
  else for (let i = 0; i < n; i++) out[i] = readNumber(dt, data, i * dt.itemsize);
  return cOrderList(arr, out);
}

/** One field of a 1-D record array as float64. */
export function recordField(arr: NdArray, name: string): Float64Array {
  const f = arr.dtype.fields?.find((x) => x.name === name);
  if (!f) throw bad(`record array without field ${name}`);
  const n = arr.size;
  const data = arr.data;
  if (!data || data.length !== n * arr.dtype.itemsize) throw bad('record array without its data');
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = readNumber(f.dtype, data, i * arr.dtype.itemsize + f.offset);
  return out;
}

export function hasField(arr: NdArray, name: string): boolean {
  return arr.dtype.fields?.some((x) => x.name === name) ?? false;
}

/** Row-major copy of a Fortran-ordered array's elements. */
function cOrder(arr: NdArray, flat: Float64Array): Float64Array {
  if (!arr.fortran || arr.shape.length < 2) return flat;
  const idx = fortranToC(arr.shape);
  const out = new Float64Array(flat.length);
  for (let i = 0; i < flat.length; i++) out[idx[i]] = flat[i];
  return out;
}
function cOrderList(arr: NdArray, flat: PyValue[]): PyValue[] {
  if (!arr.fortran || arr.shape.length < 2) return flat;
  const idx = fortranToC(arr.shape);
  const out: PyValue[] = new Array(flat.length);
  for (let i = 0; i < flat.length; i++) out[idx[i]] = flat[i];
  return out;
}
/** For each element in Fortran storage order, its C-order index. */
function fortranToC(shape: number[]): Int32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const out = new Int32Array(n);
  const d = shape.length;
  const cStride = new Array<number>(d);
  cStride[d - 1] = 1;
  for (let k = d - 2; k >= 0; k--) cStride[k] = cStride[k + 1] * shape[k + 1];
  const idx = new Array<number>(d).fill(0);
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let k = 0; k < d; k++) c += idx[k] * cStride[k];
    out[i] = c;
    for (let k = 0; k < d; k++) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
  return out;
}

export { isTuple };
