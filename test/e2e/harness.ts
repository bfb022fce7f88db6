/**
 * Runs the committed bundle the way a GitHub runner does: `node dist/index.js` with INPUT_* and GITHUB_* variables,
 * in a temporary workspace. Async spawn (never spawnSync): tests may serve fake GitHub endpoints in-process.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sarifValidator } from '../helpers/sarif-schema.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const fixtures = join(repoRoot, 'test', 'fixtures');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNode(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    // a clean environment: only what a runner would give, plus PATH/HOME
    for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT']) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
    for (const [k, v] of Object.entries(opts.env ?? {})) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, args, { cwd: opts.cwd ?? repoRoot, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

export interface Workspace {
  dir: string;
  summaryFile: string;
  outputFile: string;
  runnerTemp: string;
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
  outputs(): Record<string, string>;
  summary(): string;
}

/** A temporary workspace holding a policy at .github/model-policy.yml and copies of the given fixture files. */
export function makeWorkspace(policy: string, files: Record<string, string>): Workspace {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-ws-'));
  mkdirSync(join(dir, '.github'), { recursive: true });
  writeFileSync(join(dir, '.github', 'model-policy.yml'), policy);
  for (const [target, source] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, target)), { recursive: true });
    cpSync(source, join(dir, target));
  }
  const runnerTemp = mkdtempSync(join(tmpdir(), 'mrg-runner-'));
  const summaryFile = join(runnerTemp, 'step_summary.md');
  const outputFile = join(runnerTemp, 'github_output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  return {
    dir,
    summaryFile,
    outputFile,
    runnerTemp,
    env: (extra = {}) => ({
      GITHUB_ACTIONS: 'true',
      CI: 'true',
      GITHUB_WORKSPACE: dir,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_OUTPUT: outputFile,
      RUNNER_TEMP: runnerTemp,
      GITHUB_EVENT_NAME: 'push',
      GITHUB_REPOSITORY: 'acme/credit-model',
      GITHUB_RUN_ID: '4242',
      GITHUB_SERVER_URL: 'http://127.0.0.1:9',
      GITHUB_API_URL: 'http://127.0.0.1:9',
      INPUT_POLICY: '.github/model-policy.yml',
      INPUT_COMMENT: 'false',
      'INPUT_ARTIFACT-NAME': '',
      ...extra,
    }),
    outputs: () => parseOutputs(readFileSync(outputFile, 'utf8')),
    summary: () => (existsSync(summaryFile) ? readFileSync(summaryFile, 'utf8') : ''),
  };
}

/** Parses the GITHUB_OUTPUT file format written by @actions/core (name<<delimiter ... delimiter). */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i]);
    if (m) {
      const [, name, delim] = m;
      const body: string[] = [];
      for (i++; i < lines.length && lines[i] !== delim; i++) body.push(lines[i]);
      out[name] = body.join('\n');
    } else if (lines[i].includes('=')) {
      const at = lines[i].indexOf('=');
      out[lines[i].slice(0, at)] = lines[i].slice(at + 1);
    }
  }
  return out;
}

/** Workflow-command annotations printed on stdout: ::error file=...,line=...::message */
export interface PrintedAnnotation {
  level: string;
  props: Record<string, string>;
  message: string;
}

export function parseAnnotations(stdout: string): PrintedAnnotation[] {
  const out: PrintedAnnotation[] = [];
  for (const line of stdout.split('\n')) {
    const m = /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!m) continue;
    const props: Record<string, string> = {};
    for (const part of (m[2] ?? '').split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) props[part.slice(0, eq)] = decodeURIComponent(part.slice(eq + 1).replace(/%(?![0-9A-F]{2})/g, '%25'));
    }
    out.push({ level: m[1], props, message: decodeURIComponent(m[3].replace(/%(?![0-9A-F]{2})/g, '%25')) });
  }
  return out;
}

/** Validates a SARIF log against the official SARIF 2.1.0 JSON schema. */
export function validateSarif(log: unknown): { valid: boolean; errors: unknown } {
  const validate = sarifValidator();
  const valid = validate(log);
  return { valid, errors: validate.errors ?? null };
}

/** Line (1-based) of the first line in `text` that contains `needle`. */
export function lineOf(text: string, needle: string): number {
  const i = text.split('\n').findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`'${needle}' not found`);
  return i + 1;
}

/** A credit-style policy on UCI Adult (models/credit.onnx, data/eval.csv) with the given fairness lines. */
export const ADULT_POLICY = (fairness: string): string => `# a credit-style policy on UCI Adult
version: 1
seed: 7
model:
  path: models/credit.onnx
  threshold: 0.5
dataset:
  path: data/eval.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: race
  - column: age
    bins: [25, 45]
intersections:
  - [sex, age_bin]
min_group_size: 30
checks:
  performance:
    roc_auc: { min: 0.85 }
    accuracy: { min: 0.80 }
  fairness:
${fairness}
`;
