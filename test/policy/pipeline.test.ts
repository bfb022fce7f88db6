/**
 * policy -> dataset -> labels -> groupings -> feature matrix for the shipped GBT example: what each stage gives on
 * Adult test. Speed: `npm run bench` (bench/pipeline.mjs), not here.
 */
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { readCsvDataset } from '../../src/data/csv.js';
import { buildGroupings } from '../../src/data/groups.js';
import { makeLabels } from '../../src/data/labels.js';
import { encodeModelInput } from '../../src/model/encode.js';
import { loadPolicy, resolvePolicyPath } from '../../src/policy/load.js';

const repo = resolve(import.meta.dirname, '../..');

it('policy -> dataset -> labels -> groupings -> feature matrix for the shipped GBT example', async () => {
  const doc = await loadPolicy('policies/example-adult-gbt.yml', { workspace: repo });
  const again = await loadPolicy('policies/example-adult-gbt.yml', { workspace: repo });
  expect(again.policy).toEqual(doc.policy);
  const { policy } = doc;
  const dataset = await readCsvDataset(resolvePolicyPath(doc, policy.dataset.path, ['dataset', 'path']), {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
  });
  expect([dataset.rows, dataset.columns.length]).toEqual([16281, 15]);
  const labels = makeLabels(dataset, policy.dataset, doc);
  const groupings = buildGroupings(dataset, policy, doc);
  const input = encodeModelInput(dataset, [{ name: 'features', type: 'float32', shape: [null, 108] }], policy.model.features, {
    workspace: repo,
    policyFile: doc.file,
    locate: doc.locate,
  });
  expect(labels.positives).toBe(3846);
  expect(groupings.map((g) => g.keys.length)).toEqual([2, 5, 3, 6]);
  expect(input.kind === 'matrix' && input.width).toBe(108);
  expect(input.kind === 'matrix' && input.rows).toBe(16281);
});
