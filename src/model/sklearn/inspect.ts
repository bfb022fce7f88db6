/**
 * `model-risk-gate inspect <model>` and `convert`: what a model file is (ONNX, scikit-learn pickle, XGBoost JSON),
 * what its scan found, its inputs and outputs, how the gate will score and explain it, and (with a CSV) whether the
 * CSV's columns feed its inputs. Human-readable text, or JSON. `convert` writes the translated ONNX graph.
 */
import { readFile } from 'node:fs/promises';
import { writeOutputFile } from '../../util/safe-fs.js';
import { parse } from 'csv-parse/sync';
import { UserError } from '../../util/errors.js';
import { DEFAULT_MAX_MODEL_BYTES, readModelBytes, signatureOf, type ModelSignature } from '../signature.js';
import type { ArtifactScan } from './artifact.js';
import { openModel } from './open.js';
import type { EstimatorNode } from './translate.js';
import { TREE_OPERATORS } from '../../checks/explainability/tree-graph.js';

export interface InspectResult extends ModelSignature {
  format: string;
  artifact: ArtifactScan;
  translated?: {
    format: string;
    estimator: EstimatorNode;
    sklearnVersion: string | null;
    inputs: Array<{ name: string; type: string }>;
    encodedFeatures: number;
    scoring: string;
    classes: Array<string | number>;
    notes: string[];
  };
  /** How explainability will run with method: auto. */
  explanation: string;
  data?: DataCheck;
}

export interface DataCheck {
  file: string;
  rowsChecked: number;
  ok: boolean;
  problems: string[];
  matched: string[];
}

export async function inspectAnyModel(file: string, opts: { displayPath?: string; maxBytes?: number } = {}): Promise<InspectResult> {
  const where = { file: opts.displayPath ?? file };
  const bytes = await readModelBytes(file, where, opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES);
  const opened = openModel(bytes, where);
  const sig = signatureOf(where.file, opened.parsed);
  const t = opened.foreign?.translation;
  let explanation: string;
  if (t?.trees) explanation = `exact TreeSHAP on ${t.trees.trees.length} tree(s) over ${t.features.length} encoded features, grouped into ${new Set(t.featureRaw).size} raw columns`;
  else if (t) explanation = 'KernelSHAP on the raw columns (not a tree model)';
  else {
    const trees = (opened.parsed.graph.node ?? []).filter((n) => TREE_OPERATORS.includes(n.opType ?? '') && n.domain === 'ai.onnx.ml');
    explanation = trees.length === 1 ? `TreeSHAP when the ${trees[0].opType} reads the input matrix directly, else KernelSHAP on the raw columns` : 'KernelSHAP on the raw columns';
  }
  const out: InspectResult = { ...sig, format: opened.foreign ? opened.foreign.format : 'onnx', artifact: opened.scan, explanation };
  if (t) {
    out.classes = t.classes;
    out.translated = {
      format: opened.foreign!.format,
      estimator: t.tree,
      sklearnVersion: t.sklearnVersion,
      inputs: t.inputs,
      encodedFeatures: t.features.length,
      scoring: t.scoring,
      classes: t.classes,
      notes: t.notes,
    };
  }
  return out;
}

/** Check a CSV's header (and first rows) against the model's inputs. */
export async function checkCsv(csvFile: string, displayPath: string, inputs: Array<{ name: string; type: string; shape?: Array<number | string | null> }>): Promise<DataCheck> {
  let text: string;
  try {
    const buf = await readFile(csvFile);
    text = buf.subarray(0, 4 * 1024 * 1024).toString('utf8');
  } catch (e) {
    throw new UserError(`cannot read the CSV (${(e as Error).message.split('\n')[0]})`, { file: displayPath });
  }
  const lastNl = text.lastIndexOf('\n');
  if (lastNl > 0) text = text.slice(0, lastNl + 1);
  let rows: string[][];
  try {
    rows = parse(text, { relax_column_count: true, to: 1001, bom: true }) as string[][];
  } catch (e) {
    throw new UserError(`the CSV does not parse (${(e as Error).message.split('\n')[0]})`, { file: displayPath });
  }
  if (rows.length === 0) throw new UserError('the CSV is empty', { file: displayPath });
  const header = rows[0];
  const body = rows.slice(1);
  const problems: string[] = [];
  const matched: string[] = [];
  const single = inputs.length === 1 && inputs[0].shape && inputs[0].shape.length === 2 && inputs[0].shape[1] !== 1 && !header.includes(inputs[0].name);
  if (single) {
    problems.push(`the model takes one matrix \`${inputs[0].name}\` [N, ${inputs[0].shape?.[1] ?? '?'}]: list its columns in training order with model.features in the policy`);
  } else {
    for (const inp of inputs) {
      const col = header.indexOf(inp.name);
      if (col < 0) {
        problems.push(`input \`${inp.name}\` (${inp.type}) has no column in the CSV`);
        continue;
      }
      matched.push(inp.name);
      if (inp.type === 'float32' || inp.type === 'float64' || inp.type === 'double') {
        const bad = body.findIndex((r) => r[col] !== undefined && r[col].trim() !== '' && !Number.isFinite(Number(r[col])));
        if (bad >= 0) problems.push(`input \`${inp.name}\` takes numbers but line ${bad + 2} has \`${String(body[bad][col]).slice(0, 40)}\``);
        const empty = body.findIndex((r) => r[col] === undefined || r[col].trim() === '');
        if (empty >= 0) problems.push(`input \`${inp.name}\` has an empty cell on line ${empty + 2}`);
      }
    }
  }
  return { file: displayPath, rowsChecked: body.length, ok: problems.length === 0, problems, matched };
}

function treeLines(n: EstimatorNode, indent: string, out: string[]): void {
  const label = n.name && n.name !== 'model' ? `${n.name}: ` : '';
  out.push(`${indent}${label}${n.cls}${n.detail ? ` (${n.detail})` : ''}`);
  for (const c of n.children) treeLines(c, `${indent}  `, out);
}

/** Human-readable inspect output (plain text; the caller's writer escapes workflow commands). */
export function renderInspect(r: InspectResult): string {
  const out: string[] = [];
  const mb = (b: number): string => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(1)} MB` : b >= 1024 ? `${(b / 1024).toFixed(1)} kB` : `${b} bytes`);
  out.push(`Model: ${r.file}`);
  out.push(`  format   ${r.format}${r.artifact.compression !== 'none' ? ` (${r.artifact.compression}-compressed)` : ''}, ${mb(r.bytes)}, sha256 ${r.sha256.slice(0, 16)}…`);
  if (r.translated) {
    const source = r.translated.format === 'xgboost-json' ? 'XGBoost' : r.translated.format === 'lightgbm-text' ? 'LightGBM' : `scikit-learn ${r.translated.sklearnVersion ?? '(version not recorded)'}`;
    out.push(`  source   ${source}, translated to ONNX in memory (nothing executed)`);
  } else {
    out.push(`  producer ${r.producer || '(none)'}, IR ${r.irVersion}, opsets ${Object.entries(r.opsets).map(([d, v]) => `${d || 'ai.onnx'} ${v}`).join(', ')}`);
  }
  out.push('');
  out.push(`Scan: ${r.artifact.safe ? 'safe' : 'UNSAFE'}`);
  const shown = r.artifact.findings.length ? r.artifact.findings : [{ severity: 'note', message: 'nothing to report' }];
  for (const f of shown) out.push(`  ${f.severity.padEnd(7)} ${f.message}`);
  if (r.artifact.globals?.length) out.push(`  globals  ${r.artifact.globals.join(', ')}`);
  if (r.translated) {
    out.push('');
    out.push('Estimator:');
    treeLines(r.translated.estimator, '  ', out);
  }
  out.push('');
  out.push(`Inputs (${r.inputs.length}):`);
  for (const i of r.inputs) out.push(`  ${i.name}  ${i.type} [${i.shape.map((d) => (d === null ? 'N' : d)).join(', ')}]`);
  out.push('');
  out.push('Outputs:');
  for (const o of r.outputs) out.push(`  ${o.name}  ${o.type} [${o.shape.map((d) => (d === null ? 'N' : d)).join(', ')}]`);
  if (r.operators.length) out.push(`Operators: ${r.operators.join(', ')}`);
  out.push('');
  out.push('Scoring:');
  if ('error' in r.defaultScore) out.push(`  ${r.defaultScore.error}`);
  else {
    const cls = r.classes.length > r.defaultScore.positiveIndex ? ` = class ${JSON.stringify(r.classes[r.defaultScore.positiveIndex])}` : '';
    out.push(`  output ${r.defaultScore.output} (${r.defaultScore.kind}), column ${r.defaultScore.positiveIndex}${cls} (set model.positive_index to change)`);
  }
  if (r.translated) out.push(`  ${r.translated.scoring}`);
  for (const n of r.translated?.notes ?? []) out.push(`  note: ${n}`);
  out.push(`  explained by ${r.explanation}`);
  if (r.data) {
    out.push('');
    out.push(`Data: ${r.data.file} (${r.data.rowsChecked} rows checked): ${r.data.ok ? `every input has a column (${r.data.matched.length})` : `${r.data.problems.length} problem(s)`}`);
    for (const p of r.data.problems) out.push(`  - ${p}`);
  }
  return `${out.join('\n')}\n`;
}

/** Write the ONNX graph of a model file (translated when it is a pickle / XGBoost JSON). */
export async function convertModel(file: string, displayPath: string, outFile: string): Promise<{ bytes: number; inputs: string[]; from: string }> {
  const where = { file: displayPath };
  const bytes = await readModelBytes(file, where, DEFAULT_MAX_MODEL_BYTES);
  const opened = openModel(bytes, where);
  if (!opened.foreign) throw new UserError('the model file is already ONNX: nothing to convert', where);
  writeOutputFile(outFile, opened.onnx); // never through a planted symlink (issue #10)
  return { bytes: opened.onnx.length, inputs: opened.foreign.translation.inputs.map((i) => `${i.name} (${i.type})`), from: opened.scan.translatedFrom ?? opened.foreign.format };
}
