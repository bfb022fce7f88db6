/**
 * joblib's container around a pickle: optional whole-file compression (zlib, gzip; lzma / bz2 / lz4 are refused with
 * a message), and numpy arrays written by joblib's NumpyArrayWrapper as raw bytes right after the wrapper's BUILD
 * opcode (an optional alignment padding first; object arrays as a nested protocol-2 pickle).
 */
import { gunzipSync, inflateSync } from 'node:zlib';
import { PickleRefusal, type PickleFinding } from './findings.js';
import { toStrings } from './numpy.js';
import { Budget, Cursor, DEFAULT_PICKLE_LIMITS, readPickleAt, type PickleLimits, type PickleResult } from './reader.js';
import { NdArray, PyGlobal, PyObject, type DType, type PyValue } from './values.js';

export type Container = 'pickle' | 'zlib' | 'gzip' | 'lzma' | 'xz' | 'bz2' | 'lz4' | 'joblib-legacy' | 'unknown';

/** What kind of file this is, from its first bytes. */
export function sniffContainer(b: Uint8Array): Container {
  if (b.length >= 2 && b[0] === 0x80 && b[1] >= 2 && b[1] <= 5) return 'pickle';
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) return 'gzip';
  if (b.length >= 2 && b[0] === 0x78 && ((b[0] << 8) | b[1]) % 31 === 0) return 'zlib';
  if (b.length >= 6 && b[0] === 0xfd && b[1] === 0x37 && b[2] === 0x7a && b[3] === 0x58 && b[4] === 0x5a && b[5] === 0) return 'xz';
  if (b.length >= 3 && b[0] === 0x5d && b[1] === 0x00 && b[2] === 0x00) return 'lzma';
  if (b.length >= 3 && b[0] === 0x42 && b[1] === 0x5a && b[2] === 0x68) return 'bz2';
  if (b.length >= 4 && b[0] === 0x04 && b[1] === 0x22 && b[2] === 0x4d && b[3] === 0x18) return 'lz4';
  if (b.length >= 2 && b[0] === 0x5a && b[1] === 0x46) return 'joblib-legacy';
  // protocol 0/1 pickles (text opcodes) start with MARK, GLOBAL or a value opcode and end with STOP
  if (b.length >= 2 && b[b.length - 1] === 0x2e && [0x28, 0x63, 0x7d, 0x5d, 0x29, 0x4e].includes(b[0])) return 'pickle';
  return 'unknown';
}

export interface JoblibRead extends PickleResult {
  container: Container;
  /** Bytes of the (decompressed) pickle stream. */
  streamBytes: number;
  /** Number of joblib array records read. */
  arrays: number;
}

/** Decompress (bounded) according to the container. */
export function decompress(bytes: Uint8Array, container: Container, limits: PickleLimits): Uint8Array {
  const maxOutputLength = Math.min(limits.maxTotalBytes, 0x7fffffff);
  const refuse = (message: string): never => {
    throw new PickleRefusal({ severity: 'error', kind: 'compression', message });
  };
  try {
    // views of the inflated buffer, not copies (a copy doubled the peak memory of a bomb)
    const view = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    if (container === 'zlib') return view(inflateSync(bytes, { maxOutputLength }));
    if (container === 'gzip') return view(gunzipSync(bytes, { maxOutputLength }));
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    if (/maxOutputLength|buffer/i.test(msg)) refuse(`the ${container} stream expands beyond ${maxOutputLength} bytes; the file was not loaded`);
    refuse(`the ${container} stream is corrupt or truncated (${msg.split('\n')[0]})`);
  }
  if (container === 'pickle') return bytes;
  const how = "re-save it with `joblib.dump(model, path)` (no compression) or `compress=3` (zlib) / `compress=('gzip', 3)`, or convert it to ONNX (skl2onnx)";
  if (container === 'lzma' || container === 'xz') return refuse(`the file is ${container}-compressed (joblib compress=('${container}', n)), which the gate does not decompress; ${how}`);
  if (container === 'bz2') return refuse(`the file is bz2-compressed (joblib compress=('bz2', n)), which the gate does not decompress; ${how}`);
  if (container === 'lz4') return refuse(`the file is lz4-compressed (joblib compress='lz4'), which the gate does not decompress; ${how}`);
  if (container === 'joblib-legacy') return refuse(`the file uses joblib's pre-0.10 format (arrays in side files); ${how}`);
  return refuse('the file is neither a pickle nor a compressed joblib file');
}

/** Read a .joblib / .pkl file's bytes (compressed or not) into plain data, joblib array records included. */
export function readJoblib(bytes: Uint8Array, limits: Partial<PickleLimits> = {}): JoblibRead {
  const lim = { ...DEFAULT_PICKLE_LIMITS, ...limits };
  const container = sniffContainer(bytes);
  const stream = decompress(bytes, container, lim);
  if (sniffContainer(stream) !== 'pickle') {
    throw new PickleRefusal({ severity: 'error', kind: 'malformed', message: `the ${container === 'pickle' ? 'file' : `${container} stream`} does not hold a pickle` });
  }
  const budget = new Budget(lim);
  const findings: PickleFinding[] = [];
  const globals = new Map<string, number>();
  let arrays = 0;
  const hook = {
    afterBuild(obj: PyObject, cursor: Cursor, b: Budget): PyValue | undefined {
      if (!obj.cls.endsWith('numpy_pickle.NumpyArrayWrapper')) return undefined;
      arrays++;
      return readWrapped(obj, cursor, b, lim, findings, globals, hook);
    },
  };
  const cursor = new Cursor(stream);
  const result = readPickleAt(cursor, { limits: lim, budget, hook, findings, globals });
  return { ...result, container, streamBytes: stream.length, arrays };
}

function readWrapped(
  w: PyObject,
  cursor: Cursor,
  budget: Budget,
  limits: PickleLimits,
  findings: PickleFinding[],
  globals: Map<string, number>,
  hook: { afterBuild(obj: PyObject, cursor: Cursor, b: Budget): PyValue | undefined },
): NdArray {
  const at = cursor.pos;
  const bad = (m: string): PickleRefusal => new PickleRefusal({ severity: 'error', kind: 'malformed', message: `malformed joblib array record at byte ${at}: ${m}`, offset: at });
  const shape = w.attr('shape');
  const dtype = w.attr('dtype') as unknown as DType;
  const order = w.attr('order');
  const subclass = w.attr('subclass');
  if (!Array.isArray(shape) || !shape.every((s) => typeof s === 'number' && Number.isSafeInteger(s) && s >= 0)) throw bad('shape');
  if (!dtype || typeof dtype !== 'object' || !('kind' in dtype)) throw bad('dtype');
  if (subclass instanceof PyGlobal && !['numpy.ndarray', 'numpy.memmap'].includes(subclass.qualified)) throw bad(`array subclass ${subclass.qualified}`);
  const dims = shape as number[];
  const count = dims.reduce((a, b) => a * b, 1);
  const arr = new NdArray(dtype, dims, order === 'F');
  if (dtype.kind === 'O') {
    const inner = readPickleAt(cursor, { limits, budget, hook, findings, globals });
    const v = inner.value;
    if (!(v instanceof NdArray) || v.dtype.kind !== 'O') throw bad('object array record is not an object array');
    if (v.size !== count) throw bad(`object array of ${v.size} elements where ${count} were announced`);
    v.shape = dims;
    return v;
  }
  if (w.hasAttr('numpy_array_alignment_bytes') && w.attr('numpy_array_alignment_bytes') !== null) {
    const pad = cursor.u8();
    if (pad > 0) cursor.take(pad);
  }
  const n = count * dtype.itemsize;
  if (!Number.isSafeInteger(n)) throw bad('array size');
  budget.allocate(n, at, `a ${dtype.str} array [${dims.join(', ')}]`);
  if (cursor.pos + n > cursor.bytes.length) {
    throw bad(`the array [${dims.join(', ')}] of ${dtype.str} needs ${n} bytes but the stream has ${cursor.bytes.length - cursor.pos} left`);
  }
  arr.data = cursor.take(n).slice();
  return arr;
}

export { toStrings };
