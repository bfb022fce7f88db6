import { describe, expect, it } from 'vitest';
import { makeLabels } from '../../src/data/labels.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { DatasetSpec } from '../../src/policy/types.js';
import { csv, errorLines, MISSING, readFixture, repo } from './helpers.js';

const spec = (label: string, positive_label: string | number | boolean): DatasetSpec => ({
  path: 'data.csv',
  label,
  positive_label,
  missing_values: MISSING,
  max_rows: 1_000_000,
});

describe('makeLabels', () => {
  it('Adult: income == >50K -> 3,846 positives of 16,281 (DATA-README)', async () => {
    const d = await readFixture('adult/test.csv');
    const labels = makeLabels(d, spec('income', '>50K'));
    expect(labels.positives).toBe(3846);
    expect(labels.yTrue.length).toBe(16281);
    expect(labels.yTrue[0]).toBe(0); // first row: <=50K
    expect(labels.yTrue.reduce((a, b) => a + b, 0)).toBe(3846);
  });

  it('German credit: credit_risk == good -> 210 of 300', async () => {
    const d = await readFixture('german-credit/test.csv');
    expect(makeLabels(d, spec('credit_risk', 'good')).positives).toBe(210);
  });

  it('compares numeric label columns numerically (1, 1.0, "1" and true all match 1)', () => {
    const d = csv('y\n1\n0\n1.0\n0\n');
    for (const p of [1, '1', '1.0', true]) expect([...makeLabels(d, spec('y', p)).yTrue]).toEqual([1, 0, 1, 0]);
    expect([...makeLabels(d, spec('y', 0)).yTrue]).toEqual([0, 1, 0, 1]);
  });

  it('compares text label columns as text (booleans as true/false)', () => {
    const d = csv('y\ntrue\nfalse\n');
    expect([...makeLabels(d, spec('y', true)).yTrue]).toEqual([1, 0]);
  });

  it('accepts data holding only the positive class', () => {
    expect(makeLabels(csv('y\nyes\nyes\n'), spec('y', 'yes')).positives).toBe(2);
  });
});

describe('makeLabels errors', () => {
  it('a missing label column, with close names', () => {
    expect(errorLines(() => makeLabels(csv('Income,age\n1,2\n'), spec('income', 1)))).toEqual([
      'data.csv:1: label column `income` is not in data.csv; did you mean `Income`? (set dataset.label to one of them)',
    ]);
  });

  it('at the policy line when the policy document is given', () => {
    const doc = parsePolicy(
      'version: 1\nmodel:\n  path: m.onnx\ndataset:\n  path: data.csv\n  label: incom\n  positive_label: 1\n',
      { workspace: repo, displayPath: 'policy.yml' },
    );
    expect(errorLines(() => makeLabels(csv('income\n1\n'), doc.policy.dataset, doc))).toEqual([
      'policy.yml:6:10: label column `incom` is not in data.csv; did you mean `income`? (set dataset.label to one of them)',
    ]);
  });

  it('a missing label value names the first line', () => {
    expect(errorLines(() => makeLabels(csv('y,x\nyes,1\nno,2\n?,3\n'), spec('y', 'yes')))).toEqual([
      'data.csv:4: label `y` is missing on this row (`?`); every evaluation row needs a label (remove the row or fill it in)',
    ]);
    expect(errorLines(() => makeLabels(csv('y,x\n1,1\n,2\n'), spec('y', 1)))).toEqual([
      'data.csv:3: label `y` is missing on this row; every evaluation row needs a label (remove the row or fill it in)',
    ]);
  });

  it('more than two label values names them, the positive one and the first line with a third class', () => {
    expect(errorLines(() => makeLabels(csv('y\nlow\nhigh\nlow\nmedium\n'), spec('y', 'high')))).toEqual([
      'data.csv:5: label column `y` has more than two values (`low`, `high`, `medium`); the gate needs a binary label: `high` is the positive class, so map every other value to one negative value',
    ]);
    expect(errorLines(() => makeLabels(csv('y\n0\n1\n2\n'), spec('y', 1)))[0]).toMatch(/^data\.csv:4: label column `y` has more than two values \(`0`, `1`, `2`\)/);
  });

  it('a positive label that never occurs', () => {
    expect(errorLines(() => makeLabels(csv('y\n<=50K\n>50K\n'), spec('y', '>50K.')))).toEqual([
      'data.csv:1: positive_label `>50K.` never occurs in label column `y` of data.csv (values: `<=50K`, `>50K`); set dataset.positive_label to the value that marks the positive class — did you mean `>50K`?',
    ]);
    expect(errorLines(() => makeLabels(csv('y\n0\n1\n'), spec('y', 'yes')))).toEqual([
      'data.csv:1: positive_label `yes` is not a number but label column `y` is numeric; set dataset.positive_label to one of its values',
    ]);
  });
});
