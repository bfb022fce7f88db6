/**
 * The npm package as a newcomer meets it (issue #15): `npm pack` of this checkout, installed into an empty directory
 * with no install scripts and no network (--offline: the package has no dependencies, dist/ carries everything), then
 * `npx model-risk-gate check` on a copied example policy with its model and data. Prints the tarball and dist sizes.
 *
 * It packs the committed dist/ as it is: run `npm run build` first when src/ changed (.ci/run does).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = 'policies/example-german-credit.yml';

interface PackFile {
  path: string;
  size: number;
}
interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: PackFile[];
}

let work: string;
let pack: PackResult;
let project: string;

function sh(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      npm_config_cache: join(work, 'npm-cache'),
      npm_config_update_notifier: 'false',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function hasNodeModulesAbove(dir: string): boolean {
  for (let d = dir; ; d = dirname(d)) {
    if (existsSync(join(d, 'node_modules'))) return true;
    if (d === dirname(d)) return false;
  }
}

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

const mb = (n: number): string => `${(n / 1e6).toFixed(1)} MB`;

describe('npm pack -> install from the tarball -> npx model-risk-gate check', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist', 'cli.js'))) throw new Error('no dist/cli.js: run `npm run build`');
    // nothing above the install may provide a node_modules (the package must carry what it needs)
    const base = [tmpdir(), '/var/tmp', '/dev/shm', homedir()].find((d) => existsSync(d) && !hasNodeModulesAbove(d));
    if (!base) throw new Error('no temp directory without a node_modules above it');
    work = mkdtempSync(join(base, 'mrg-pack-'));
    const r = sh('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], ROOT);
    if (r.status !== 0) throw new Error(`npm pack failed:\n${r.stderr}`);
    pack = (JSON.parse(r.stdout) as PackResult[])[0]!;
    project = join(work, 'project');
    mkdirSync(project);
  }, 120_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('ships dist/, action.yml, the schemas, the example policies, README and LICENSE; no tests, bench, CI scripts or sources', () => {
    const paths = pack.files.map((f) => f.path).sort();
    for (const p of [
      'package.json', 'README.md', 'LICENSE', 'action.yml',
      'dist/cli.js', 'dist/index.js', 'dist/package.json',
      'dist/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      'dist/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm.gz',
      'policies/schema.json', 'policies/report.schema.json', EXAMPLE,
    ]) expect(paths).toContain(p);
    expect(paths.filter((p) => /^(test|bench|\.ci|src|build|node_modules)\//.test(p) || p === 'tsconfig.json' || p === 'package-lock.json')).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(manifest.dependencies ?? {}).toEqual({});
    expect(manifest.bin).toEqual({ 'model-risk-gate': 'dist/cli.js' });
    const distBytes = pack.files.filter((f) => f.path.startsWith('dist/')).reduce((n, f) => n + f.size, 0);
    const biggest = [...pack.files].sort((a, b) => b.size - a.size).slice(0, 5).map((f) => `${f.path} ${mb(f.size)}`);
    console.log(
      `npm pack: ${pack.filename} ${mb(pack.size)} packed, ${mb(pack.unpackedSize)} unpacked, ${pack.entryCount} files; dist/ ${mb(distBytes)}\n  largest: ${biggest.join('; ')}`,
    );
    expect(pack.size).toBeLessThan(35e6);
  });

  it('action.yml has what a GitHub Marketplace listing needs and runs the shipped bundle', () => {
    const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as {
      name?: string; description?: string; author?: string; branding?: { icon?: string; color?: string }; runs?: { using?: string; main?: string };
    };
    expect(action.name).toBe('model-risk-gate');
    expect(action.description?.length).toBeGreaterThan(20);
    expect(action.author).toBeTruthy();
    expect(action.branding?.icon).toBe('shield');
    expect(['white', 'black', 'yellow', 'blue', 'green', 'orange', 'red', 'purple', 'gray-dark']).toContain(action.branding?.color);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(pack.files.map((f) => f.path)).toContain(action.runs!.main);
    // the Marketplace lists a repository with one action.yml at its root and no workflow files
    expect(existsSync(join(ROOT, '.github', 'workflows'))).toBe(false);
  });

  it('installs offline with no install scripts and passes the German credit example through npx and through the Action bundle', () => {
    expect(hasNodeModulesAbove(project)).toBe(false);
    const install = sh('npm', ['install', '--offline', '--ignore-scripts', '--no-package-lock', join(work, pack.filename)], project);
    expect(install.status, install.stderr).toBe(0);
    const installed = join(project, 'node_modules', 'model-risk-gate');
    expect(readdirSync(join(project, 'node_modules')).filter((d) => !d.startsWith('.'))).toEqual(['model-risk-gate']); // no dependencies
    console.log(`installed package: ${mb(dirBytes(installed))} (dist/ ${mb(dirBytes(join(installed, 'dist')))})`);
    // dist/ is self-contained: it reads no policies/schema.json (the validator and schema are compiled into the bundle)
    rmSync(join(installed, 'policies', 'schema.json'));

    // the example policy and the files it names, at the same relative paths
    cpSync(join(ROOT, EXAMPLE), join(project, 'model-policy.yml'));
    const policy = parse(readFileSync(join(ROOT, EXAMPLE), 'utf8')) as { model: { path: string; features?: { file?: string } }; dataset: { path: string } };
    for (const rel of [policy.model.path, policy.dataset.path, policy.model.features?.file].filter((p): p is string => !!p)) {
      mkdirSync(dirname(join(project, rel)), { recursive: true });
      cpSync(join(ROOT, rel), join(project, rel));
    }
    const headline = /^# Outcome \(checked by [^)]*\): exit 0, `(.*)`$/m.exec(readFileSync(join(ROOT, EXAMPLE), 'utf8'))?.[1];
    expect(headline).toMatch(/^✔ PASS/);

    const run = sh('npx', ['--offline', '--no-install', 'model-risk-gate', 'check', '--policy', 'model-policy.yml', '--out', 'report', '--no-color'], project);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    // the exact counts are test/e2e/examples.test.ts's business; here: the verdict line of a pass
    expect(run.stdout.split('\n').filter((l) => l.startsWith('✔ PASS  model-risk-gate: '))).toHaveLength(1);
    expect(run.stderr).not.toMatch(/\n\s+at |internal error/);
    const report = JSON.parse(readFileSync(join(project, 'report', 'report.json'), 'utf8')) as { verdict: string; model: { info: { runtime?: string } } };
    expect(report.verdict).toBe('pass');
    // native speed where the shipped binary fits (linux/x64 glibc), else the WASM fallback in the same package
    const native = process.platform === 'linux' && process.arch === 'x64';
    expect(report.model.info.runtime).toBe(native ? 'onnxruntime-node' : 'onnxruntime-web (wasm)');

    // the Action's bundle from the same install: no node_modules above it either
    const action = sh(process.execPath, [join(installed, 'dist', 'index.js')], project, {
      GITHUB_WORKSPACE: project,
      INPUT_POLICY: 'model-policy.yml',
      'INPUT_REPORT-DIR': 'action-report',
      INPUT_COMMENT: 'false',
      'INPUT_ARTIFACT-NAME': '',
    });
    expect(action.status, `${action.stdout}\n${action.stderr}`).toBe(0);
    expect(action.stdout).toContain('::group::model-risk-gate: scoring (300 rows)');
    expect((JSON.parse(readFileSync(join(project, 'action-report', 'report.json'), 'utf8')) as { verdict: string }).verdict).toBe('pass');
  }, 180_000);
});
