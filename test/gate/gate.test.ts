/**
 * The gate in-process on all eight shared models: ONNX scoring + metrics together must equal the scikit-learn /
 * fairlearn reference values (the same onnxruntime version produced the reference scores), the report must be
 * deterministic, and min_group_size must turn small groups into "insufficient data".
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/gate.js';
import { fixtures, repoRoot } from '../e2e/harness.js';

interface ModelCase { ds: 'adult' | 'german-credit'; model: string; matrix: boolean }
const MODELS: ModelCase[] = [
  { ds: 'adult', model: 'logreg_pipeline', matrix: false },
  { ds: 'adult', model: 'logreg_pipeline_nozipmap', matrix: false },
  { ds: 'adult', model: 'gbt_onehot', matrix: true },
  { ds: 'adult', model: 'mlp_torch', matrix: true },
  { ds: 'adult', model: 'logreg_onehot', matrix: true },
  { ds: 'german-credit', model: 'logreg_pipeline', matrix: false },
  { ds: 'german-credit', model: 'logreg_pipeline_nozipmap', matrix: false },
  { ds: 'german-credit', model: 'gbt_onehot', matrix: true },
  { ds: 'german-credit', model: 'mlp_torch', matrix: true },
];

function policyFor(c: ModelCase, extra = ''): string {
  const dir = `test/fixtures/${c.ds}`;
  const features = c.matrix ? `  features:\n    file: ${dir}/onehot_features.json\n` : '';
  const adult = c.ds === 'adult';
  return `version: 1
seed: 11
model:
  path: ${dir}/${c.model}.onnx
${features}dataset:
  path: ${dir}/test.csv
  label: ${adult ? 'income' : 'credit_risk'}
  positive_label: "${adult ? '>50K' : 'good'}"
sensitive:
  - column: sex
${adult ? '  - column: race\n' : ''}  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
min_group_size: 1
statistics: { resamples: 0 }
checks:
  performance:
    roc_auc: { min: 0.5 }
  fairness:
    demographic_parity_difference: { max: 1 }
    demographic_parity_ratio: { min: 0 }
    equalized_odds_difference: { max: 1 }
    equalized_odds_ratio: { min: 0 }
    equal_opportunity_difference: { max: 1 }
    equal_opportunity_ratio: { min: 0 }
${extra}`;
}

function writePolicy(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-gate-'));
  const file = join(dir, 'policy.yml');
  writeFileSync(file, text);
  return file;
}

const close = (a: number | null | undefined, b: number | null | undefined, tol: number): boolean =>
  (a === null || a === undefined) ? b === null || b === undefined : b !== null && b !== undefined && Math.abs(a - b) <= tol;

describe('gate on the shared models equals the scikit-learn / fairlearn references', () => {
  for (const c of MODELS) {
    it(`${c.ds}/${c.model}`, async () => {
      const ref = JSON.parse(readFileSync(join(fixtures, c.ds, `${c.model}.reference.json`), 'utf8'));
      const { report } = await runGate({ policyFile: writePolicy(policyFor(c)), workspace: repoRoot });
      expect(report.dataset.rows).toBe(ref.performance.n);
      expect(report.performance.confusion).toEqual(ref.performance.confusion_matrix);
      for (const m of <const>['accuracy', 'balanced_accuracy', 'precision', 'recall', 'f1', 'roc_auc', 'average_precision', 'brier', 'log_loss', 'selection_rate']) {
        expect(close(report.performance.metrics[m], ref.performance[m], 1e-9), `${m}: ${report.performance.metrics[m]} vs ${ref.performance[m]}`).toBe(true);
      }
      expect(report.performance.metrics.ks).toBeCloseTo(ref.performance.ks.statistic, 9);
      for (const attr of Object.keys(ref.fairness)) {
        const mine = report.fairness.find((f) => f.name === attr);
        expect(mine, attr).toBeDefined();
        expect(mine!.groups.map((g) => g.key)).toEqual(ref.fairness[attr].groups);
        for (const [k, v] of Object.entries(ref.fairness[attr].fairlearn as Record<string, number | null>)) {
          expect(close((mine!.fairlearn as unknown as Record<string, number | null>)[k], v, 1e-9), `${attr}.${k}`).toBe(true);
        }
        // the gated values are the same fairlearn numbers
        for (const k of ['demographic_parity_difference', 'demographic_parity_ratio', 'equalized_odds_difference', 'equalized_odds_ratio', 'equal_opportunity_difference', 'equal_opportunity_ratio']) {
          const check = report.checks.find((x) => x.id === `fairness/${k}/${attr}`);
          expect(check, `${k}/${attr}`).toBeDefined();
          const expected = ref.fairness[attr].fairlearn[k] as number | null;
          if (check!.status === 'insufficient') expect(check!.value === null || expected === null || check!.value === expected).toBe(true);
          else expect(close(check!.value, expected, 1e-9), `${k}/${attr}: ${check!.value} vs ${expected}`).toBe(true);
        }
      }
    });
  }
});

describe('gate behaviour', () => {
  it('gives the same report for the same inputs and seed (timestamps and timings aside)', async () => {
    const file = writePolicy(policyFor(MODELS[2]));
    const strip = (r: unknown): string => JSON.stringify(r, (k, v) => (k === 'createdAt' || k === 'timings' ? undefined : v));
    const a = await runGate({ policyFile: file, workspace: repoRoot });
    const b = await runGate({ policyFile: file, workspace: repoRoot });
    expect(strip(b.report)).toBe(strip(a.report));
  });

  it('reports groups under min_group_size as insufficient data, never as pass or fail', async () => {
    const text = policyFor(MODELS[0]).replace('min_group_size: 1', 'min_group_size: 200').replace(
      '    demographic_parity_difference: { max: 1 }\n',
      '    true_positive_rate_group_min: { min: 0.0, attributes: [race] }\n',
    );
    const { report } = await runGate({ policyFile: writePolicy(text), workspace: repoRoot });
    const race = report.fairness.find((f) => f.name === 'race')!;
    // Amer-Indian-Eskimo (159 rows) and Other (135 rows) are below 200
    expect(race.insufficientGroups).toEqual(expect.arrayContaining(['Amer-Indian-Eskimo', 'Other']));
    expect(race.groups.find((g) => g.key === 'Other')!.sufficient).toBe(false);
    expect(report.notes.join('\n')).toMatch(/race: 2 group\(s\) below min_group_size 200/);
  });

  it('never passes a TPR comparison for a group with no actual positives', async () => {
    // German credit: intersections with few 'good' rows are common; build a dataset where one group has no positives
    const csv = readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').split('\n');
    const header = csv[0];
    const rows = csv.slice(1, 3001).filter(Boolean).map((line) => {
      const cells = line.split(',');
      // every Amer-Indian-Eskimo row gets the negative label
      if (cells[8] === 'Amer-Indian-Eskimo') cells[14] = '<=50K';
      return cells.join(',');
    });
    const dir = mkdtempSync(join(tmpdir(), 'mrg-nopos-'));
    writeFileSync(join(dir, 'eval.csv'), [header, ...rows].join('\n') + '\n');
    writeFileSync(join(dir, 'model.onnx'), readFileSync(join(fixtures, 'adult', 'logreg_pipeline.onnx')));
    writeFileSync(join(dir, 'policy.yml'), `version: 1
model: { path: model.onnx }
dataset: { path: eval.csv, label: income, positive_label: ">50K" }
sensitive: [ { column: race } ]
min_group_size: 5
checks:
  fairness:
    equal_opportunity_difference: { max: 0.9 }
`);
    const { report } = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir });
    const check = report.checks.find((c) => c.id.startsWith('fairness/equal_opportunity_difference/race'))!;
    expect(check.status).toBe('insufficient');
    expect(check.message).toMatch(/Amer-Indian-Eskimo/);
    expect(check.message).toMatch(/no actual positives/);
  });
});

describe('baseline that was not asked for', () => {
  it('turns an unreadable base model (not a git checkout) into a note instead of an error', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-nogit-'));
    writeFileSync(join(dir, 'eval.csv'), readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').split('\n').slice(0, 1500).join('\n') + '\n');
    writeFileSync(join(dir, 'model.onnx'), readFileSync(join(fixtures, 'adult', 'logreg_pipeline.onnx')));
    writeFileSync(join(dir, 'policy.yml'), `version: 1
model: { path: model.onnx }
dataset: { path: eval.csv, label: income, positive_label: ">50K" }
checks:
  performance:
    roc_auc: { min: 0.5 }
`);
    const event = join(dir, 'event.json');
    writeFileSync(event, JSON.stringify({ pull_request: { number: 1, base: { sha: 'f'.repeat(40) }, head: { sha: 'e'.repeat(40) } } }));
    const { report } = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir, eventPath: event });
    expect(report.verdict).toBe('pass');
    expect(report.baseline).toBeUndefined();
    expect(report.notes.join('\n')).toMatch(/No comparison with the base branch's model/);

    // with max_regression limits the comparison is required: the error says what to change
    writeFileSync(join(dir, 'policy.yml'), readFileSync(join(dir, 'policy.yml'), 'utf8') + 'baseline:\n  max_regression:\n    roc_auc: 0.01\n');
    await expect(runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir, eventPath: event })).rejects.toThrow(/git|checkout|fetch/i);
  });
});

describe('determinism of the whole report', () => {
  it('is byte-identical (timestamps aside) with robustness, explainability and intervals on, and changes with the seed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-det-'));
    writeFileSync(join(dir, 'eval.csv'), readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').split('\n').slice(0, 1200).join('\n') + '\n');
    writeFileSync(join(dir, 'model.onnx'), readFileSync(join(fixtures, 'adult', 'mlp_torch.onnx')));
    writeFileSync(join(dir, 'features.json'), readFileSync(join(fixtures, 'adult', 'onehot_features.json')));
    const policy = (seed: number): string => `version: 1
seed: ${seed}
model: { path: model.onnx, features: { file: features.json } }
dataset: { path: eval.csv, label: income, positive_label: ">50K" }
sensitive: [ { column: sex }, { column: age, bins: [25, 45] } ]
statistics: { resamples: 200 }
checks:
  performance:
    roc_auc: { min: 0.5 }
  fairness:
    demographic_parity_difference: { max: 0.9 }
  robustness:
    rows: 60
    score_attack: { epsilons: { linf: [0.1] }, steps: 5, success_rate: { max: 1 } }
    decision_attack: { iterations: 3 }
  explainability:
    rows: 10
    background: { size: 10 }
    kernel_shap: { samples: 64 }
    permutation: { repeats: 2 }
`;
    writeFileSync(join(dir, 'policy.yml'), policy(5));
    const strip = (r: unknown): string => JSON.stringify(r, (k, v) => (k === 'createdAt' || k === 'timings' ? undefined : v));
    const a = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir });
    const b = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir });
    expect(a.report.robustness).toBeDefined();
    expect(a.report.explainability).toBeDefined();
    expect(strip(b.report)).toBe(strip(a.report));
    writeFileSync(join(dir, 'policy.yml'), policy(6));
    const c = await runGate({ policyFile: join(dir, 'policy.yml'), workspace: dir });
    expect(strip(c.report)).not.toBe(strip(a.report));
    // point values do not depend on the seed; only sampled quantities do
    expect(c.report.performance.metrics.roc_auc).toBe(a.report.performance.metrics.roc_auc);
  });
});
