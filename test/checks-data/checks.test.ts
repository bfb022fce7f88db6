/**
 * Integrity, leakage and representation on small typed datasets with known answers, and the gate's data section on
 * the Adult example policy (values, order, policy lines).
 */
import { describe, expect, it } from 'vitest';
import { integrity, representation, rocAucOf, singleColumnAuc, trainingOverlap } from '../../src/checks/data/compute.js';
import { parseCsvDataset } from '../../src/data/csv.js';
import type { Dataset, Grouping } from '../../src/data/types.js';
import { runGate } from '../../src/gate.js';
import { adult, subset } from './helpers.js';
import { createRng } from '../../src/util/rng.js';
import { sortedValues } from '../../src/checks/data/columns.js';

const csv = (text: string): Dataset => parseCsvDataset(Buffer.from(text), { displayPath: 'd.csv', missingValues: ['', '?'], maxRows: 1000 });

describe('integrity', () => {
  const ref = csv('x,c,k,m\n1,a,1,5\n2,b,1,6\n3,a,1,7\n4,b,1,8\n');
  const cur = csv('x,c,k,m\n1,a,1,5\n1,a,1,5\n9,z,1,x\n,?,1,7\n2,b,1,8\n');
  const r = integrity(cur, ref, ['x', 'c', 'k', 'm'], new Set(['', '?']));
  const col = (name: string) => r.columns.find((c) => c.column === name)!;

  it('missing shares and their change, constant columns, duplicate rows', () => {
    expect(col('x').missingShare).toBeCloseTo(1 / 5, 15);
    expect(col('x').referenceMissingShare).toBe(0);
    expect(col('c').missingShare).toBeCloseTo(1 / 5, 15);
    expect(r.constantColumns).toEqual(['k']);
    expect(r.duplicateRows).toBe(1);
    expect(r.duplicateShare).toBeCloseTo(0.2, 15);
  });

  it('unseen categories, values outside the reference range, mixed types', () => {
    expect(col('c').unseenShare).toBeCloseTo(1 / 4, 15); // z among a, a, z, b
    expect(col('c').unseen).toEqual(['z']);
    expect(col('x').outOfRangeShare).toBeCloseTo(1 / 4, 15); // 9 outside [1, 4]
    expect(r.mixedTypeColumns).toEqual(['m']); // numbers and 'x' in the current file, numeric in the reference
  });
});

describe('leakage', () => {
  it('finds exactly the training rows planted in the evaluation data', () => {
    const train = adult('train', 3000);
    const test = adult('test', 400);
    // evaluation = 400 test rows with 7 training rows planted at known positions
    const planted = [5, 77, 123, 999, 1500, 2222, 2999];
    const positions = [0, 50, 100, 150, 200, 300, 406];
    const rows: Array<['test' | 'train', number]> = [];
    let t = 0;
    for (let i = 0; i < 407; i++) {
      const k = positions.indexOf(i);
      rows.push(k >= 0 ? ['train', planted[k]] : ['test', t++]);
    }
    // build the evaluation dataset as text (the categorical codes of two files differ: match is by value)
    const header = train.columns.map((c) => c.name).join(',');
    const line = (d: Dataset, r: number): string =>
      d.columns.map((c) => (c.kind === 'numeric' ? (Number.isNaN(c.values[r]) ? '?' : String(c.values[r])) : c.levels[c.codes[r]])).join(',');
    const evaluation = csv([header, ...rows.map(([which, r]) => line(which === 'train' ? train : test, r))].join('\n'));
    const inputs = train.columns.map((c) => c.name).filter((c) => c !== 'income');
    const found = trainingOverlap(evaluation, train, inputs);
    expect(Array.from(found.rows)).toEqual(positions);
    // a changed value on one column is no longer a match
    const one = subset(evaluation, [0, 50]);
    const age = one.byName.get('age');
    if (age?.kind === 'numeric') age.values[0] += 1;
    expect(Array.from(trainingOverlap(one, train, inputs).rows)).toEqual([1]);
  });

  it('single-column AUC: sklearn roc_auc_score with ties; a copy of the label is caught', () => {
    expect(rocAucOf(Float64Array.from([0.1, 0.4, 0.35, 0.8]), Uint8Array.from([0, 0, 1, 1]))).toBeCloseTo(0.75, 15);
    expect(rocAucOf(Float64Array.from([1, 1, 0, 1]), Uint8Array.from([1, 0, 0, 1]))).toBeCloseTo(3 / 4, 15); // pairs: tie .5, 1, tie .5, 1
    const d = csv('leak,noise,y\nyes,1,1\nno,2,0\nyes,2,1\nno,1,0\nyes,1,1\nno,2,0\n');
    const y = Uint8Array.from([1, 0, 1, 0, 1, 0]);
    expect(singleColumnAuc(d.byName.get('leak')!, y)).toEqual({ auc: 1, fittedOn: 'evaluation' });
    expect(singleColumnAuc(d.byName.get('noise')!, y)!.auc).toBeCloseTo(2 / 3, 15);
  });
});

describe('fast paths give the general answers', () => {
  it('AUC: integer scores by histogram = the sorted merge; a text column by per-level counts = its scores ranked', () => {
    const rng = createRng(7).fork('auc');
    const n = 3000;
    const ints = Float64Array.from({ length: n }, () => rng.int(40));
    const y = Uint8Array.from({ length: n }, (_, i) => (rng.next() < 0.2 + ints[i] / 100 ? 1 : 0));
    ints[3] = Number.NaN;
    const shifted = ints.map((v) => v + 0.5); // same order and ties, not integers: the sort path
    expect(Math.abs(rocAucOf(ints, y)! - rocAucOf(shifted, y)!)).toBeLessThan(1e-15);
    const text = parseCsvDataset(Buffer.from(['c', ...Array.from(ints, (v) => (Number.isNaN(v) ? '?' : `k${v % 7}`))].join('\n')), { displayPath: 'c.csv', missingValues: ['?'], maxRows: 10_000 });
    const col = text.byName.get('c')!;
    if (col.kind !== 'categorical') throw new Error('expected text');
    const rate = col.levels.map((_, k) => {
      let p = 0;
      let c = 0;
      for (let i = 0; i < n; i++) if (col.codes[i] === k) (c++, (p += y[i]));
      return p / c;
    });
    const scores = Float64Array.from(col.codes, (k) => rate[k] + 0.25); // non-integer: the sort path
    const direct = rocAucOf(scores, y)!;
    expect(Math.abs(singleColumnAuc(col, y)!.auc - Math.max(direct, 1 - direct))).toBeLessThan(1e-14);
  });

  it('sorted values: counting sort of integer columns = a typed sort', () => {
    const rng = createRng(8).fork('sort');
    const v = Float64Array.from({ length: 5000 }, () => (rng.next() < 0.01 ? Number.NaN : rng.int(900) - 300));
    const expected = Float64Array.from(v.filter((x) => !Number.isNaN(x))).sort();
    expect(Array.from(sortedValues(v))).toEqual(Array.from(expected));
  });
});

describe('representation', () => {
  it('count and share per group vs the reference; a group below the minimum is flagged, absent groups kept', () => {
    const g = (keys: string[], codes: number[]): Grouping => ({ name: 'race', attributes: ['race'], keys, values: keys.map((k) => ({ race: k })), codes: Int32Array.from(codes) });
    const cur = g(['A', 'B'], [0, 0, 0, 1]);
    const ref = g(['A', 'B', 'C'], [0, 0, 1, 1, 2, 2, 2, 2]);
    const r = representation(cur, ref, 2);
    expect(r).toEqual([
      { key: 'A', count: 3, share: 0.75, belowMin: false, referenceCount: 2, referenceShare: 0.25 },
      { key: 'B', count: 1, share: 0.25, belowMin: true, referenceCount: 2, referenceShare: 0.25 },
      { key: 'C', count: 0, share: 0, belowMin: true, referenceCount: 4, referenceShare: 0.5 },
    ]);
  });
});

describe('the data section in the gate (policies/example-adult-data.yml)', () => {
  it('runs before the model checks, gates every limit at its policy line, finds the 26 Adult test rows that are training rows', async () => {
    const { report } = await runGate({ policyFile: 'policies/example-adult-data.yml', workspace: process.cwd() });
    const data = report.checks.filter((c) => c.section === 'data');
    expect(report.checks.slice(0, data.length)).toEqual(data); // data checks first
    expect(data.map((c) => c.metric)).toEqual([
      'drift_share', 'column_drift', 'label_drift', 'missing_share', 'missing_increase', 'constant_columns', 'duplicate_rows',
      'unseen_categories', 'out_of_range', 'mixed_types', 'training_overlap', 'single_column_auc',
      'group_count', 'group_share_change', 'group_count', 'group_share_change', 'prediction_drift',
    ]);
    const overlap = data.find((c) => c.metric === 'training_overlap')!;
    expect(overlap.outcome).toBe('fail');
    expect(overlap.value).toBeCloseTo(26 / 16_281, 15);
    expect(overlap.interval?.method).toBe('wilson');
    expect(overlap.location.line).toBeGreaterThan(1);
    expect(report.data?.leakage?.overlapRows).toBe(26);
    expect(report.data?.leakage?.overlapLines[0]).toBe(1670);
    expect(report.data?.drift?.columns).toHaveLength(14);
    expect(report.data?.drift?.drifted).toBe(0);
    expect(report.data?.drift?.prediction?.method).toBe('ks');
    expect(report.data?.reference?.rows).toBe(32_561);
    expect(report.data?.integrity.duplicateRows).toBe(5);
    expect(data.filter((c) => c.outcome !== 'pass').map((c) => c.metric)).toEqual(['training_overlap']);
  }, 60_000);
});

describe('the data section when something is missing', () => {
  it('a reference the model cannot score: prediction drift is insufficient evidence, not a silent pass; a small group is a finding', async () => {
    const { mkdtempSync, writeFileSync, copyFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'mrg-data-gate-'));
    copyFileSync('test/fixtures/adult/logreg_pipeline.onnx', join(dir, 'model.onnx'));
    const test = (await import('node:fs')).readFileSync('test/fixtures/adult/test.csv', 'utf8').split('\n');
    writeFileSync(join(dir, 'eval.csv'), test.slice(0, 2001).join('\n') + '\n');
    // the reference without the education column (a model input)
    const train = adult('train', 3000);
    const keep = train.columns.filter((c) => c.name !== 'education');
    const lines = [keep.map((c) => c.name).join('\t')];
    for (let r = 0; r < train.rows; r++) lines.push(keep.map((c) => (c.kind === 'numeric' ? String(c.values[r]) : c.levels[c.codes[r]])).join('\t'));
    writeFileSync(join(dir, 'ref.tsv'), lines.join('\n') + '\n');
    writeFileSync(
      join(dir, 'policy.yml'),
      [
        'version: 1',
        'model: { path: model.onnx }',
        "dataset: { path: eval.csv, label: income, positive_label: '>50K', missing_values: ['?'] }",
        'sensitive: [{ column: race }]',
        'data:',
        '  reference: ref.tsv',
        '  drift: { share: { max: 0.5 }, prediction: { max: 0.1 } }',
        '  representation: { min_count: { min: 30 } }',
        'checks: { performance: { roc_auc: { min: 0.5 } } }',
      ].join('\n') + '\n',
    );
    const { report } = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir });
    const prediction = report.checks.find((c) => c.metric === 'prediction_drift')!;
    expect(prediction.status).toBe('insufficient');
    expect(prediction.message).toMatch(/the model cannot score the reference ref\.tsv/);
    expect(report.data?.drift?.columns.map((c) => c.column)).not.toContain('education');
    expect(report.notes.some((n) => n.startsWith('data: the reference ref.tsv has no column education'))).toBe(true);
    const race = report.checks.find((c) => c.metric === 'group_count' && c.scope === 'race')!;
    const smallest = report.data!.representation!.attributes[0].groups.reduce((m, g) => (g.count < m.count ? g : m));
    expect(race.value).toBe(smallest.count);
    expect(smallest.count).toBeLessThan(30);
    expect(race.outcome).toBe('fail');
    expect(report.notes.some((n) => n.startsWith('data: race: ') && n.includes(`${smallest.key} (${smallest.count}, reference`))).toBe(true);
  }, 60_000);
});

describe('limits that cannot be applied', () => {
  it('representation limits without sensitive attributes, integrity against a missing reference: insufficient, at their lines', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { loadPolicy } = await import('../../src/policy/load.js');
    const { runDataChecks } = await import('../../src/checks/data/index.js');
    const dir = mkdtempSync(join(tmpdir(), 'mrg-data-limits-'));
    writeFileSync(join(dir, 'm.onnx'), 'x');
    writeFileSync(join(dir, 'd.csv'), 'x,y\n1,0\n2,1\n');
    writeFileSync(
      join(dir, 'p.yml'),
      "version: 1\nmodel: { path: m.onnx }\ndataset: { path: d.csv, label: y, positive_label: 1 }\ndata:\n  integrity:\n    missing_increase: { max: 0.1 }\n  representation:\n    min_share: { min: 0.1 }\nchecks: { performance: {} }\n",
    );
    const doc = await loadPolicy(join(dir, 'p.yml'), { workspace: dir });
    const dataset = csv('x,y\n1,0\n2,1\n');
    const out = runDataChecks({ doc, dataset, labels: { yTrue: Uint8Array.from([0, 1]), positives: 1 }, groupings: [] });
    const byMetric = new Map(out.checks.map((c) => [c.metric, c]));
    expect(byMetric.get('group_share')?.status).toBe('insufficient');
    expect(byMetric.get('group_share')?.location.line).toBe(8);
    expect(byMetric.get('missing_increase')?.status).toBe('insufficient');
    expect(byMetric.get('missing_increase')?.message).toMatch(/no reference to compare with/);
    expect(out.checks.every((c) => c.outcome !== 'pass')).toBe(true);
  });
});
