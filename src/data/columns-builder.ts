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

class GrowingFloat64 {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowingInt32 {
  data = new Int32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

export class GrowingUint32 {
  data = new Uint32Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Uint32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  done(): Uint32Array {
    return this.data.slice(0, this.length);
  }
}

/** One column under construction. */
export class ColumnBuilder {
  private numeric = true;
  private values: GrowingFloat64 | null = new GrowingFloat64();
  private codes: GrowingInt32 | null = new GrowingInt32();
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
  ) {}

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
      this.codes = new GrowingInt32();
      for (let i = 0; i < n; i++) this.codes.push(-1);
    }
    this.values = null;
  }

  /** Second pass: the text of row i for a column that lost its dictionary (only rows with placeholder codes). */
  fillText(row: number, text: string): void {
    if (this.codes && this.codes.data[row] === -1) this.codes.data[row] = this.code(text);
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
