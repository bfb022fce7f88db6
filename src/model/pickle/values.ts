/**
 * Plain data a pickle is read into. Nothing here is ever called: a class reference is a name, an object is its class
 * name plus the arguments and state the pickle gave it, a numpy array is its dtype, shape and raw bytes.
 */
import { printable } from '../../util/output.js';

/** A reference to a global (a class or function) by name, never resolved to anything executable. */
export class PyGlobal {
  constructor(
    readonly module: string,
    readonly name: string,
  ) {}
  get qualified(): string {
    return `${this.module}.${this.name}`;
  }
}

/** An instance of an allowlisted class: what `cls.__new__(*args)` / `cls(*args)` and `__setstate__(state)` got. */
export class PyObject {
  /** `state` given by BUILD (usually the instance __dict__ as a PyDict). */
  state: PyValue = undefined;
  /** Items appended (list subclasses) and set (dict subclasses). */
  listItems: PyValue[] = [];
  constructor(
    readonly cls: string,
    readonly args: PyValue[],
  ) {}
  /** Attribute from a dict state (or the dict part of a (dict, slots) state). */
  attr(name: string): PyValue {
    const s = this.state;
    if (s instanceof PyDict) return s.get(name);
    if (Array.isArray(s)) for (const part of s) if (part instanceof PyDict && part.has(name)) return part.get(name);
    return undefined;
  }
  hasAttr(name: string): boolean {
    const s = this.state;
    if (s instanceof PyDict) return s.has(name);
    if (Array.isArray(s)) return s.some((p) => p instanceof PyDict && p.has(name));
    return false;
  }
  /** Attribute names of the dict state. */
  attrNames(): string[] {
    const s = this.state;
    const out: string[] = [];
    const parts = s instanceof PyDict ? [s] : Array.isArray(s) ? s.filter((p): p is PyDict => p instanceof PyDict) : [];
    for (const d of parts) for (const k of d.keys()) if (typeof k === 'string') out.push(k);
    return out;
  }
  get shortName(): string {
    return this.cls.slice(this.cls.lastIndexOf('.') + 1);
  }
}

/** A Python dict. Keys are primitives (str, int, float, bool, None) or a text key for anything else. */
export class PyDict {
  private readonly map = new Map<unknown, PyValue>();
  private readonly origKeys = new Map<unknown, PyValue>();
  static keyOf(k: PyValue): unknown {
    if (k === null || typeof k === 'string' || typeof k === 'number' || typeof k === 'boolean' || typeof k === 'bigint') {
      return typeof k === 'boolean' ? (k ? 1 : 0) : k;
    }
    if (k instanceof PyGlobal) return `<global ${k.qualified}>`;
    if (Array.isArray(k)) return `<tuple ${k.map((x) => String(PyDict.keyOf(x))).join(',')}>`;
    return `<object ${Object.prototype.toString.call(k)}>`;
  }
  set(k: PyValue, v: PyValue): void {
    const key = PyDict.keyOf(k);
    this.map.set(key, v);
    this.origKeys.set(key, k);
  }
  get(k: PyValue): PyValue {
    return this.map.get(PyDict.keyOf(k));
  }
  has(k: PyValue): boolean {
    return this.map.has(PyDict.keyOf(k));
  }
  keys(): PyValue[] {
    return [...this.origKeys.values()];
  }
  entries(): Array<[PyValue, PyValue]> {
    return [...this.map.entries()].map(([k, v]) => [this.origKeys.get(k), v]);
  }
  get size(): number {
    return this.map.size;
  }
}

/** A Python set / frozenset. */
export class PySet {
  readonly items: PyValue[] = [];
  constructor(readonly frozen: boolean) {}
}

/** A numpy dtype as its pickle describes it. */
export interface DType {
  /** numpy kind: 'f' float, 'i' int, 'u' unsigned, 'b' bool, 'O' object, 'U' unicode, 'S' bytes, 'V' void/record. */
  kind: string;
  itemsize: number;
  /** '<', '>', '|' or '='. */
  byteOrder: string;
  /** Record fields, in offset order (structured dtypes only). */
  fields: Array<{ name: string; dtype: DType; offset: number }> | null;
  /** The dtype string the pickle named ('f8', 'V56', 'U7', ...). */
  str: string;
}

/** A numpy array: dtype, shape and its data (raw little/big-endian bytes, or the objects of an object array). */
export class NdArray {
  data: Uint8Array | null = null;
  objects: PyValue[] | null = null;
  constructor(
    public dtype: DType,
    public shape: number[],
    public fortran: boolean,
  ) {}
  get size(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
}

/** A numpy scalar whose dtype is not a plain number (kept as raw bytes). */
export class PyScalar {
  constructor(
    readonly dtype: DType,
    readonly data: Uint8Array,
  ) {}
}

/** builtins.slice(start, stop, step). */
export class PySlice {
  constructor(
    readonly start: PyValue,
    readonly stop: PyValue,
    readonly step: PyValue,
  ) {}
}

/**
 * Everything the reader produces. Lists are JS arrays, tuples are frozen JS arrays, str is string, bytes is Uint8Array,
 * int is number (bigint beyond 2^53), float is number, None is null.
 */
export type PyValue =
  | null
  | undefined
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PyValue[]
  | PyDict
  | PySet
  | PyObject
  | PyGlobal
  | NdArray
  | PyScalar
  | PySlice;

export function isTuple(v: PyValue): v is PyValue[] {
  return Array.isArray(v) && Object.isFrozen(v);
}

/** Short, bounded description of a value for messages. */
export function describe(v: PyValue): string {
  if (v === null) return 'None';
  if (v === undefined) return 'nothing';
  if (typeof v === 'string') return printable(v.length > 40 ? `'${v.slice(0, 37)}...'` : `'${v}'`);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `bytes[${v.length}]`;
  if (Array.isArray(v)) return `${isTuple(v) ? 'tuple' : 'list'}[${v.length}]`;
  if (v instanceof PyDict) return `dict[${v.size}]`;
  if (v instanceof PyObject) return v.cls;
  if (v instanceof PyGlobal) return v.qualified;
  if (v instanceof NdArray) return `ndarray ${v.dtype.str} [${v.shape.join(', ')}]`;
  return Object.prototype.toString.call(v);
}
