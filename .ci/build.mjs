#!/usr/bin/env node
/**
 * Build the committed dist/ (`npm run build`): runs from a fresh clone with no npm install.
 *
 *   0. .ci/policy-validator.mjs        policies/schema.json -> src/policy/schema.generated.ts (the policy validator as
 *                                      ajv standalone code: compiled once here, not at every run; the schema is embedded)
 *   1. tsc -p tsconfig.json            src/ -> build/ (plain ESM JS; ncc never compiles TypeScript itself)
 *   2. @vercel/ncc                     build/main.js -> dist/index.js (the Action), build/cli.js -> dist/cli.js (the CLI,
 *                                      `#!/usr/bin/env node`, executable); ESM, since package.json has "type": "module"
 *   3. ONNX Runtime, unbundled         dist/node_modules/onnxruntime-node (linux/x64 binary + JS only),
 *                                      dist/node_modules/onnxruntime-common (its JS API),
 *                                      dist/node_modules/onnxruntime-web (node ESM build + the smallest .wasm,
 *                                      gzip-compressed: the fallback for macOS, Windows, arm64, musl).
 *      src/model/runtime.ts imports them with `webpackIgnore`, so Node resolves them from dist/node_modules at run time.
 *
 * Deterministic: same sources + same node_modules -> byte-identical dist/ (no timestamps, sorted outputs, ncc cache off).
 *
 * Options:
 *   --out <dir>               output directory (default dist)
 *   --entry <name>=<file.js>  bundle this tsc output file as <name>.js instead of the defaults (repeatable)
 *   --build-dir <dir>         tsc output directory (default build; the default entries are read from it)
 *   --skip-tsc                bundle the existing build output (no tsc run)
 *   --allow-incomplete        keep going when tsc reports type errors (it still emits) or a bundle has imports ncc
 *                             could not resolve (for trying the build while sources are in flux; never for dist/)
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { GENERATED_FILE, SCHEMA_FILE, generate as generatePolicyValidator } from './policy-validator.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const NODE_MODULES = join(ROOT, 'node_modules');

/** Largest dist/ we accept (raw bytes). The budget is 70 MB. */
const MAX_DIST_BYTES = 70 * 1000 * 1000;

/** The runtime files shipped unbundled, relative to each package directory. */
const ORT_NODE_FILES = [
  'dist/index.js',
  'dist/backend.js',
  'dist/binding.js',
  'dist/version.js',
  'bin/napi-v6/linux/x64/libonnxruntime.so.1',
  'bin/napi-v6/linux/x64/onnxruntime_binding.node',
];
/** ort.node.min.mjs loads ./ort-wasm-simd-threaded.mjs (the glue of the smallest WASM build, 1 thread is enough). */
const ORT_WEB_FILES = ['dist/ort.node.min.mjs', 'dist/ort-wasm-simd-threaded.mjs'];
/**
 * Its .wasm (14.2 MB) ships gzip-compressed (3.7 MB): src/model/runtime.ts inflates it into env.wasm.wasmBinary.
 * zlib output may differ between Node versions, so an existing .gz that inflates to the same bytes is kept as is.
 */
const ORT_WEB_WASM = 'dist/ort-wasm-simd-threaded.wasm';

const MIT_MICROSOFT = `MIT License

Copyright (c) Microsoft Corporation.

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
`;

function parseArgs(argv) {
  const opts = { out: join(ROOT, 'dist'), buildDir: join(ROOT, 'build'), entries: [], skipTsc: false, allowIncomplete: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = resolve(argv[++i]);
    else if (a === '--build-dir') opts.buildDir = resolve(argv[++i]);
    else if (a === '--entry') {
      const [name, file] = argv[++i].split('=');
      opts.entries.push({ name, file: resolve(file), shebang: name === 'cli' });
    } else if (a === '--skip-tsc') opts.skipTsc = true;
    else if (a === '--allow-incomplete') opts.allowIncomplete = true;
    else throw new Error(`unknown option ${a}`);
  }
  if (opts.entries.length === 0) {
    opts.entries = [
      { name: 'index', file: join(opts.buildDir, 'main.js'), shebang: false },
      { name: 'cli', file: join(opts.buildDir, 'cli.js'), shebang: true },
    ];
  }
  return opts;
}

function log(msg) {
  process.stderr.write(`build: ${msg}\n`);
}

function runTsc(buildDir, allowIncomplete) {
  rmSync(buildDir, { recursive: true, force: true });
  const tsc = join(NODE_MODULES, 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.json'), '--outDir', buildDir], { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) {
    process.stderr.write(r.stdout + r.stderr);
    if (!allowIncomplete) throw new Error('tsc reported errors (see above)');
    log('tsc reported type errors; continuing (--allow-incomplete)');
  }
}

/** Imports ncc could not resolve: it turns them into `eval("require")("x")` stubs that fail at run time. */
function unresolvedImports(code) {
  return [...code.matchAll(/eval\("require"\)\("([^"]+)"\)/g)].map((m) => m[1]).sort();
}

async function bundle(entry, allowIncomplete) {
  const ncc = require('@vercel/ncc');
  if (!existsSync(entry.file)) throw new Error(`entry ${relative(ROOT, entry.file)} does not exist (did tsc emit it?)`);
  const { code, assets } = await ncc(entry.file, {
    cache: false,
    minify: false,
    sourceMap: false,
    quiet: true,
    license: 'licenses.txt',
    // Node built-ins only; everything else is bundled, except the two imports marked webpackIgnore (ONNX Runtime).
    externals: [],
  });
  const unresolved = unresolvedImports(code);
  if (unresolved.length > 0) {
    const msg = `${entry.name}.js: ncc could not resolve ${unresolved.join(', ')}`;
    if (!allowIncomplete) throw new Error(msg);
    log(`warning: ${msg} (--allow-incomplete)`);
  }
  if (!code.startsWith('import ') && !code.includes('\nimport ')) throw new Error(`${entry.name}.js is not ESM (is "type": "module" in package.json?)`);
  return { code, assets };
}

function withShebang(code) {
  const body = code.startsWith('#!') ? code.slice(code.indexOf('\n') + 1) : code;
  return `#!/usr/bin/env node\n${body}`;
}

function copyPackageFiles(pkgDir, outPkgDir, files) {
  for (const f of files) {
    const from = join(pkgDir, f);
    if (!existsSync(from)) throw new Error(`missing ${relative(ROOT, from)}: is ${relative(NODE_MODULES, pkgDir)} installed with its linux/x64 binary?`);
    const to = join(outPkgDir, f);
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
  }
}

/** package.json of a trimmed package: only what Node's resolver needs (no install scripts). */
function writePackageJson(outPkgDir, fields) {
  mkdirSync(outPkgDir, { recursive: true });
  writeFileSync(join(outPkgDir, 'package.json'), `${JSON.stringify(fields, null, 2)}\n`);
  writeFileSync(join(outPkgDir, 'LICENSE'), MIT_MICROSOFT);
}

function jsFilesIn(dir) {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.js') || f === 'package.json')
    .sort();
}

function compressedWasm(raw, previous) {
  if (previous) {
    try {
      if (gunzipSync(previous).equals(raw)) return previous;
    } catch {
      // not a valid gzip: make a new one
    }
  }
  const gz = gzipSync(raw, { level: 9 });
  if (!gunzipSync(gz).equals(raw)) throw new Error('gzip round trip of the .wasm failed');
  return gz;
}

function shipOnnxRuntime(out, previousWasmGz) {
  const nm = join(out, 'node_modules');
  const pkgJson = (name) => JSON.parse(readFileSync(join(NODE_MODULES, name, 'package.json'), 'utf8'));

  const node = pkgJson('onnxruntime-node');
  const common = pkgJson('onnxruntime-common');
  const web = pkgJson('onnxruntime-web');
  if (node.version !== common.version || web.version !== common.version) {
    throw new Error(`onnxruntime versions differ: node ${node.version}, common ${common.version}, web ${web.version}`);
  }

  const nodeOut = join(nm, 'onnxruntime-node');
  writePackageJson(nodeOut, { name: node.name, version: node.version, license: node.license, main: node.main });
  copyPackageFiles(join(NODE_MODULES, 'onnxruntime-node'), nodeOut, ORT_NODE_FILES);
  chmodSync(join(nodeOut, 'bin/napi-v6/linux/x64/onnxruntime_binding.node'), 0o755);
  chmodSync(join(nodeOut, 'bin/napi-v6/linux/x64/libonnxruntime.so.1'), 0o755);

  const commonOut = join(nm, 'onnxruntime-common');
  writePackageJson(commonOut, {
    name: common.name,
    version: common.version,
    license: common.license,
    type: common.type,
    main: common.main,
    exports: common.exports,
  });
  const commonDir = join(NODE_MODULES, 'onnxruntime-common');
  for (const flavour of ['cjs', 'esm']) {
    copyPackageFiles(commonDir, commonOut, jsFilesIn(join(commonDir, 'dist', flavour)).map((f) => `dist/${flavour}/${f}`));
  }

  const webOut = join(nm, 'onnxruntime-web');
  writePackageJson(webOut, {
    name: web.name,
    version: web.version,
    license: web.license,
    exports: { '.': { node: { import: './dist/ort.node.min.mjs' } } },
  });
  copyPackageFiles(join(NODE_MODULES, 'onnxruntime-web'), webOut, ORT_WEB_FILES);
  const wasm = readFileSync(join(NODE_MODULES, 'onnxruntime-web', ORT_WEB_WASM));
  writeFileSync(join(webOut, `${ORT_WEB_WASM}.gz`), compressedWasm(wasm, previousWasmGz));
  if (web.dependencies['onnxruntime-common'] !== common.version) {
    throw new Error(`onnxruntime-web ${web.version} wants onnxruntime-common ${web.dependencies['onnxruntime-common']}`);
  }
}

function dirBytes(dir) {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  // ncc names modules by their path relative to the working directory: build from the repo root, always.
  process.chdir(ROOT);
  if (!opts.skipTsc) {
    const validator = generatePolicyValidator(readFileSync(SCHEMA_FILE, 'utf8'));
    if (!existsSync(GENERATED_FILE) || readFileSync(GENERATED_FILE, 'utf8') !== validator) {
      writeFileSync(GENERATED_FILE, validator);
      log(`regenerated ${relative(ROOT, GENERATED_FILE)} from ${relative(ROOT, SCHEMA_FILE)}`);
    }
    runTsc(opts.buildDir, opts.allowIncomplete);
  }

  const bundles = [];
  for (const entry of opts.entries) bundles.push({ entry, ...(await bundle(entry, opts.allowIncomplete)) });

  const wasmGz = join(opts.out, 'node_modules', 'onnxruntime-web', `${ORT_WEB_WASM}.gz`);
  const previousWasmGz = existsSync(wasmGz) ? readFileSync(wasmGz) : undefined;
  rmSync(opts.out, { recursive: true, force: true });
  mkdirSync(opts.out, { recursive: true });
  const assets = new Map();
  for (const { entry, code, assets: a } of bundles) {
    const file = join(opts.out, `${entry.name}.js`);
    writeFileSync(file, entry.shebang ? withShebang(code) : code);
    chmodSync(file, entry.shebang ? 0o755 : 0o644);
    for (const [name, asset] of Object.entries(a).sort(([x], [y]) => x.localeCompare(y))) {
      const source = Buffer.from(asset.source);
      // Each bundle's license list goes next to it; other assets are shared and must agree.
      const outName = name === 'licenses.txt' ? `${entry.name}.licenses.txt` : name;
      const prev = assets.get(outName);
      if (prev && !prev.equals(source)) throw new Error(`bundles disagree on asset ${outName}`);
      assets.set(outName, source);
    }
  }
  for (const [name, source] of [...assets].sort(([x], [y]) => x.localeCompare(y))) {
    const file = join(opts.out, name);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, source);
  }
  if (!assets.has('package.json')) writeFileSync(join(opts.out, 'package.json'), '{\n  "type": "module"\n}\n');

  shipOnnxRuntime(opts.out, previousWasmGz);

  const bytes = dirBytes(opts.out);
  log(`${relative(process.cwd(), opts.out) || '.'}: ${(bytes / 1e6).toFixed(1)} MB`);
  if (bytes > MAX_DIST_BYTES) throw new Error(`dist is ${(bytes / 1e6).toFixed(1)} MB, above the ${MAX_DIST_BYTES / 1e6} MB budget`);
}

main().catch((e) => {
  process.stderr.write(`build failed: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
