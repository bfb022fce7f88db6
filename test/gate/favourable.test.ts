/**
 * dataset.favourable (issue #9): with the adverse class as positive (German credit `bad`, the model's P(bad) column)
 * and `favourable: negative`, the fairness metrics equal fairlearn's on the favourable class `good` — the reference
 * file's numbers, computed by fairlearn with `good` as positive — while the performance metrics stay on `bad`
 * (scikit-learn with pos_label='bad', computed here from the reference's confusion counts). Also the ROC AUC
 * inversion note, and the report's record of the favourable outcome.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/gate.js';
import { fixtures, repoRoot } from '../e2e/harness.js';

const MODEL = 'logreg_pipeline_nozipmap';
const ref = JSON.parse(readFileSync(join(fixtures, 'german-credit', `${MODEL}.reference.json`), 'utf8'));

function policy(dataset: string, modelExtra = ''): string {
  return `version: 1
seed: 3
model:
  path: test/fixtures/german-credit/${MODEL}.onnx
${modelExtra}dataset:
  path: test/fixtures/german-credit/test.csv
  label: credit_risk
${dataset}sensitive:
  - column: sex
  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
min_group_size: 1
statistics: { resamples: 0 }
checks:
  performance:
    precision: { min: 0 }
    recall: { min: 0 }
  fairness:
    demographic_parity_ratio: { min: 0 }
    demographic_parity_difference: { max: 1 }
    equal_opportunity_difference: { max: 1 }
    equalized_odds_difference: { max: 1 }
    selection_rate_group_min: { min: 0 }
`;
}

function writePolicy(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-favourable-'));
  const file = join(dir, 'policy.yml');
  writeFileSync(file, text);
  return file;
}

const ADVERSE = policy('  positive_label: bad\n  favourable: negative\n', '  positive_index: 0\n');

describe('favourable: negative (German credit, `bad` as the positive class)', async () => {
  const { report } = await runGate({ policyFile: writePolicy(ADVERSE), workspace: repoRoot });
  const refGood = ref.performance.confusion_matrix as { tn: number; fp: number; fn: number; tp: number };

  it('keeps the performance metrics on the positive class `bad` (scikit-learn pos_label="bad")', () => {
    // the reference counts `good` as positive: bad-as-positive swaps TP with TN and FP with FN
    const bad = { tn: refGood.tp, fp: refGood.fn, fn: refGood.fp, tp: refGood.tn };
    expect(report.performance.confusion).toEqual(bad);
    expect(report.performance.confusion).toEqual({ tn: 179, fp: 31, fn: 47, tp: 43 });
    expect(report.performance.metrics.precision).toBeCloseTo(43 / 74, 15);
    expect(report.performance.metrics.recall).toBeCloseTo(43 / 90, 15);
    expect(report.performance.metrics.f1).toBeCloseTo((2 * 43) / (2 * 43 + 31 + 47), 15);
    expect(report.performance.metrics.selection_rate).toBeCloseTo(74 / 300, 15);
    // the other class's column of a two-column softmax: same ranking reversed, same AUC
    expect(report.performance.metrics.roc_auc).toBeCloseTo(ref.performance.roc_auc, 6);
    expect(report.checks.find((c) => c.id === 'performance/precision')?.value).toBeCloseTo(43 / 74, 15);
  });

  it('computes every fairness metric on the favourable class `good`: equal to fairlearn with `good` as positive', () => {
    for (const attr of ['sex', 'age_bin', 'sex_x_age_bin']) {
      const mine = report.fairness.find((f) => f.name === attr);
      const theirs = ref.fairness[attr];
      expect(mine!.groups.map((g) => g.key)).toEqual(theirs.groups);
      for (const [k, v] of Object.entries(theirs.fairlearn as Record<string, number | null>)) {
        const got = (mine!.fairlearn as unknown as Record<string, number | null>)[k];
        if (v === null) expect(got, `${attr}.${k}`).toBeNull();
        else expect(Math.abs((got as number) - v), `${attr}.${k}: ${got} vs ${v}`).toBeLessThan(1e-12);
      }
      for (const g of theirs.label_metrics.by_group as Array<Record<string, number | boolean | string>>) {
        if (g.empty_group) continue;
        const m = mine!.groups.find((x) => x.key === g.key)!.metrics;
        for (const k of ['selection_rate', 'base_rate', 'true_positive_rate', 'false_positive_rate', 'precision', 'recall']) {
          expect(Math.abs((m as Record<string, number>)[k] - (g[k] as number)), `${attr}/${g.key}.${k}`).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('computes the gated fairness values from the group confusion counts the way fairlearn defines them on `good`', () => {
    const sex = report.fairness.find((f) => f.name === 'sex')!;
    // independent of the engine: per group, from the counts of the favourable class (good = the negative class of
    // the positive-class confusion counts)
    const rates = sex.groups.map((g) => {
      const c = g.confusion; // on the favourable class: tp = good decided good, fn = good decided bad, ...
      return { sel: (c.tp + c.fp) / g.count, tpr: c.tp / (c.tp + c.fn), fpr: c.fp / (c.fp + c.tn) };
    });
    // and the counts themselves against the reference's rates: a female applicant is `good` 65.625% of the time
    expect(sex.groups[0]!.key).toBe('female');
    expect((sex.groups[0]!.confusion.tp + sex.groups[0]!.confusion.fn) / sex.groups[0]!.count).toBeCloseTo(0.65625, 15);
    const sel = rates.map((r) => r.sel);
    const tpr = rates.map((r) => r.tpr);
    const fpr = rates.map((r) => r.fpr);
    const value = (id: string) => report.checks.find((c) => c.id === id)?.value as number;
    expect(value('fairness/demographic_parity_ratio/sex')).toBeCloseTo(Math.min(...sel) / Math.max(...sel), 15);
    expect(value('fairness/demographic_parity_difference/sex')).toBeCloseTo(Math.max(...sel) - Math.min(...sel), 15);
    expect(value('fairness/equal_opportunity_difference/sex')).toBeCloseTo(Math.max(...tpr) - Math.min(...tpr), 15);
    expect(value('fairness/equalized_odds_difference/sex')).toBeCloseTo(
      Math.max(Math.max(...tpr) - Math.min(...tpr), Math.max(...fpr) - Math.min(...fpr)),
      15,
    );
    expect(value('fairness/selection_rate_group_min/sex')).toBeCloseTo(Math.min(...sel), 15);
    // the lowest rate of `good` decisions is the group flagged `bad` most (female: 67.7% good vs 78.9%)
    expect(value('fairness/selection_rate_group_min/sex')).toBeCloseTo(0.6770833333333334, 12);
  });

  it('records the favourable outcome in the report and names it in the fairness check titles', () => {
    expect(report.dataset.positiveLabel).toBe('bad');
    expect(report.dataset.favourable).toEqual({ outcome: 'negative', label: 'good', adverseLabel: 'bad' });
    const title = report.checks.find((c) => c.id === 'fairness/selection_rate_group_min/sex')?.title;
    expect(title).toMatch(/good/);
    expect(report.checks.find((c) => c.id === 'performance/precision')?.title).toBe('Precision');
  });

  it('differs from reading the adverse class as favourable (the trap the issue describes)', async () => {
    const { report: wrong } = await runGate({ policyFile: writePolicy(policy('  positive_label: bad\n', '  positive_index: 0\n')), workspace: repoRoot });
    expect(wrong.dataset.favourable).toEqual({ outcome: 'positive', label: 'bad', adverseLabel: 'good' });
    const sex = wrong.fairness.find((f) => f.name === 'sex')!;
    // selection rate of `bad` decisions: the group flagged least (male) would look like the one harmed
    expect(sex.fairlearn.demographic_parity_ratio).not.toBeCloseTo(ref.fairness.sex.fairlearn.demographic_parity_ratio, 3);
    expect(wrong.performance.confusion).toEqual(report.performance.confusion);
  });
});

describe('favourable: positive (default) is the same report as before', () => {
  it('leaves the German credit fairness numbers on `good` when `good` is positive', async () => {
    const { report } = await runGate({ policyFile: writePolicy(policy('  positive_label: good\n')), workspace: repoRoot });
    expect(report.dataset.favourable).toEqual({ outcome: 'positive', label: 'good', adverseLabel: 'bad' });
    expect(report.fairness.find((f) => f.name === 'sex')!.fairlearn.demographic_parity_ratio).toBeCloseTo(
      ref.fairness.sex.fairlearn.demographic_parity_ratio,
      12,
    );
    expect(report.notes.some((n) => n.startsWith('ROC AUC'))).toBe(false);
  });
});

describe('ROC AUC below 0.5 on the positive class', () => {
  it('notes that the positive label may be inverted, with the AUC the other class would give', async () => {
    // positive_label good but the P(bad) column: the scores rank the positive class below the other one
    const { report } = await runGate({ policyFile: writePolicy(policy('  positive_label: good\n', '  positive_index: 0\n')), workspace: repoRoot });
    const auc = report.performance.metrics.roc_auc as number;
    expect(auc).toBeCloseTo(1 - ref.performance.roc_auc, 6);
    const note = report.notes.find((n) => n.startsWith('ROC AUC'));
    expect(note).toBe(
      `ROC AUC ${Number(auc.toFixed(4))} < 0.5: the scores rank the positive class \`good\` below the other class; ` +
        'is dataset.positive_label right (and model.positive_index the column of that class)? ' +
        `With \`bad\` as positive it would be ${Number((1 - auc).toFixed(4))}.`,
    );
    expect(note).toContain('ROC AUC 0.2174 < 0.5');
    expect(note).toContain('it would be 0.7826');
  });
});
