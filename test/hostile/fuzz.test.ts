/**
 * A deterministic mutation fuzzer (issue #10) against the hand-written readers of untrusted pull-request content: the
 * XGBoost JSON and LightGBM text translators, the pickle/joblib reader with the scikit-learn translation, the ONNX wire
 * measure + decode (all through openModel, the one entry every model file goes through), the policy loader and the
 * CSV/TSV/gzip dataset reader. Each fixture gets a few hundred mutations (byte flips, truncations, inserted/removed
 * chunks, huge length fields; for JSON, values replaced by huge/negative/NaN/string/nested ones, keys and array elements
 * removed, duplicated, reordered; for text formats, line edits). Every outcome must be clean: a result, or a UserError
 * whose one line names the file. Anything else (TypeError, RangeError, a plain Error) is a bug and fails the test, with
 * the mutation that caused it. All draws come from the seeded PRNG, so a failure reproduces exactly.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, inflateSync, gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { openModel } from '../../src/model/sklearn/open.js';
import { signatureOf } from '../../src/model/signature.js';
import { parsePolicy } from '../../src/policy/load.js';
import { readDataset } from '../../src/data/read.js';
import { UserError } from '../../src/util/errors.js';
import { createRng, type Rng } from '../../src/util/rng.js';
import { repoRoot } from '../e2e/harness.js';

const FIX = join(repoRoot, 'test', 'fixtures');
const SEED = Number(process.env.FUZZ_SEED ?? 20261205);
/** FUZZ_SCALE=4 runs four times as many mutations (while hunting; the default keeps the file at seconds). */
const SCALE = Number(process.env.FUZZ_SCALE ?? 1);

export interface Bug {
  target: string;
  mutation: string;
  error: string;
}

export interface Tally {
  runs: number;
  ok: number;
  userErrors: number;
  bugs: Bug[];
  slowestMs: number;
  slowest: string;
}

const tallies = new Map<string, Tally>();

function tally(target: string): Tally {
  let t = tallies.get(target);
  if (!t) tallies.set(target, (t = { runs: 0, ok: 0, userErrors: 0, bugs: [], slowestMs: 0, slowest: '' }));
  return t;
}

/** Classifies one outcome: a result, a clean UserError naming `file`, or a bug (anything else). */
export function classify(e: unknown, file: string): string | null {
  if (e instanceof UserError) {
    const line = e.oneLine();
    if (/internal error|bug in model-risk-gate/i.test(line)) return `UserError says internal error: ${line.slice(0, 200)}`;
    if (/\n/.test(line)) return `UserError on several lines: ${JSON.stringify(line.slice(0, 200))}`;
    if (!line.includes(file)) return `UserError does not name ${file}: ${line.slice(0, 200)}`;
    if (/\n\s+at /.test(e.message)) return `UserError message carries a stack: ${line.slice(0, 200)}`;
    return null;
  }
  const err = e as Error;
  const name = err?.constructor?.name ?? typeof e;
  const where = (err?.stack ?? '').split('\n').find((l) => /\/src\//.test(l))?.trim().replace(/^at /, '') ?? '';
  return `${name}: ${String(err?.message ?? e).split('\n')[0].slice(0, 200)} @ ${where.replace(/.*\/src\//, 'src/')}`;
}

function record(target: string, mutation: string, ms: number, error: string | null, ok: boolean): void {
  const t = tally(target);
  t.runs++;
  if (ms > t.slowestMs) {
    t.slowestMs = ms;
    t.slowest = mutation;
  }
  if (error) t.bugs.push({ target, mutation, error });
  else if (ok) t.ok++;
  else t.userErrors++;
}

/** FUZZ_TRACE=<file>: the mutation about to run is written there first (to name the input of a hang). */
const TRACE = process.env.FUZZ_TRACE;
function trace(target: string, mutation: string): void {
  if (TRACE) writeFileSync(TRACE, `${target}: ${mutation}\n`);
}

function runSync(target: string, mutation: string, file: string, fn: () => unknown): void {
  trace(target, mutation);
  const t0 = performance.now();
  let error: string | null = null;
  let ok = true;
  try {
    fn();
  } catch (e) {
    ok = false;
    error = classify(e, file);
  }
  record(target, mutation, performance.now() - t0, error, ok);
}

async function runAsync(target: string, mutation: string, file: string, fn: () => Promise<unknown>): Promise<void> {
  trace(target, mutation);
  const t0 = performance.now();
  let error: string | null = null;
  let ok = true;
  try {
    await fn();
  } catch (e) {
    ok = false;
    error = classify(e, file);
  }
  record(target, mutation, performance.now() - t0, error, ok);
}

// ---------------------------------------------------------------------------------------------------------- mutators

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)];

/** A byte-level mutation; returns the bytes and a short description (to reproduce by hand). */
export function mutateBytes(rng: Rng, src: Uint8Array): [Uint8Array, string] {
  if (src.length < 8) {
    const extra = new Uint8Array(1 + rng.int(16)).map(() => rng.int(256));
    return [new Uint8Array([...src, ...extra]), `appended ${extra.length} random bytes`];
  }
  const b = new Uint8Array(src);
  const n = b.length;
  const at = rng.int(n);
  switch (rng.int(8)) {
    case 0: {
      const k = 1 + rng.int(8);
      const offs: number[] = [];
      for (let i = 0; i < k; i++) {
        const o = rng.int(n);
        b[o] ^= 1 << rng.int(8);
        offs.push(o);
      }
      return [b, `bit flips at ${offs.join(',')}`];
    }
    case 1: {
      const o = rng.int(n);
      const v = pick(rng, [0x00, 0xff, 0x7f, 0x80, rng.int(256)]);
      b[o] = v;
      return [b, `byte ${o} := ${v}`];
    }
    case 2:
      return [b.slice(0, at), `truncated at ${at}/${n}`];
    case 3: {
      const len = 1 + rng.int(Math.min(64, n - at) || 1);
      return [new Uint8Array([...b.subarray(0, at), ...b.subarray(at + len)]), `removed ${len} bytes at ${at}`];
    }
    case 4: {
      const len = 1 + rng.int(32);
      const ins = new Uint8Array(len).map(() => rng.int(256));
      return [new Uint8Array([...b.subarray(0, at), ...ins, ...b.subarray(at)]), `inserted ${len} random bytes at ${at}`];
    }
    case 5: {
      const len = 1 + rng.int(Math.min(256, n - at) || 1);
      const chunk = b.subarray(at, at + len);
      return [new Uint8Array([...b.subarray(0, at + len), ...chunk, ...b.subarray(at + len)]), `duplicated ${len} bytes at ${at}`];
    }
    case 6: {
      // a huge / negative / zero little-endian 32-bit value (length fields of pickles, counts)
      const v = pick(rng, [0xffffffff, 0x7fffffff, 0x80000000, 0, 1, 0x00ffffff]);
      const o = Math.min(at, Math.max(0, n - 4));
      new DataView(b.buffer, b.byteOffset).setUint32(o, v >>> 0, true);
      return [b, `u32le ${v} at ${o}`];
    }
    default: {
      // a huge varint (protobuf lengths / counts)
      const o = Math.min(at, Math.max(0, n - 5));
      const vs = pick(rng, [[0xff, 0xff, 0xff, 0xff, 0x0f], [0x80, 0x80, 0x80, 0x80, 0x01], [0xff, 0xff, 0xff, 0x7f], [0x00]]);
      for (let i = 0; i < vs.length && o + i < n; i++) b[o + i] = vs[i];
      return [b, `varint ${vs.join('.')} at ${o}`];
    }
  }
}

/**
 * A pickle-aware mutation: one argument of a BININT1 (K), BININT (J) or BINFLOAT (G) opcode replaced by an odd value,
 * so the stream stays readable and the odd number reaches the scikit-learn translation (counts, indices, parameters).
 */
export function mutatePickleNumber(rng: Rng, src: Uint8Array): [Uint8Array, string] {
  const b = new Uint8Array(src);
  const ops: number[] = [];
  for (let i = 2; i < b.length - 9; i++) if (b[i] === 0x4b || b[i] === 0x4a || b[i] === 0x47) ops.push(i);
  if (ops.length === 0) return mutateBytes(rng, src);
  const at = pick(rng, ops);
  const dv = new DataView(b.buffer, b.byteOffset);
  if (b[at] === 0x4b) {
    const v = pick(rng, [0, 1, 2, 3, 127, 255, rng.int(256)]);
    b[at + 1] = v;
    return [b, `K(BININT1) at ${at} := ${v}`];
  }
  if (b[at] === 0x4a) {
    const v = pick(rng, [-1, 0, 1, -2147483648, 2147483647, 1_000_000, -(1 + rng.int(1000))]);
    dv.setInt32(at + 1, v, true);
    return [b, `J(BININT) at ${at} := ${v}`];
  }
  const v = pick(rng, [Number.NaN, Infinity, -Infinity, -1, 0, 1e308, 0.5, 1e-320]);
  dv.setFloat64(at + 1, v, false);
  return [b, `G(BINFLOAT) at ${at} := ${v}`];
}

const ODD_VALUES: Array<[string, unknown]> = [
  ['1e308', 1e308], ['-1', -1], ['-1e308', -1e308], ['0', 0], ['1.5', 1.5], ['2^31', 2 ** 31], ['2^53+', 2 ** 53 + 2],
  ['"abc"', 'abc'], ['"NaN"', 'NaN'], ['"1e999"', '1e999'], ['null', null], ['true', true], ['[]', []], ['{}', {}],
  ['[[[1]]]', [[[1]]]], ['long string', 'x'.repeat(100_000)], ['"-5"', '-5'], ['[NaN]', [Number.NaN]],
];

type Json = unknown;

function paths(doc: Json, maxDepth = 12): Array<Array<string | number>> {
  const out: Array<Array<string | number>> = [];
  const walk = (v: Json, p: Array<string | number>, d: number) => {
    out.push(p);
    if (d >= maxDepth) return;
    if (Array.isArray(v)) {
      // a sample of the elements (big arrays of numbers would flood the list)
      const step = Math.max(1, Math.floor(v.length / 8));
      for (let i = 0; i < v.length; i += step) walk(v[i], [...p, i], d + 1);
    } else if (v && typeof v === 'object') {
      for (const k of Object.keys(v)) walk((v as Record<string, Json>)[k], [...p, k], d + 1);
    }
  };
  walk(doc, [], 0);
  return out;
}

function getAt(doc: Json, p: Array<string | number>): Json {
  let v = doc;
  for (const k of p) v = (v as Record<string | number, Json>)[k];
  return v;
}

/** A structural JSON mutation (in place on a clone); returns the JSON text (NaN as a bare NaN literal) and a description. */
export function mutateJson(rng: Rng, src: Json): [string, string] {
  const doc = structuredClone(src);
  const ps = paths(doc).filter((p) => p.length > 0);
  const p = pick(rng, ps);
  const parent = getAt(doc, p.slice(0, -1)) as Record<string | number, Json>;
  const key = p[p.length - 1];
  const cur = parent[key];
  const where = p.join('.');
  let what: string;
  let nest: [string, string] | undefined;
  switch (rng.int(7)) {
    case 0: {
      const [label, v] = pick(rng, ODD_VALUES);
      parent[key] = structuredClone(v);
      what = `${where} := ${label}`;
      break;
    }
    case 1:
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      what = `removed ${where}`;
      break;
    case 2:
      if (Array.isArray(cur) && cur.length > 0) {
        const k = rng.int(3);
        if (k === 0) cur.length = rng.int(cur.length);
        else if (k === 1) cur.push(...cur.slice(0, 1 + rng.int(cur.length)));
        else cur.reverse();
        what = `${['shortened', 'lengthened', 'reversed'][k]} array ${where}`;
      } else {
        parent[key] = [cur, cur];
        what = `${where} := [x, x]`;
      }
      break;
    case 3: {
      // written into the text after stringify (JSON.stringify itself would overflow the stack on the deep ones)
      const depth = pick(rng, [50, 500, 5000, 100_000]);
      const obj = rng.int(2) === 1;
      nest = [obj ? '{"a":'.repeat(depth) : '['.repeat(depth), obj ? '}'.repeat(depth) : ']'.repeat(depth)];
      parent[key] = '@@NEST@@';
      what = `${where} nested ${depth} deep (${obj ? 'objects' : 'arrays'})`;
      break;
    }
    case 4:
      if (typeof cur === 'number' || (typeof cur === 'string' && /^-?[\d.e+-]+$/.test(cur))) {
        const n = Number(cur);
        const v = pick(rng, [n + 1, -n, n * 1e6, Math.floor(n) + 0.5, 1e30, -2147483649]);
        parent[key] = typeof cur === 'string' ? String(v) : v;
        what = `${where} := ${v}`;
      } else {
        parent[key] = Number.NaN;
        what = `${where} := NaN`;
      }
      break;
    case 5:
      if (!Array.isArray(parent)) {
        // a key moved to the front (reordering), or a second copy under a new key
        const rest = { ...parent };
        for (const k of Object.keys(parent)) delete parent[k];
        parent[key] = cur;
        Object.assign(parent, rest);
        what = `moved ${where} first`;
      } else {
        const j = rng.int(parent.length);
        [parent[key as number], parent[j]] = [parent[j], parent[key as number]];
        what = `swapped ${where} with [${j}]`;
      }
      break;
    default:
      parent[key] = typeof cur === 'string' ? cur.repeat(1 + rng.int(5000)) : String(cur);
      what = `${where} as a (long) string`;
  }
  // NaN (not JSON) written as a bare literal: JSON.parse refuses it, which is what a hostile file would do too
  const text = JSON.stringify(doc, (_k, v) => (typeof v === 'number' && Number.isNaN(v) ? '@@NaN@@' : v)).replace(/"@@NaN@@"/g, 'NaN');
  return [nest ? text.replace('"@@NEST@@"', `${nest[0]}1${nest[1]}`) : text, what];
}

/** A line-level mutation of a text file (LightGBM model, CSV, YAML). */
export function mutateLines(rng: Rng, text: string, sep: RegExp = /[ ,=:\t]/): [string, string] {
  const lines = text.split('\n');
  const i = rng.int(lines.length);
  const j = rng.int(lines.length);
  switch (rng.int(9)) {
    case 0:
      lines.splice(i, 1);
      return [lines.join('\n'), `removed line ${i + 1}`];
    case 1:
      lines.splice(i, 0, lines[j]);
      return [lines.join('\n'), `line ${j + 1} copied before ${i + 1}`];
    case 2:
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return [lines.join('\n'), `swapped lines ${i + 1}, ${j + 1}`];
    case 3: {
      const cut = rng.int(lines[i].length + 1);
      lines[i] = lines[i].slice(0, cut);
      return [lines.join('\n'), `line ${i + 1} cut at ${cut}`];
    }
    case 4:
    case 5:
    case 6: {
      // one token of a line replaced by an odd value
      const parts = lines[i].split(sep);
      const k = rng.int(parts.length);
      const v = pick(rng, ['', '-1', '0', 'NaN', 'nan', 'inf', '-inf', '1e308', '1e999', '99999999999', '2147483648', '-2147483649', '0.5', '1.5', 'abc', '"', "'", '[', '{', '&a', '*a', '!!js/function x', '::error::x', 'x'.repeat(20_000), '\u0000', '\ufeff']);
      const seps = lines[i].match(new RegExp(sep.source, 'g')) ?? [];
      parts[k] = v;
      lines[i] = parts.map((x, q) => x + (seps[q] ?? '')).join('');
      return [lines.join('\n'), `line ${i + 1} token ${k} := ${JSON.stringify(v.slice(0, 20))}`];
    }
    case 7: {
      const reps = pick(rng, [100, 1000, 20_000]);
      lines.splice(i, 0, ...Array.from({ length: reps }, () => lines[j]));
      return [lines.join('\n'), `line ${j + 1} repeated ${reps} times at ${i + 1}`];
    }
    default: {
      const extra = pick(rng, ['\r', '\t', ' ', '"', '\\', '\u2028', '#', ',,,,', '\r\n']);
      const at = rng.int(lines[i].length + 1);
      lines[i] = lines[i].slice(0, at) + extra + lines[i].slice(at);
      return [lines.join('\n'), `inserted ${JSON.stringify(extra)} in line ${i + 1} at ${at}`];
    }
  }
}

// ---------------------------------------------------------------------------------------------------------- targets

const MODEL_FILE = 'models/pr-model.bin';
const where = { file: MODEL_FILE };
const fixture = (p: string) => new Uint8Array(readFileSync(join(FIX, p)));
const count = (n: number) => Math.max(1, Math.round(n * SCALE));
/** vitest's budget for one fuzz test (not a speed assertion: FUZZ_SCALE runs take longer). */
const BUDGET = 60_000 * Math.max(1, SCALE);
/** What loadModel does with a model file before creating a session: open (format, scan, translate, decode), then the signature. */
const openAndSign = (b: Uint8Array) => signatureOf(MODEL_FILE, openModel(b, where).parsed);

function fuzzModelBytes(target: string, label: string, src: Uint8Array, n: number, rng: Rng): void {
  for (let i = 0; i < n; i++) {
    const [b, m] = mutateBytes(rng, src);
    runSync(target, `${label}: ${m}`, MODEL_FILE, () => openAndSign(b));
  }
}

function innerPickle(b: Uint8Array): Uint8Array {
  if (b[0] === 0x78) return new Uint8Array(inflateSync(b));
  if (b[0] === 0x1f && b[1] === 0x8b) return new Uint8Array(gunzipSync(b));
  return b;
}

const scratch = mkdtempSync(join(tmpdir(), 'mrg-fuzz-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
  const lines = [...tallies].map(([k, t]) => `${k}: ${t.runs} mutations, ${t.ok} ok, ${t.userErrors} UserError, ${t.bugs.length} bugs, slowest ${t.slowestMs.toFixed(0)} ms (${t.slowest.slice(0, 80)})`);
  // the campaign's numbers, for the README
  console.log(`fuzz seed ${SEED} scale ${SCALE}\n${lines.join('\n')}`);
});

function expectNoBugs(target: string): void {
  const t = tally(target);
  const byClass = new Map<string, Bug[]>();
  for (const b of t.bugs) {
    const cls = b.error.replace(/\d+/g, 'N');
    byClass.set(cls, [...(byClass.get(cls) ?? []), b]);
  }
  const summary = [...byClass].map(([cls, bs]) => `${bs.length}x ${cls}\n    e.g. ${bs[0].mutation}\n    ${bs[0].error}`);
  expect(summary).toEqual([]);
  expect(t.runs).toBeGreaterThan(0);
  // both outcomes occur: a fuzzer whose inputs are all refused at the first byte (or all read unchanged) tests nothing
  expect(t.ok).toBeGreaterThan(0);
  expect(t.userErrors).toBeGreaterThan(0);
}

describe('fuzz: model files through openModel (the entry of every model format)', () => {
  it('XGBoost JSON: structural mutations and byte mutations', () => {
    const target = 'xgboost-json';
    const src = fixture('sklearn/adult/xgb_onehot.json');
    const doc = JSON.parse(new TextDecoder().decode(src));
    const rng = createRng(SEED).fork(target);
    for (let i = 0; i < count(300); i++) {
      const [text, m] = mutateJson(rng, doc);
      runSync(target, `json: ${m}`, MODEL_FILE, () => openAndSign(new TextEncoder().encode(text)));
    }
    fuzzModelBytes(target, 'bytes', src, count(100), rng);
    expectNoBugs(target);
  }, BUDGET);

  it('LightGBM text: line edits and byte mutations', () => {
    const target = 'lightgbm-text';
    const rng = createRng(SEED).fork(target);
    for (const f of ['lgbm_onehot.txt', 'lgbm_categorical.txt']) {
      const src = fixture(`sklearn/lightgbm/${f}`);
      const text = new TextDecoder().decode(src);
      for (let i = 0; i < count(150); i++) {
        let t = text;
        const ms: string[] = [];
        for (let k = 0, edits = 1 + rng.int(3); k < edits; k++) {
          const [t2, m] = mutateLines(rng, t, /[ =]/);
          t = t2;
          ms.push(m);
        }
        runSync(target, `${f}: ${ms.join('; ')}`, MODEL_FILE, () => openAndSign(new TextEncoder().encode(t)));
      }
      fuzzModelBytes(target, f, src, count(50), rng);
    }
    expectNoBugs(target);
  }, BUDGET);

  it('pickle / joblib: byte mutations of the files and of the pickles inside', () => {
    const target = 'pickle-joblib';
    const rng = createRng(SEED).fork(target);
    const files = [
      'sklearn/adult/lr_pipeline.joblib',
      'sklearn/german-credit/dt_pipeline.joblib',
      'sklearn/german-credit/lr_numpy.joblib',
      'sklearn/german-credit/et_minmax.joblib',
      'sklearn/variants/ct_robust_ordinal_hgb_nan.joblib',
      'sklearn/variants/imputer_indicator_lr_nan.joblib',
      'sklearn/variants/gb_zero_init_logloss.joblib',
      'sklearn/variants/ct_indices_slice_mask_dt.joblib',
      'sklearn/variants-1.6/lr_multinomial.joblib',
      'sklearn/unsafe/os_system.pkl',
      'sklearn/unsafe/pipeline_with_eval.joblib',
      'sklearn/unsafe/subprocess.joblib',
      'sklearn/unsupported/svc_rbf.joblib',
    ];
    for (const f of files) {
      const file = fixture(f);
      const inner = innerPickle(file);
      fuzzModelBytes(target, `${f} (pickle)`, inner, count(30), rng);
      for (let i = 0; i < count(30); i++) {
        let b = inner;
        const ms: string[] = [];
        for (let k = 0, edits = 1 + rng.int(3); k < edits; k++) {
          const [b2, m] = mutatePickleNumber(rng, b);
          b = b2;
          ms.push(m);
        }
        runSync(target, `${f} (pickle numbers): ${ms.join('; ')}`, MODEL_FILE, () => openAndSign(b));
      }
      if (inner !== file) fuzzModelBytes(target, `${f} (file)`, file, count(5), rng);
    }
    expectNoBugs(target);
  }, BUDGET);

  it('unsafe pickles stay refused under mutation (never translated)', () => {
    const rng = createRng(SEED).fork('unsafe');
    let translated = 0;
    for (const f of ['sklearn/unsafe/os_system.pkl', 'sklearn/unsafe/os_system.joblib', 'sklearn/unsafe/subprocess.joblib']) {
      const inner = innerPickle(fixture(f));
      for (let i = 0; i < count(40); i++) {
        const [b] = mutateBytes(rng, inner);
        try {
          openModel(b, where);
          translated++;
        } catch {
          /* refused (or a bug, which the pickle test reports) */
        }
      }
    }
    expect(translated).toBe(0);
  }, BUDGET);

  it('ONNX: wire measure + decode + checks under byte mutations', () => {
    const target = 'onnx';
    const rng = createRng(SEED).fork(target);
    for (const f of ['adult/logreg_pipeline.onnx', 'adult/logreg_onehot.onnx', 'adult/mlp_torch.onnx', 'adult/gbt_onehot.onnx']) {
      fuzzModelBytes(target, f, fixture(f), count(75), rng);
    }
    expectNoBugs(target);
  }, BUDGET);
});

describe('fuzz: policy and dataset readers', () => {
  it('policy YAML: line edits and byte mutations', () => {
    const target = 'policy';
    const rng = createRng(SEED).fork(target);
    const POLICY_FILE = 'policies/pr-policy.yml';
    for (const f of ['example-adult.yml', 'example-adult-full.yml', 'example-sklearn.yml']) {
      const text = readFileSync(join(repoRoot, 'policies', f), 'utf8');
      for (let i = 0; i < count(80); i++) {
        const [t, m] = mutateLines(rng, text, /[ :,[\]]/);
        runSync(target, `${f}: ${m}`, POLICY_FILE, () => parsePolicy(t, { workspace: repoRoot, displayPath: POLICY_FILE }));
      }
      const src = new TextEncoder().encode(text);
      for (let i = 0; i < count(20); i++) {
        const [b, m] = mutateBytes(rng, src);
        runSync(target, `${f}: ${m}`, POLICY_FILE, () => parsePolicy(b, { workspace: repoRoot, displayPath: POLICY_FILE }));
      }
    }
    expectNoBugs(target);
  }, BUDGET);

  it('CSV/TSV/gzip: line edits, byte mutations, truncated and corrupted gzip', async () => {
    const target = 'dataset';
    const rng = createRng(SEED).fork(target);
    const DATA_FILE = 'data/pr-data.csv';
    const csv = readFileSync(join(FIX, 'adult', 'test.csv'), 'utf8').split('\n').slice(0, 150).join('\n') + '\n';
    const tsv = csv.replace(/,/g, '\t');
    const path = join(scratch, 'data.csv');
    const read = () => readDataset(path, { displayPath: DATA_FILE, missingValues: ['?'], maxRows: 100_000 });
    for (const [label, text] of [['csv', csv], ['tsv', tsv]] as const) {
      for (let i = 0; i < count(100); i++) {
        let t = text;
        const ms: string[] = [];
        for (let k = 0, edits = 1 + rng.int(3); k < edits; k++) {
          const [t2, m] = mutateLines(rng, t, label === 'csv' ? /,/ : /\t/);
          t = t2;
          ms.push(m);
        }
        writeFileSync(path, t);
        await runAsync(target, `${label}: ${ms.join('; ')}`, DATA_FILE, read);
      }
      const src = new TextEncoder().encode(text);
      for (let i = 0; i < count(30); i++) {
        const [b, m] = mutateBytes(rng, src);
        writeFileSync(path, b);
        await runAsync(target, `${label} bytes: ${m}`, DATA_FILE, read);
      }
    }
    const gz = new Uint8Array(gzipSync(csv));
    for (let i = 0; i < count(60); i++) {
      const [b, m] = mutateBytes(rng, gz);
      writeFileSync(path, b);
      await runAsync(target, `gzip: ${m}`, DATA_FILE, read);
    }
    for (let i = 0; i < count(20); i++) {
      const [t, m] = mutateLines(rng, csv, /,/);
      writeFileSync(path, gzipSync(t));
      await runAsync(target, `gzip of csv: ${m}`, DATA_FILE, read);
    }
    expectNoBugs(target);
  }, BUDGET);
});

/** The bugs the campaign found, each as its minimal reproducer (all were a TypeError/PickleRefusal -> "internal error"). */
describe('fuzz findings: regressions', () => {
  const refusal = (bytes: Uint8Array): UserError => {
    try {
      openModel(bytes, where);
    } catch (e) {
      expect(e).toBeInstanceOf(UserError);
      return e as UserError;
    }
    throw new Error('the model was accepted');
  };
  const xgb = () => JSON.parse(readFileSync(join(FIX, 'sklearn/adult/xgb_onehot.json'), 'utf8'));

  it('XGBoost feature_names holding a list (was TypeError in the protobuf writer)', () => {
    const doc = xgb();
    doc.learner.feature_names[39] = [];
    const e = refusal(new TextEncoder().encode(JSON.stringify(doc)));
    expect(e.oneLine()).toBe(`${MODEL_FILE}: XGBoost JSON: learner.feature_names[39] is not a text (it is a list); save the model again with xgboost (Booster.save_model) or export it to ONNX`);
  });

  it('XGBoost feature_names holding a number (was TypeError: nm.indexOf is not a function)', () => {
    const doc = xgb();
    doc.learner.feature_names[65] = 1.5;
    expect(refusal(new TextEncoder().encode(JSON.stringify(doc))).oneLine()).toContain('learner.feature_names[65] is not a text (it is number)');
  });

  it('XGBoost values nested 100,000 lists deep (was RangeError: Maximum call stack size exceeded in join / JSON.stringify)', () => {
    const deep = JSON.stringify(xgb()).replace('"best_iteration":', `"best_iteration":${'['.repeat(100_000)}1${']'.repeat(100_000)},"x":`);
    expect(refusal(new TextEncoder().encode(deep)).oneLine()).toBe(`${MODEL_FILE}: XGBoost JSON: best_iteration is [a list]`);
    const doc = xgb();
    const deepVersion = JSON.stringify({ ...doc, version: [1, 0] }).replace('"version":[1,0]', `"version":[1,${'['.repeat(100_000)}0${']'.repeat(100_000)}]`);
    // an odd version is only a label: the model is read
    expect(openAndSign(new TextEncoder().encode(deepVersion)).inputs.length).toBeGreaterThan(0);
  });

  it('XGBoost num_feature 1e30 (was RangeError: Invalid array length)', () => {
    const doc = xgb();
    doc.learner.learner_model_param.num_feature = 1e30;
    expect(refusal(new TextEncoder().encode(JSON.stringify(doc))).oneLine()).toContain('XGBoost JSON: num_feature is 1e+30, expected a whole number from 1 to 1,000,000');
  });

  it('LightGBM max_feature_idx that is not a whole number (was RangeError: Invalid array length)', () => {
    const text = readFileSync(join(FIX, 'sklearn/lightgbm/lgbm_onehot.txt'), 'utf8').replace('max_feature_idx=107', 'max_feature_idx=106.5');
    expect(refusal(new TextEncoder().encode(text)).oneLine()).toContain('LightGBM model without a valid max_feature_idx (a whole number from 0 to 999,998, got "106.5")');
  });

  it('LightGBM pandas_categorical that is JSON but not a list of lists (was TypeError: .map is not a function)', () => {
    const text = readFileSync(join(FIX, 'sklearn/lightgbm/lgbm_categorical.txt'), 'utf8').replace(/\npandas_categorical:.*/, '\npandas_categorical:[1, 2, 3, 4, 5, 6, 7]');
    const e = refusal(new TextEncoder().encode(text));
    expect(e.oneLine()).toMatch(new RegExp(`^${MODEL_FILE}: LightGBM pandas_categorical line is not a list of category lists`));
  });

  it('LightGBM cat_boundaries with a huge offset (was a hang: the bitset loop ran 1e308 times)', () => {
    const text = readFileSync(join(FIX, 'sklearn/lightgbm/lgbm_categorical.txt'), 'utf8').replace('cat_boundaries=0 1 2 3 4 5', 'cat_boundaries=0 1 1e308 3 4 5');
    const e = refusal(new TextEncoder().encode(text));
    expect(e.oneLine()).toMatch(new RegExp(`^${MODEL_FILE}: LightGBM tree \\d+: cat_boundaries must be increasing integer offsets from 0, got 0 1 1e308 3 4 5;`));
  });

  it('a pickle string with a line break quoted in a refusal (was a message on two lines)', () => {
    const b = fixture('sklearn/adult/lr_pipeline.joblib');
    b[1112] = 10;
    const e = refusal(b);
    expect(e.oneLine()).toBe(`${MODEL_FILE}: cannot read the model file: malformed pickle: _codecs.encode with encoding lat\\u000an1 (byte 1120)`);
  });

  it('a tree record array without a field the translation reads (was PickleRefusal escaping as an internal error)', () => {
    const b = fixture('sklearn/german-credit/dt_pipeline.joblib');
    b[7702] = 210;
    const e = refusal(b);
    expect(e.oneLine()).toMatch(new RegExp(`^${MODEL_FILE}: cannot read the model file: malformed numpy data: record array without field \\w+; save the model again`));
  });

  it('a policy of 20,000 mis-indented lines: one clean error listing the first twenty (was 14 s: the text split once per error)', () => {
    const lines = readFileSync(join(repoRoot, 'policies', 'example-adult.yml'), 'utf8').split('\n');
    lines.splice(12, 0, ...Array.from({ length: 20_000 }, () => lines[33]));
    let e: unknown;
    try {
      parsePolicy(lines.join('\n'), { workspace: repoRoot, displayPath: 'p.yml' });
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(UserError);
    expect((e as UserError).oneLine()).toBe('p.yml:13:1: YAML syntax error: All mapping items must start at the same column; fix the YAML on this line');
    expect((e as UserError).more.length).toBe(20);
  });
});
