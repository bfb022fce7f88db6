/**
 * Candidates -> the model input layout (one ModelInput holding every candidate of an attack step, scored in one call).
 * Each candidate starts as a copy of its original row in the model's input (so anything the attack space does not
 * describe is kept as it was), then its numeric values and categorical levels are written over it.
 */
import type { ColumnsInput, InputTensorData, MatrixInput, ModelInput } from '../../model/types.js';
import type { Candidates } from './project.js';
import type { AttackSpace } from './space.js';

function encodeMatrix(space: AttackSpace, input: MatrixInput, cands: Candidates, scratch?: Float32Array): MatrixInput {
  const { width } = input;
  const src = input.data;
  const n = cands.count;
  // every row is overwritten in full, so a reused buffer needs no clearing
  const out = scratch && scratch.length >= n * width ? scratch.subarray(0, n * width) : new Float32Array(n * width);
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const { origin, x, c } = cands;
  const c0 = space.c0;
  const numericCols = Int32Array.from(space.numeric, (f) => (f.source.kind === 'matrix' ? f.source.column : -1));
  const mutableNum = space.mutableNumeric;
  // copy the original rows: a run of candidates of the same row is filled by doubling copies
  for (let k = 0; k < n; ) {
    const o = origin[k] as number;
    let end = k + 1;
    while (end < n && origin[end] === o) end++;
    out.set(src.subarray(o * width, o * width + width), k * width);
    for (let filled = 1; filled < end - k; ) {
      const chunk = Math.min(filled, end - k - filled);
      out.copyWithin((k + filled) * width, k * width, (k + chunk) * width);
      filled += chunk;
    }
    k = end;
  }
  // many numeric features in consecutive matrix columns: one native converting copy per candidate (candidates hold
  // every numeric value, immutable ones equal to the original)
  let contiguous = nn > 32;
  for (let j = 1; contiguous && j < nn; j++) if (numericCols[j] !== (numericCols[0] as number) + j) contiguous = false;
  const first = nn > 0 ? (numericCols[0] as number) : 0;
  for (let k = 0; k < n; k++) {
    const o = origin[k] as number;
    const base = k * width;
    if (contiguous) out.set(x.subarray(k * nn, k * nn + nn), base + first);
    // otherwise only mutable features can differ from the original row
    else {
      for (let m = 0; m < mutableNum.length; m++) {
        const j = mutableNum[m] as number;
        out[base + (numericCols[j] as number)] = x[k * nn + j] as number;
      }
    }
    for (let j = 0; j < nc; j++) {
      const level = c[k * nc + j] as number;
      const orig = c0[o * nc + j] as number;
      if (level === orig) continue;
      const f = space.categorical[j]!;
      if (f.source.kind !== 'one-hot') continue;
      const from = f.source.indicators[orig] as number;
      const to = f.source.indicators[level] as number;
      if (from >= 0) out[base + from] = 0;
      if (to >= 0) out[base + to] = 1;
    }
  }
  return { kind: 'matrix', rows: n, input: input.input, width, data: out, featureNames: input.featureNames, oneHotGroups: input.oneHotGroups };
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
  /** A buffer the matrix may be written into (only valid until the next call with the same buffer). */
  scratch?: Float32Array,
): ModelInput {
  if (!extra || ((extra.numeric?.length ?? 0) === 0 && (extra.categorical?.length ?? 0) === 0)) {
    return space.input.kind === 'matrix' ? encodeMatrix(space, space.input, cands, scratch) : encodeColumns(space, space.input, cands);
  }
  const widened: AttackSpace = {
    ...space,
    mutableNumeric: Int32Array.from(new Set([...space.mutableNumeric, ...(extra.numeric ?? [])])),
    mutableCategorical: Int32Array.from(new Set([...space.mutableCategorical, ...(extra.categorical ?? [])])),
  };
  return widened.input.kind === 'matrix' ? encodeMatrix(widened, widened.input, cands, scratch) : encodeColumns(widened, widened.input, cands);
}
