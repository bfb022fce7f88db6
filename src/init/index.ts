/**
 * `model-risk-gate init --model <model> --data <dataset> [--reference <training data>] [-o <policy.yml>]` (issue #13):
 * writes a starter policy so that the first run takes one command. It reads the model's inputs and the dataset's
 * columns and writes:
 *   - model.path, and model.features.columns when the model takes one numeric matrix (named inputs map to columns by name);
 *   - dataset.path with the label column (a column named like a label, else a two-valued column the model does not
 *     read) and its positive label (the rarer value, or an obvious positive text such as 1 / yes / true / >50K);
 *   - sensitive-attribute candidates (columns named like sex, gender, race, age, …; numeric ones binned);
 *   - performance and fairness limits to review, and a `data` section against the reference when one is given.
 * It never overwrites a file: an existing output is an error naming it.
 */
import { open } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { readDataset } from '../data/read.js';
import type { Column, Dataset } from '../data/types.js';
import { inspectModel } from '../model/session.js';
import type { ModelInputSignature } from '../model/types.js';
import { UserError } from '../util/errors.js';

export interface InitOptions {
  /** Model file (as given; resolved against cwd). */
  model: string;
  /** Evaluation dataset. */
  data: string;
  /** Reference dataset (training data) for the data section. */
  reference?: string;
  /** Output policy file; default .github/model-policy.yml. */
  output?: string;
  /** Root that the policy's paths are relative to; default cwd. */
  workspace: string;
  cwd: string;
}

export interface InitResult {
  file: string;
  text: string;
  label: string;
  positiveLabel: string;
  sensitive: string[];
}

const LABEL_NAMES = /^(label|target|y|class|outcome|income|default|churn|churned|fraud|is_fraud|approved|response|result)$/i;
const SENSITIVE_NAMES = /^(sex|gender|race|ethnicity|ethnic_group|age|religion|nationality|native_country|marital_status|disability|citizenship|personal_status)$/i;
const POSITIVE_TEXTS = /^(1|1\.0|yes|y|true|positive|pos|bad|default|fraud|churn|>50k|approved|accept(ed)?)$/i;
/** Positive labels that name the outcome a person does not want: the starter policy sets `favourable: negative`. */
const ADVERSE_TEXTS = /^(bad|default(ed)?|fraud(ulent)?|churn(ed)?|reject(ed)?|den(y|ied)|declined?|high[ _-]?risk|risky|delinquent|arrest(ed)?|recidivism|fail(ed)?)$/i;

function quote(text: string): string {
  return JSON.stringify(text); // a YAML double-quoted scalar is a JSON string
}

function levelCounts(c: Column): Map<string, number> {
  const m = new Map<string, number>();
  if (c.kind === 'categorical') {
    for (let i = 0; i < c.codes.length; i++) {
      const l = c.levels[c.codes[i]];
      m.set(l, (m.get(l) ?? 0) + 1);
    }
  } else {
    for (let i = 0; i < c.values.length; i++) {
      if (Number.isNaN(c.values[i])) continue;
      const l = String(c.values[i]);
      m.set(l, (m.get(l) ?? 0) + 1);
      if (m.size > 50) break;
    }
  }
  return m;
}

/** The label column: a label-like name, else a two-valued column that is no model input, else the last column. */
export function guessLabel(dataset: Dataset, inputs: ReadonlySet<string>): { column: string; positive: string } {
  const names = dataset.columns.map((c) => c.name);
  const twoValued = (c: Column) => levelCounts(c).size === 2;
  const column =
    dataset.columns.find((c) => LABEL_NAMES.test(c.name) && !inputs.has(c.name) && twoValued(c)) ??
    dataset.columns.find((c) => !inputs.has(c.name) && twoValued(c) && !SENSITIVE_NAMES.test(c.name)) ??
    dataset.columns.find((c) => LABEL_NAMES.test(c.name)) ??
    dataset.columns[names.length - 1];
  const counts = [...levelCounts(column).entries()].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1));
  const positive = counts.find(([l]) => POSITIVE_TEXTS.test(l.trim()))?.[0] ?? counts[0]?.[0] ?? '1';
  return { column: column.name, positive };
}

/** Sensitive-attribute candidates: by name; numeric ones with many values get bins. */
export function guessSensitive(dataset: Dataset, label: string): Array<{ column: string; bins?: number[] }> {
  const out: Array<{ column: string; bins?: number[] }> = [];
  for (const c of dataset.columns) {
    if (c.name === label || !SENSITIVE_NAMES.test(c.name)) continue;
    if (c.kind === 'numeric' && levelCounts(c).size > 20) {
      out.push({ column: c.name, bins: /^age$/i.test(c.name) ? [25, 45] : terciles(c.values) });
    } else if (c.kind === 'categorical' && c.levels.length > 50) continue;
    else out.push({ column: c.name });
  }
  return out.slice(0, 5);
}

function terciles(values: Float64Array): number[] {
  const s = Float64Array.from(values.filter((v) => !Number.isNaN(v))).sort();
  const q = (p: number) => Number(s[Math.floor(p * (s.length - 1))].toPrecision(3));
  const edges = [q(1 / 3), q(2 / 3)];
  return edges[1] > edges[0] ? edges : [edges[0]];
}

function policyPath(file: string, workspace: string, what: string): string {
  const rel = relative(workspace, file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) {
    throw new UserError(`${what} ${file} is outside the workspace ${workspace}; put it inside the repository (or pass --workspace)`);
  }
  return rel.split('\\').join('/');
}

/** The starter policy's text (YAML with comments). */
export function starterPolicy(p: {
  model: string;
  data: string;
  reference?: string;
  inputs: ModelInputSignature[];
  dataset: Dataset;
  label: { column: string; positive: string };
  sensitive: Array<{ column: string; bins?: number[] }>;
  missingValues: string[];
}): string {
  const columns = p.dataset.columns.map((c) => c.name);
  const named = p.inputs.filter((i) => columns.includes(i.name));
  const matrix = p.inputs.length === 1 && !columns.includes(p.inputs[0].name);
  const lines: string[] = [
    '# Starter policy written by `model-risk-gate init`: review every limit before relying on it.',
    '# Run: model-risk-gate check --policy <this file>',
    'version: 1',
    'seed: 0',
    '',
    'model:',
    `  path: ${quote(p.model)}`,
    '  threshold: 0.5',
  ];
  if (matrix) {
    const features = columns.filter((c) => c !== p.label.column && p.dataset.byName.get(c)?.kind === 'numeric');
    lines.push(
      `  # the model takes one matrix (${p.inputs[0].name}): these numeric columns, in this order — check them against training`,
      '  features:',
      `    columns: [${features.map(quote).join(', ')}]`,
    );
  } else {
    lines.push(`  # inputs read from the dataset by name: ${named.map((i) => i.name).join(', ') || '(none found: check the column names)'}`);
    const missing = p.inputs.filter((i) => !columns.includes(i.name)).map((i) => i.name);
    if (missing.length) lines.push(`  # WARNING: the dataset has no column for input(s) ${missing.join(', ')}: rename with dataset.columns`);
  }
  lines.push(
    '',
    'dataset:',
    `  path: ${quote(p.data)}`,
    `  label: ${quote(p.label.column)}          # guessed: check it`,
    `  positive_label: ${quote(p.label.positive)}`,
    // fairness is computed on the favourable outcome: a positive label that reads adverse (bad, default, fraud, ...) is
    // most likely not the outcome a person wants (see the README, "The favourable outcome")
    ADVERSE_TEXTS.test(p.label.positive.trim())
      ? `  favourable: negative          # ${quote(p.label.positive)} reads as the adverse outcome: fairness is computed on the other class`
      : `  # favourable: negative        # if ${quote(p.label.positive)} is the adverse outcome (a rejection, a default), fairness is computed on the other class`,
    `  missing_values: [${p.missingValues.map(quote).join(', ')}]`,
    '',
  );
  if (p.sensitive.length) {
    lines.push('sensitive:                      # candidates found by column name: keep the ones that apply');
    for (const s of p.sensitive) lines.push(`  - column: ${quote(s.column)}${s.bins ? `\n    bins: [${s.bins.join(', ')}]` : ''}`);
  } else {
    lines.push('sensitive: []                   # no candidate found by name: add the protected attributes of your data');
  }
  lines.push('min_group_size: 30', '', 'checks:', '  performance:', '    roc_auc: { min: 0.75 }         # set to your model\'s bar', '    accuracy: { min: 0.75 }');
  if (p.sensitive.length) {
    lines.push('  fairness:', '    demographic_parity_ratio: { min: 0.8 }   # the four-fifths rule', '    equal_opportunity_difference: { max: 0.1 }');
  }
  lines.push('');
  lines.push('data:');
  if (p.reference) {
    lines.push(
      `  reference: ${quote(p.reference)}   # the training data`,
      '  drift:',
      '    share: { max: 0.3 }           # share of input columns that drifted (KS / chi-square, Holm-corrected)',
      '    prediction: { max: 0.1 }      # KS distance of the model\'s scores, reference vs evaluation data',
      '    label: { max: 0.05 }          # change of the positive-label rate',
      '  integrity:',
      '    missing_increase: { max: 0.05 }',
      '    unseen_categories: { max: 0.01 }',
      '    out_of_range: { max: 0.01 }',
      '    mixed_types: { max: 0 }',
      '  leakage:',
      '    overlap: { max: 0 }           # evaluation rows that are training rows',
      '    single_column: { max: 0.95 }  # one column predicting the label almost perfectly',
    );
  } else {
    lines.push('  integrity:', '    missing_share: { max: 0.2 }', '    mixed_types: { max: 0 }', '  leakage:', '    single_column: { max: 0.95 }');
  }
  if (p.sensitive.length) lines.push('  representation:', '    min_count: { min: 30 }       # a group below 30 rows is a finding');
  lines.push('', 'report:', '  include_examples: false', '');
  return lines.join('\n');
}

export async function runInit(opts: InitOptions): Promise<InitResult> {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(opts.cwd, p));
  const modelFile = abs(opts.model);
  const dataFile = abs(opts.data);
  const output = abs(opts.output ?? '.github/model-policy.yml');
  const signature = await inspectModel(modelFile, { displayPath: opts.model });
  const missingValues = ['', '?', 'NA', 'NaN'];
  const dataset = await readDataset(dataFile, { displayPath: opts.data, missingValues, maxRows: 1_000_000 });
  const inputs = new Set(signature.inputs.map((i) => i.name));
  const label = guessLabel(dataset, inputs);
  const sensitive = guessSensitive(dataset, label.column);
  let reference: string | undefined;
  if (opts.reference !== undefined) {
    const refFile = abs(opts.reference);
    await readDataset(refFile, { displayPath: opts.reference, missingValues, maxRows: 1_000_000 }); // readable, same format rules
    reference = policyPath(refFile, opts.workspace, 'the reference');
  }
  const text = starterPolicy({
    model: policyPath(modelFile, opts.workspace, 'the model'),
    data: policyPath(dataFile, opts.workspace, 'the dataset'),
    ...(reference !== undefined ? { reference } : {}),
    inputs: signature.inputs,
    dataset,
    label,
    sensitive,
    missingValues,
  });
  await mkdir(dirname(output), { recursive: true });
  let fh;
  try {
    fh = await open(output, 'wx');
  } catch (e) {
    if ((e as { code?: string }).code === 'EEXIST') {
      throw new UserError(`${opts.output ?? '.github/model-policy.yml'} exists already; init never overwrites a file: give another -o or remove it`);
    }
    throw e;
  }
  try {
    await fh.writeFile(text, 'utf8');
  } finally {
    await fh.close();
  }
  return { file: output, text, label: label.column, positiveLabel: label.positive, sensitive: sensitive.map((s) => s.column) };
}
