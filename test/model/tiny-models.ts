/** Hand-built ONNX models for edge cases (written to a temp dir with encodeModel). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { encodeModel } from '../../src/model/onnx-graph.js';

const dir = mkdtempSync(join(tmpdir(), 'mrg-model-test-'));
// registered in the test file that imports this module (runs once that file's tests are done)
afterAll(() => rmSync(dir, { recursive: true, force: true }));

type Dim = number | string | null;
interface Io {
  name: string;
  elemType: number; // 1 float, 6 int32, 7 int64, 8 string, 11 double
  shape: Dim[];
}

function valueInfo(io: Io): object {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: io.elemType,
        shape: { dim: io.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) },
      },
    },
  };
}

/** A one-node model: node(inputs) -> outputs, opset 13 (+ ai.onnx.ml 1). Returns its file path. */
export function tinyModel(name: string, node: { opType: string; domain?: string; attribute?: object[] }, inputs: Io[], outputs: Io[]): string {
  const bytes = encodeModel({
    irVersion: 7,
    producerName: 'model-risk-gate-test',
    opsetImport: [{ domain: '', version: 13 }, { domain: 'ai.onnx.ml', version: 1 }],
    graph: {
      name,
      node: [{ ...node, input: inputs.map((i) => i.name), output: outputs.map((o) => o.name), name: 'n0' }],
      input: inputs.map(valueInfo),
      output: outputs.map(valueInfo),
    },
  });
  const file = join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  return file;
}

export function writeTemp(name: string, bytes: Uint8Array | string): string {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

export const FLOAT = 1;
export const INT32 = 6;
export const INT64 = 7;
export const STRING = 8;
export const DOUBLE = 11;
