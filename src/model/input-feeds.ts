/**
 * ModelInput -> onnxruntime feeds, one batch at a time, from typed-array views (no copies for numeric data).
 * Also checks, before any scoring, that a ModelInput fits the model's input signature.
 */
import type { Tensor } from 'onnxruntime-common';
import { UserError, type SourceLocation } from '../util/errors.js';
import type { Ort } from './runtime.js';
import type { ColumnsInput, InputTensorData, MatrixInput, ModelInput, ModelInputSignature } from './types.js';

function shapeText(sig: ModelInputSignature): string {
  return `[${sig.shape.map((d) => (d === null ? '?' : d)).join(',')}]`;
}

function checkMatrix(input: MatrixInput, sigs: ModelInputSignature[], where: SourceLocation): void {
  if (sigs.length !== 1) {
    throw new UserError(
      `the model has ${sigs.length} inputs (${sigs.map((s) => `${s.name} ${s.type}`).join(', ')}) but a single feature matrix was built: give the dataset one column per model input instead of model.features`,
      where,
    );
  }
  const sig = sigs[0]!;
  if (sig.name !== input.input) {
    throw new UserError(`the model's input is '${sig.name}', not '${input.input}'`, where);
  }
  if (sig.type !== 'float32' && sig.type !== 'float64') {
    throw new UserError(
      `model input '${sig.name}' is ${sig.type} ${shapeText(sig)}; a feature matrix is float: this model wants its raw columns, remove model.features from the policy`,
      where,
    );
  }
  if (sig.shape.length !== 2) {
    throw new UserError(`model input '${sig.name}' has shape ${shapeText(sig)}; a feature matrix is [N, d]`, where);
  }
  const width = sig.shape[1];
  if (typeof width === 'number' && width !== input.width) {
    throw new UserError(
      `model input '${sig.name}' takes ${width} features per row but the feature list has ${input.width}: make model.features list the model's ${width} features in training order`,
      where,
    );
  }
  if (input.data.length !== input.rows * input.width) {
    throw new Error(`feature matrix holds ${input.data.length} values, expected ${input.rows} x ${input.width}`);
  }
}

const TYPE_OF_DATA: Record<InputTensorData['type'], string> = {
  string: 'string',
  float32: 'float32',
  float64: 'float64',
  int64: 'int64',
  int32: 'int32',
};

function checkColumns(input: ColumnsInput, sigs: ModelInputSignature[], where: SourceLocation): void {
  for (const sig of sigs) {
    const t = input.tensors[sig.name];
    if (!t) {
      throw new UserError(
        `the model needs input '${sig.name}' (${sig.type} ${shapeText(sig)}) and the dataset has no column for it: add a column '${sig.name}' to the dataset`,
        where,
      );
    }
    if (TYPE_OF_DATA[t.type] !== sig.type) {
      const col = input.sourceColumns[sig.name] ?? sig.name;
      throw new UserError(
        `model input '${sig.name}' is ${sig.type} but column '${col}' was read as ${t.type}: the column must hold ${sig.type === 'string' ? 'text' : 'numbers'} for this model`,
        where,
      );
    }
    if (sig.shape.length === 2 && typeof sig.shape[1] === 'number' && sig.shape[1] !== 1) {
      throw new UserError(
        `model input '${sig.name}' has shape ${shapeText(sig)}; one input per column must be [N,1]: build a feature matrix with model.features instead`,
        where,
      );
    }
    if (t.data.length !== input.rows) {
      throw new Error(`input '${sig.name}' holds ${t.data.length} values for ${input.rows} rows`);
    }
  }
}

/** UserError when `input` does not give every model input with the right type and shape. */
export function checkInputFitsModel(input: ModelInput, sigs: ModelInputSignature[], where: SourceLocation): void {
  if (input.kind === 'matrix') checkMatrix(input, sigs, where);
  else checkColumns(input, sigs, where);
}

/** onnxruntime feeds for rows [start, end). */
export function batchFeeds(
  ort: Ort,
  input: ModelInput,
  sigs: ModelInputSignature[],
  start: number,
  end: number,
): Record<string, Tensor> {
  const n = end - start;
  const feeds: Record<string, Tensor> = {};
  if (input.kind === 'matrix') {
    const sig = sigs[0]!;
    const view = input.data.subarray(start * input.width, end * input.width);
    feeds[sig.name] =
      sig.type === 'float64'
        ? new ort.Tensor('float64', Float64Array.from(view), [n, input.width])
        : new ort.Tensor('float32', view, [n, input.width]);
    return feeds;
  }
  for (const sig of sigs) {
    const t = input.tensors[sig.name]!;
    const dims = sig.shape.length === 1 ? [n] : [n, 1];
    const whole = start === 0 && end === t.data.length;
    switch (t.type) {
      case 'string':
        feeds[sig.name] = new ort.Tensor('string', whole ? t.data : t.data.slice(start, end), dims);
        break;
      case 'float32':
        feeds[sig.name] = new ort.Tensor('float32', t.data.subarray(start, end), dims);
        break;
      case 'float64':
        feeds[sig.name] = new ort.Tensor('float64', t.data.subarray(start, end), dims);
        break;
      case 'int64':
        feeds[sig.name] = new ort.Tensor('int64', t.data.subarray(start, end), dims);
        break;
      case 'int32':
        feeds[sig.name] = new ort.Tensor('int32', t.data.subarray(start, end), dims);
        break;
    }
  }
  return feeds;
}
