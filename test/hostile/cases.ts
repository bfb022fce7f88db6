/**
 * The hostile inputs (issue #10), as a pull request would plant them: policy, dataset, model, comment-from report,
 * baseline and output paths. Each case says how to set up the workspace, how to run the bundle, the exit code, and
 * what the one-line message must name. The checks common to all (no injection, no stack trace, nothing outside touched
 * or leaked, bounded memory) are in kit.ts and hostile.test.ts.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createDeflate, gzipSync } from 'node:zlib';
import { encodeModel } from '../../src/model/onnx-graph.js';
import {
  csvCell,
  datasetCsv,
  emptyNodesModel,
  expandBombModel,
  failingModelBytes,
  maliciousPickle,
  matrixModelBytes,
  modelBytes,
  nestedGraphsModel,
  PAYLOADS,
  POLICY,
  SECRET,
  stackGlobalPickle,
  valueInfo,
  varint,
  yamlQuoted,
  type HostileWorkspace,
  type RunOutcome,
} from './kit.js';
import { craftParquet } from '../helpers/parquet-craft.js';
import { repoRoot } from '../e2e/harness.js';

export type Area = 'policy' | 'dataset' | 'model' | 'comment-from' | 'baseline' | 'output';

export interface HostileCase {
  id: string;
  area: Area;
  /** Default 'cli' (`node dist/cli.js check --policy policy.yml --out model-risk-gate-report`). */
  entry?: 'cli' | 'action';
  setup?: (ws: HostileWorkspace) => void | Promise<void>;
  /** CLI arguments (default: check --policy policy.yml --out model-risk-gate-report). */
  args?: string[];
  /** Environment: Action inputs on top of kit.actionEnv; for the CLI, the whole environment beyond PATH/HOME. */
  env?: (ws: HostileWorkspace) => Record<string, string | undefined>;
  exit: number | number[];
  /** Exit 2: what the first message line must name (a file). */
  file?: RegExp;
  /** The message must carry file:line. */
  line?: boolean;
  /** More the message (or the output) must say. */
  says?: RegExp;
  /** Must not appear in any output. */
  never?: RegExp;
  /** A git repository in the workspace (baseline cases). */
  git?: boolean;
  /** Further checks after the run: problems found (empty = fine). */
  after?: (ws: HostileWorkspace, r: RunOutcome) => string[];
  /** Needs the fake GitHub API (comment-from cases that post). */
  api?: boolean;
  /**
   * Stopped by the watchdog (memory bound): the process ends by SIGKILL after one fixed stderr line, which must match.
   * Not a crash: a blocking native call (an onnxruntime run) cannot be interrupted any other way.
   */
  stopped?: RegExp;
}

const P = (from: string, to: string): string => {
  if (!POLICY.includes(from)) throw new Error(`policy text '${from}' not found`);
  return POLICY.replace(from, to);
};
const link = (target: string, path: string) => (ws: HostileWorkspace) => {
  const p = ws.path(path);
  mkdirSync(join(p, '..'), { recursive: true });
  rmSync(p, { force: true, recursive: true });
  symlinkSync(target.startsWith('/') ? target : join(ws.outside, target), p);
};
const mkfifo = (path: string) => (ws: HostileWorkspace) => {
  rmSync(ws.path(path), { force: true });
  execFileSync('mkfifo', [ws.path(path)]);
};
const writes = (files: Record<string, string | Uint8Array>) => (ws: HostileWorkspace) => {
  for (const [p, c] of Object.entries(files)) ws.write(p, c);
};
const all = (...fns: Array<(ws: HostileWorkspace) => void>) => (ws: HostileWorkspace) => fns.forEach((f) => f(ws));
const sizeOf = (ws: HostileWorkspace, p: string): number => {
  try {
    return statSync(ws.path(p)).size;
  } catch {
    return 0;
  }
};
const isRegularFile = (ws: HostileWorkspace, p: string): string[] => {
  try {
    const st = statSync(ws.path(p), { throwIfNoEntry: false } as never) as ReturnType<typeof statSync> | undefined;
    return st && st.isFile() ? [] : [`${p} is not a regular file after the run`];
  } catch (e) {
    return [`${p}: ${(e as Error).message}`];
  }
};

// ---------------------------------------------------------------------------------------------------------------
const policyCases: HostileCase[] = [
  { id: 'policy: symlink to a secret file outside', area: 'policy', setup: link('secret.yml', 'policy.yml'), exit: 2, file: /policy\.yml/, says: /outside the repository/ },
  { id: 'policy: symlink to /proc/self/pagemap (size 0)', area: 'policy', setup: link('/proc/self/pagemap', 'policy.yml'), exit: 2, file: /policy\.yml/ },
  { id: 'policy: symlink to /dev/zero', area: 'policy', setup: link('/dev/zero', 'policy.yml'), exit: 2, file: /policy\.yml/ },
  { id: 'policy: symlink to /dev/urandom', area: 'policy', setup: link('/dev/urandom', 'policy.yml'), exit: 2, file: /policy\.yml/ },
  { id: 'policy: symlink to .git/config', area: 'policy', setup: (ws) => { rmSync(ws.path('policy.yml')); symlinkSync('.git/config', ws.path('policy.yml')); }, exit: 2, file: /policy\.yml/, says: /\.git/ },
  { id: 'policy: --policy .git/config', area: 'policy', args: ['check', '--policy', '.git/config'], exit: 2, file: /\.git\/config/, says: /\.git/ },
  { id: 'policy: a directory', area: 'policy', setup: (ws) => { rmSync(ws.path('policy.yml')); mkdirSync(ws.path('policy.yml')); }, exit: 2, file: /policy\.yml/ },
  { id: 'policy: a FIFO (would block a read)', area: 'policy', setup: mkfifo('policy.yml'), exit: 2, file: /policy\.yml/, says: /regular file/ },
  { id: 'policy: symlink loop', area: 'policy', setup: (ws) => { rmSync(ws.path('policy.yml')); symlinkSync('loop2.yml', ws.path('policy.yml')); symlinkSync('policy.yml', ws.path('loop2.yml')); }, exit: 2, file: /policy\.yml/ },
  { id: 'policy: dangling symlink', area: 'policy', setup: link('does-not-exist.yml', 'policy.yml'), exit: 2, file: /policy\.yml/ },
  { id: 'policy: directory symlink on the way out', area: 'policy', setup: all((ws) => writeFileSync(join(ws.outside, 'p.yml'), POLICY.replace('accuracy', SECRET)), (ws) => symlinkSync(ws.outside, ws.path('conf'))), args: ['check', '--policy', 'conf/p.yml'], exit: 2, file: /conf\/p\.yml/ },
  { id: 'policy: more than 1 MiB', area: 'policy', setup: writes({ 'policy.yml': POLICY + '#'.repeat(1_100_000) }), exit: 2, file: /policy\.yml/, says: /limit/ },
  { id: 'policy: 100k keys (quadratic duplicate check)', area: 'policy', setup: writes({ 'policy.yml': POLICY + Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`).join('\n') + '\n' }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /more than 20000 keys/ },
  { id: 'policy: 50k duplicate keys', area: 'policy', setup: writes({ 'policy.yml': POLICY + 'x:\n' + Array.from({ length: 15_000 }, () => '  a: 1').join('\n') + '\n' }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /unique/, after: (_ws, r) => (r.stderr.split('\n').length > 25 ? [`${r.stderr.split('\n').length} error lines`] : []) },
  { id: 'policy: 5,000 unknown keys (message count capped)', area: 'policy', setup: writes({ 'policy.yml': POLICY + Array.from({ length: 5000 }, (_, i) => `unknown_${i}: 1`).join('\n') + '\n' }), exit: 2, file: /policy\.yml:\d+/, line: true, after: (_ws, r) => (r.stderr.split('\n').length > 25 ? [`${r.stderr.split('\n').length} error lines`] : []) },
  { id: 'policy: 200,000-deep flow nesting', area: 'policy', setup: writes({ 'policy.yml': POLICY + 'x: ' + '['.repeat(200_000) + ']'.repeat(200_000) + '\n' }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /nest/ },
  { id: 'policy: 300-deep block nesting', area: 'policy', setup: writes({ 'policy.yml': POLICY + Array.from({ length: 300 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n') + ' 1\n' }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /nest/ },
  { id: 'policy: 20,000-deep block sequence', area: 'policy', setup: writes({ 'policy.yml': POLICY + 'x:\n' + '- '.repeat(20_000) + '1\n' }), exit: 2, file: /policy\.yml/ },
  { id: 'policy: deep JSON policy', area: 'policy', setup: writes({ 'policy.yml': '{"version": 1, "x": ' + '{"a": '.repeat(100_000) + '1' + '}'.repeat(100_000) + '}' }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: billion laughs', area: 'policy', setup: writes({ 'policy.yml': POLICY + 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n' }), exit: 2, file: /policy\.yml/ },
  { id: 'policy: unknown key with ::warning:: after a newline', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.warning)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: unknown key with ::set-output', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.outputs)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: unknown key with ::add-mask:: after a CR', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.mask)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: unknown key with ::stop-commands', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.stop)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: unknown key with a legacy ##[warning]', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.legacy)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: unknown key with U+2028 ::error::', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.unicode)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: unknown key that is a command itself', area: 'policy', setup: writes({ 'policy.yml': POLICY + `"::warning::PWN": 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: dataset.label with a newline and ::warning::', area: 'policy', setup: writes({ 'policy.yml': P('label: y', `label: ${yamlQuoted('y' + PAYLOADS.warning)}`) }), exit: 2, file: /policy\.yml|data\.csv/ },
  { id: 'policy: positive_label with ::error::', area: 'policy', setup: writes({ 'policy.yml': P('positive_label: 1', `positive_label: ${yamlQuoted('1' + PAYLOADS.unicode)}`) }), exit: 2, file: /policy\.yml|data\.csv/ },
  { id: 'policy: sensitive column with ::warning::', area: 'policy', setup: writes({ 'policy.yml': P('- column: g', `- column: ${yamlQuoted('g' + PAYLOADS.warning)}`).replace('attributes: [g]', `attributes: [${yamlQuoted('g' + PAYLOADS.warning)}]`) }), exit: 2, file: /policy\.yml|data\.csv/ },
  { id: 'policy: model.path with ::warning::', area: 'policy', setup: writes({ 'policy.yml': P('path: model.onnx', `path: ${yamlQuoted('model.onnx' + PAYLOADS.warning)}`) }), exit: 2, file: /policy\.yml/ },
  { id: 'policy: version with ::error::', area: 'policy', setup: writes({ 'policy.yml': P('version: 1', `version: ${yamlQuoted('1' + PAYLOADS.warning)}`) }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: ANSI escapes and bidi overrides in a key', area: 'policy', setup: writes({ 'policy.yml': POLICY + `"x\\e[2J\\e[31m\u202eevil": 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true, never: /\u001b|\u202e/ },
  { id: 'policy: a 100,000-character key (message length bounded)', area: 'policy', setup: writes({ 'policy.yml': POLICY + `${'k'.repeat(100_000)}: 1\n` }), exit: 2, file: /policy\.yml:\d+/, line: true, after: (_ws, r) => (r.stderr.split('\n').some((l) => l.length > 2200) ? ['a message line longer than 2,200 characters'] : []) },
  { id: 'policy: a 1 MB quoted value', area: 'policy', setup: writes({ 'policy.yml': P('positive_label: 1', `positive_label: ${yamlQuoted('v'.repeat(1_000_000))}`) }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /characters/ },
  { id: 'policy: random binary bytes', area: 'policy', setup: writes({ 'policy.yml': Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) % 251) }), exit: 2, file: /policy\.yml/ },
  { id: 'policy: NUL bytes', area: 'policy', setup: writes({ 'policy.yml': POLICY + 'x: "a\u0000b"\n\u0000\u0000\n' }), exit: 2, file: /policy\.yml/ },
  { id: 'policy: empty', area: 'policy', setup: writes({ 'policy.yml': '' }), exit: 2, file: /policy\.yml/ },
  { id: 'policy: model.path outside (../)', area: 'policy', setup: writes({ 'policy.yml': P('path: model.onnx', 'path: ../outside/victim.txt') }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /outside/ },
  { id: 'policy: model.path absolute /etc/passwd', area: 'policy', setup: writes({ 'policy.yml': P('path: model.onnx', 'path: /etc/passwd') }), exit: 2, file: /policy\.yml:\d+/, line: true },
  { id: 'policy: dataset.path .git/config (values never echoed)', area: 'policy', setup: writes({ 'policy.yml': P('path: data.csv', 'path: .git/config') }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /\.git/ },
  { id: 'policy: model.path .git/config', area: 'policy', setup: writes({ 'policy.yml': P('path: model.onnx', 'path: .git/config') }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /\.git/ },
  { id: 'policy: features file symlinked outside', area: 'policy', setup: all(link('secret.csv', 'features.json'), writes({ 'model.onnx': matrixModelBytes(),  'policy.yml': P('path: model.onnx\n', 'path: model.onnx\n  features: { file: features.json }\n') })), exit: 2, file: /policy\.yml|features\.json/ },
  { id: 'policy: features file is .git/config', area: 'policy', setup: writes({ 'model.onnx': matrixModelBytes(), 'policy.yml': P('path: model.onnx\n', 'path: model.onnx\n  features: { file: .git/config }\n') }), exit: 2, file: /policy\.yml/, says: /\.git/ },
  { id: 'policy: features file of invalid JSON with a secret (not echoed)', area: 'policy', setup: writes({ 'model.onnx': matrixModelBytes(), 'features.json': `{"feature_names": [${SECRET}]}`, 'policy.yml': P('path: model.onnx\n', 'path: model.onnx\n  features: { file: features.json }\n') }), exit: 2, file: /features\.json/, says: /JSON/ },
  { id: 'policy: features file a FIFO', area: 'policy', setup: all(mkfifo('features.json'), writes({ 'model.onnx': matrixModelBytes(),  'policy.yml': P('path: model.onnx\n', 'path: model.onnx\n  features: { file: features.json }\n') })), exit: 2, file: /features\.json|policy\.yml/ },
  { id: 'action: policy symlinked to a secret outside', area: 'policy', entry: 'action', setup: link('secret.yml', '.github/model-policy.yml'), exit: 2, file: /model-policy\.yml/, says: /outside/ },
  { id: 'action: policy symlinked to /proc/self/pagemap', area: 'policy', entry: 'action', setup: link('/proc/self/pagemap', '.github/model-policy.yml'), exit: 2, file: /model-policy\.yml/ },
  { id: 'action: unknown key with ::warning::', area: 'policy', entry: 'action', setup: writes({ '.github/model-policy.yml': POLICY + `${yamlQuoted('x' + PAYLOADS.warning)}: 1\n` }), exit: 2, file: /model-policy\.yml/ },
  { id: 'action: 100k keys', area: 'policy', entry: 'action', setup: writes({ '.github/model-policy.yml': POLICY + Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`).join('\n') + '\n' }), exit: 2, file: /model-policy\.yml/ },
  { id: 'action: deep nesting', area: 'policy', entry: 'action', setup: writes({ '.github/model-policy.yml': POLICY + 'x: ' + '{a: '.repeat(100_000) + '1' + '}'.repeat(100_000) + '\n' }), exit: 2, file: /model-policy\.yml/, says: /nest/ },
  { id: 'action: policy FIFO', area: 'policy', entry: 'action', setup: mkfifo('.github/model-policy.yml'), exit: 2, file: /model-policy\.yml/ },
  { id: 'action: fail-on-breach input with ::warning::', area: 'policy', entry: 'action', env: () => ({ 'INPUT_FAIL-ON-BREACH': 'x\n::warning::PWN' }), exit: 2, says: /fail-on-breach/ },
];

// ---------------------------------------------------------------------------------------------------------------
const injectedGroups = (i: number): string => (i % 2 ? `a${PAYLOADS.warning}` : `b${PAYLOADS.legacy}<img src=x onerror=alert(1)> @admin`);

const datasetCases: HostileCase[] = [
  { id: 'dataset: symlink to a secret outside', area: 'dataset', setup: link('secret.csv', 'data.csv'), exit: 2, file: /policy\.yml/, says: /outside/ },
  { id: 'dataset: symlink to /proc/self/pagemap', area: 'dataset', setup: link('/proc/self/pagemap', 'data.csv'), exit: 2, file: /policy\.yml/ },
  { id: 'dataset: symlink to /dev/zero', area: 'dataset', setup: link('/dev/zero', 'data.csv'), exit: 2, file: /policy\.yml/ },
  { id: 'dataset: a FIFO', area: 'dataset', setup: mkfifo('data.csv'), exit: 2, file: /data\.csv/ },
  { id: 'dataset: a directory', area: 'dataset', setup: (ws) => { rmSync(ws.path('data.csv')); mkdirSync(ws.path('data.csv')); }, exit: 2, file: /policy\.yml|data\.csv/ },
  { id: 'dataset: directory symlink on the way out', area: 'dataset', setup: all((ws) => writeFileSync(join(ws.outside, 'd.csv'), datasetCsv()), (ws) => symlinkSync(ws.outside, ws.path('d')), writes({ 'policy.yml': P('path: data.csv', 'path: d/d.csv') })), exit: 2, file: /policy\.yml/, says: /outside/ },
  { id: 'dataset: a 1 MB cell', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ groups: (i) => (i === 5 ? 'z'.repeat(1_000_000) : i % 2 ? 'a' : 'b') }) }), exit: 2, file: /data\.csv:\d+/, line: true, says: /characters/ },
  { id: 'dataset: a 1 MB header name', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ header: `x1,x2,g,y,${'h'.repeat(1_000_000)}` }).replace(/\n(?=.)/g, ',0\n').replace(/^(.*?),0\n/, '$1\n') }), exit: 2, file: /data\.csv:1/, line: true },
  { id: 'dataset: duplicate header with ::warning::', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ header: `x1,x2,g,y,${csvCell('h' + PAYLOADS.warning)},${csvCell('h' + PAYLOADS.warning)}` }).replace(/\n(?=.)/g, ',0,0\n').replace(/^(.*?),0,0\n/, '$1\n') }), exit: 2, file: /data\.csv:1/, line: true, says: /twice/ },
  { id: 'dataset: header with ::set-output (label missing)', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ header: `x1,x2,g,${csvCell('y' + PAYLOADS.outputs)}` }) }), exit: 2, file: /data\.csv|policy\.yml/ },
  { id: 'dataset: group values with forged commands, <img>, @mention', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ groups: injectedGroups }) }), exit: [0, 1], after: (ws) => {
    const html = readFileSync(ws.path('model-risk-gate-report/report.html'), 'utf8');
    return html.includes('<img src=x') ? ['raw <img> in report.html'] : [];
  } },
  { id: 'dataset: label values with ::warning:: (third class)', area: 'dataset', setup: writes({ 'data.csv': datasetCsv().replace(/,0\n/, `,${csvCell('2' + PAYLOADS.warning)}\n`) }), exit: 2, file: /data\.csv|policy\.yml/ },
  { id: 'dataset: numeric cell with ::error:: in a model input', area: 'dataset', setup: writes({ 'data.csv': datasetCsv().replace(/\n0\.\d+,/, `\n${csvCell('x' + PAYLOADS.unicode)},`) }), exit: 2, file: /data\.csv|model\.onnx/ },
  { id: 'dataset: 2,000 distinct groups', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ rows: 4000, groups: (i) => `grp${i % 2000}` }) }), exit: 2, file: /policy\.yml:\d+/, line: true, says: /more than 1000/ },
  { id: 'dataset: 50 groups with 5,000-character names (outputs bounded)', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ rows: 1000, groups: (i) => `${'n'.repeat(5000)}${i % 50}` }) }), exit: [0, 1], after: (ws) => {
    const problems: string[] = [];
    for (const f of ['report.html', 'report.json', 'model-risk-gate.sarif']) if (sizeOf(ws, `model-risk-gate-report/${f}`) > 5_000_000) problems.push(`${f} is ${sizeOf(ws, `model-risk-gate-report/${f}`)} bytes`);
    return problems;
  } },
  { id: 'dataset: 100,000 ragged rows (messages capped)', area: 'dataset', setup: writes({ 'data.csv': 'x1,x2,g,y\n' + '1,2\n'.repeat(100_000) }), exit: 2, file: /data\.csv:\d+/, line: true, after: (_ws, r) => (r.stderr.split('\n').length > 15 ? [`${r.stderr.split('\n').length} lines`] : []) },
  { id: 'dataset: random binary bytes', area: 'dataset', setup: writes({ 'data.csv': Uint8Array.from({ length: 100_000 }, (_, i) => (i * 2654435761) % 256) }), exit: 2, file: /data\.csv|policy\.yml/ },
  { id: 'dataset: 20,000 columns', area: 'dataset', setup: writes({ 'data.csv': Array.from({ length: 20_000 }, (_, i) => `c${i}`).join(',') + '\n' }), exit: 2, file: /data\.csv:1/, line: true },
  { id: 'dataset: gzip bomb, one 64 MB line from 64 KB', area: 'dataset', setup: all(writes({ 'bomb.csv.gz': gzipSync(Buffer.concat([Buffer.from('x1,x2,g,y\n'), Buffer.alloc(64 * 1024 * 1024, 'x')]), { level: 9 }) }), writes({ 'policy.yml': P('path: data.csv', 'path: bomb.csv.gz') })), exit: 2, file: /bomb\.csv\.gz/ },
  // a 60-byte Parquet file whose page claims 2^31 values in one run: hyparquet would fill a 2-billion-element array
  { id: 'dataset: Parquet page claiming 2^31 values', area: 'dataset', setup: all(writes({ 'bomb.parquet': craftParquet({ numValues: 2 ** 31 - 1 }) }), writes({ 'policy.yml': P('path: data.csv', 'path: bomb.parquet') })), exit: 2, file: /bomb\.parquet/, says: /values in 1 rows/ },
  { id: 'dataset: Parquet snappy page claiming 2 GB', area: 'dataset', setup: all(writes({ 'bomb.parquet': craftParquet({ numValues: 1, codec: 'SNAPPY', uncompressedSize: 2 ** 31 - 2, body: new Uint8Array([1, 0, 7]) }) }), writes({ 'policy.yml': P('path: data.csv', 'path: bomb.parquet') })), exit: 2, file: /bomb\.parquet/, says: /uncompressed/ },
  // the cell bound scales with the machine's memory (src/data/read.ts); the workflow may set it, as here
  { id: 'dataset: gzip of 2,000 columns x 20,000 rows (cells bounded)', area: 'dataset', env: () => ({ MODEL_RISK_GATE_MAX_CELLS: '32000000' }), setup: all((ws) => {
    const header = ['x1', 'x2', 'g', 'y', ...Array.from({ length: 1996 }, (_, i) => `c${i}`)].join(',') + '\n';
    const row = Array.from({ length: 2000 }, (_, i) => (i === 2 ? 'a' : i === 3 ? '1' : '0')).join(',') + '\n';
    ws.write('wide.csv.gz', gzipSync(Buffer.from(header + row.repeat(20_000)), { level: 6 }));
  }, writes({ 'policy.yml': P('path: data.csv', 'path: wide.csv.gz') })), exit: 2, file: /wide\.csv\.gz/, says: /cells/ },
  { id: 'dataset: empty', area: 'dataset', setup: writes({ 'data.csv': '' }), exit: 2, file: /data\.csv/ },
  { id: 'dataset: unterminated quote over the whole file', area: 'dataset', setup: writes({ 'data.csv': 'x1,x2,g,y\n1,2,"a' + 'b\n'.repeat(50_000) }), exit: 2, file: /data\.csv/ },
  { id: 'dataset: ANSI escapes in group names', area: 'dataset', setup: writes({ 'data.csv': datasetCsv({ groups: (i) => (i % 2 ? 'a\u001b[2J\u001b[31m' : 'b\u202e') }) }), exit: [0, 1], never: /\u001b\[2J|\u202e/ },
  { id: 'dataset: more rows than max_rows', area: 'dataset', setup: writes({ 'policy.yml': P('positive_label: 1', 'positive_label: 1\n  max_rows: 50') }), exit: 2, file: /data\.csv:\d+/, line: true },
  { id: 'dataset: dataset.path is a hard link made inside', area: 'dataset', setup: (ws) => { rmSync(ws.path('data.csv')); writeFileSync(join(ws.outside, 'hl.csv'), datasetCsv()); try { linkSync(join(ws.outside, 'hl.csv'), ws.path('data.csv')); } catch { writeFileSync(ws.path('data.csv'), datasetCsv()); } }, exit: [0, 1] },
  { id: 'action: group values with forged commands', area: 'dataset', entry: 'action', setup: writes({ 'data.csv': datasetCsv({ groups: injectedGroups }) }), exit: [0, 1], after: (ws) => {
    const summary = readFileSync(ws.summaryFile, 'utf8');
    return /<img src=x|@admin\b/.test(summary) ? ['raw <img> or live @mention in the job summary'] : [];
  } },
  { id: 'action: duplicate header with ::warning::', area: 'dataset', entry: 'action', setup: writes({ 'data.csv': datasetCsv({ header: `x1,x2,g,y,${csvCell('h' + PAYLOADS.warning)},${csvCell('h' + PAYLOADS.warning)}` }).replace(/\n(?=.)/g, ',0,0\n').replace(/^(.*?),0,0\n/, '$1\n') }), exit: 2, file: /data\.csv/ },
  { id: 'action: dataset symlink to /proc/self/pagemap', area: 'dataset', entry: 'action', setup: link('/proc/self/pagemap', 'data.csv'), exit: 2, file: /model-policy\.yml/ },
  { id: 'action: dataset FIFO', area: 'dataset', entry: 'action', setup: mkfifo('data.csv'), exit: 2, file: /data\.csv/ },
];

// ---------------------------------------------------------------------------------------------------------------
const EVIL = `n0${PAYLOADS.warning}${PAYLOADS.outputs}`;
const rawModel = (bytes: Uint8Array) => writes({ 'model.onnx': bytes });

const modelCases: HostileCase[] = [
  { id: 'model: node names with forged commands, model passes (ORT warnings silenced)', area: 'model', setup: rawModel(modelBytes({ nodeName: EVIL, extraInitializers: [{ name: `${EVIL}unused`, dataType: 1, dims: [1], floatData: [1] }] })), exit: [0, 1], after: (_ws, r) => (r.stderr.trim() !== '' ? [`stderr not empty: ${r.stderr.slice(0, 200)}`] : []) },
  { id: 'model: scoring fails in a node named with forged commands', area: 'model', setup: rawModel(failingModelBytes(EVIL)), exit: 2, file: /model\.onnx/ },
  { id: 'model: unused initializer named with ::add-mask::', area: 'model', setup: rawModel(modelBytes({ extraInitializers: [{ name: `w2${PAYLOADS.mask}`, dataType: 1, dims: [1], floatData: [1] }] })), exit: [0, 1] },
  { id: 'model: dead node named with ::stop-commands:: (removed by the optimizer)', area: 'model', setup: rawModel(modelBytes({ extraNodes: [{ opType: 'Relu', input: ['z'], output: ['dead'], name: `dead${PAYLOADS.stop}` }] })), exit: [0, 1] },
  { id: 'model: input name with ::warning:: (no such column)', area: 'model', setup: rawModel(modelBytes({ inputNames: ['x1', `x2${PAYLOADS.warning}`] })), exit: 2, file: /model\.onnx|data\.csv|policy\.yml/ },
  { id: 'model: output name with ::error::', area: 'model', setup: rawModel(modelBytes({ outputName: `prob${PAYLOADS.unicode}` })), exit: [0, 1, 2] },
  { id: 'model: producer, doc string and metadata with commands', area: 'model', setup: rawModel(modelBytes({ producerName: `p${PAYLOADS.warning}`, docString: `d${PAYLOADS.legacy}`, metadata: [{ key: `k${PAYLOADS.stop}`, value: `v${PAYLOADS.mask}` }] })), exit: [0, 1] },
  { id: 'model: a 100,000-character output name', area: 'model', setup: rawModel(modelBytes({ outputName: 'o'.repeat(100_000) })), exit: 2, file: /model\.onnx/, says: /characters/ },
  { id: 'model: a 1 MB producer name (shortened in the report)', area: 'model', setup: rawModel(modelBytes({ producerName: 'p'.repeat(1_000_000) })), exit: [0, 1], after: (ws) => (sizeOf(ws, 'model-risk-gate-report/report.json') > 500_000 || sizeOf(ws, 'model-risk-gate-report/report.html') > 1_000_000 ? ['report files grew with the producer name'] : []) },
  { id: 'model: inspect of a model with forged names', area: 'model', setup: rawModel(modelBytes({ nodeName: EVIL, producerName: `p${PAYLOADS.warning}`, inputNames: [`a${PAYLOADS.warning}`, 'b'] })), args: ['inspect', 'model.onnx'], exit: 0 },
  { id: 'model: --json output of a model with forged names', area: 'model', setup: rawModel(modelBytes({ nodeName: EVIL, producerName: `p${PAYLOADS.warning}` })), args: ['check', '--policy', 'policy.yml', '--json'], exit: [0, 1] },
  { id: 'model: unknown operator in a domain named with commands', area: 'model', setup: rawModel(modelBytes({ extraNodes: [{ opType: `Evil${PAYLOADS.warning}`, domain: `dom${PAYLOADS.outputs}`, input: ['z'], output: ['e'], name: 'e' }] })), exit: 2, file: /model\.onnx/ },
  { id: 'model: opset 99999', area: 'model', setup: rawModel(modelBytes({ opsetVersion: 99999 })), exit: 2, file: /model\.onnx/ },
  { id: 'model: 3 million empty nodes (6 MB; checked on the wire)', area: 'model', setup: rawModel(emptyNodesModel(3_000_000)), exit: 2, file: /model\.onnx/, says: /nodes/ },
  { id: 'model: 600,000 empty nodes', area: 'model', setup: rawModel(emptyNodesModel(600_000)), exit: 2, file: /model\.onnx/, says: /nodes/ },
  { id: 'model: graphs nested 100 deep', area: 'model', setup: rawModel(nestedGraphsModel(100)), exit: 2, file: /model\.onnx/ },
  { id: 'model: 12 million packed int64 (costlier than floats to decode)', area: 'model', setup: (ws) => {
    const n = 12_000_000;
    const tensorPayloadLen = 1 + varint(n).length + n;
    const graphPayloadLen = 1 + varint(tensorPayloadLen).length + tensorPayloadLen;
    const head = [0x08, 0x07, 0x3a, ...varint(graphPayloadLen), 0x2a, ...varint(tensorPayloadLen), 0x3a, ...varint(n)];
    const bytes = new Uint8Array(head.length + n).fill(1, head.length);
    bytes.set(head, 0);
    ws.write('model.onnx', bytes);
  }, exit: 2, file: /model\.onnx/, says: /memory/ },
  { id: 'model: 5 million attributes', area: 'model', setup: (ws) => {
    // one node whose attribute field (5) repeats: tag 0x2a, length 0
    const node = new Uint8Array(5_000_000 * 2).map((_, i) => (i % 2 === 0 ? 0x2a : 0));
    const graph = [0x0a, ...varint(node.length)];
    const model = new Uint8Array(4 + varint(graph.length + node.length).length + graph.length + node.length);
    const head = [0x08, 0x07, 0x3a, ...varint(graph.length + node.length), ...graph];
    model.set(head, 0);
    model.set(node, head.length);
    ws.write('model.onnx', model.subarray(0, head.length + node.length));
  }, exit: 2, file: /model\.onnx/ },
  { id: 'model: 50 million packed floats (checked before decoding)', area: 'model', setup: (ws) => {
    // an initializer (graph field 5) with float_data (tensor field 4) of 60M floats: 240 MB would decode to 480 MB of numbers
    const n = 50_000_000;
    const tensorPayloadLen = 1 + varint(n * 4).length + n * 4;
    const graphPayloadLen = 1 + varint(tensorPayloadLen).length + tensorPayloadLen;
    const head = [0x08, 0x07, 0x3a, ...varint(graphPayloadLen), 0x2a, ...varint(tensorPayloadLen), 0x22, ...varint(n * 4)];
    const bytes = new Uint8Array(head.length + n * 4);
    bytes.set(head, 0);
    ws.write('model.onnx', bytes);
  }, exit: 2, file: /model\.onnx/, says: /memory/ },
  // a 400-byte model whose Expand builds a 30,000 x 40,000 float tensor from its input (4.8 GB inside one onnxruntime
  // call, where no JavaScript check can run): the watchdog's memory bound stops it (the workflow sets the bound here)
  { id: 'model: 400 bytes expanding to a 4.8 GB tensor (memory bound)', area: 'model', env: () => ({ MODEL_RISK_GATE_MAX_MEMORY_MB: '600' }), setup: writes({ 'model.onnx': expandBombModel(30_000, 40_000) }), exit: [137, -1], stopped: /^model-risk-gate: error: the gate used [\d.]+ GB of memory in stage "(model|scoring)", more than its bound of 600 MB: stopped\./m },
  { id: 'shard: 400-byte model expanding to 4.8 GB (memory bound)', area: 'model', args: ['shard', '--policy', 'policy.yml', '--index', '0', '--of', '2', '-o', 's0.bin'], env: () => ({ MODEL_RISK_GATE_MAX_MEMORY_MB: '600' }), setup: writes({ 'model.onnx': expandBombModel(30_000, 40_000) }), exit: [137, -1], stopped: /^model-risk-gate: error: the gate used [\d.]+ GB of memory in stage "shard", more than its bound of 600 MB: stopped\./m },
  { id: 'action: 400-byte model expanding to 4.8 GB (memory bound)', area: 'model', entry: 'action', env: () => ({ MODEL_RISK_GATE_MAX_MEMORY_MB: '600' }), setup: writes({ 'model.onnx': expandBombModel(30_000, 40_000) }), exit: [137, -1], stopped: /^::error title=model-risk-gate::model-risk-gate: error: the gate used [\d.]+ GB of memory in stage "(model|scoring)", more than its bound of 600 MB: stopped\./m },
  // an XGBoost JSON whose tree has a node pointing to itself (a cycle): refused at translation, naming the file
  { id: 'model: XGBoost JSON with a cyclic tree', area: 'model', setup: all((ws) => {
    const m = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/sklearn/adult/xgb_onehot.json'), 'utf8')) as { learner: { gradient_booster: { model: { trees: Array<{ left_children: number[] }> } } } };
    m.learner.gradient_booster.model.trees[0]!.left_children[1] = 1;
    ws.write('model.json', JSON.stringify(m));
    ws.write('data.csv', readFileSync(join(repoRoot, 'test/fixtures/adult/test.csv'), 'utf8').split('\n').slice(0, 200).join('\n') + '\n');
  }, writes({ 'policy.yml': 'version: 1\nmodel: { path: model.json }\ndataset: { path: data.csv, label: income, positive_label: ">50K", missing_values: ["?"] }\nchecks: { performance: { accuracy: { min: 0.1 } } }\n' })), exit: 2, file: /model\.json/, says: /tree 1 of the model is not a tree: node 1 is reached twice/, never: /internal error|bug in model-risk-gate/ },
  // found by the fuzz campaign (test/hostile/fuzz.test.ts): a LightGBM text whose cat_boundaries hold 1e308 made the
  // bitset loop run for ever (a hang); an XGBoost feature name that is a list was a TypeError (internal error)
  { id: 'model: LightGBM text with cat_boundaries 1e308 (fuzz: was a hang)', area: 'model', setup: (ws) => rawModel(new TextEncoder().encode(readFileSync(join(repoRoot, 'test/fixtures/sklearn/lightgbm/lgbm_categorical.txt'), 'utf8').replace('cat_boundaries=0 1 2 3 4 5', 'cat_boundaries=0 1 1e308 3 4 5')))(ws), exit: 2, file: /model\.onnx/, says: /cat_boundaries must be increasing integer offsets/, never: /internal error|bug in model-risk-gate/ },
  { id: 'model: XGBoost JSON with a feature name that is a list (fuzz: was a TypeError)', area: 'model', setup: (ws) => {
    const m = JSON.parse(readFileSync(join(repoRoot, 'test/fixtures/sklearn/adult/xgb_onehot.json'), 'utf8')) as { learner: { feature_names: unknown[] } };
    m.learner.feature_names[39] = [];
    rawModel(new TextEncoder().encode(JSON.stringify(m)))(ws);
  }, exit: 2, file: /model\.onnx/, says: /learner\.feature_names\[39\] is not a text/, never: /internal error|bug in model-risk-gate/ },
  // a model that adds fresh noise to its logit at every call: refused at load (no check could be reproduced)
  { id: 'model: random noise on the score (RandomUniformLike)', area: 'model', setup: rawModel(modelBytes({
    logitNodes: [
      { opType: 'RandomUniformLike', input: ['z'], output: ['u'], name: 'r' },
      { opType: 'Add', input: ['z', 'u'], output: ['z2'], name: 'a' },
    ],
    logit: 'z2',
  })), exit: 2, file: /model\.onnx/, says: /draws random numbers \(a RandomUniformLike node\)/ },
  { id: 'model: pickle importing posix.system', area: 'model', setup: rawModel(maliciousPickle()), exit: 2, file: /model\.onnx/, says: /pickle|posix|unsafe/i, never: /index out of range/ },
  { id: 'model: .joblib pickle importing os.system (STACK_GLOBAL)', area: 'model', setup: all(writes({ 'model.joblib': stackGlobalPickle() }), writes({ 'policy.yml': P('path: model.onnx', 'path: model.joblib') })), exit: 2, file: /model\.joblib/, says: /pickle|os|system|unsafe/i, never: /index out of range/ },
  { id: 'model: .pkl pickle via the Action', area: 'model', entry: 'action', setup: all(writes({ 'm.pkl': maliciousPickle() }), writes({ '.github/model-policy.yml': P('path: model.onnx', 'path: m.pkl') })), exit: 2, file: /m\.pkl/, says: /pickle|posix|unsafe/i },
  { id: 'model: zlib joblib bomb (1 MB inflating to 1 GB)', area: 'model', setup: async (ws) => {
    const z = createDeflate({ level: 1 });
    const chunks: Buffer[] = [];
    z.on('data', (c: Buffer) => chunks.push(c));
    const done = new Promise((r) => z.on('end', r));
    const zeros = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < 1024; i++) if (!z.write(zeros)) await new Promise((r) => z.once('drain', r));
    z.end();
    await done;
    ws.write('m.joblib', Buffer.concat(chunks));
    ws.write('policy.yml', P('path: model.onnx', 'path: m.joblib'));
  }, exit: 2, file: /m\.joblib/ },
  { id: 'model: pickle of 2 million stack entries', area: 'model', setup: writes({ 'm.pkl': Buffer.concat([Buffer.from([0x80, 0x04]), Buffer.alloc(2_000_000, 0x4e), Buffer.from([0x2e])]), 'policy.yml': P('path: model.onnx', 'path: m.pkl') }), exit: 2, file: /m\.pkl/ },
  { id: 'model: inspect of a pickle', area: 'model', setup: rawModel(maliciousPickle()), args: ['inspect', 'model.onnx'], exit: 2, says: /pickle|posix|unsafe/i },
  { id: 'model: symlink to a file outside', area: 'model', setup: link('victim.txt', 'model.onnx'), exit: 2, file: /policy\.yml/, says: /outside/ },
  { id: 'model: symlink to /proc/self/mem', area: 'model', setup: link('/proc/self/mem', 'model.onnx'), exit: 2, file: /policy\.yml/ },
  { id: 'model: a FIFO', area: 'model', setup: mkfifo('model.onnx'), exit: 2, file: /model\.onnx/ },
  { id: 'model: a directory', area: 'model', setup: (ws) => { rmSync(ws.path('model.onnx')); mkdirSync(ws.path('model.onnx')); }, exit: 2, file: /policy\.yml|model\.onnx/ },
  { id: 'model: empty file', area: 'model', setup: rawModel(new Uint8Array(0)), exit: 2, file: /model\.onnx/ },
  { id: 'model: truncated protobuf', area: 'model', setup: rawModel(modelBytes().subarray(0, 60)), exit: 2, file: /model\.onnx/ },
  { id: 'model: random bytes', area: 'model', setup: rawModel(Uint8Array.from({ length: 50_000 }, (_, i) => (i * 2654435761) % 256)), exit: 2, file: /model\.onnx/ },
  { id: 'model: protobuf groups (wire types 3/4)', area: 'model', setup: rawModel(Uint8Array.from([0x08, 0x07, 0x3b, 0x0a, 0x00, 0x3c])), exit: 2, file: /model\.onnx/ },
  { id: 'model: under .git/', area: 'model', setup: all(writes({ '.git/m.onnx': modelBytes() }), writes({ 'policy.yml': P('path: model.onnx', 'path: .git/m.onnx') })), exit: 2, file: /policy\.yml/, says: /\.git/ },
  { id: 'model: external data pointing outside', area: 'model', setup: rawModel(modelBytes({ extraInitializers: [{ name: 'ext', dataType: 1, dims: [4], dataLocation: 1, externalData: [{ key: 'location', value: '../outside/victim.txt' }, { key: 'length', value: '16' }] }], extraNodes: [{ opType: 'Identity', input: ['ext'], output: ['ext_out'], name: 'ei' }] })), exit: [0, 1, 2] },
  { id: 'model: external data at an absolute path', area: 'model', setup: rawModel(modelBytes({ extraInitializers: [{ name: 'ext', dataType: 1, dims: [4], dataLocation: 1, externalData: [{ key: 'location', value: '/proc/self/environ' }] }], extraNodes: [{ opType: 'Identity', input: ['ext'], output: ['ext_out'], name: 'ei' }] })), exit: [0, 1, 2] },
  { id: 'model (wasm runtime): node names with forged commands, model passes', area: 'model', env: () => ({ MODEL_RISK_GATE_RUNTIME: 'wasm' }), setup: rawModel(modelBytes({ nodeName: EVIL, extraInitializers: [{ name: `${EVIL}unused`, dataType: 1, dims: [1], floatData: [1] }] })), exit: [0, 1], after: (_ws, r) => (r.stderr.trim() !== '' ? [`stderr not empty: ${r.stderr.slice(0, 200)}`] : []) },
  { id: 'model (wasm runtime): scoring fails in a node named with forged commands', area: 'model', env: () => ({ MODEL_RISK_GATE_RUNTIME: 'wasm' }), setup: rawModel(failingModelBytes(EVIL)), exit: 2, file: /model\.onnx/ },
  { id: 'model (wasm runtime): unknown operator in a domain named with commands', area: 'model', env: () => ({ MODEL_RISK_GATE_RUNTIME: 'wasm' }), setup: rawModel(modelBytes({ extraNodes: [{ opType: `Evil${PAYLOADS.warning}`, domain: `dom${PAYLOADS.outputs}`, input: ['z'], output: ['e'], name: 'e' }] })), exit: 2, file: /model\.onnx/ },
  { id: 'action: node names with forged commands, model passes', area: 'model', entry: 'action', setup: rawModel(modelBytes({ nodeName: EVIL, extraInitializers: [{ name: `${EVIL}unused`, dataType: 1, dims: [1], floatData: [1] }] })), exit: [0, 1], after: (_ws, r) => (r.stderr.trim() !== '' ? [`stderr not empty: ${r.stderr.slice(0, 200)}`] : []) },
  { id: 'action: scoring fails in a node named with forged commands', area: 'model', entry: 'action', setup: rawModel(failingModelBytes(EVIL)), exit: 2, file: /model\.onnx/, after: (_ws, r) => (r.stderr.trim() !== '' ? [`stderr not empty: ${r.stderr.slice(0, 200)}`] : []) },
  { id: 'action: 3 million empty nodes', area: 'model', entry: 'action', setup: rawModel(emptyNodesModel(3_000_000)), exit: 2, file: /model\.onnx/ },
  { id: 'action: model symlink to /proc/self/mem', area: 'model', entry: 'action', setup: link('/proc/self/mem', 'model.onnx'), exit: 2, file: /model-policy\.yml/ },
  { id: 'action: model is a FIFO', area: 'model', entry: 'action', setup: mkfifo('model.onnx'), exit: 2, file: /model\.onnx/ },
];

// ---------------------------------------------------------------------------------------------------------------
// comment-from: a workflow_run job reads the pull request run's report.json (built from a real run of the gate)

/** A valid report written by the gate in this workspace (set up by the suite before these cases run). */
export const REPORT_HOLDER: { json?: Record<string, unknown> } = {};
const report = (): Record<string, unknown> => JSON.parse(JSON.stringify(REPORT_HOLDER.json)) as Record<string, unknown>;
const commentFrom = (path = 'downloaded/report.json') => (ws: HostileWorkspace) => ({
  'INPUT_COMMENT-FROM': path,
  INPUT_COMMENT: 'true',
  GITHUB_EVENT_NAME: 'workflow_run',
  GITHUB_EVENT_PATH: writeEvent(ws, 'failure'),
});
export function writeEvent(ws: HostileWorkspace, conclusion: string, pr = 5): string {
  const file = join(ws.runnerTemp, 'event.json');
  writeFileSync(
    file,
    JSON.stringify({
      action: 'completed',
      workflow_run: { id: 77, event: 'pull_request', conclusion, head_sha: 'a'.repeat(40), head_branch: 'b', head_repository: { full_name: 'fork/credit-model' }, pull_requests: [{ number: pr }], html_url: 'https://github.com/acme/credit-model/actions/runs/77' },
      repository: { name: 'credit-model', full_name: 'acme/credit-model', owner: { login: 'acme' } },
    }),
  );
  return file;
}
const saved = (mutate: (r: Record<string, unknown>) => unknown) => (ws: HostileWorkspace) => {
  const r = report();
  const out = mutate(r) ?? r;
  ws.write('downloaded/report.json', typeof out === 'string' ? out : JSON.stringify(out));
};

const commentCases: HostileCase[] = [
  { id: 'comment-from: report.json symlinked outside', area: 'comment-from', entry: 'action', setup: link('victim.txt', 'downloaded/report.json'), env: commentFrom(), exit: 2, file: /report\.json/, says: /outside/ },
  { id: 'comment-from: report.json symlink to /proc/self/pagemap', area: 'comment-from', entry: 'action', setup: link('/proc/self/pagemap', 'downloaded/report.json'), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: report.json a FIFO', area: 'comment-from', entry: 'action', setup: (ws) => { mkdirSync(ws.path('downloaded'), { recursive: true }); mkfifo('downloaded/report.json')(ws); }, env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: report.json a directory', area: 'comment-from', entry: 'action', setup: (ws) => mkdirSync(ws.path('downloaded/report.json'), { recursive: true }), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: missing report.json', area: 'comment-from', entry: 'action', env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: 40 MB report', area: 'comment-from', entry: 'action', setup: saved((r) => ({ ...r, notes: ['x'.repeat(40_000_000)] })), env: commentFrom(), exit: 2, file: /report\.json/, says: /limit/ },
  { id: 'comment-from: 200,000-deep array', area: 'comment-from', entry: 'action', setup: saved(() => '['.repeat(200_000) + ']'.repeat(200_000)), env: commentFrom(), exit: 2, file: /report\.json/, says: /nested/ },
  { id: 'comment-from: deep object inside a valid report', area: 'comment-from', entry: 'action', setup: saved((r) => JSON.stringify(r).replace(/}$/, `,"x":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`)), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: not JSON, with a secret (not echoed)', area: 'comment-from', entry: 'action', setup: saved(() => `{"schemaVersion": 1, ${SECRET}`), env: commentFrom(), exit: 2, file: /report\.json/, says: /JSON/ },
  { id: 'comment-from: empty file', area: 'comment-from', entry: 'action', setup: saved(() => ''), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: positiveIndex is raw HTML', area: 'comment-from', entry: 'action', setup: saved((r) => { ((r.model as Record<string, unknown>).info as Record<string, unknown>).positiveIndex = '<img src=x onerror=alert(1)> @admin'; }), env: commentFrom(), exit: 2, file: /report\.json/, says: /schema/ },
  { id: 'comment-from: verdict is not pass/fail', area: 'comment-from', entry: 'action', setup: saved((r) => { r.verdict = 'passed\n::warning::PWN'; }), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: schemaVersion 2', area: 'comment-from', entry: 'action', setup: saved((r) => { r.schemaVersion = 2; }), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: checks is an object', area: 'comment-from', entry: 'action', setup: saved((r) => { r.checks = { a: 1 }; }), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: __proto__ keys', area: 'comment-from', entry: 'action', setup: saved((r) => JSON.stringify(r).replace(/^\{/, '{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},')), env: commentFrom(), exit: [0, 2] },
  { id: 'comment-from: UTF-16 file', area: 'comment-from', entry: 'action', setup: (ws) => ws.write('downloaded/report.json', Buffer.from('\ufeff' + JSON.stringify(report()), 'utf16le')), env: commentFrom(), exit: 2, file: /report\.json/ },
  { id: 'comment-from: path under .git', area: 'comment-from', entry: 'action', setup: (ws) => ws.write('.git/report.json', JSON.stringify(report())), env: commentFrom('.git/report.json'), exit: 2, file: /report\.json/, says: /\.git/ },
  { id: 'comment-from: hostile strings in a valid report, no token (skipped, no injection)', area: 'comment-from', entry: 'action', setup: saved((r) => { (r.notes as string[]).push(`note${PAYLOADS.warning}<img src=x> @admin`); (r.checks as Array<Record<string, unknown>>)[0]!.title = `t${PAYLOADS.outputs}`; }), env: commentFrom(), exit: 0 },
  { id: 'comment-from: forged pass from a failed run is posted as not verified', area: 'comment-from', entry: 'action', api: true, setup: saved((r) => { r.verdict = 'pass'; }), env: commentFrom(), exit: 0 },
  { id: 'comment-from: hostile strings are escaped in the posted comment', area: 'comment-from', entry: 'action', api: true, setup: saved((r) => { (r.notes as string[]).push(`note${PAYLOADS.warning}<img src=x onerror=alert(1)> @admin #1 [x](javascript:alert(1))`); (r.model as Record<string, unknown>).path = `m<img src=y>@team.onnx`; }), env: commentFrom(), exit: 0 },
  { id: 'comment-from: a 1 MB note (comment stays within 65,536 characters)', area: 'comment-from', entry: 'action', api: true, setup: saved((r) => { (r.notes as string[]).push('y'.repeat(1_000_000)); }), env: commentFrom(), exit: 0 },
];

// ---------------------------------------------------------------------------------------------------------------
const baselineCases: HostileCase[] = [
  { id: 'baseline: HEAD:../../etc/passwd', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline', 'HEAD:../../etc/passwd'], exit: 2, says: /inside the repository/ },
  { id: 'baseline: HEAD:/etc/passwd', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline', 'HEAD:/etc/passwd'], exit: 2, says: /inside the repository/ },
  { id: 'baseline: HEAD:.git/config', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline', 'HEAD:.git/config'], exit: 2, says: /\.git/ },
  { id: 'baseline: HEAD:no-such.onnx', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline', 'HEAD:no-such.onnx'], exit: 2, says: /no such file/ },
  { id: 'baseline: file symlinked outside', area: 'baseline', git: true, setup: link('victim.txt', 'base.onnx'), args: ['check', '--policy', 'policy.yml', '--baseline', 'base.onnx'], exit: 2, file: /base\.onnx|policy\.yml/, says: /outside/ },
  { id: 'baseline: file symlinked to /proc/self/pagemap', area: 'baseline', git: true, setup: link('/proc/self/pagemap', 'base.onnx'), args: ['check', '--policy', 'policy.yml', '--baseline', 'base.onnx'], exit: 2 },
  { id: 'baseline: a FIFO', area: 'baseline', git: true, setup: mkfifo('base.onnx'), args: ['check', '--policy', 'policy.yml', '--baseline', 'base.onnx'], exit: 2 },
  { id: 'baseline: revision with ::warning::', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline', `main${PAYLOADS.warning}`], exit: 2 },
  { id: 'baseline: git option injection (--output=)', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline=--output=../outside/pwned'], exit: 2, says: /neither a file nor a git revision/ },
  { id: 'baseline: rev:path option injection', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline=--upload-pack=touch ../outside/pwned:model.onnx'], exit: 2 },
  { id: 'baseline: option-looking value rejected by the argument parser', area: 'baseline', git: true, args: ['check', '--policy', 'policy.yml', '--baseline', '--output=../outside/pwned'], exit: 2, says: /needs a value/ },
  { id: 'baseline: base model is a pickle', area: 'baseline', git: true, setup: writes({ 'base.pkl': maliciousPickle() }), args: ['check', '--policy', 'policy.yml', '--baseline', 'base.pkl'], exit: [0, 2], says: /not compared[\s\S]*(pickle|posix|unsafe)|pickle|posix/i },
  { id: 'baseline: base model of 3 million empty nodes', area: 'baseline', git: true, setup: writes({ 'base.onnx': emptyNodesModel(3_000_000) }), args: ['check', '--policy', 'policy.yml', '--baseline', 'base.onnx'], exit: [0, 2], says: /nodes/ },
];

// ---------------------------------------------------------------------------------------------------------------
const out = 'model-risk-gate-report';
const victimUnchanged = (ws: HostileWorkspace): string[] => (readFileSync(join(ws.outside, 'victim.txt'), 'utf8') === `victim ${SECRET}\n` ? [] : ['victim.txt changed']);

const outputCases: HostileCase[] = [
  { id: 'output: report.json symlinked outside', area: 'output', setup: link('victim.txt', `${out}/report.json`), exit: [0, 1], after: (ws) => [...victimUnchanged(ws), ...isRegularFile(ws, `${out}/report.json`)] },
  { id: 'output: report.html symlinked outside', area: 'output', setup: link('victim.txt', `${out}/report.html`), exit: [0, 1], after: (ws) => [...victimUnchanged(ws), ...isRegularFile(ws, `${out}/report.html`)] },
  { id: 'output: SARIF symlinked outside', area: 'output', setup: link('victim.txt', `${out}/model-risk-gate.sarif`), exit: [0, 1], after: victimUnchanged },
  { id: 'output: a chart symlinked outside', area: 'output', setup: link('victim.txt', `${out}/charts/roc.svg`), exit: [0, 1], after: victimUnchanged },
  { id: 'output: charts/ symlinked to a directory outside', area: 'output', setup: link('victim-dir', `${out}/charts`), exit: 2, file: /model-risk-gate-report/, says: /symbolic link/ },
  { id: 'output: the report directory symlinked outside', area: 'output', setup: link('victim-dir', out), exit: 2, file: /model-risk-gate-report/, says: /symbolic link/ },
  { id: 'output: a parent of --out symlinked outside', area: 'output', setup: link('victim-dir', 'reports'), args: ['check', '--policy', 'policy.yml', '--out', 'reports/run1'], exit: 2, file: /reports/ },
  { id: 'output: report.json is a directory', area: 'output', setup: (ws) => mkdirSync(ws.path(`${out}/report.json`), { recursive: true }), exit: 2, file: /report\.json/ },
  { id: 'output: report.json hard-linked to a file outside', area: 'output', setup: (ws) => { mkdirSync(ws.path(out), { recursive: true }); try { linkSync(join(ws.outside, 'victim.txt'), ws.path(`${out}/report.json`)); } catch { /* other filesystem: same as a plain file */ } }, exit: [0, 1], after: victimUnchanged },
  { id: 'output: shard -o file symlinked outside', area: 'output', setup: link('victim.txt', 'shard-0.bin'), args: ['shard', '--policy', 'policy.yml', '--index', '0', '--of', '2', '-o', 'shard-0.bin'], exit: 0, after: (ws) => [...victimUnchanged(ws), ...isRegularFile(ws, 'shard-0.bin')] },
  { id: 'output: shard -o into a directory symlinked outside', area: 'output', setup: link('victim-dir', 'shards'), args: ['shard', '--policy', 'policy.yml', '--index', '0', '--of', '2', '-o', 'shards/shard-0.bin'], exit: 2, file: /shards/, says: /symbolic link/ },
  { id: 'output: merge of a shard symlinked to /proc/self/pagemap', area: 'output', setup: link('/proc/self/pagemap', 'shard-0.bin'), args: ['merge', '--policy', 'policy.yml', 'shard-0.bin'], exit: 2, file: /shard-0\.bin/ },
  { id: 'output: --out under .git/', area: 'output', args: ['check', '--policy', 'policy.yml', '--out', '.git/hooks'], exit: 2, says: /\.git/ },
  { id: 'output: the report directory is a file', area: 'output', setup: writes({ [out]: 'x' }), exit: 2, file: /model-risk-gate-report/ },
  { id: 'action: report.json symlinked outside', area: 'output', entry: 'action', setup: link('victim.txt', `${out}/report.json`), exit: [0, 1], after: (ws) => [...victimUnchanged(ws), ...isRegularFile(ws, `${out}/report.json`)] },
  { id: 'action: report.html symlinked outside', area: 'output', entry: 'action', setup: link('victim.txt', `${out}/report.html`), exit: [0, 1], after: victimUnchanged },
  { id: 'action: SARIF symlinked outside', area: 'output', entry: 'action', setup: link('victim.txt', `${out}/model-risk-gate.sarif`), exit: [0, 1], after: victimUnchanged },
  { id: 'action: charts/ symlinked to a directory outside (a warning, verdict unaffected)', area: 'output', entry: 'action', setup: link('victim-dir', `${out}/charts`), exit: [0, 1] },
  { id: 'action: the report directory symlinked outside', area: 'output', entry: 'action', setup: link('victim-dir', out), exit: 2, file: /model-risk-gate-report/ },
  { id: 'action: report-dir input outside the workspace', area: 'output', entry: 'action', env: () => ({ 'INPUT_REPORT-DIR': '../outside/victim-dir' }), exit: 2, says: /inside the workspace/ },
  { id: 'action: report-dir input under .git', area: 'output', entry: 'action', env: () => ({ 'INPUT_REPORT-DIR': '.git/out' }), exit: 2, says: /\.git/ },
];

export const CASES: HostileCase[] = [...policyCases, ...datasetCases, ...modelCases, ...commentCases, ...baselineCases, ...outputCases];

/** Helpers the test file needs. */
export { encodeModel, valueInfo };
