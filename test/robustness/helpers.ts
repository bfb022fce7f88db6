/**
 * Test context for the robustness battery: the Adult one-hot test matrix (test_onehot.csv, groups from
 * onehot_features.json), a real ONNX model through loadModel, a policy parsed from text (real line positions).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CheckContext } from '../../src/checks/context.js';
import type { BatteryRun } from '../../src/checks/robustness/battery.js';
import { encodeCandidates } from '../../src/checks/robustness/encode.js';
import { perturbationNorm, categoricalChanges } from '../../src/checks/robustness/norms.js';
import { allocCandidates, violations, type Violation } from '../../src/checks/robustness/project.js';
import { copyCandidate } from '../../src/checks/robustness/outcome.js';
import { readCsvDataset } from '../../src/data/csv.js';
import { buildGroupings } from '../../src/data/groups.js';
import { makeLabels } from '../../src/data/labels.js';
import type { Dataset } from '../../src/data/types.js';
import type { MatrixInput, ScoringModel } from '../../src/model/types.js';
import { encodeModelInput } from '../../src/model/encode.js';
import { loadModel } from '../../src/model/session.js';
import { parsePolicy } from '../../src/policy/load.js';
import { createRng } from '../../src/util/rng.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const ADULT = 'test/fixtures/adult';

interface OneHotFeatures {
  numeric_columns: string[];
  categorical_columns: string[];
  categories: Record<string, string[]>;
  feature_names: string[];
}

export const oneHotFeatures: OneHotFeatures = JSON.parse(readFileSync(resolve(ROOT, ADULT, 'onehot_features.json'), 'utf8'));

let datasetPromise: Promise<Dataset> | null = null;
export function adultOneHotDataset(): Promise<Dataset> {
  datasetPromise ??= readCsvDataset(resolve(ROOT, ADULT, 'test_onehot.csv'), {
    displayPath: `${ADULT}/test_onehot.csv`,
    missingValues: [],
    maxRows: 1_000_000,
  });
  return datasetPromise;
}

/** The [N, 108] matrix of test_onehot.csv with the one-hot groups of onehot_features.json. */
export function oneHotMatrix(dataset: Dataset): MatrixInput {
  const names = oneHotFeatures.feature_names;
  const width = names.length;
  const data = new Float32Array(dataset.rows * width);
  names.forEach((name, j) => {
    const col = dataset.byName.get(name);
    if (!col || col.kind !== 'numeric') throw new Error(`test_onehot.csv: column ${name} missing or not numeric`);
    for (let r = 0; r < dataset.rows; r++) data[r * width + j] = col.values[r] as number;
  });
  const oneHotGroups: Record<string, number[]> = {};
  for (const c of oneHotFeatures.categorical_columns) {
    oneHotGroups[c] = names.flatMap((n, j) => (n.startsWith(`${c}=`) ? [j] : []));
  }
  return { kind: 'matrix', rows: dataset.rows, input: 'features', width, data, featureNames: names, oneHotGroups };
}

const models = new Map<string, Promise<ScoringModel>>();
export function adultModel(name: string): Promise<ScoringModel> {
  let m = models.get(name);
  if (!m) {
    m = loadModel({
      file: resolve(ROOT, ADULT, `${name}.onnx`),
      displayPath: `${ADULT}/${name}.onnx`,
      spec: { path: `${ADULT}/${name}.onnx`, threshold: 0.5, batch_size: 65536 },
    });
    models.set(name, m);
  }
  return m;
}

export interface AdultContextOptions {
  model: string;
  robustness: Record<string, unknown>;
  seed?: number;
  /** Default: sex, race, age binned [25, 45]. */
  sensitive?: Array<Record<string, unknown>>;
  intersections?: string[][];
  includeExamples?: boolean;
  deadline?: number;
  /** Other top-level policy keys (statistics, min_group_size, ...). */
  policy?: Record<string, unknown>;
}

export function policyText(opts: AdultContextOptions): string {
  const policy = {
    version: 1,
    seed: opts.seed ?? 0,
    model: { path: `${ADULT}/${opts.model}.onnx`, threshold: 0.5, features: { columns: oneHotFeatures.feature_names } },
    dataset: { path: `${ADULT}/test_onehot.csv`, label: 'income', positive_label: '>50K' },
    sensitive: opts.sensitive ?? [{ column: 'sex' }, { column: 'race' }, { column: 'age', bins: [25, 45] }],
    intersections: opts.intersections ?? [['sex', 'age_bin']],
    checks: { robustness: opts.robustness },
    report: { include_examples: opts.includeExamples ?? false },
    ...opts.policy,
  };
  return JSON.stringify(policy, null, 2);
}

/** A CheckContext on the Adult one-hot test set, scored by the real ONNX model. */
export async function adultContext(opts: AdultContextOptions): Promise<CheckContext> {
  const doc = parsePolicy(policyText(opts), { workspace: ROOT, displayPath: 'policy.json' });
  const dataset = await adultOneHotDataset();
  const model = await adultModel(opts.model);
  const input = oneHotMatrix(dataset);
  const labels = makeLabels(dataset, doc.policy.dataset);
  const groupings = buildGroupings(dataset, doc.policy);
  const scores = await model.score(input);
  const yPred = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) yPred[i] = (scores[i] as number) >= 0.5 ? 1 : 0;
  return {
    doc,
    dataset,
    model,
    input,
    labels,
    scores,
    yPred,
    groupings,
    rng: createRng(doc.policy.seed),
    deadline: opts.deadline ?? Date.now() + 10 * 60 * 1000,
  };
}

export interface RobustnessReference {
  feature_names: string[];
  w: number[];
  b: number;
  correct: number[];
  margin: number[];
  min_perturbation: { linf: number[]; l2: number[]; linf_mutable: number[]; l2_mutable: number[] };
  mutable: { feature_names: string[] };
  success_rate: Record<string, { rows: Array<{ eps: number; fraction: number }> }>;
}

export const robustnessReference: RobustnessReference = JSON.parse(
  readFileSync(resolve(ROOT, ADULT, 'logreg_onehot.robustness.reference.json'), 'utf8'),
);


export interface ExampleAudit {
  attack: string;
  examples: number;
  violations: Violation[];
  /** Examples whose decision, re-scored, is the original one (must be 0). */
  notFlipped: number;
  /** Examples whose recomputed size differs from the reported one (must be 0). */
  sizeMismatch: number;
}

/**
 * Every adversarial example an attack reports (the smallest per successful row): valid under the constraints,
 * re-scored through the model in one batch its decision differs from the original, and its size is what is reported.
 */
export async function auditExamples(ctx: CheckContext, run: BatteryRun): Promise<ExampleAudit[]> {
  const { space } = run;
  const out: ExampleAudit[] = [];
  for (const o of run.outcomes) {
    const idx: number[] = [];
    for (let i = 0; i < o.instances.rows.length; i++) if (o.minPerturbation[i] === o.minPerturbation[i]) idx.push(i);
    const cands = allocCandidates(space, idx.length);
    idx.forEach((i, k) => copyCandidate(space, o.examples, i, cands, k));
    const audit: ExampleAudit = { attack: o.key, examples: idx.length, violations: [], notFlipped: 0, sizeMismatch: 0 };
    for (let k = 0; k < idx.length; k++) audit.violations.push(...violations(space, cands, k));
    const scores = idx.length > 0 ? await ctx.model.score(encodeCandidates(space, cands)) : new Float32Array(0);
    idx.forEach((i, k) => {
      const d = (scores[k] as number) >= ctx.doc.policy.model.threshold ? 1 : 0;
      if (d === o.instances.d0[i]) audit.notFlipped++;
      const size =
        o.measure === 'linf' || o.measure === 'l2'
          ? perturbationNorm(space, cands, k, o.measure)
          : o.measure === 'l0'
            ? categoricalChanges(space, cands, k)
            : (o.minPerturbation[i] as number);
      if (Math.abs(size - (o.minPerturbation[i] as number)) > 1e-12 * Math.max(1, size)) audit.sizeMismatch++;
    });
    out.push(audit);
  }
  return out;
}

let rawDatasetPromise: Promise<Dataset> | null = null;

/** A CheckContext on the raw Adult test.csv for a model with one [N,1] input per column (string and float inputs). */
export async function pipelineContext(opts: Omit<AdultContextOptions, 'model'> & { model?: string }): Promise<CheckContext> {
  const name = opts.model ?? 'logreg_pipeline_nozipmap';
  const policy = {
    version: 1,
    seed: opts.seed ?? 0,
    model: { path: `${ADULT}/${name}.onnx`, threshold: 0.5 },
    dataset: { path: `${ADULT}/test.csv`, label: 'income', positive_label: '>50K', missing_values: ['?'] },
    sensitive: opts.sensitive ?? [{ column: 'sex' }, { column: 'race' }, { column: 'age', bins: [25, 45] }],
    intersections: opts.intersections ?? [],
    checks: { robustness: opts.robustness },
  };
  const doc = parsePolicy(JSON.stringify(policy, null, 2), { workspace: ROOT, displayPath: 'policy.json' });
  rawDatasetPromise ??= readCsvDataset(resolve(ROOT, ADULT, 'test.csv'), { displayPath: `${ADULT}/test.csv`, missingValues: ['?'], maxRows: 1_000_000 });
  const dataset = await rawDatasetPromise;
  const model = await adultModel(name);
  const input = encodeModelInput(dataset, model.info.inputs, undefined, { workspace: ROOT, policyFile: doc.file });
  const scores = await model.score(input);
  const yPred = Uint8Array.from(scores, (s) => (s >= 0.5 ? 1 : 0));
  return {
    doc,
    dataset,
    model,
    input,
    labels: makeLabels(dataset, doc.policy.dataset),
    scores,
    yPred,
    groupings: buildGroupings(dataset, doc.policy),
    rng: createRng(doc.policy.seed),
    deadline: opts.deadline ?? Date.now() + 10 * 60 * 1000,
  };
}
