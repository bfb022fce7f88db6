import { afterEach, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/session.js';
import { FIXTURE_MODELS, inputFor, maxAbsDiff, referenceScores, spec } from './fixtures.js';

describe('scores of every fixture model equal the predictions CSV', () => {
  for (const m of FIXTURE_MODELS) {
    it(`${m.dataset}/${m.name} (${m.mode})`, async () => {
      const model = await loadModel({ file: m.file, displayPath: `${m.name}.onnx`, spec: spec() });
      try {
        const input = await inputFor(m);
        const scores = await model.score(input);
        const ref = referenceScores(m);
        const diff = maxAbsDiff(scores, ref);
        console.log(`${m.dataset}/${m.name} node max|diff| ${diff.toExponential(2)} runtime ${model.info.runtime} ${model.info.runtimeVersion}`);
        expect(diff).toBeLessThanOrEqual(1e-6);
        expect(model.queries).toBe(input.rows);
        expect(model.info.outputKind).toBe(m.dataset === 'german-credit' && m.name === 'mlp_torch' ? 'probability' : 'probabilities');
        expect(model.info.runtime).toBe('onnxruntime-node');
      } finally {
        await model.dispose();
      }
    });
  }
});
