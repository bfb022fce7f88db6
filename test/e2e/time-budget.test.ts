/**
 * The time budget bounds a model call that never ends (issue #9): an ONNX model whose Loop runs ~10^10 iterations is
 * stopped by the watchdog at the budget plus its grace, with one line naming the stage — never a pass, never a hang.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeModel } from '../../src/model/onnx-graph.js';
import { repoRoot, runNode } from './harness.js';

const FLOAT = 1, INT64 = 7, BOOL = 9;
const tensorInfo = (name: string, elemType: number, shape: Array<number | string>) => ({
  name,
  type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});
const scalar = (name: string, dataType: number, value: number | boolean) =>
  dataType === INT64 ? { name, dataType, dims: [], int64Data: [Number(value)] } : dataType === BOOL ? { name, dataType, dims: [], int32Data: [value ? 1 : 0] } : { name, dataType, dims: [], floatData: [Number(value)] };

/** probabilities = Sigmoid(X·0 + v·0), where v comes out of a Loop of `trips` iterations adding 1. */
function endlessModel(trips: number): Uint8Array {
  const body = {
    name: 'body',
    node: [
      { opType: 'Identity', input: ['cond_in'], output: ['cond_out'], name: 'keep' },
      { opType: 'Add', input: ['v_in', 'one'], output: ['v_out'], name: 'inc' },
    ],
    initializer: [scalar('one', FLOAT, 1)],
    input: [tensorInfo('iter', INT64, []), tensorInfo('cond_in', BOOL, []), tensorInfo('v_in', FLOAT, [])],
    output: [tensorInfo('cond_out', BOOL, []), tensorInfo('v_out', FLOAT, [])],
  };
  return encodeModel({
    irVersion: 7,
    producerName: 'model-risk-gate-test',
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'endless',
      node: [
        { opType: 'Loop', input: ['trips', 'cond', 'v0'], output: ['v'], name: 'loop', attribute: [{ name: 'body', type: 5, g: body }] },
        { opType: 'Mul', input: ['X', 'zero'], output: ['x0'], name: 'm1' },
        { opType: 'Mul', input: ['v', 'zero'], output: ['v0x'], name: 'm2' },
        { opType: 'Add', input: ['x0', 'v0x'], output: ['z'], name: 'a1' },
        { opType: 'Sigmoid', input: ['z'], output: ['probabilities'], name: 's1' },
      ],
      initializer: [scalar('trips', INT64, trips), scalar('cond', BOOL, true), scalar('v0', FLOAT, 0), scalar('zero', FLOAT, 0)],
      input: [tensorInfo('X', FLOAT, ['N', 2])],
      output: [tensorInfo('probabilities', FLOAT, ['N', 2])],
    },
  });
}

describe('time budget: a model call that overruns it is stopped (node dist/cli.js)', () => {
  it('an endless Loop under --time-budget 0.05 ends non-zero within the grace, naming the stage', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-budget-'));
    writeFileSync(join(dir, 'model.onnx'), endlessModel(10_000_000_000));
    writeFileSync(join(dir, 'eval.csv'), 'a,b,y\n' + Array.from({ length: 60 }, (_, i) => `${i % 7},${i % 3},${i % 2}`).join('\n') + '\n');
    writeFileSync(join(dir, 'policy.yml'), `version: 1
model:
  path: model.onnx
  features: { columns: [a, b] }
dataset:
  path: eval.csv
  label: y
  positive_label: 1
checks:
  performance:
    accuracy: { min: 0.1 }
`);
    const started = Date.now();
    const r = await runNode([join(repoRoot, 'dist', 'cli.js'), 'check', '--policy', 'policy.yml', '--workspace', dir, '--time-budget', '0.05', '--no-color'], { cwd: dir, timeoutMs: 120_000 });
    const seconds = (Date.now() - started) / 1000;
    console.log(`endless Loop model: stopped after ${seconds.toFixed(1)} s (budget 3 s + 10 s grace), exit ${r.code}`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/time budget of 3 s ran out in stage "(scoring|model)"/);
    expect(r.stderr).toMatch(/--time-budget/);
    expect(r.stdout).not.toMatch(/PASS/);
  }, 150_000);
});
