/**
 * The dist packaging (.ci/build.mjs): a bundle plus the shipped dist/node_modules runtime scores fixture models from a
 * directory with no node_modules anywhere above it, with onnxruntime-node, with the WASM fallback (forced by the env var,
 * and taken automatically when the native binary is missing), and the build is byte-for-byte deterministic.
 *
 * It bundles test/build/scoring-entry.mjs (model code only), so it does not depend on the gate's entry points.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures');
const MAX_DIST_BYTES = 70 * 1000 * 1000;

let work: string;
let buildDir: string;
let entryDir: string;
let out1: string;
let out2: string;

function run(args: string[], env: Record<string, string> = {}, cwd = ROOT): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * Every src .ts file -> buildDir with typescript's transpileModule (no type check: that is `npm run typecheck`'s job, and a
 * full tsc run takes many seconds). .ci/build.mjs's own tsc stage is the plain `tsc -p tsconfig.json`.
 */
function transpileSources(): void {
  const src = join(ROOT, 'src');
  for (const file of filesOf(src).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const out = ts.transpileModule(readFileSync(join(src, file), 'utf8'), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
      fileName: file,
    });
    const target = join(buildDir, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, out.outputText);
  }
}

/** .ci/build.mjs (its bundling and runtime-shipping stages) with the scoring entry. */
function build(out: string): void {
  const args = [join(ROOT, '.ci', 'build.mjs'), '--out', out, '--build-dir', buildDir, '--skip-tsc', '--entry', `scoring=${join(entryDir, 'scoring-entry.mjs')}`];
  const r = run(args);
  if (r.status !== 0) throw new Error(`build failed:\n${r.stderr}`);
}

function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function rawBytes(dir: string): number {
  return filesOf(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
}

function hasNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return true;
    if (d === dirname(d)) return false;
  }
}

/** A temp root with no node_modules in it or above it (someone may have put one in /tmp). */
function isolatedRoot(): string {
  const root = [tmpdir(), '/var/tmp', '/dev/shm', homedir()].find((d) => existsSync(d) && !hasNodeModulesAbove(d));
  if (!root) throw new Error('no temp directory without a node_modules above it: cannot test a no-install run');
  return root;
}

const copies: string[] = [];

/** A fresh copy of the built dist in its own temp dir: nothing (no node_modules) above it. */
function freshCopy(name: string): string {
  const parent = mkdtempSync(join(isolatedRoot(), 'mrg-fresh-'));
  copies.push(parent);
  const dir = join(parent, name);
  cpSync(out1, dir, { recursive: true });
  return dir;
}

interface ScoringOutput {
  runtime: string;
  version: string;
  zipMapBypassed: boolean;
  notes: string[];
  scores: number[];
}

function score(dist: string, model: string, csv: string, features?: string, env: Record<string, string> = {}): ScoringOutput {
  const args = [join(dist, 'scoring.js'), model, csv, ...(features ? [features] : [])];
  const r = run(args, env, dirname(dist));
  if (r.status !== 0) throw new Error(`scoring failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout) as ScoringOutput;
}

function referenceScores(dataset: string, model: string): number[] {
  const lines = readFileSync(join(FIXTURES, dataset, `${model}.predictions.csv`), 'utf8').trim().split('\n');
  const col = lines[0]!.split(',').indexOf('score');
  return lines.slice(1).map((l) => Number(l.split(',')[col]));
}

function maxAbsDiff(a: number[], b: number[]): number {
  expect(a.length).toBe(b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

const adult = (f: string): string => join(FIXTURES, 'adult', f);
const german = (f: string): string => join(FIXTURES, 'german-credit', f);

describe('dist packaging', () => {
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'mrg-build-test-'));
    // tsc output must sit under the repo (its package.json's "type": "module", node_modules resolution for ncc);
    // node_modules/.cache is git-ignored
    buildDir = join(ROOT, 'node_modules', '.cache', `model-risk-gate-build-test-${process.pid}`);
    out1 = join(work, 'dist1');
    out2 = join(work, 'dist2');
    entryDir = `${buildDir}-entry`;
    mkdirSync(entryDir, { recursive: true });
    const entry = readFileSync(join(ROOT, 'test', 'build', 'scoring-entry.mjs'), 'utf8');
    writeFileSync(join(entryDir, 'scoring-entry.mjs'), entry.replace("'../../build/", `'../${basename(buildDir)}/`));
    transpileSources();
    const t0 = Date.now();
    build(out1);
    writeFileSync(join(work, 'build-ms.txt'), String(Date.now() - t0));
  }, 120_000);

  afterAll(() => {
    rmSync(buildDir, { recursive: true, force: true });
    rmSync(entryDir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
    for (const c of copies) rmSync(c, { recursive: true, force: true });
  });

  it('ships the bundle, the linux/x64 onnxruntime-node, onnxruntime-common and the compressed WASM fallback, under 70 MB', () => {
    const files = filesOf(out1);
    expect(files).toContain('scoring.js');
    expect(files).toContain('package.json');
    expect(files).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1');
    expect(files).toContain('node_modules/onnxruntime-node/bin/napi-v6/linux/x64/onnxruntime_binding.node');
    expect(files).toContain('node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm.gz');
    expect(files).toContain('node_modules/onnxruntime-common/dist/esm/index.js');
    expect(files).toContain('node_modules/onnxruntime-common/dist/cjs/index.js');
    // no other platforms, no GPU providers, no source maps or typings
    expect(files.filter((f) => /darwin|win32|arm64|cuda|tensorrt|\.map$|\.d\.ts$|\.wasm$/i.test(f))).toEqual([]);
    const raw = rawBytes(out1);
    console.log(`dist (scoring bundle + runtime): ${(raw / 1e6).toFixed(1)} MB raw; bundling ${readFileSync(join(work, 'build-ms.txt'), 'utf8')} ms`);
    expect(raw).toBeLessThan(MAX_DIST_BYTES);
    expect(raw).toBeGreaterThan(45e6); // the native library alone is ~46 MB
  }, 30_000);

  it('is deterministic: a second build gives identical bytes', () => {
    build(out2);
    const a = filesOf(out1);
    expect(filesOf(out2)).toEqual(a);
    for (const f of a) expect(readFileSync(join(out2, f)).equals(readFileSync(join(out1, f))), f).toBe(true);
  }, 120_000);

  it('scores with onnxruntime-node from a copy with no node_modules above it (per-column ZipMap model, matrix model)', () => {
    const dist = freshCopy('dist');
    expect(hasNodeModulesAbove(dirname(dist))).toBe(false);
    const zip = score(dist, adult('logreg_pipeline.onnx'), adult('test.csv'));
    expect(zip.runtime).toBe('onnxruntime-node');
    expect(zip.zipMapBypassed).toBe(true);
    expect(maxAbsDiff(zip.scores, referenceScores('adult', 'logreg_pipeline'))).toBeLessThanOrEqual(1e-6);
    const gbt = score(dist, adult('gbt_onehot.onnx'), adult('test_onehot.csv'), adult('onehot_features.json'));
    expect(gbt.runtime).toBe('onnxruntime-node');
    expect(maxAbsDiff(gbt.scores, referenceScores('adult', 'gbt_onehot'))).toBeLessThanOrEqual(1e-6);
  }, 60_000);

  it('without the WASM fallback (the smallest dist for linux/x64 only) still scores natively; forcing WASM then says why it fails', () => {
    const dist = freshCopy('dist');
    rmSync(join(dist, 'node_modules', 'onnxruntime-web'), { recursive: true });
    const r = score(dist, german('logreg_pipeline.onnx'), german('test.csv'));
    expect(r.runtime).toBe('onnxruntime-node');
    expect(maxAbsDiff(r.scores, referenceScores('german-credit', 'logreg_pipeline'))).toBeLessThanOrEqual(1e-6);
    const forced = run([join(dist, 'scoring.js'), german('logreg_pipeline.onnx'), german('test.csv')], { MODEL_RISK_GATE_RUNTIME: 'wasm' }, dirname(dist));
    expect(forced.status).not.toBe(0);
    expect(forced.stderr).toMatch(/onnxruntime-web/);
  }, 60_000);

  it('scores with the WASM fallback when MODEL_RISK_GATE_RUNTIME=wasm', () => {
    const dist = freshCopy('dist');
    const env = { MODEL_RISK_GATE_RUNTIME: 'wasm' };
    const cols = score(dist, german('logreg_pipeline.onnx'), german('test.csv'), undefined, env);
    expect(cols.runtime).toBe('onnxruntime-web (wasm)');
    expect(maxAbsDiff(cols.scores, referenceScores('german-credit', 'logreg_pipeline'))).toBeLessThanOrEqual(1e-5);
    const mlp = score(dist, adult('mlp_torch.onnx'), adult('test_onehot.csv'), adult('onehot_features.json'), env);
    expect(mlp.runtime).toBe('onnxruntime-web (wasm)');
    expect(maxAbsDiff(mlp.scores, referenceScores('adult', 'mlp_torch'))).toBeLessThanOrEqual(1e-5);
  }, 60_000);

  it('falls back to WASM by itself when the native binary cannot load (as on macOS/Windows/arm64/musl)', () => {
    const dist = freshCopy('dist');
    rmSync(join(dist, 'node_modules', 'onnxruntime-node', 'bin'), { recursive: true });
    const r = score(dist, german('mlp_torch.onnx'), german('test_onehot.csv'), german('onehot_features.json'));
    expect(r.runtime).toBe('onnxruntime-web (wasm)');
    expect(r.notes.join('\n')).toMatch(/^onnxruntime-node is not available on linux\/x64 \(Cannot find module .*onnxruntime_binding\.node.*\); scored with onnxruntime-web \(wasm\) \(slower\)$/m);
    expect(maxAbsDiff(r.scores, referenceScores('german-credit', 'mlp_torch'))).toBeLessThanOrEqual(1e-5);
  }, 60_000);
});
