/**
 * Past one runner (issue #12): `model-risk-gate shard --index i --of n` scores a deterministic slice of the evaluation
 * rows (rows [⌊iN/n⌋, ⌊(i+1)N/n⌋)) and writes the slice's scores; `model-risk-gate merge` (a final job that `needs:`
 * the matrix) checks that the shards were made from the same policy, dataset and model, that they cover every row once,
 * and runs the gate on the merged scores. Everything after scoring is the single-runner code on the same numbers, so
 * the merged report equals the single-runner report byte for byte apart from timings (test/e2e/shard.test.ts).
 *
 * The model evaluations — the expensive part — are what the shards split. The merge job reads the dataset itself
 * (labels, groups, and the seeded row sample that robustness and explainability run on) and runs the model only on
 * that sample. A shard file is "MRGSHARD 1\n", one line of JSON (the header), then the scores as float32 little-endian.
 */
import { loadModel } from './model/session.js';
import { loadPolicy, resolvePolicyPath } from './policy/load.js';
import { readEvaluationData, runGate, scoreRows, type GateOptions, type GateRun } from './gate.js';
import { readConfinedSync } from './util/safe-fs.js';
import { UserError } from './util/errors.js';
import { TOOL_VERSION } from './version.js';

const MAGIC = 'MRGSHARD 1\n';
/** Largest shard header (bytes); the header is a few hundred bytes. */
const MAX_HEADER_BYTES = 64 * 1024;

export interface ShardHeader {
  format: 'model-risk-gate-shard';
  tool: string;
  index: number;
  of: number;
  /** Rows [start, end) of the evaluation data. */
  start: number;
  end: number;
  /** All evaluation rows. */
  rows: number;
  policySha256: string;
  datasetSha256: string;
  modelSha256: string;
}

export interface Shard {
  header: ShardHeader;
  scores: Float32Array;
}

/** The slice of shard i of n over N rows. */
export function shardSlice(index: number, of: number, rows: number): { start: number; end: number } {
  return { start: Math.floor((index * rows) / of), end: Math.floor(((index + 1) * rows) / of) };
}

export async function runShard(opts: { policyFile: string; workspace: string; index: number; of: number }): Promise<Shard> {
  if (!Number.isInteger(opts.of) || opts.of < 1 || opts.of > 10_000) throw new UserError(`--of must be a whole number of shards from 1 to 10000, got ${opts.of}`);
  if (!Number.isInteger(opts.index) || opts.index < 0 || opts.index >= opts.of) throw new UserError(`--index must be a whole number from 0 to ${opts.of - 1} (--of ${opts.of}), got ${opts.index}`);
  const doc = await loadPolicy(opts.policyFile, { workspace: opts.workspace });
  const { policy } = doc;
  const data = await readEvaluationData(doc, resolvePolicyPath(doc, policy.dataset.path, ['dataset', 'path']));
  const model = await loadModel({ file: resolvePolicyPath(doc, policy.model.path, ['model', 'path']), displayPath: policy.model.path, spec: policy.model, locate: doc.locate });
  try {
    const rows = data.dataset.rows;
    const { start, end } = shardSlice(opts.index, opts.of, rows);
    const scores = await scoreRows(doc, data.dataset, model, opts.workspace, start, end);
    return {
      header: {
        format: 'model-risk-gate-shard',
        tool: TOOL_VERSION,
        index: opts.index,
        of: opts.of,
        start,
        end,
        rows,
        policySha256: doc.sha256,
        datasetSha256: data.dataset.sha256,
        modelSha256: model.info.sha256,
      },
      scores,
    };
  } finally {
    await model.dispose();
  }
}

export function encodeShard(shard: Shard): Buffer {
  const head = Buffer.from(MAGIC + JSON.stringify(shard.header) + '\n', 'utf8');
  const body = Buffer.from(shard.scores.buffer, shard.scores.byteOffset, shard.scores.byteLength);
  return Buffer.concat([head, body]);
}

const SHA = /^[0-9a-f]{64}$/;

/** Reads and checks one shard file (untrusted: made by another job); `name` is how messages call it. */
export function decodeShard(bytes: Buffer, name: string): Shard {
  const bad = (why: string): UserError => new UserError(`${name} is not a model-risk-gate shard (${why}); make it with 'model-risk-gate shard --index i --of n --out ${name}'`);
  if (bytes.length < MAGIC.length || bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw bad('no shard header');
  const nl = bytes.indexOf(0x0a, MAGIC.length);
  if (nl < 0 || nl - MAGIC.length > MAX_HEADER_BYTES) throw bad('header too long or not ended');
  let h: ShardHeader;
  try {
    h = JSON.parse(bytes.subarray(MAGIC.length, nl).toString('utf8')) as ShardHeader;
  } catch {
    throw bad('header is not JSON');
  }
  const int = (x: unknown): boolean => Number.isInteger(x) && (x as number) >= 0;
  if (typeof h !== 'object' || h === null || h.format !== 'model-risk-gate-shard') throw bad('wrong format');
  if (![h.index, h.of, h.start, h.end, h.rows].every(int) || !(h.of >= 1 && h.index < h.of && h.start <= h.end && h.end <= h.rows)) throw bad('inconsistent rows');
  if (![h.policySha256, h.datasetSha256, h.modelSha256].every((x) => typeof x === 'string' && SHA.test(x))) throw bad('bad fingerprints');
  const body = bytes.subarray(nl + 1);
  if (body.length !== (h.end - h.start) * 4) throw bad(`holds ${Math.floor(body.length / 4)} scores for ${h.end - h.start} rows`);
  const scores = new Float32Array(h.end - h.start);
  new Uint8Array(scores.buffer).set(body);
  return { header: h, scores };
}

/** The scores of every row from a complete set of shards (same run, each row exactly once). */
export function mergeShards(shards: Shard[]): { scores: Float32Array; header: ShardHeader } {
  if (shards.length === 0) throw new UserError('merge needs the shard files: model-risk-gate merge --policy <policy.yml> shard-0.bin shard-1.bin ...');
  const first = shards[0].header;
  for (const s of shards) {
    const h = s.header;
    for (const k of ['of', 'rows', 'policySha256', 'datasetSha256', 'modelSha256'] as const) {
      if (h[k] !== first[k]) throw new UserError(`shards ${first.index} and ${h.index} differ in ${k}: every shard must come from the same policy, dataset and model (--of ${first.of})`);
    }
  }
  const seen = new Set<number>();
  for (const s of shards) {
    if (seen.has(s.header.index)) throw new UserError(`shard ${s.header.index} is given twice`);
    seen.add(s.header.index);
  }
  const missing = Array.from({ length: first.of }, (_, i) => i).filter((i) => !seen.has(i));
  if (missing.length) throw new UserError(`missing shard(s) ${missing.slice(0, 10).join(', ')} of ${first.of}: merge needs every shard of the matrix`);
  const scores = new Float32Array(first.rows);
  for (const s of shards) {
    const want = shardSlice(s.header.index, first.of, first.rows);
    if (s.header.start !== want.start || s.header.end !== want.end) throw new UserError(`shard ${s.header.index} covers rows ${s.header.start}..${s.header.end}, not ${want.start}..${want.end}`);
    scores.set(s.scores, s.header.start);
  }
  return { scores, header: first };
}

/** Largest shard file read (bytes): 4 bytes a row, up to 500M rows. */
const MAX_SHARD_BYTES = 2_000_000_000 + MAX_HEADER_BYTES;

/** Reads shard files, merges them, runs the gate on the merged scores and checks the fingerprints match. */
export async function runMerge(files: Array<{ path: string; name: string }>, options: Omit<GateOptions, 'scores'>): Promise<GateRun> {
  const shards: Shard[] = [];
  for (const f of files) {
    // confined like every input (issue #10): no symlink out of the workspace, regular file, bounded read
    const bytes = readConfinedSync(f.path, { workspace: options.workspace, maxBytes: MAX_SHARD_BYTES, what: 'shard', location: { file: f.name } });
    shards.push(decodeShard(bytes, f.name));
  }
  const { scores, header } = mergeShards(shards);
  const run = await runGate({ ...options, scores });
  const { report } = run;
  const differ = [
    report.policy.sha256 !== header.policySha256 ? 'policy' : null,
    report.dataset.sha256 !== header.datasetSha256 ? 'dataset' : null,
    report.model.sha256 !== header.modelSha256 ? 'model' : null,
  ].filter((x): x is string => x !== null);
  if (differ.length) throw new UserError(`the shards were made from another ${differ.join(', ')} than this merge reads: run the shards and the merge on the same commit`);
  return run;
}
