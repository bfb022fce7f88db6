import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { buildGroupings } from '../../src/data/groups.js';
import { makeLabels } from '../../src/data/labels.js';
import { encodeModelInput } from '../../src/model/encode.js';
import { loadPolicy, resolvePolicyPath } from '../../src/policy/load.js';

const repo = resolve(import.meta.dirname, '../..');

it('policy -> dataset -> labels -> groupings -> feature matrix for the shipped GBT example is fast', async () => {
  const t: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string): void => {
    const now = performance.now();
    t[name] = Math.round((now - mark) * 10) / 10;
    mark = now;
  };
  const doc = await loadPolicy('policies/example-adult-gbt.yml', { workspace: repo });
  lap('policy (first load: schema compile)');
  await loadPolicy('policies/example-adult-gbt.yml', { workspace: repo });
  lap('policy (again)');
  const { policy } = doc;
  const dataset = await readCsvDataset(resolvePolicyPath(doc, policy.dataset.path, ['dataset', 'path']), {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
  });
  lap('csv 16,281 x 15');
  const labels = makeLabels(dataset, policy.dataset, doc);
  lap('labels');
  const groupings = buildGroupings(dataset, policy, doc);
  lap('groupings (4)');
  const input = encodeModelInput(dataset, [{ name: 'features', type: 'float32', shape: [null, 108] }], policy.model.features, {
    workspace: repo,
    policyFile: doc.file,
    locate: doc.locate,
  });
  lap('one-hot matrix 16,281 x 108');
  console.log('timings (ms):', JSON.stringify(t));
  expect(labels.positives).toBe(3846);
  expect(groupings.map((g) => g.keys.length)).toEqual([2, 5, 3, 6]);
  expect(input.kind === 'matrix' && input.width).toBe(108);
  expect(Object.values(t).reduce((a, b) => a + b, 0)).toBeLessThan(2000);
});
