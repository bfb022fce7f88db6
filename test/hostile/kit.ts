/**
 * The hostile-input suite's machinery (issue #10): a workspace with a valid small model, dataset and policy, an
 * "outside" directory next to it holding a canary file and a symlink target with a secret, a runner for the committed
 * bundle (`node dist/cli.js` / `node dist/index.js`) that measures peak RSS, and the checks every case gets:
 * exit code, one clear message naming the file, no stack trace, no workflow command from PR content, nothing outside
 * the workspace touched or leaked, bounded memory.
 */
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { onnx as O } from 'onnx-proto';
import { encodeModel } from '../../src/model/onnx-graph.js';
import { repoRoot } from '../e2e/harness.js';

export const CLI = join(repoRoot, 'dist', 'cli.js');
export const ACTION = join(repoRoot, 'dist', 'index.js');

/** Text planted outside the workspace (and in .git/config): it must never appear in any output. */
export const SECRET = 'SECRET-CANARY-7f3a9c';
/** Peak RSS a case may use (the Node + onnxruntime baseline is ~150 MB; the unbounded cases of issue #10 used GBs). */
export const MAX_RSS_MB = 1024;
/** A case still running after this long is a hang (killed). */
export const KILL_AFTER_MS = 120_000;

/** Forged workflow commands, as a pull request would plant them in names and values. */
export const PAYLOADS = {
  warning: '\n::warning::PWN\n',
  outputs: '\n::set-output name=PWNout::pass\n',
  mask: '\r::add-mask::PWN\r',
  stop: '\n::stop-commands::PWN\n',
  legacy: '\n##[warning]PWN\n',
  unicode: '\u2028::error::PWN\u2029',
  nel: '\u0085::notice::PWN',
} as const;

// ---------------------------------------------------------------------------------------------------------------
// Model and data builders (ONNX bytes built here: no binary blobs)

type Dim = number | 'N';
export function valueInfo(name: string, shape: Dim[], elemType = 1): O.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } } };
}

export interface ModelOptions {
  /** Name of the MatMul node (and prefix of the others). */
  nodeName?: string;
  /** Extra nodes/initializers appended to the graph. */
  extraNodes?: O.INodeProto[];
  /** Nodes between the MatMul (its output `z`) and the Sigmoid, which then reads `logit`. */
  logitNodes?: O.INodeProto[];
  logit?: string;
  extraInitializers?: O.ITensorProto[];
  inputNames?: [string, string];
  outputName?: string;
  producerName?: string;
  docString?: string;
  opsetVersion?: number;
  metadata?: Array<{ key: string; value: string }>;
}

/** sigmoid([x1, x2] · [1, -1]): inputs x1, x2 [N,1] float, output prob [N,1]. */
export function modelBytes(o: ModelOptions = {}): Uint8Array {
  const [a, b] = o.inputNames ?? ['x1', 'x2'];
  const name = o.nodeName ?? 'n0';
  const out = o.outputName ?? 'prob';
  return encodeModel({
    irVersion: 7,
    producerName: o.producerName ?? 'hostile-suite',
    docString: o.docString ?? '',
    metadataProps: o.metadata ?? [],
    opsetImport: [{ domain: '', version: o.opsetVersion ?? 13 }],
    graph: {
      name: 'g',
      node: [
        { opType: 'Concat', input: [a, b], output: ['x'], name: `${name}-concat`, attribute: [{ name: 'axis', type: 2, i: 1 }] },
        { opType: 'MatMul', input: ['x', 'w'], output: ['z'], name },
        ...(o.logitNodes ?? []),
        { opType: 'Sigmoid', input: [o.logit ?? 'z'], output: [out], name: `${name}-sigmoid` },
        ...(o.extraNodes ?? []),
      ],
      initializer: [{ name: 'w', dataType: 1, dims: [2, 1], floatData: [1, -1] }, ...(o.extraInitializers ?? [])],
      input: [valueInfo(a, ['N', 1]), valueInfo(b, ['N', 1])],
      output: [valueInfo(out, ['N', 1])],
    },
  });
}

/**
 * The model of modelBytes plus a branch that Expands the input's maximum to a rows × cols float tensor and adds 0 ×
 * its sum to the logit: the scores are those of modelBytes, the memory is rows × cols × 4 bytes, allocated inside one
 * onnxruntime call (the shape depends on the input, so nothing is folded at load time).
 */
export function expandBombModel(rows: number, cols: number): Uint8Array {
  return modelBytes({
    logitNodes: [
      { opType: 'ReduceMax', input: ['x'], output: ['m'], name: 'rm', attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
      { opType: 'Expand', input: ['m', 'shape'], output: ['big'], name: 'ex' },
      { opType: 'ReduceSum', input: ['big'], output: ['s'], name: 'rs', attribute: [{ name: 'keepdims', type: 2, i: 0 }] },
      { opType: 'Mul', input: ['s', 'zero'], output: ['s0'], name: 'mu' },
      { opType: 'Add', input: ['z', 's0'], output: ['z2'], name: 'ad' },
    ],
    logit: 'z2',
    extraInitializers: [
      { name: 'zero', dataType: 1, dims: [], floatData: [0] },
      { name: 'shape', dataType: 7, dims: [2], int64Data: [rows, cols] },
    ],
  });
}

/** sigmoid(features · [1, -1]): one input `features` [N,2] (so the policy needs model.features). */
export function matrixModelBytes(): Uint8Array {
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [
        { opType: 'MatMul', input: ['features', 'w'], output: ['z'], name: 'mm' },
        { opType: 'Sigmoid', input: ['z'], output: ['prob'], name: 's' },
      ],
      initializer: [{ name: 'w', dataType: 1, dims: [2, 1], floatData: [1, -1] }],
      input: [valueInfo('features', ['N', 2])],
      output: [valueInfo('prob', ['N', 1])],
    },
  });
}

/** The same model, but scoring fails at run time in a node with this name (Gather with an out-of-range index). */
export function failingModelBytes(nodeName: string): Uint8Array {
  return encodeModel({
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    graph: {
      name: 'g',
      node: [
        { opType: 'Concat', input: ['x1', 'x2'], output: ['x'], name: 'c', attribute: [{ name: 'axis', type: 2, i: 1 }] },
        { opType: 'Gather', input: ['x', 'idx'], output: ['prob'], name: nodeName, attribute: [{ name: 'axis', type: 2, i: 1 }] },
      ],
      initializer: [{ name: 'idx', dataType: 7, dims: [1], int64Data: [99] }],
      input: [valueInfo('x1', ['N', 1]), valueInfo('x2', ['N', 1])],
      output: [valueInfo('prob', ['N', 1])],
    },
  });
}

/** Protobuf varint. */
export function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v >= 128) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** ModelProto whose graph (field 7) holds `count` empty NodeProtos (tag 0x0a, length 0): 2 bytes per node. */
export function emptyNodesModel(count: number): Uint8Array {
  const graphLen = count * 2;
  const head = [0x08, 0x07, 0x3a, ...varint(graphLen)];
  const out = new Uint8Array(head.length + graphLen);
  out.set(head, 0);
  for (let i = head.length; i < out.length; i += 2) {
    out[i] = 0x0a;
    out[i + 1] = 0x00;
  }
  return out;
}

/** A graph nested `depth` levels deep through If-node `then_branch` attributes. */
export function nestedGraphsModel(depth: number): Uint8Array {
  let graph: O.IGraphProto = { name: 'leaf', node: [{ opType: 'Identity', input: ['x1'], output: ['y'] }], output: [valueInfo('y', ['N', 1])] };
  for (let i = 0; i < depth; i++) {
    graph = { name: `g${i}`, node: [{ opType: 'If', input: ['c'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: graph }, { name: 'else_branch', type: 5, g: graph }].slice(0, 1) }], output: [valueInfo('y', ['N', 1])] };
  }
  return encodeModel({ irVersion: 7, opsetImport: [{ domain: '', version: 13 }], graph });
}

/** A pickle (protocol 4) whose GLOBAL opcode imports posix.system, as a malicious .joblib/.pkl would. */
export function maliciousPickle(): Uint8Array {
  const parts = [Buffer.from([0x80, 0x04]), Buffer.from('cposix\nsystem\n', 'latin1'), Buffer.from([0x8c, 0x05]), Buffer.from('id>&2', 'latin1'), Buffer.from([0x85, 0x52, 0x2e])];
  return Buffer.concat(parts);
}

/** Protocol-4 pickle that imports os.system via STACK_GLOBAL. */
export function stackGlobalPickle(): Uint8Array {
  const s = (t: string) => Buffer.concat([Buffer.from([0x8c, t.length]), Buffer.from(t, 'latin1'), Buffer.from([0x94])]);
  return Buffer.concat([Buffer.from([0x80, 0x04, 0x95, 0x20, 0, 0, 0, 0, 0, 0, 0]), s('os'), s('system'), Buffer.from([0x93, 0x94]), s('touch /tmp/pwned'), Buffer.from([0x85, 0x94, 0x52, 0x94, 0x2e])]);
}

/** 200 rows: x1, x2 numeric, g (two groups), y (0/1). */
export function datasetCsv(opts: { groups?: (i: number) => string; rows?: number; header?: string } = {}): string {
  const rows = opts.rows ?? 200;
  const group = opts.groups ?? ((i: number) => (i % 2 ? 'a' : 'b'));
  let csv = `${opts.header ?? 'x1,x2,g,y'}\n`;
  for (let i = 0; i < rows; i++) csv += `${((i * 7) % 11) / 11},${((i * 5) % 13) / 13},${csvCell(group(i))},${i % 3 === 0 ? 1 : 0}\n`;
  return csv;
}

/** A CSV cell, quoted when needed. */
export function csvCell(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const POLICY = `version: 1
seed: 3
model:
  path: model.onnx
dataset:
  path: data.csv
  label: y
  positive_label: 1
sensitive:
  - column: g
min_group_size: 10
checks:
  performance:
    accuracy: { min: 0.1 }
  fairness:
    demographic_parity_difference: { max: 0.9, attributes: [g] }
`;

/** Text inside a double-quoted YAML scalar (escapes, so line breaks and commands survive into the value). */
export function yamlQuoted(text: string): string {
  return JSON.stringify(text);
}

// ---------------------------------------------------------------------------------------------------------------
// Workspace

export interface HostileWorkspace {
  root: string;
  /** The checkout (GITHUB_WORKSPACE / cwd). */
  dir: string;
  /** Outside the workspace: canary.txt, victim.txt (symlink target), secret.yml, victim-dir/. */
  outside: string;
  runnerTemp: string;
  summaryFile: string;
  outputFile: string;
  write(path: string, content: string | Uint8Array): string;
  path(p: string): string;
}

export function hostileWorkspace(): HostileWorkspace {
  const root = mkdtempSync(join(tmpdir(), 'mrg-hostile-'));
  const dir = join(root, 'ws');
  const outside = join(root, 'outside');
  const runnerTemp = join(root, 'runner');
  for (const d of [dir, outside, runnerTemp, join(outside, 'victim-dir')]) mkdirSync(d, { recursive: true });
  writeFileSync(join(outside, 'canary.txt'), `canary ${SECRET}\n`);
  writeFileSync(join(outside, 'victim.txt'), `victim ${SECRET}\n`);
  writeFileSync(join(outside, 'secret.yml'), `version: ${SECRET}\nmodel: { path: ${SECRET} }\n`);
  writeFileSync(join(outside, 'secret.csv'), `${SECRET},y\n1,1\n`);
  writeFileSync(join(outside, 'victim-dir', 'keep.txt'), 'keep\n');
  const summaryFile = join(runnerTemp, 'summary.md');
  const outputFile = join(runnerTemp, 'output');
  writeFileSync(summaryFile, '');
  writeFileSync(outputFile, '');
  const ws: HostileWorkspace = {
    root,
    dir,
    outside,
    runnerTemp,
    summaryFile,
    outputFile,
    path: (p) => join(dir, p),
    write: (p, content) => {
      const file = join(dir, p);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, content);
      return file;
    },
  };
  ws.write('model.onnx', modelBytes());
  ws.write('data.csv', datasetCsv());
  ws.write('policy.yml', POLICY);
  ws.write('.github/model-policy.yml', POLICY);
  // a repository's own metadata, with a secret the gate must never echo
  ws.write('.git/config', `[core]\n\trepositoryformatversion = 0\n[remote "origin"]\n\turl = https://x:${SECRET}@example.com/r.git\n`);
  return ws;
}

/** Everything under a directory: relative path -> size:mtime:mode (content hash for small files). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      const rel = relative(dir, p);
      if (st.isDirectory()) {
        out.set(rel + '/', `dir:${st.mode}`);
        walk(p);
      } else {
        const content = st.isFile() && st.size < 1_000_000 ? readFileSync(p).toString('base64') : '';
        out.set(rel, `${st.size}:${st.mtimeMs}:${st.mode}:${content}`);
      }
    }
  };
  walk(dir);
  return out;
}

// ---------------------------------------------------------------------------------------------------------------
// Running the bundle

export interface RunOutcome {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** Peak resident set size, MB (from /usr/bin/time, or the child's own resourceUsage). */
  rssMb: number | null;
  killed: boolean;
}

const GNU_TIME = '/usr/bin/time';

export function runBundle(entry: 'cli' | 'action', args: string[], opts: { cwd: string; env: Record<string, string | undefined>; runnerTemp: string }): Promise<RunOutcome> {
  return new Promise((resolvePromise, reject) => {
    const env: Record<string, string> = {};
    for (const k of ['PATH', 'HOME', 'TMPDIR', 'LANG']) if (process.env[k] !== undefined) env[k] = process.env[k] as string;
    for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
    const script = entry === 'cli' ? CLI : ACTION;
    const rssFile = join(opts.runnerTemp, `rss-${process.pid}-${Math.random().toString(36).slice(2)}.txt`);
    const useTime = existsSync(GNU_TIME);
    const command = useTime ? GNU_TIME : process.execPath;
    const argv = useTime ? ['-f', '%M', '-o', rssFile, process.execPath, script, ...args] : [script, ...args];
    const child = spawn(command, argv, { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let killed = false;
    // output is bounded too: a case that prints megabytes is a failure of its own (kept to the first 4 MB)
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 4_000_000) stdout += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 4_000_000) stderr += d.toString('utf8');
    });
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, KILL_AFTER_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      let rssMb: number | null = null;
      if (useTime && existsSync(rssFile)) {
        const text = readFileSync(rssFile, 'utf8');
        const kb = Number(text.trim().split('\n').pop());
        if (Number.isFinite(kb) && kb > 0) rssMb = kb / 1024;
        // GNU time reports the child's status itself when it was signalled
        rmSync(rssFile, { force: true });
      }
      resolvePromise({ code, signal, stdout, stderr, rssMb, killed });
    });
  });
}

/** The step environment a runner gives a JavaScript action (no API reachable: GITHUB_API_URL points at a closed port). */
export function actionEnv(ws: HostileWorkspace, extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    GITHUB_ACTIONS: 'true',
    CI: 'true',
    GITHUB_WORKSPACE: ws.dir,
    GITHUB_STEP_SUMMARY: ws.summaryFile,
    GITHUB_OUTPUT: ws.outputFile,
    RUNNER_TEMP: ws.runnerTemp,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_REPOSITORY: 'acme/credit-model',
    GITHUB_RUN_ID: '4242',
    GITHUB_SERVER_URL: 'http://127.0.0.1:9',
    GITHUB_API_URL: 'http://127.0.0.1:9',
    INPUT_POLICY: '.github/model-policy.yml',
    'INPUT_REPORT-DIR': 'model-risk-gate-report',
    INPUT_COMMENT: 'false',
    'INPUT_ARTIFACT-NAME': '',
    INPUT_BASELINE: 'none',
    'INPUT_FAIL-ON-BREACH': 'true',
    ...extra,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// The checks every case gets

export interface Verdict {
  exitOk: boolean;
  cleanMessage: boolean;
  crash: boolean;
  hang: boolean;
  injection: string[];
  outsideWrites: string[];
  outsideReads: string[];
  rssOk: boolean;
  problems: string[];
}

/** Lines a runner would execute as workflow commands (after leading whitespace), split as a runner reads them. */
export function commandLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((l) => /^\s*(::|##\[)/.test(l));
}

// group/endgroup: the Action's per-stage log groups (src/github/progress.ts; titles are stage words and numbers)
const OUR_COMMANDS = /^::(error|warning|notice|debug|group|endgroup)( [^:]*)?::/;

/**
 * Injected commands: on the CLI's output any command line at all; on the Action's, any command other than our own
 * annotations/debug lines, and any forged payload text ("::…PWN", "##[…]PWN") anywhere, even mid-line.
 */
export function injections(entry: 'cli' | 'action', stdout: string, stderr: string, allowMask?: string): string[] {
  const found: string[] = [];
  for (const l of commandLines(stderr)) found.push(`stderr: ${l.slice(0, 120)}`);
  for (const l of commandLines(stdout)) {
    const t = l.trimStart();
    if (entry === 'action' && OUR_COMMANDS.test(t) && t === l) continue;
    if (entry === 'action' && allowMask && t === `::add-mask::${allowMask}`) continue;
    found.push(`stdout: ${l.slice(0, 120)}`);
  }
  for (const m of (stdout + stderr).matchAll(/(::[a-z-]+( [^:\n]*)?::PWN|##\[[a-z]+\]PWN)/g)) found.push(`payload: ${m[0]}`);
  return found;
}

export function hasStackTrace(text: string): boolean {
  return /\n\s+at .+(:\d+:\d+\)?|\(native\))\s*$/m.test(text) || /internal error|Maximum call stack|FATAL ERROR|heap out of memory|Segmentation fault|Aborted|core dumped|UnhandledPromiseRejection/i.test(text);
}

export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 50_000_000) out.push(p);
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

export { statSync };
