/**
 * One batch's output tensor -> positive-class scores written into the result Float32Array, per the ScorePlan.
 */
import { UserError, type SourceLocation } from '../util/errors.js';
import type { ScorePlan } from './output-convention.js';

/** The parts of an onnxruntime Tensor we read (same for onnxruntime-node and -web). */
export interface OutputTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** Probabilities this far outside [0, 1] are an error; closer ones (float rounding) are clamped. */
const PROBABILITY_SLACK = 1e-5;

function rowsAndColumns(t: OutputTensor, plan: ScorePlan, rows: number, where: SourceLocation): [number, number] {
  const dims = t.dims;
  const ok = dims.length === 1 ? dims[0] === rows : dims.length === 2 && dims[0] === rows;
  if (!ok) {
    throw new UserError(`output '${plan.output}' came back with shape [${dims.join(',')}] for ${rows} rows; expected [${rows}, C] or [${rows}]`, where);
  }
  return [rows, dims.length === 2 ? dims[1]! : 1];
}

/** Write the scores of `rows` rows into out[offset ...]. */
export function writeBatchScores(
  t: OutputTensor,
  plan: ScorePlan,
  out: Float32Array,
  offset: number,
  rows: number,
  where: SourceLocation,
): void {
  const [, columns] = rowsAndColumns(t, plan, rows, where);
  if (plan.kind === 'label') {
    writeLabelScores(t, plan, out, offset, rows, columns);
    return;
  }
  if (t.type !== 'float32' && t.type !== 'float64') {
    throw new UserError(`output '${plan.output}' is ${t.type}, not a float probability: pick another output with model.output`, where);
  }
  const data = t.data as Float32Array | Float64Array;
  const col = columns === 1 ? 0 : plan.positiveIndex;
  if (col >= columns) {
    throw new UserError(
      `model.positive_index ${plan.positiveIndex} is out of range: output '${plan.output}' has ${columns} columns (use 0..${columns - 1})`,
      where,
    );
  }
  if (columns === 1 && data instanceof Float32Array) {
    out.set(data.subarray(0, rows), offset);
  } else {
    for (let i = 0; i < rows; i++) out[offset + i] = data[i * columns + col]!;
  }
  checkProbabilities(out, offset, offset + rows, plan, where);
}

function writeLabelScores(t: OutputTensor, plan: ScorePlan, out: Float32Array, offset: number, rows: number, columns: number): void {
  const pos = plan.positiveLabel;
  if (t.type === 'int64') {
    const data = t.data as BigInt64Array;
    const p = BigInt(pos as number);
    for (let i = 0; i < rows; i++) out[offset + i] = data[i * columns] === p ? 1 : 0;
  } else if (t.type === 'string') {
    const data = t.data as string[];
    const p = String(pos);
    for (let i = 0; i < rows; i++) out[offset + i] = data[i * columns] === p ? 1 : 0;
  } else {
    const data = t.data as ArrayLike<number>;
    const p = Number(pos);
    for (let i = 0; i < rows; i++) out[offset + i] = data[i * columns] === p ? 1 : 0;
  }
}

/** UserError at the first NaN or value outside [0, 1]; values within float rounding of the bounds are clamped. */
export function checkProbabilities(out: Float32Array, start: number, end: number, plan: ScorePlan, where: SourceLocation): void {
  for (let i = start; i < end; i++) {
    const v = out[i]!;
    if (v >= 0 && v <= 1) continue;
    if (Number.isNaN(v)) {
      throw new UserError(
        `output '${plan.output}' is NaN for row ${i}: check that row's input values (a missing value passed as NaN?) or whether this output is a probability`,
        where,
      );
    }
    if (v > -PROBABILITY_SLACK && v < 1 + PROBABILITY_SLACK) {
      out[i] = v < 0 ? 0 : 1;
      continue;
    }
    throw new UserError(
      `output '${plan.output}' gave ${v} for row ${i}, not a probability in [0, 1] (logits or a raw score?): pick a probability output with model.output, or add a Sigmoid/Softmax at the end of the model`,
      where,
    );
  }
}
