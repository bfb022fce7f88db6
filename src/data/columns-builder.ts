/**
 * Typed columns built one cell at a time, with memory bounded per row (issue #13, #12): every reader (CSV/TSV text,
 * gzip, Parquet) feeds cells here and never keeps a JS string per cell.
 *
 * The typing rule is the CSV reader's (src/data/csv.ts): a column is numeric (Float64Array, NaN for missing) when every
 * cell that is not a missing-value text is a plain decimal number; otherwise it is categorical (Int32Array codes +
 * levels in order of first appearance) and missing-value texts stay levels of their own.
 *
 * While a column still looks numeric it keeps its values (8 bytes/row) and, as long as it has few distinct texts, a
 * dictionary code per row (4 bytes/row) so that it can turn categorical without the original texts. A column with
 * more than MAX_NUMERIC_DICTIONARY distinct number texts drops its dictionary; if such a column meets a non-number
 * later, the reader is asked for a second pass over that column's texts (`needsTexts`).
 */
import type { CategoricalColumn, Column, NumericColumn } from './types.js';

const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
export const MAX_NUMERIC_DICTIONARY = 4096;
/** Bound on the characters of all distinct texts kept by the columns of one dataset (memory stays bounded). */
export const MAX_DISTINCT_TEXT_CHARS = 64 * 1024 * 1024;

/** Shared by the columns of one dataset: characters of distinct texts kept so far; throws past the bound. */
export interface TextBudget {
  chars: number;
  onExceeded(): never;
}

/**
 * A typed array grown in fixed chunks of 2^16 elements (issue #12): growth never copies (a doubling array peaks at
 * 3× its data while it grows), and done() concatenates once into an array of exactly the right length. So a column
 * costs its final size plus at most one chunk while it is built, and 2× for the moment of done().
 */
type TypedCtor<T> = { new (n: number): T };
class ChunkedArray<T extends Float64Array | Int32Array | Uint32Array> {
  private static readonly SHIFT = 16;
  private static readonly SIZE = 1 << 16;
  private readonly chunks: T[] = [];
  /** With a capacity hint (the reader counted the lines first): one array of that size, filled in place, no copy. */
  private flat: T | null;
  length = 0;
  constructor(private readonly make: TypedCtor<T>, capacity = 0) {
    this.flat = capacity > 0 ? new make(capacity) : null;
  }
  push(v: number): void {
    const flat = this.flat;
    if (flat !== null) {
      if (this.length < flat.length) {
        flat[this.length++] = v;
        return;
      }
      this.spill();
    }
    const c = this.length >>> ChunkedArray.SHIFT;
    if (c === this.chunks.length) this.chunks.push(new this.make(ChunkedArray.SIZE));
    this.chunks[c][this.length & (ChunkedArray.SIZE - 1)] = v;
    this.length++;
  }
  /** More rows than the hint: move to chunks (rare: the hint counts line breaks, an upper bound on records). */
  private spill(): void {
    const flat = this.flat as T;
    this.flat = null;
    for (let start = 0; start < this.length; start += ChunkedArray.SIZE) {
      const chunk = new this.make(ChunkedArray.SIZE);
      chunk.set(flat.subarray(start, Math.min(this.length, start + ChunkedArray.SIZE)) as never);
      this.chunks.push(chunk);
    }
  }
  get(i: number): number {
    if (this.flat !== null) return this.flat[i];
    return this.chunks[i >>> ChunkedArray.SHIFT][i & (ChunkedArray.SIZE - 1)];
  }
  set(i: number, v: number): void {
    if (this.flat !== null) {
      this.flat[i] = v;
      return;
    }
    this.chunks[i >>> ChunkedArray.SHIFT][i & (ChunkedArray.SIZE - 1)] = v;
  }
  done(): T {
    if (this.flat !== null) {
      const flat = this.flat;
      this.flat = null;
      // exact size: a view when the hint was (nearly) right, a copy when it overshot by more than 1/16
      return (flat.length - this.length > flat.length / 16 ? flat.slice(0, this.length) : flat.subarray(0, this.length)) as T;
    }
    const out = new this.make(this.length);
    for (let c = 0; c < this.chunks.length; c++) {
      const start = c << ChunkedArray.SHIFT;
      const n = Math.min(ChunkedArray.SIZE, this.length - start);
      if (n <= 0) break;
      out.set(this.chunks[c].subarray(0, n) as never, start);
    }
    this.chunks.length = 0; // the chunks can go as soon as the column is built
    return out;
  }
}

class GrowingFloat64 extends ChunkedArray<Float64Array> {
  constructor(capacity = 0) {
    super(Float64Array, capacity);
  }
}

export class GrowingInt32 extends ChunkedArray<Int32Array> {
  constructor(capacity = 0) {
    super(Int32Array, capacity);
  }
}

export class GrowingUint32 extends ChunkedArray<Uint32Array> {
  constructor(capacity = 0) {
    super(Uint32Array, capacity);
  }
}

/** One column under construction. */
export class ColumnBuilder {
  private numeric = true;
  private values: GrowingFloat64 | null;
  private codes: GrowingInt32 | null;
  private levels: string[] = [];
  private index = new Map<string, number>();
  private integer = true;
  private missingCount = 0;
  /** Rows seen before the dictionary was dropped; a second pass must supply texts for them. */
  needsTexts = false;

  constructor(
    readonly name: string,
    private readonly missing: ReadonlySet<string>,
    private readonly budget?: TextBudget,
    /** Expected rows (an upper bound from counting line breaks), 0 when unknown. */
    private readonly capacity = 0,
  ) {
    this.values = new GrowingFloat64(capacity);
    this.codes = new GrowingInt32(capacity);
  }

  get rows(): number {
    return this.codes ? this.codes.length : (this.values as GrowingFloat64).length;
  }

  private code(text: string): number {
    let c = this.index.get(text);
    if (c === undefined) {
      c = this.levels.length;
      this.levels.push(text);
      this.index.set(text, c);
      if (this.budget) {
        this.budget.chars += text.length + 16;
        if (this.budget.chars > MAX_DISTINCT_TEXT_CHARS) this.budget.onExceeded();
      }
    }
    return c;
  }

  /** A cell as text (CSV, or a Parquet text value). */
  addText(text: string): void {
    if (this.numeric) {
      if (this.missing.has(text)) {
        this.values!.push(Number.NaN);
        this.missingCount++;
        if (this.codes) this.codes.push(this.code(text));
        return;
      }
      if (DECIMAL.test(text)) {
        const v = Number(text);
        if (Number.isFinite(v)) {
          this.values!.push(v);
          if (this.integer && !Number.isInteger(v)) this.integer = false;
          if (this.codes) {
            this.codes.push(this.code(text));
            if (this.levels.length > MAX_NUMERIC_DICTIONARY) this.dropDictionary();
          }
          return;
        }
      }
      this.becomeCategorical();
    }
    this.codes!.push(this.code(text));
  }

  /** A cell that is a number already (Parquet numeric column): text of the number where it must become one. */
  addNumber(v: number): void {
    if (!Number.isFinite(v)) {
      this.addMissing();
      return;
    }
    if (!this.numeric) {
      this.codes!.push(this.code(String(v)));
      return;
    }
    this.values!.push(v);
    if (this.integer && !Number.isInteger(v)) this.integer = false;
    if (this.codes) {
      this.codes.push(this.code(String(v)));
      if (this.levels.length > MAX_NUMERIC_DICTIONARY) this.dropDictionary();
    }
  }

  /** A missing cell (Parquet null): NaN when numeric, else the first missing-value text (or ''). */
  addMissing(): void {
    const text = this.missing.values().next().value ?? '';
    if (this.numeric) {
      this.values!.push(Number.NaN);
      this.missingCount++;
      if (this.codes) this.codes.push(this.code(text));
      return;
    }
    this.codes!.push(this.code(text));
  }

  private dropDictionary(): void {
    this.codes = null;
    this.levels = [];
    this.index = new Map();
  }

  private becomeCategorical(): void {
    this.numeric = false;
    if (this.codes === null) {
      // the texts of the rows so far are gone: the reader re-reads them (second pass); keep row count with placeholders
      this.needsTexts = true;
      const n = this.values!.length;
      this.codes = new GrowingInt32(this.capacity);
      for (let i = 0; i < n; i++) this.codes.push(-1);
    }
    this.values = null;
  }

  /** Second pass: the text of row i for a column that lost its dictionary (only rows with placeholder codes). */
  fillText(row: number, text: string): void {
    if (this.codes && this.codes.get(row) === -1) this.codes.set(row, this.code(text));
  }

  finish(): Column {
    if (this.numeric) {
      const col: NumericColumn = { kind: 'numeric', name: this.name, values: this.values!.done(), missing: this.missingCount, integer: this.integer };
      return col;
    }
    const codes = this.codes!.done();
    // levels in order of first appearance (the dictionary was built in row order, except after a second pass)
    const firstSeen = new Int32Array(this.levels.length).fill(-1);
    let order = 0;
    const remap = new Int32Array(this.levels.length);
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i];
      if (firstSeen[c] === -1) {
        firstSeen[c] = order;
        remap[c] = order++;
      }
    }
    const levels = new Array<string>(order);
    this.levels.forEach((l, c) => {
      if (firstSeen[c] !== -1) levels[remap[c]] = l;
    });
    let missing = 0;
    for (let i = 0; i < codes.length; i++) {
      codes[i] = remap[codes[i]];
    }
    const isMissing = levels.map((l) => this.missing.has(l));
    for (let i = 0; i < codes.length; i++) if (isMissing[codes[i]]) missing++;
    const col: CategoricalColumn = { kind: 'categorical', name: this.name, codes, levels, missing };
    return col;
  }
}
