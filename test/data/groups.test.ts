import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { binIndex, buildGroupings, defaultBinLabels, MISSING_GROUP } from '../../src/data/groups.js';
import type { Grouping } from '../../src/data/types.js';
import { parsePolicy } from '../../src/policy/load.js';
import type { Policy } from '../../src/policy/types.js';
import { csv, errorLines, fixture, readFixture, repo } from './helpers.js';

function policy(sensitive: string, intersections = '[]', label = 'y'): Policy {
  return parsePolicy(
    `version: 1\nmodel:\n  path: m.onnx\ndataset:\n  path: d.csv\n  label: ${label}\n  positive_label: 1\nsensitive: ${sensitive}\nintersections: ${intersections}\n`,
    { workspace: repo, displayPath: 'policy.yml' },
  ).policy;
}

function counts(g: Grouping): number[] {
  const c = new Array<number>(g.keys.length).fill(0);
  for (const code of g.codes) c[code]++;
  return c;
}

interface ReferenceGrouping {
  sensitive_columns: string[];
  groups: string[];
  label_metrics: { by_group: Array<{ key: string; count: number; group: Record<string, string> }> };
}

describe('buildGroupings against the reference files (fairlearn)', () => {
  for (const [set, label, attrs] of [
    ['adult', 'income', ['sex', 'race', 'age_bin', 'sex_x_age_bin']],
    ['german-credit', 'credit_risk', ['sex', 'age_bin', 'sex_x_age_bin']],
  ] as const) {
    it(`${set}: keys in fairlearn's order, counts and group values equal the reference`, async () => {
      const d = await readFixture(`${set}/test.csv`);
      const sensitive = set === 'adult' ? '[{column: sex}, {column: race}, {column: age, bins: [25, 45]}]' : '[{column: sex}, {column: age, bins: [25, 45]}]';
      const groupings = buildGroupings(d, policy(sensitive, '[[sex, age_bin]]', label));
      expect(groupings.map((g) => g.name)).toEqual(attrs);
      const reference = JSON.parse(readFileSync(fixture(`${set}/logreg_pipeline.reference.json`), 'utf8')) as {
        fairness: Record<string, ReferenceGrouping>;
      };
      for (const g of groupings) {
        const ref = reference.fairness[g.name];
        expect(g.attributes).toEqual(ref.sensitive_columns);
        expect(g.keys).toEqual(ref.groups);
        expect(counts(g)).toEqual(ref.label_metrics.by_group.map((b) => b.count));
        expect(g.values).toEqual(ref.label_metrics.by_group.map((b) => b.group));
      }
      const age = groupings.find((g) => g.name === 'age_bin')!;
      expect(age.keys).toEqual(['25-45', '<25', '>45']);
    });
  }
});

describe('bins', () => {
  it("'<a' below the first edge, [a,b) inner bins, [a,b] for the last inner bin, '>b' above", () => {
    expect(defaultBinLabels([25, 45])).toEqual(['<25', '25-45', '>45']);
    expect(defaultBinLabels([18, 30, 60])).toEqual(['<18', '18-30', '30-60', '>60']);
    expect(defaultBinLabels([0.5])).toEqual(['<0.5', '>=0.5']);
    expect([24.9, 25, 45, 45.1].map((x) => binIndex(x, [25, 45]))).toEqual([0, 1, 1, 2]);
    expect([17, 18, 29.9, 30, 60, 61].map((x) => binIndex(x, [18, 30, 60]))).toEqual([0, 1, 1, 2, 2, 3]);
    expect([0.4, 0.5].map((x) => binIndex(x, [0.5]))).toEqual([0, 1]);
    expect(binIndex(NaN, [1])).toBe(-1);
  });

  it('explicit labels replace the default names; empty bins are not groups; missing values get their own group', () => {
    const d = csv('age,y\n20,1\n50,0\n?,1\n21,0\n');
    const [g] = buildGroupings(d, policy('[{column: age, bins: [25, 45], labels: [young, middle, senior], name: age_group}]'));
    expect(g.name).toBe('age_group');
    expect(g.keys).toEqual(['missing', 'senior', 'young']);
    expect(counts(g)).toEqual([1, 1, 2]);
    expect([...g.codes]).toEqual([2, 1, 0, 2]);
    expect(MISSING_GROUP).toBe('missing');
  });
});

describe('attributes and intersections', () => {
  it('sorts text as strings, numbers numerically, and puts missing text in the `missing` group', () => {
    const d = csv('grade,sex,y\n10,b,1\n2,a,0\n1,?,1\n10,a,0\n,b,1\n');
    const [grade, sex] = buildGroupings(d, policy('[{column: grade}, {column: sex}]'));
    expect(grade.keys).toEqual(['1', '2', '10', 'missing']);
    expect(counts(grade)).toEqual([1, 1, 2, 1]);
    expect(sex.keys).toEqual(['a', 'b', 'missing']);
  });

  it('intersections list every combination, empty ones included, in lexicographic order', () => {
    const d = csv('sex,age,y\nF,20,1\nM,50,0\nF,50,1\n');
    const gs = buildGroupings(d, policy('[{column: sex}, {column: age, bins: [25, 45]}]', '[[sex, age_bin]]'));
    const x = gs[2];
    expect(x.name).toBe('sex_x_age_bin');
    expect(x.attributes).toEqual(['sex', 'age_bin']);
    expect(x.keys).toEqual(['F|<25', 'F|>45', 'M|<25', 'M|>45']);
    expect(counts(x)).toEqual([1, 1, 0, 1]);
    expect(x.values[2]).toEqual({ sex: 'M', age_bin: '<25' });
    expect([...x.codes]).toEqual([0, 3, 1]);
  });

  it('errors: unknown column (did you mean), too many numeric values, bins on text', () => {
    const d = csv('Sex,age,name,y\n' + Array.from({ length: 30 }, (_, i) => `F,${i},n${i},1`).join('\n') + '\n');
    expect(errorLines(() => buildGroupings(d, policy('[{column: sex}]')))).toEqual([
      'data.csv:1: sensitive column `sex` is not in data.csv; did you mean `Sex`?',
    ]);
    expect(errorLines(() => buildGroupings(d, policy('[{column: age}]')))).toEqual([
      'data.csv:1: sensitive column `age` is numeric with 30 distinct values; add `bins` (e.g. bins: [25, 45]) to group it into ranges',
    ]);
    expect(errorLines(() => buildGroupings(d, policy('[{column: name, bins: [1]}]')))).toEqual([
      'data.csv:1: sensitive column `name` has bins but is not numeric in data.csv (`n0` on line 2); remove `bins` or fix the column',
    ]);
  });

  it('errors point at the policy line when the document is given', () => {
    const doc = parsePolicy(
      'version: 1\nmodel:\n  path: m.onnx\ndataset:\n  path: d.csv\n  label: y\n  positive_label: 1\nsensitive:\n  - column: gender\n',
      { workspace: repo, displayPath: 'policy.yml' },
    );
    expect(errorLines(() => buildGroupings(csv('sex,y\nF,1\n'), doc.policy, doc))).toEqual([
      'policy.yml:9:13: sensitive column `gender` is not in data.csv; its columns are `sex`, `y`',
    ]);
  });
});
