import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/session.js';
import { RUNTIME_ENV_VAR } from '../../src/model/runtime.js';
import { FIXTURE_MODELS, inputFor, maxAbsDiff, referenceScores, spec } from './fixtures.js';

describe('WASM fallback (MODEL_RISK_GATE_RUNTIME=wasm) runs every fixture model', () => {
  const before = process.env[RUNTIME_ENV_VAR];
  beforeAll(() => {
    process.env[RUNTIME_ENV_VAR] = 'wasm';
  });
  afterAll(() => {
    if (before === undefined) delete process.env[RUNTIME_ENV_VAR];
    else process.env[RUNTIME_ENV_VAR] = before;
  });
  for (const m of FIXTURE_MODELS) {
    it(`${m.dataset}/${m.name} (${m.mode})`, async () => {
      const model = await loadModel({ file: m.file, displayPath: `${m.name}.onnx`, spec: spec() });
      try {
        expect(model.info.runtime).toBe('onnxruntime-web (wasm)');
        const scores = await model.score(await inputFor(m));
        const diff = maxAbsDiff(scores, referenceScores(m));
        console.log(`${m.dataset}/${m.name} wasm max|diff| ${diff.toExponential(2)}`);
        expect(diff).toBeLessThanOrEqual(1e-5);
      } finally {
        await model.dispose();
      }
    });
  }
});

describe('loadOrt', () => {
  it('picks onnxruntime-node by default and onnxruntime-web when MODEL_RISK_GATE_RUNTIME=wasm', async () => {
    const { loadOrt } = await import('../../src/model/runtime.js');
    const before = process.env[RUNTIME_ENV_VAR];
    try {
      delete process.env[RUNTIME_ENV_VAR];
      const native = await loadOrt();
      expect(native.name).toBe('onnxruntime-node');
      expect(native.version).toBe('1.30.0');
      expect(native.fallbackReason).toBeUndefined();
      expect(typeof native.ort.InferenceSession.create).toBe('function');
      process.env[RUNTIME_ENV_VAR] = 'wasm';
      const wasm = await loadOrt();
      expect(wasm.name).toBe('onnxruntime-web (wasm)');
      expect(wasm.version).toBe('1.30.0');
      expect(wasm.ort.env.wasm.numThreads).toBe(1);
      expect(wasm.ort).not.toBe(native.ort);
    } finally {
      if (before === undefined) delete process.env[RUNTIME_ENV_VAR];
      else process.env[RUNTIME_ENV_VAR] = before;
    }
  });
});
