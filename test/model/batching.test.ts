import { describe, expect, it } from 'vitest';
import { loadModel } from '../../src/model/session.js';
import { fixtureModel, inputFor, maxAbsDiff, referenceScores, spec } from './fixtures.js';

describe('batching', () => {
  for (const [ds, name] of [
    ['adult', 'logreg_pipeline'],
    ['adult', 'mlp_torch'],
  ] as const) {
    it(`${ds}/${name}: batch_size 1000 and 100000 give identical scores; queries count rows`, async () => {
      const fm = fixtureModel(ds, name);
      const input = await inputFor(fm);
      const small = await loadModel({ file: fm.file, displayPath: 'm.onnx', spec: spec({ batch_size: 1000 }) });
      const big = await loadModel({ file: fm.file, displayPath: 'm.onnx', spec: spec({ batch_size: 100000 }) });
      const a = await small.score(input);
      const b = await big.score(input);
      expect(a.length).toBe(16281);
      expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
      expect(maxAbsDiff(a, referenceScores(fm))).toBeLessThanOrEqual(1e-6);
      expect(small.queries).toBe(16281);
      await small.score(input);
      expect(small.queries).toBe(2 * 16281);
      await small.dispose();
      await big.dispose();
    });
  }

  it('uneven last batch and batch_size 1 (row views at every offset)', async () => {
    const fm = fixtureModel('adult', 'logreg_pipeline_nozipmap');
    const input = await inputFor(fm, 53);
    const ref = referenceScores(fm).subarray(0, 53);
    for (const batch_size of [1, 7, 53, 64]) {
      const m = await loadModel({ file: fm.file, displayPath: 'm.onnx', spec: spec({ batch_size }) });
      expect(maxAbsDiff(await m.score(input), ref)).toBeLessThanOrEqual(1e-6);
      await m.dispose();
    }
  });

  it('zero rows -> empty scores, no query', async () => {
    const fm = fixtureModel('adult', 'gbt_onehot');
    const m = await loadModel({ file: fm.file, displayPath: 'm.onnx', spec: spec() });
    const s = await m.score(await inputFor(fm, 0));
    expect(s.length).toBe(0);
    expect(m.queries).toBe(0);
    await m.dispose();
  });
});
