/**
 * Which ONNX Runtime scores the model.
 *
 * - onnxruntime-node (native, fast) where its binary exists: in the committed dist/ that is linux/x64 (glibc) only,
 *   shipped as a trimmed package under dist/node_modules/ (see .ci/build.mjs); from an npm install, every platform
 *   onnxruntime-node supports.
 * - onnxruntime-web's WASM build (single-threaded) everywhere else: macOS, Windows, arm64, musl. Forced with
 *   MODEL_RISK_GATE_RUNTIME=wasm (MODEL_RISK_GATE_RUNTIME=node refuses the fallback).
 *
 * Both packages are imported with `webpackIgnore` so the ncc bundle leaves the import alone and Node resolves it at
 * run time from dist/node_modules/ (ncc cannot follow onnxruntime-node's templated `require` of its binary).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type * as OrtCommon from 'onnxruntime-common';

export type Ort = typeof OrtCommon;

export interface LoadedRuntime {
  ort: Ort;
  /** 'onnxruntime-node' | 'onnxruntime-web (wasm)' */
  name: string;
  version: string;
  /** Why onnxruntime-node was not used, when the WASM fallback was taken for a reason other than the env var. */
  fallbackReason?: string;
}

export const RUNTIME_ENV_VAR = 'MODEL_RISK_GATE_RUNTIME';
export const NODE_RUNTIME_NAME = 'onnxruntime-node';
export const WASM_RUNTIME_NAME = 'onnxruntime-web (wasm)';

type Preference = 'auto' | 'node' | 'wasm';

const cache = new Map<string, Promise<LoadedRuntime>>();

function preference(): Preference {
  const v = (process.env[RUNTIME_ENV_VAR] ?? '').trim().toLowerCase();
  if (v === 'wasm' || v === 'web') return 'wasm';
  if (v === 'node' || v === 'native') return 'node';
  return 'auto';
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n')[0] ?? msg;
}

/**
 * onnxruntime's own logger prints to stderr, with the model's node and initializer names in it: a pull request could
 * forge workflow commands through it (issue #10). Fatal only (set before the first session: the native environment
 * reads it once); sessions and runs also pass logSeverityLevel 4 (session.ts). Its error text reaches users only
 * inside our UserError, through the output writer.
 */
export const ORT_QUIET_SEVERITY = 4;
function quietLogging(ort: Ort): void {
  try {
    ort.env.logLevel = 'fatal';
  } catch {
    // an older onnxruntime-common without the setter: the session options still silence it
  }
}

async function loadNode(): Promise<LoadedRuntime> {
  const mod = (await import(/* webpackIgnore: true */ 'onnxruntime-node')) as unknown as Ort & { default?: Ort };
  // onnxruntime-node is CommonJS: its exports arrive as named exports and as `default`.
  const ort = (mod.InferenceSession ? mod : mod.default) as Ort;
  if (!ort?.InferenceSession) throw new Error('onnxruntime-node did not export InferenceSession');
  quietLogging(ort);
  return { ort, name: NODE_RUNTIME_NAME, version: ort.env.versions.node ?? ort.env.versions.common ?? 'unknown' };
}

/**
 * dist/ ships onnxruntime-web's .wasm gzip-compressed (14.2 MB -> 3.7 MB committed; see .ci/build.mjs), next to the
 * bundle under node_modules/onnxruntime-web/dist/. Returns the inflated binary there, undefined elsewhere (an npm
 * install, the tests), where onnxruntime-web reads its own .wasm file.
 */
function bundledWasmBinary(): Uint8Array | undefined {
  const parts = ['node_modules', 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.wasm.gz'];
  const file = join(dirname(fileURLToPath(import.meta.url)), ...parts);
  return existsSync(file) ? new Uint8Array(gunzipSync(readFileSync(file))) : undefined;
}

async function loadWasm(): Promise<LoadedRuntime> {
  const ort = (await import(/* webpackIgnore: true */ 'onnxruntime-web')) as unknown as Ort;
  // One thread: no worker threads, no SharedArrayBuffer; works on every platform Node runs on.
  quietLogging(ort);
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.proxy = false;
  const binary = bundledWasmBinary();
  if (binary) ort.env.wasm.wasmBinary = binary;
  return { ort, name: WASM_RUNTIME_NAME, version: ort.env.versions.web ?? ort.env.versions.common ?? 'unknown' };
}

async function loadPreferred(pref: Preference): Promise<LoadedRuntime> {
  if (pref === 'wasm') return loadWasm();
  if (pref === 'node') return loadNode();
  try {
    return await loadNode();
  } catch (nodeError) {
    const reason = `onnxruntime-node is not available on ${process.platform}/${process.arch} (${firstLine(nodeError)})`;
    try {
      return { ...(await loadWasm()), fallbackReason: reason };
    } catch (wasmError) {
      throw new Error(`${reason}; the WASM fallback failed too (${firstLine(wasmError)})`);
    }
  }
}

/**
 * The ONNX Runtime to use in this process (loaded once per preference; the env var is read on every call).
 * Throws (a plain Error: an installation problem, not a user mistake) when no runtime loads.
 */
export function loadOrt(): Promise<LoadedRuntime> {
  const pref = preference();
  let p = cache.get(pref);
  if (!p) {
    p = loadPreferred(pref);
    cache.set(pref, p);
    p.catch(() => cache.delete(pref));
  }
  return p;
}
