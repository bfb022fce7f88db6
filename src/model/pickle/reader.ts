/**
 * An opcode-level pickle reader (protocols 0-5) that builds plain data (values.ts) and can never execute anything:
 * GLOBAL / STACK_GLOBAL / INST are resolved only against the allowlist (allowlist.ts); every other global stops the
 * read with a PickleRefusal naming it and its byte offset. Bounded: memo entries, stack size, nesting depth, array
 * bytes, total bytes allocated, opcodes run.
 */
import { isDangerous, resolveGlobal, type GlobalKind } from './allowlist.js';
import { makeDType, dtypeFromState, decodeScalar } from './numpy.js';
import { PickleRefusal, type PickleFinding } from './findings.js';
import { NdArray, PyDict, PyGlobal, PyObject, PyScalar, PySet, PySlice, describe, type DType, type PyValue } from './values.js';

export interface PickleLimits {
  /** Largest memo index / number of memo entries. */
  maxMemo: number;
  /** Largest stack (values + marks). */
  maxStack: number;
  /** Deepest nesting of containers in the result. */
  maxDepth: number;
  /** Largest single array / bytes object. */
  maxArrayBytes: number;
  /** Total bytes allocated for arrays, bytes and strings. */
  maxTotalBytes: number;
  /** Opcodes executed. */
  maxOps: number;
}

export { PickleRefusal, type PickleFinding } from './findings.js';

/**
 * Memory stays under ~1 GB on any file (issue #10's hostile suite): a 1 MB zlib joblib inflating to 1 GB took 3.2 GB
 * and a 0.5 MB gzip pickle of 4M stack entries 1.7 GB with the earlier 2 GB / 4M defaults.
 */
export const DEFAULT_PICKLE_LIMITS: PickleLimits = {
  maxMemo: 1_000_000,
  maxStack: 1_000_000,
  maxDepth: 200,
  maxArrayBytes: 512 * 1024 * 1024,
  maxTotalBytes: 512 * 1024 * 1024,
  maxOps: 10_000_000,
};

/** Shared allocation budget (one per file, shared by the nested pickles of a joblib file). */
export class Budget {
  allocated = 0;
  ops = 0;
  constructor(readonly limits: PickleLimits) {}
  allocate(bytes: number, offset: number, what: string): void {
    if (!(bytes >= 0) || bytes > this.limits.maxArrayBytes) {
      throw limit(`${what} of ${bytes} bytes at byte ${offset} is above the ${this.limits.maxArrayBytes}-byte limit`, offset);
    }
    this.allocated += bytes;
    if (this.allocated > this.limits.maxTotalBytes) {
      throw limit(`the pickle allocates more than ${this.limits.maxTotalBytes} bytes in total (at byte ${offset})`, offset);
    }
  }
}

function limit(message: string, offset: number): PickleRefusal {
  return new PickleRefusal({ severity: 'error', kind: 'limit', message, offset });
}
function malformed(message: string, offset: number): PickleRefusal {
  return new PickleRefusal({ severity: 'error', kind: 'malformed', message: `malformed pickle: ${message} (byte ${offset})`, offset });
}

/** Position in a byte stream shared between the pickle machine and joblib's array records. */
export class Cursor {
  pos: number;
  constructor(
    readonly bytes: Uint8Array,
    pos = 0,
  ) {
    this.pos = pos;
  }
  need(n: number): void {
    if (this.pos + n > this.bytes.length) throw malformed(`truncated: ${n} more bytes needed, ${this.bytes.length - this.pos} left`, this.pos);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }
  u16(): number {
    this.need(2);
    const v = this.bytes[this.pos] | (this.bytes[this.pos + 1] << 8);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000;
  }
  i32(): number {
    const v = this.u32();
    return v >= 0x80000000 ? v - 0x100000000 : v;
  }
  u64(): number {
    const lo = this.u32();
    const hi = this.u32();
    const v = hi * 0x100000000 + lo;
    if (!Number.isSafeInteger(v)) throw malformed('64-bit length beyond 2^53', this.pos - 8);
    return v;
  }
  f64be(): number {
    this.need(8);
    const v = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.pos, 8).getFloat64(0, false);
    this.pos += 8;
    return v;
  }
  take(n: number): Uint8Array {
    if (!(n >= 0)) throw malformed(`negative length ${n}`, this.pos);
    this.need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  line(): string {
    const start = this.pos;
    const end = this.bytes.indexOf(0x0a, start);
    if (end < 0 || end - start > 100_000) throw malformed('unterminated text line', start);
    this.pos = end + 1;
    return latin1(this.bytes.subarray(start, end));
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
function latin1(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192));
  return s;
}

const MARK = Symbol('mark');
type StackItem = PyValue | typeof MARK | CallableRef;

/** A global as the machine holds it before it is called. */
class CallableRef {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly kind: GlobalKind,
    readonly unknownClass: boolean,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

export interface BuildHook {
  /** Called after BUILD on an object; may read more of the stream and return a replacement value. */
  afterBuild?(obj: PyObject, cursor: Cursor, budget: Budget): PyValue | undefined;
}

export interface PickleResult {
  value: PyValue;
  /** Offset just after STOP. */
  end: number;
  /** Notes (unknown scikit-learn classes, ...), never errors (those throw PickleRefusal). */
  findings: PickleFinding[];
  /** Every global named, 'module.name', with its first offset. */
  globals: Map<string, number>;
}

export interface ReadOptions {
  limits?: Partial<PickleLimits>;
  budget?: Budget;
  hook?: BuildHook;
  /** Base offset added to offsets in messages (e.g. for nested pickles). */
  findings?: PickleFinding[];
  globals?: Map<string, number>;
}

/** Read one pickle from `cursor.pos` up to its STOP. */
export function readPickleAt(cursor: Cursor, opts: ReadOptions = {}): PickleResult {
  const limits = { ...DEFAULT_PICKLE_LIMITS, ...opts.limits };
  const budget = opts.budget ?? new Budget(limits);
  const findings = opts.findings ?? [];
  const globals = opts.globals ?? new Map<string, number>();
  const stack: StackItem[] = [];
  const marks: number[] = [];
  const memo = new Map<number, StackItem>();
  const seenUnknown = new Set<string>();

  const push = (v: StackItem): void => {
    if (stack.length >= limits.maxStack) throw limit(`pickle stack above ${limits.maxStack} entries`, cursor.pos);
    stack.push(v);
  };
  const pop = (at: number): StackItem => {
    if (stack.length === 0 || (marks.length > 0 && stack.length <= marks[marks.length - 1])) throw malformed('stack underflow', at);
    return stack.pop();
  };
  const top = (at: number): StackItem => {
    if (stack.length === 0) throw malformed('stack underflow', at);
    return stack[stack.length - 1];
  };
  const popMark = (at: number): StackItem[] => {
    const m = marks.pop();
    if (m === undefined) throw malformed('no mark on the stack', at);
    return stack.splice(m);
  };
  const value = (v: StackItem, at: number): PyValue => {
    if (v === MARK) throw malformed('mark used as a value', at);
    if (v instanceof CallableRef) {
      if (v.kind === 'type' || v.kind === 'class') return new PyGlobal(v.module, v.name);
      return new PyGlobal(v.module, v.name);
    }
    return v;
  };
  const memoPut = (idx: number, at: number): void => {
    if (!(idx >= 0) || idx >= limits.maxMemo) throw limit(`memo index ${idx} at byte ${at} is above the ${limits.maxMemo}-entry limit`, at);
    if (!memo.has(idx) && memo.size >= limits.maxMemo) throw limit(`memo above ${limits.maxMemo} entries`, at);
    memo.set(idx, top(at));
  };
  const memoGet = (idx: number, at: number): StackItem => {
    if (!memo.has(idx)) throw malformed(`memo entry ${idx} read before it was written`, at);
    return memo.get(idx) as StackItem;
  };
  const str = (b: Uint8Array, at: number): string => {
    budget.allocate(b.length, at, 'a string');
    return utf8.decode(b);
  };
  const bytesOf = (n: number, at: number): Uint8Array => {
    budget.allocate(n, at, 'a bytes object');
    return cursor.take(n).slice();
  };

  const resolve = (module: string, name: string, at: number): CallableRef => {
    const q = `${module}.${name}`;
    if (!globals.has(q)) globals.set(q, at);
    const d = resolveGlobal(module, name);
    if (!d.allowed || !d.kind) {
      const dangerous = isDangerous(module, name);
      throw new PickleRefusal({
        severity: 'error',
        kind: dangerous ? 'dangerous-global' : 'disallowed-global',
        global: q,
        offset: at,
        message:
          `the pickle names \`${q}\` at byte ${at}` +
          (dangerous ? ', which runs code when a Python loader opens the file' : ', which is outside the allowlist of scikit-learn / numpy classes') +
          '; the file was not loaded' +
          libraryHint(module),
      });
    }
    if (d.unknownClass && !seenUnknown.has(q)) {
      seenUnknown.add(q);
      findings.push({ severity: 'note', kind: 'unknown-class', global: q, offset: at, message: `scikit-learn class \`${q}\` (read as data; not one the gate translates)` });
    }
    return new CallableRef(module, name, d.kind, d.unknownClass === true);
  };

  /** Call an allowlisted global with positional args. */
  const call = (f: StackItem, args: PyValue[], at: number): PyValue => {
    if (!(f instanceof CallableRef)) throw malformed(`call of a non-callable (${describe(f as PyValue)})`, at);
    switch (f.kind) {
      case 'class':
        return new PyObject(f.qualified, args);
      case 'inert': {
        const o = new PyObject(f.qualified, args);
        return o;
      }
      case 'type':
        if (f.module === 'builtins' && f.name === 'object' && args.length === 0) return new PyObject('builtins.object', []);
        throw new PickleRefusal({ severity: 'error', kind: 'disallowed-call', global: f.qualified, offset: at, message: `the pickle calls \`${f.qualified}\` at byte ${at}, which the reader does not build` });
      case 'copyreg._reconstructor': {
        const cls = args[0];
        if (!(cls instanceof PyGlobal)) throw malformed('copyreg._reconstructor without a class', at);
        const d = resolveGlobal(cls.module, cls.name);
        if (d.kind !== 'class' && d.kind !== 'inert') {
          throw new PickleRefusal({ severity: 'error', kind: 'disallowed-call', global: cls.qualified, offset: at, message: `the pickle rebuilds \`${cls.qualified}\` at byte ${at}, which is not an allowlisted class` });
        }
        return new PyObject(cls.qualified, []);
      }
      case 'cython.unpickle': {
        const cls = args[0];
        const name = f.name.replace(/^__pyx_unpickle_/, '');
        const o = new PyObject(cls instanceof PyGlobal ? cls.qualified : `${f.module}.${name}`, []);
        if (args.length >= 3) o.state = args[2];
        return o;
      }
      case 'numpy._reconstruct': {
        const dt = makeDType('b1');
        return new NdArray(dt, [0], false);
      }
      case 'numpy.dtype': {
        if (typeof args[0] !== 'string') throw malformed('numpy.dtype without a type string', at);
        return makeDType(args[0]) as unknown as PyValue;
      }
      case 'numpy.scalar': {
        const dt = args[0] as unknown as DType;
        if (!isDType(dt)) throw malformed('numpy scalar without a dtype', at);
        if (dt.kind === 'O') return args[1];
        const raw = args[1];
        if (!(raw instanceof Uint8Array)) throw malformed('numpy scalar without bytes', at);
        const v = decodeScalar(dt, raw);
        return v === undefined ? new PyScalar(dt, raw) : v;
      }
      case 'numpy._frombuffer': {
        const [buf, dt, shape, order] = args;
        if (!(buf instanceof Uint8Array) || !isDType(dt as unknown as DType) || !Array.isArray(shape)) throw malformed('numpy _frombuffer arguments', at);
        const arr = new NdArray(dt as unknown as DType, shape.map((s) => Number(s)), order === 'F');
        checkArrayData(arr, buf, at);
        arr.data = buf;
        return arr;
      }
      case 'codecs.encode': {
        const [s, enc] = args;
        if (typeof s !== 'string') throw malformed('_codecs.encode of a non-string', at);
        if (enc !== 'latin1' && enc !== 'latin-1' && enc !== undefined) throw malformed(`_codecs.encode with encoding ${String(enc)}`, at);
        const out = new Uint8Array(s.length);
        for (let i = 0; i < s.length; i++) {
          const c = s.charCodeAt(i);
          if (c > 255) throw malformed('latin1 text with a character above 255', at);
          out[i] = c;
        }
        return out;
      }
      case 'builtins.slice':
        return new PySlice(args[0] ?? null, args[1] ?? null, args[2] ?? null);
      case 'builtins.set':
      case 'builtins.frozenset': {
        const s = new PySet(f.kind === 'builtins.frozenset');
        const src = args[0];
        if (Array.isArray(src)) s.items.push(...src);
        return s;
      }
      case 'builtins.bytearray': {
        const src = args[0];
        if (src === undefined) return new Uint8Array(0);
        if (src instanceof Uint8Array) return src;
        if (typeof src === 'string') return call(new CallableRef('_codecs', 'encode', 'codecs.encode', false), [src, 'latin1'], at);
        throw malformed('bytearray of an unexpected value', at);
      }
      case 'collections.OrderedDict': {
        const d = new PyDict();
        const src = args[0];
        if (Array.isArray(src)) for (const kv of src) if (Array.isArray(kv) && kv.length === 2) d.set(kv[0], kv[1]);
        return d;
      }
    }
    throw malformed(`unhandled global kind ${String(f.kind)}`, at);
  };

  const build = (obj: PyValue, state: PyValue, at: number): PyValue => {
    if (obj instanceof NdArray) {
      // numpy ndarray.__setstate__((version, shape, dtype, is_fortran, data))
      if (!Array.isArray(state) || state.length < 4) throw malformed('ndarray state', at);
      const off = state.length === 5 ? 1 : 0;
      const shape = state[off];
      const dt = state[off + 1] as unknown as DType;
      if (!Array.isArray(shape) || !isDType(dt)) throw malformed('ndarray state shape/dtype', at);
      obj.shape = shape.map((s) => Number(s));
      obj.dtype = dt;
      obj.fortran = state[off + 2] === true;
      const data = state[off + 3];
      if (dt.kind === 'O') {
        if (!Array.isArray(data)) throw malformed('object array without a list of objects', at);
        if (data.length !== obj.size) throw malformed(`object array of ${obj.size} elements holds ${data.length}`, at);
        obj.objects = data;
      } else {
        if (!(data instanceof Uint8Array)) throw malformed('array data is not bytes', at);
        checkArrayData(obj, data, at);
        obj.data = data;
      }
      return obj;
    }
    if (isDType(obj as unknown as DType)) {
      return dtypeFromState(obj as unknown as DType, state, at) as unknown as PyValue;
    }
    if (obj instanceof PyObject) {
      if (obj.state instanceof PyDict && state instanceof PyDict) {
        for (const [k, v] of state.entries()) obj.state.set(k, v);
      } else {
        obj.state = state;
      }
      const replaced = opts.hook?.afterBuild?.(obj, cursor, budget);
      return replaced === undefined ? obj : replaced;
    }
    if (obj instanceof PyDict && state instanceof PyDict) {
      for (const [k, v] of state.entries()) obj.set(k, v);
      return obj;
    }
    throw malformed(`BUILD on ${describe(obj)}`, at);
  };

  const checkArrayData = (arr: NdArray, data: Uint8Array, at: number): void => {
    const expected = arr.size * arr.dtype.itemsize;
    if (!Number.isSafeInteger(expected) || data.length !== expected) {
      throw malformed(`array ${arr.dtype.str} [${arr.shape.join(', ')}] needs ${expected} bytes, has ${data.length}`, at);
    }
  };

  const setItems = (target: StackItem, items: StackItem[], at: number): void => {
    if (items.length % 2 !== 0) throw malformed('odd number of items for SETITEMS', at);
    if (target instanceof PyDict) {
      for (let i = 0; i < items.length; i += 2) target.set(value(items[i], at), value(items[i + 1], at));
    } else if (target instanceof PyObject) {
      if (!(target.state instanceof PyDict)) target.state = new PyDict();
      for (let i = 0; i < items.length; i += 2) (target.state as PyDict).set(value(items[i], at), value(items[i + 1], at));
    } else {
      throw malformed(`SETITEM on ${describe(target as PyValue)}`, at);
    }
  };
  const appendItems = (target: StackItem, items: StackItem[], at: number): void => {
    if (Array.isArray(target) && !Object.isFrozen(target)) for (const it of items) target.push(value(it, at));
    else if (target instanceof PyObject) for (const it of items) target.listItems.push(value(it, at));
    else throw malformed(`APPEND on ${describe(target as PyValue)}`, at);
  };
  const tuple = (items: PyValue[]): PyValue[] => Object.freeze(items) as PyValue[];

  for (;;) {
    if (++budget.ops > limits.maxOps) throw limit(`more than ${limits.maxOps} pickle opcodes`, cursor.pos);
    const at = cursor.pos;
    if (at >= cursor.bytes.length) throw malformed('truncated: the pickle ends before its STOP opcode', at);
    const op = cursor.u8();
    switch (op) {
      case 0x80: { // PROTO
        const v = cursor.u8();
        if (v > 5) throw malformed(`pickle protocol ${v} (this reader knows 0-5)`, at);
        break;
      }
      case 0x95: // FRAME
        cursor.u64();
        break;
      case 0x2e: { // STOP
        const v = value(pop(at), at);
        if (stack.length !== 0 || marks.length !== 0) findings.push({ severity: 'note', kind: 'malformed', message: `the pickle leaves ${stack.length} values on its stack at STOP (byte ${at})`, offset: at });
        checkDepth(v, limits.maxDepth, at);
        return { value: v, end: cursor.pos, findings, globals };
      }
      case 0x28: // MARK
        if (marks.length >= limits.maxStack) throw limit('too many marks', at);
        marks.push(stack.length);
        break;
      case 0x30: // POP
        if (marks.length > 0 && stack.length === marks[marks.length - 1]) marks.pop();
        else pop(at);
        break;
      case 0x31: // POP_MARK
        popMark(at);
        break;
      case 0x32: // DUP
        push(top(at));
        break;
      case 0x4e: // NONE
        push(null);
        break;
      case 0x88: // NEWTRUE
        push(true);
        break;
      case 0x89: // NEWFALSE
        push(false);
        break;
      case 0x4a: // BININT
        push(cursor.i32());
        break;
      case 0x4b: // BININT1
        push(cursor.u8());
        break;
      case 0x4d: // BININT2
        push(cursor.u16());
        break;
      case 0x49: { // INT (text)
        const s = cursor.line();
        if (s === '00') push(false);
        else if (s === '01') push(true);
        else push(parseIntText(s, at));
        break;
      }
      case 0x4c: // LONG (text)
        push(parseIntText(cursor.line().replace(/L$/, ''), at));
        break;
      case 0x8a: // LONG1
        push(longBytes(cursor.take(cursor.u8())));
        break;
      case 0x8b: { // LONG4
        const n = cursor.u32();
        if (n > 1024) throw limit(`a ${n}-byte integer at byte ${at}`, at);
        push(longBytes(cursor.take(n)));
        break;
      }
      case 0x46: { // FLOAT (text)
        const s = cursor.line();
        const v = Number(s);
        if (Number.isNaN(v) && !/nan/i.test(s)) throw malformed(`float text ${s.slice(0, 20)}`, at);
        push(v);
        break;
      }
      case 0x47: // BINFLOAT
        push(cursor.f64be());
        break;
      case 0x53: { // STRING (text, quoted)
        const s = cursor.line();
        push(unquote(s, at));
        break;
      }
      case 0x54: // BINSTRING
        push(latin1(bytesOf(cursor.i32(), at)));
        break;
      case 0x55: // SHORT_BINSTRING
        push(latin1(bytesOf(cursor.u8(), at)));
        break;
      case 0x56: // UNICODE (raw-unicode-escape line)
        push(cursor.line().replace(/\\u([0-9a-fA-F]{4})/g, (_m, h: string) => String.fromCharCode(parseInt(h, 16))));
        break;
      case 0x58: // BINUNICODE
        push(str(cursor.take(cursor.u32()), at));
        break;
      case 0x8c: // SHORT_BINUNICODE
        push(str(cursor.take(cursor.u8()), at));
        break;
      case 0x8d: // BINUNICODE8
        push(str(cursor.take(cursor.u64()), at));
        break;
      case 0x42: // BINBYTES
        push(bytesOf(cursor.u32(), at));
        break;
      case 0x43: // SHORT_BINBYTES
        push(bytesOf(cursor.u8(), at));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        push(bytesOf(cursor.u64(), at));
        break;
      case 0x97: // NEXT_BUFFER
        throw new PickleRefusal({ severity: 'error', kind: 'out-of-band', offset: at, message: `the pickle refers to an out-of-band buffer (byte ${at}), which a model file cannot carry` });
      case 0x98: // READONLY_BUFFER
        break;
      case 0x29: // EMPTY_TUPLE
        push(tuple([]));
        break;
      case 0x85: // TUPLE1
        push(tuple([value(pop(at), at)]));
        break;
      case 0x86: { // TUPLE2
        const b = value(pop(at), at);
        const a = value(pop(at), at);
        push(tuple([a, b]));
        break;
      }
      case 0x87: { // TUPLE3
        const c = value(pop(at), at);
        const b = value(pop(at), at);
        const a = value(pop(at), at);
        push(tuple([a, b, c]));
        break;
      }
      case 0x74: // TUPLE
        push(tuple(popMark(at).map((v) => value(v, at))));
        break;
      case 0x5d: // EMPTY_LIST
        push([]);
        break;
      case 0x6c: // LIST
        push(popMark(at).map((v) => value(v, at)));
        break;
      case 0x7d: // EMPTY_DICT
        push(new PyDict());
        break;
      case 0x64: { // DICT
        const items = popMark(at);
        const d = new PyDict();
        setItems(d, items, at);
        push(d);
        break;
      }
      case 0x8f: // EMPTY_SET
        push(new PySet(false));
        break;
      case 0x90: { // ADDITEMS
        const items = popMark(at);
        const s = top(at);
        if (!(s instanceof PySet)) throw malformed('ADDITEMS on a non-set', at);
        s.items.push(...items.map((v) => value(v, at)));
        break;
      }
      case 0x91: { // FROZENSET
        const s = new PySet(true);
        s.items.push(...popMark(at).map((v) => value(v, at)));
        push(s);
        break;
      }
      case 0x61: { // APPEND
        const v = pop(at);
        appendItems(top(at), [v], at);
        break;
      }
      case 0x65: { // APPENDS
        const items = popMark(at);
        appendItems(top(at), items, at);
        break;
      }
      case 0x73: { // SETITEM
        const v = pop(at);
        const k = pop(at);
        setItems(top(at), [k, v], at);
        break;
      }
      case 0x75: { // SETITEMS
        const items = popMark(at);
        setItems(top(at), items, at);
        break;
      }
      case 0x67: // GET
        push(memoGet(parseIntText(cursor.line(), at) as number, at));
        break;
      case 0x68: // BINGET
        push(memoGet(cursor.u8(), at));
        break;
      case 0x6a: // LONG_BINGET
        push(memoGet(cursor.u32(), at));
        break;
      case 0x70: // PUT
        memoPut(parseIntText(cursor.line(), at) as number, at);
        break;
      case 0x71: // BINPUT
        memoPut(cursor.u8(), at);
        break;
      case 0x72: // LONG_BINPUT
        memoPut(cursor.u32(), at);
        break;
      case 0x94: // MEMOIZE
        memoPut(memo.size, at);
        break;
      case 0x63: { // GLOBAL
        const module = cursor.line();
        const name = cursor.line();
        push(resolve(module, name, at));
        break;
      }
      case 0x93: { // STACK_GLOBAL
        const name = value(pop(at), at);
        const module = value(pop(at), at);
        if (typeof module !== 'string' || typeof name !== 'string') throw malformed('STACK_GLOBAL without two strings', at);
        push(resolve(module, name, at));
        break;
      }
      case 0x69: { // INST
        const module = cursor.line();
        const name = cursor.line();
        const f = resolve(module, name, at);
        const args = popMark(at).map((v) => value(v, at));
        push(call(f, args, at));
        break;
      }
      case 0x6f: { // OBJ
        const items = popMark(at);
        if (items.length === 0) throw malformed('OBJ without a class', at);
        push(call(items[0], items.slice(1).map((v) => value(v, at)), at));
        break;
      }
      case 0x52: { // REDUCE
        const args = value(pop(at), at);
        const f = pop(at);
        if (!Array.isArray(args)) throw malformed('REDUCE arguments are not a tuple', at);
        push(call(f, args, at));
        break;
      }
      case 0x81: { // NEWOBJ
        const args = value(pop(at), at);
        const cls = pop(at);
        if (!Array.isArray(args)) throw malformed('NEWOBJ arguments are not a tuple', at);
        push(newObject(cls, args, at));
        break;
      }
      case 0x92: { // NEWOBJ_EX
        value(pop(at), at); // kwargs
        const args = value(pop(at), at);
        const cls = pop(at);
        if (!Array.isArray(args)) throw malformed('NEWOBJ_EX arguments are not a tuple', at);
        push(newObject(cls, args, at));
        break;
      }
      case 0x62: { // BUILD
        const state = value(pop(at), at);
        const obj = value(pop(at), at);
        push(build(obj, state, at));
        break;
      }
      case 0x50: // PERSID
      case 0x51: // BINPERSID
        throw new PickleRefusal({ severity: 'error', kind: 'persistent-id', offset: at, message: `the pickle uses a persistent id (byte ${at}), which needs the writer's own loader; the file was not loaded` });
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: // EXT4
        throw new PickleRefusal({ severity: 'error', kind: 'extension-registry', offset: at, message: `the pickle names a global through the copyreg extension registry (byte ${at}), which the reader does not resolve; the file was not loaded` });
      default:
        throw malformed(`unknown opcode 0x${op.toString(16).padStart(2, '0')}`, at);
    }
  }

  function newObject(cls: StackItem, args: PyValue[], at: number): PyValue {
    if (!(cls instanceof CallableRef)) {
      if (cls instanceof PyGlobal) return call(resolve(cls.module, cls.name, at), args, at);
      throw malformed('NEWOBJ of a non-class', at);
    }
    if (cls.kind === 'class' || cls.kind === 'inert') return new PyObject(cls.qualified, args);
    if (cls.kind === 'collections.OrderedDict') return new PyDict();
    if (cls.kind === 'builtins.set' || cls.kind === 'builtins.frozenset') return new PySet(cls.kind === 'builtins.frozenset');
    if (cls.kind === 'type' && cls.module === 'builtins' && cls.name === 'object') return new PyObject('builtins.object', []);
    if (cls.kind === 'type' && cls.module === 'numpy' && cls.name === 'ndarray') return new NdArray(makeDType('b1'), [0], false);
    throw new PickleRefusal({ severity: 'error', kind: 'disallowed-call', global: cls.qualified, offset: at, message: `the pickle instantiates \`${cls.qualified}\` at byte ${at}, which the reader does not build` });
  }
}

/** What to commit instead when a pickle holds another library's model. */
function libraryHint(module: string): string {
  const root = module.split('.')[0];
  if (root === 'xgboost') return ' (an XGBoost model inside a pickle: commit booster.save_model("model.json") instead, which the gate reads)';
  if (root === 'lightgbm') return ' (a LightGBM model inside a pickle: commit booster.save_model("model.txt") instead, which the gate reads)';
  if (['torch', 'tensorflow', 'keras', 'catboost'].includes(root)) return ` (a ${root} model: export it to ONNX, e.g. torch.onnx.export)`;
  return '';
}

function isDType(v: unknown): v is DType {
  return typeof v === 'object' && v !== null && (v as { __dtype?: boolean }).__dtype === true;
}

function parseIntText(s: string, at: number): number | bigint {
  if (!/^[+-]?\d{1,400}$/.test(s)) throw malformed(`integer text ${s.slice(0, 20)}`, at);
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
}

function longBytes(b: Uint8Array): number | bigint {
  if (b.length === 0) return 0;
  let v = 0n;
  for (let i = b.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(b[i]);
  if (b[b.length - 1] & 0x80) v -= 1n << BigInt(8 * b.length);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

function unquote(s: string, at: number): string {
  const q = s[0];
  if ((q !== "'" && q !== '"') || s[s.length - 1] !== q || s.length < 2) throw malformed('STRING without quotes', at);
  return s.slice(1, -1).replace(/\\(x[0-9a-fA-F]{2}|.)/g, (_m, e: string) => {
    if (e[0] === 'x') return String.fromCharCode(parseInt(e.slice(1), 16));
    return ({ n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"' } as Record<string, string>)[e] ?? e;
  });
}

/** Refuse results nested deeper than `maxDepth` (iterative, so a hostile depth cannot overflow the JS stack) or cyclic. */
function checkDepth(root: PyValue, maxDepth: number, at: number): void {
  const depthOf = new Map<object, number>();
  const onPath = new Set<object>();
  type Frame = { node: object; children: PyValue[]; i: number; depth: number };
  const childrenOf = (v: PyValue): PyValue[] | null => {
    if (Array.isArray(v)) return v;
    if (v instanceof PyDict) return v.entries().flat();
    if (v instanceof PyObject) return [...v.args, v.state, ...v.listItems];
    if (v instanceof PySet) return v.items;
    if (v instanceof NdArray) return v.objects ?? null;
    return null;
  };
  const rootChildren = childrenOf(root);
  if (!rootChildren || typeof root !== 'object' || root === null) return;
  const stack: Frame[] = [{ node: root as object, children: rootChildren, i: 0, depth: 0 }];
  onPath.add(root as object);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.i < f.children.length) {
      const c = f.children[f.i++];
      if (c === null || typeof c !== 'object') continue;
      const kids = childrenOf(c);
      if (!kids) continue;
      if (onPath.has(c)) continue; // a self-reference: harmless as data; consumers read fixed paths only
      const known = depthOf.get(c);
      if (known !== undefined) {
        if (known + 1 > f.depth) f.depth = known + 1;
        continue;
      }
      if (stack.length >= maxDepth) throw limit(`the pickle nests containers more than ${maxDepth} deep (byte ${at})`, at);
      onPath.add(c);
      stack.push({ node: c, children: kids, i: 0, depth: 0 });
    } else {
      stack.pop();
      onPath.delete(f.node);
      depthOf.set(f.node, f.depth);
      const parent = stack[stack.length - 1];
      if (parent && f.depth + 1 > parent.depth) parent.depth = f.depth + 1;
    }
  }
}

/** Read a whole byte string as one pickle. */
export function readPickle(bytes: Uint8Array, opts: ReadOptions = {}): PickleResult {
  return readPickleAt(new Cursor(bytes), opts);
}
