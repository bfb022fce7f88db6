/**
 * Candidates -> the model input layout (one ModelInput holding every candidate of an attack step, scored in one call).
 * Each candidate starts as a copy of its original row in the model's input (so anything the attack space does not
 * describe is kept as it was), then its numeric values and categorical levels are written over it.
 */
import type { ColumnsInput, InputTensorData, MatrixInput, ModelInput } from '../../model/types.js';
import type { Candidates } from './project.js';
import type { AttackSpace } from './space.js';

/**
 * Writes candidates into a reused feature matrix, remembering which original row (and which categorical levels) each
 * matrix row holds: a row that already holds the candidate's original row only gets its written numeric columns and
 * changed one-hot indicators rewritten, not a full copy. Attacks that keep a candidate in the same slot from one step
 * to the next (stable layouts) thus pay a few writes per candidate instead of a row copy.
 */
/** Cached row views of a MatrixEncoder (a power of two). */
const VIEW_SLOTS = 4096;

export class MatrixEncoder {
  /** The reused matrix (fields below are read by writeRows). */
  data = new Float32Array(0);
  /** Original row held by each matrix row (-1: unknown). */
  rowOrigin = new Int32Array(0);
  /** Categorical levels held by each matrix row (valid where rowOrigin >= 0). */
  rowLevels = new Int32Array(0);
  readonly numericCols: Int32Array;
  readonly contiguous: boolean;
  /** Per categorical feature: its one-hot indicator columns per level (null: not a one-hot group). */
  readonly indicators: Array<Int32Array | null>;
  /**
   * Views of original rows of the input matrix, direct-mapped by row (VIEW_SLOTS of them): a full row copy reuses the
   * view instead of allocating a subarray per candidate (attacks copy the same few hundred rows over and over).
   */
  readonly views: Array<Float32Array | undefined> = new Array(VIEW_SLOTS);
  readonly viewRow = new Int32Array(VIEW_SLOTS).fill(-1);

  constructor(
    readonly space: AttackSpace,
    readonly input: MatrixInput,
  ) {
    const nn = space.numeric.length;
    this.numericCols = Int32Array.from(space.numeric, (f) => (f.source.kind === 'matrix' ? f.source.column : -1));
    // many numeric features in consecutive matrix columns: one native converting copy per candidate
    let contiguous = nn > 32;
    for (let j = 1; contiguous && j < nn; j++) if (this.numericCols[j] !== (this.numericCols[0] as number) + j) contiguous = false;
    this.contiguous = contiguous;
    this.indicators = space.categorical.map((f) => (f.source.kind === 'one-hot' ? f.source.indicators : null));
  }

  /** Room for `rows` matrix rows (a caller that encodes a call in parts reserves the whole call once). */
  reserve(rows: number): void {
    const { width } = this.input;
    if (this.data.length >= rows * width) return;
    const nc = this.space.categorical.length;
    const cap = Math.max(rows, Math.ceil((this.data.length / width) * 1.5), 1024);
    const data = new Float32Array(cap * width);
    const rowOrigin = new Int32Array(cap).fill(-1);
    const rowLevels = new Int32Array(cap * nc);
    // keep what the rows hold (their contents stay known)
    data.set(this.data);
    rowOrigin.set(this.rowOrigin);
    rowLevels.set(this.rowLevels);
    this.data = data;
    this.rowOrigin = rowOrigin;
    this.rowLevels = rowLevels;
  }

  /**
   * The model input for candidates [0, count) (a view of the reused matrix: valid until the next call). `written`:
   * the numeric features to write (the mutable ones, or more for counterfactuals; the others must equal the original
   * row); `widened`: written holds more than the mutable ones (the rows are then forgotten after this call).
   * Categorical levels are compared with the levels each matrix row holds, so every changed level is written.
   * `offset`: candidate k goes to matrix row offset + k (a call encoded in parts keeps each candidate's row: the rows
   * of stable layouts stay patched).
   */
  encode(cands: Candidates, written: Int32Array, widened: boolean, offset = 0): MatrixInput {
    const { space, input } = this;
    const { width } = input;
    const n = cands.count;
    this.reserve(offset + n);
    writeRows(this, cands, written, offset);
    // features outside the usual written set were changed: these rows no longer match the cache's assumptions
    if (widened) this.rowOrigin.fill(-1, offset, offset + n);
    return { kind: 'matrix', rows: n, input: input.input, width, data: this.data.subarray(offset * width, (offset + n) * width), featureNames: input.featureNames, oneHotGroups: input.oneHotGroups };
  }
}

/**
 * The rows of MatrixEncoder.encode (a function of its own: optimized as a whole, not only on-stack inside one long call,
 * which left encode deoptimizing at its return on every call).
 */
function writeRows(e: MatrixEncoder, cands: Candidates, written: Int32Array, offset: number): void {
  const { space, input } = e;
  const { width } = input;
  const n = cands.count;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const out = e.data;
  const rowOrigin = e.rowOrigin;
  const rowLevels = e.rowLevels;
  const src = input.data;
  const { origin, x, c } = cands;
  const c0 = space.c0;
  const numericCols = e.numericCols;
  const indicators = e.indicators;
  const first = nn > 0 ? (numericCols[0] as number) : 0;
  const nw = written.length;
  for (let k = 0; k < n; k++) {
    const o = origin[k] as number;
    const r = offset + k;
    const base = r * width;
    if (rowOrigin[r] !== o) {
      // a full copy: from the previous matrix row when it holds the same original row (its written numeric columns
      // are overwritten below, its levels are known), else from the original matrix
      if (k > 0 && rowOrigin[r - 1] === o) {
        out.copyWithin(base, base - width, base);
        for (let j = 0; j < nc; j++) rowLevels[r * nc + j] = rowLevels[(r - 1) * nc + j] as number;
      } else {
        const slot = o & (VIEW_SLOTS - 1);
        let view = e.views[slot];
        if (view === undefined || e.viewRow[slot] !== o) {
          view = e.views[slot] = src.subarray(o * width, o * width + width);
          e.viewRow[slot] = o;
        }
        out.set(view, base);
        for (let j = 0; j < nc; j++) rowLevels[r * nc + j] = c0[o * nc + j] as number;
      }
      rowOrigin[r] = o;
    }
    if (e.contiguous) out.set(x.subarray(k * nn, k * nn + nn), base + first);
    else {
      for (let m = 0; m < nw; m++) {
        const j = written[m] as number;
        out[base + (numericCols[j] as number)] = x[k * nn + j] as number;
      }
    }
    for (let j = 0; j < nc; j++) {
      const level = c[k * nc + j] as number;
      const held = rowLevels[r * nc + j] as number;
      if (level === held) continue;
      const ind = indicators[j];
      if (!ind) continue;
      const from = ind[held] as number;
      const to = ind[level] as number;
      if (from >= 0) out[base + from] = 0;
      if (to >= 0) out[base + to] = 1;
      rowLevels[r * nc + j] = level;
    }
  }
}

function encodeColumns(space: AttackSpace, input: ColumnsInput, cands: Candidates): ColumnsInput {
  const n = cands.count;
  const { origin, x, c } = cands;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const tensors: Record<string, InputTensorData> = {};
  for (const [name, t] of Object.entries(input.tensors)) {
    switch (t.type) {
      case 'string': {
        const d = new Array<string>(n);
        for (let k = 0; k < n; k++) d[k] = t.data[origin[k] as number] as string;
        tensors[name] = { type: 'string', data: d };
        break;
      }
      case 'float32': {
        const d = new Float32Array(n);
        for (let k = 0; k < n; k++) d[k] = t.data[origin[k] as number] as number;
        tensors[name] = { type: 'float32', data: d };
        break;
      }
      case 'float64': {
        const d = new Float64Array(n);
        for (let k = 0; k < n; k++) d[k] = t.data[origin[k] as number] as number;
        tensors[name] = { type: 'float64', data: d };
        break;
      }
      case 'int64': {
        const d = new BigInt64Array(n);
        for (let k = 0; k < n; k++) d[k] = t.data[origin[k] as number] as bigint;
        tensors[name] = { type: 'int64', data: d };
        break;
      }
      case 'int32': {
        const d = new Int32Array(n);
        for (let k = 0; k < n; k++) d[k] = t.data[origin[k] as number] as number;
        tensors[name] = { type: 'int32', data: d };
        break;
      }
    }
  }
  for (const j of space.mutableNumeric) {
    const f = space.numeric[j]!;
    if (f.source.kind !== 'tensor') continue;
    const t = tensors[f.source.input]!;
    if (t.type === 'string') continue;
    if (t.type === 'int64') for (let k = 0; k < n; k++) t.data[k] = BigInt(Math.round(x[k * nn + j] as number));
    else for (let k = 0; k < n; k++) t.data[k] = x[k * nn + j] as number;
  }
  for (const j of space.mutableCategorical) {
    const f = space.categorical[j]!;
    if (f.source.kind !== 'tensor') continue;
    const t = tensors[f.source.input]!;
    if (t.type !== 'string') continue;
    for (let k = 0; k < n; k++) t.data[k] = f.levels[c[k * nc + j] as number] as string;
  }
  return { kind: 'columns', rows: n, tensors, sourceColumns: input.sourceColumns };
}

/**
 * The model input for every candidate. Only mutable features are written, so callers must project first (project()
 * resets immutable features); counterfactuals, which change an immutable sensitive attribute on purpose, pass
 * `extra.numeric` / `extra.categorical` (feature indices) to have those features written too.
 */
export function encodeCandidates(
  space: AttackSpace,
  cands: Candidates,
  extra?: { numeric?: number[]; categorical?: number[] },
  /** Reused between calls (its matrix is only valid until its next call); a fresh one by default. */
  encoder?: MatrixEncoder,
  /** Matrix row of candidate 0 in the reused encoder (parts of one call keep their candidates' rows). */
  offset = 0,
): ModelInput {
  const widened = !!extra && ((extra.numeric?.length ?? 0) > 0 || (extra.categorical?.length ?? 0) > 0);
  const numeric = widened ? Int32Array.from(new Set([...space.mutableNumeric, ...(extra?.numeric ?? [])])) : space.mutableNumeric;
  if (space.input.kind === 'matrix') {
    // categorical levels are compared with what each matrix row holds, so immutable ones need no widening here
    return encoder ? encoder.encode(cands, numeric, widened, offset) : new MatrixEncoder(space, space.input).encode(cands, numeric, widened);
  }
  if (!widened) return encodeColumns(space, space.input, cands);
  const wide: AttackSpace = {
    ...space,
    mutableNumeric: numeric,
    mutableCategorical: Int32Array.from(new Set([...space.mutableCategorical, ...(extra?.categorical ?? [])])),
  };
  return encodeColumns(wide, wide.input as ColumnsInput, cands);
}
