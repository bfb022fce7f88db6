/**
 * Building model inputs row by row without per-row objects: subsets of an input, and "hybrid" rows that take some
 * slots (a player's matrix columns or tensors) from one row and the rest from another. Used by KernelSHAP (coalition x
 * background rows) and permutation importance (one column shuffled).
 */
import type { ColumnsInput, InputTensorData, MatrixInput, ModelInput } from '../../model/types.js';

function gatherTensor(t: InputTensorData, rows: ArrayLike<number>): InputTensorData {
  const n = rows.length;
  switch (t.type) {
    case 'string': {
      const data = new Array<string>(n);
      for (let i = 0; i < n; i++) data[i] = t.data[rows[i]];
      return { type: 'string', data };
    }
    case 'float32': {
      const data = new Float32Array(n);
      for (let i = 0; i < n; i++) data[i] = t.data[rows[i]];
      return { type: 'float32', data };
    }
    case 'float64': {
      const data = new Float64Array(n);
      for (let i = 0; i < n; i++) data[i] = t.data[rows[i]];
      return { type: 'float64', data };
    }
    case 'int64': {
      const data = new BigInt64Array(n);
      for (let i = 0; i < n; i++) data[i] = t.data[rows[i]];
      return { type: 'int64', data };
    }
    case 'int32': {
      const data = new Int32Array(n);
      for (let i = 0; i < n; i++) data[i] = t.data[rows[i]];
      return { type: 'int32', data };
    }
  }
}

/** The given rows of an input (in that order) as a new input of the same kind. */
export function gatherRows(input: ModelInput, rows: ArrayLike<number>): ModelInput {
  if (input.kind === 'matrix') {
    const w = input.width;
    // float64 data stays float64 (the encoded features of a translated model, issue #11)
    const data = input.data instanceof Float64Array ? (new Float64Array(rows.length * w) as unknown as Float32Array) : new Float32Array(rows.length * w);
    for (let i = 0; i < rows.length; i++) data.set(input.data.subarray(rows[i] * w, rows[i] * w + w), i * w);
    return { ...input, rows: rows.length, data };
  }
  const tensors: ColumnsInput['tensors'] = {};
  for (const [name, t] of Object.entries(input.tensors)) tensors[name] = gatherTensor(t, rows);
  return { ...input, rows: rows.length, tensors };
}

/** Number of values one row of the input holds (matrix width, or number of tensors). */
export function cellsPerRow(input: ModelInput): number {
  return input.kind === 'matrix' ? input.width : Object.keys(input.tensors).length;
}

type AnyArray = string[] | Float32Array | Float64Array | BigInt64Array | Int32Array;

function allocLike(t: InputTensorData, n: number): AnyArray {
  switch (t.type) {
    case 'string':
      return new Array<string>(n);
    case 'float32':
      return new Float32Array(n);
    case 'float64':
      return new Float64Array(n);
    case 'int64':
      return new BigInt64Array(n);
    case 'int32':
      return new Int32Array(n);
  }
}

/**
 * Writes hybrid rows into a buffer of fixed capacity: row k = slots flagged "on" from row `xRow` of `from`, every other
 * slot from row `bRow` of `base`. `from` and `base` must have the same layout (same kind, width or tensors).
 */
export class HybridRowWriter {
  private count = 0;
  private readonly matrix: Float32Array | null;
  private readonly columns: AnyArray[] | null;
  private readonly names: string[];

  constructor(
    private readonly from: ModelInput,
    private readonly base: ModelInput,
    readonly capacity: number,
  ) {
    if (from.kind !== base.kind) throw new Error('hybrid rows need inputs of the same kind');
    if (from.kind === 'matrix') {
      if ((base as MatrixInput).width !== from.width) throw new Error('hybrid rows need matrices of the same width');
      this.matrix = new Float32Array(capacity * from.width);
      this.columns = null;
      this.names = [];
    } else {
      this.names = Object.keys(from.tensors);
      this.columns = this.names.map((n) => allocLike(from.tensors[n], capacity));
      this.matrix = null;
    }
  }

  get rows(): number {
    return this.count;
  }

  get full(): boolean {
    return this.count >= this.capacity;
  }

  /**
   * Append one row. `onSlots[0..onCount)` lists the slots taken from `from` (matrix columns / tensor indices);
   * `onFlag[slot]` is 1 for those same slots (used for tensor inputs).
   */
  write(xRow: number, bRow: number, onSlots: Int32Array, onCount: number, onFlag: Uint8Array): void {
    const k = this.count++;
    if (this.matrix) {
      const from = this.from as MatrixInput;
      const base = this.base as MatrixInput;
      const w = from.width;
      const out = this.matrix;
      const o = k * w;
      out.set(base.data.subarray(bRow * w, bRow * w + w), o);
      const src = from.data;
      const xo = xRow * w;
      for (let j = 0; j < onCount; j++) {
        const c = onSlots[j];
        out[o + c] = src[xo + c];
      }
      return;
    }
    const cols = this.columns as AnyArray[];
    const from = (this.from as ColumnsInput).tensors;
    const base = (this.base as ColumnsInput).tensors;
    for (let s = 0; s < cols.length; s++) {
      const name = this.names[s];
      const src = onFlag[s] ? from[name].data : base[name].data;
      const row = onFlag[s] ? xRow : bRow;
      (cols[s] as unknown as Array<unknown>)[k] = (src as unknown as Array<unknown>)[row];
    }
  }

  /** The rows written so far as a model input (views on the buffer: score it before writing again). */
  input(): ModelInput {
    const n = this.count;
    if (this.matrix) {
      const from = this.from as MatrixInput;
      return { ...from, rows: n, data: this.matrix.subarray(0, n * from.width) };
    }
    const from = this.from as ColumnsInput;
    const tensors: ColumnsInput['tensors'] = {};
    this.names.forEach((name, s) => {
      const t = from.tensors[name];
      const col = (this.columns as AnyArray[])[s];
      tensors[name] = (
        t.type === 'string' ? { type: 'string', data: (col as string[]).slice(0, n) } : { type: t.type, data: (col as Float32Array).subarray(0, n) }
      ) as InputTensorData;
    });
    return { ...from, rows: n, tensors };
  }

  reset(): void {
    this.count = 0;
  }
}
