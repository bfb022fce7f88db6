/**
 * Real reports with robustness, explainability and baseline sections, made by the gate itself (runGate) on the first
 * 2,000 rows of the Adult test set in a temporary workspace, with small budgets so that they take a few seconds:
 * - `compared`: the logistic regression (KernelSHAP, every attack, counterfactuals) against the tree ensemble as base;
 * - `unchanged`: the tree ensemble (exact TreeSHAP) against itself;
 * - `incompatible`: the tree ensemble against the string-input pipeline, whose inputs this policy cannot build.
 * Built once per test file and shared.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runGate } from '../../src/gate.js';
import type { Report } from '../../src/report/types.js';

const ADULT = new URL('../fixtures/adult/', import.meta.url);
const ROWS = 2000;

function policy(model: string, opts: { robustness: boolean; explainability: boolean }): string {
  const robustness = `
  robustness:
    rows: 120
    noise: { strengths: [0.1, 0.25], repeats: 2, flip_rate: { max: 0.05 } }
    score_attack:
      epsilons: { linf: [0.05, 0.1], l2: [0.25] }
      steps: 5
      success_rate: { max: 0.2, norm: linf }
      success_rate_disparity: { max: 0.15, norm: linf }
    decision_attack: { iterations: 4, epsilons: [0.25], median_perturbation: { min: 0.2 } }
    categorical_attack: { max_changes: 1, success_rate: { max: 0.3 } }
    counterfactual: { rows: 300, flip_rate: { max: 0.02 } }`;
  const explainability = `
  explainability:
    rows: 24
    report_rows: 4
    background: { size: 12 }
    kernel_shap: { samples: 128 }
    permutation: { repeats: 2, max_rows: 1000 }
    sensitive_rank: { min: 6 }
    sensitive_share: { max: 0.05 }
    proxies_in_top_k: { max: 0 }
    stability: { min: 0.5 }`;
  return `version: 1
seed: 5
model:
  path: ${model}
  threshold: 0.5
  features:
    file: onehot_features.json
dataset:
  path: test.csv
  label: income
  positive_label: '>50K'
  missing_values: ['?']
sensitive:
  - column: sex
  - column: race
  - column: age
    bins: [25, 45]
statistics: { resamples: 200 }
checks:
  performance:
    roc_auc: { min: 0.85 }
  fairness:
    demographic_parity_ratio: { min: 0.3, attributes: [sex] }${opts.robustness ? robustness : ''}${opts.explainability ? explainability : ''}
baseline:
  max_regression:
    roc_auc: 0.01
    accuracy: 0.01
    demographic_parity_ratio: 0.02
  metrics: [brier]
`;
}

export interface SectionReports {
  compared: Report;
  unchanged: Report;
  incompatible: Report;
}

let cached: Promise<SectionReports> | undefined;

async function build(): Promise<SectionReports> {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-sections-'));
  try {
    const lines = readFileSync(new URL('test.csv', ADULT), 'utf8').split('\n');
    writeFileSync(join(dir, 'test.csv'), `${lines.slice(0, ROWS + 1).join('\n')}\n`);
    for (const f of ['logreg_onehot.onnx', 'gbt_onehot.onnx', 'logreg_pipeline.onnx', 'onehot_features.json']) copyFileSync(new URL(f, ADULT), join(dir, f));
    const run = async (name: string, model: string, baseline: string, opts: { robustness: boolean; explainability: boolean }): Promise<Report> => {
      const file = join(dir, `${name}.yml`);
      writeFileSync(file, policy(model, opts));
      const { report } = await runGate({ policyFile: file, workspace: dir, baseline: join(dir, baseline), now: () => new Date('2026-01-02T03:04:05Z') });
      return report;
    };
    const compared = await run('compared', 'logreg_onehot.onnx', 'gbt_onehot.onnx', { robustness: true, explainability: true });
    const unchanged = await run('unchanged', 'gbt_onehot.onnx', 'gbt_onehot.onnx', { robustness: false, explainability: true });
    const incompatible = await run('incompatible', 'gbt_onehot.onnx', 'logreg_pipeline.onnx', { robustness: false, explainability: false });
    return { compared, unchanged, incompatible };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The three reports (built once per test file). */
export function sectionReports(): Promise<SectionReports> {
  cached ??= build();
  return cached;
}

/** A deep copy of a report with every occurrence of each string (as a whole JSON string or inside one) replaced. */
export function renamed(report: Report, names: Record<string, string>): Report {
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') {
      let s = v;
      for (const [from, to] of Object.entries(names)) s = s.split(from).join(to);
      return s;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[walk(k) as string] = walk(x);
      return out;
    }
    return v;
  };
  return walk(JSON.parse(JSON.stringify(report))) as Report;
}
