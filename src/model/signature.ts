/**
 * Reading a model file and its signature without running it: bounded read, SHA-256, ModelProto decode, inputs,
 * outputs (with ZipMap outputs mapped to the tensors that feed them), class labels, operators.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { UserError, type SourceLocation } from '../util/errors.js';
import { readRegularFileSync } from '../util/safe-fs.js';
import { shortenName } from '../report/escape.js';
import { DEFAULT_WIRE_LIMITS, measureOnnxWire, WireLimitError } from './proto-wire.js';
import {
  decodeModel,
  graphFeedInputs,
  graphOperators,
  int64ToNumber,
  isTensorType,
  nodeAttribute,
  opsetImports,
  producerOf,
  tensorValues,
  valueInfoSignature,
  type GraphProto,
  type TensorProto,
  type ModelProto,
} from './onnx-graph.js';
import { planScoreOutput, type OutputCandidate } from './output-convention.js';
import type { ModelInputSignature } from './types.js';
import { findBypassableZipMaps, type ZipMapBypass } from './zipmap.js';

/** Refuse model files above this size unless the caller says otherwise (500 MB). */
export const DEFAULT_MAX_MODEL_BYTES = 500 * 1024 * 1024;

export interface ModelFile {
  bytes: Uint8Array;
  sha256: string;
  proto: ModelProto;
  graph: GraphProto;
}

/** What `inspectModel` tells about a model file. */
export interface ModelSignature {
  file: string;
  sha256: string;
  bytes: number;
  producer: string;
  irVersion: number;
  opsets: Record<string, number>;
  /** 'domain:op_type', sorted. */
  operators: string[];
  /** Inputs the caller feeds (initializers left out). */
  inputs: ModelInputSignature[];
  /** Outputs as the file declares them (a ZipMap output has type 'seq(map(int64,float32))'). */
  outputs: ModelInputSignature[];
  /** ZipMap outputs and the [N,C] tensors the gate reads instead. */
  zipMaps: ZipMapBypass[];
  /** Class labels declared by the classifier (probability-column order), or []. */
  classes: Array<number | string>;
  /** What the gate scores when the policy names no output: output, kind, positive index; or why it cannot. */
  defaultScore: { output: string; kind: string; positiveIndex: number } | { error: string };
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** Read a model file with a size bound; UserError when missing, unreadable or too big. */
export async function readModelBytes(file: string, where: SourceLocation, maxBytes = DEFAULT_MAX_MODEL_BYTES): Promise<Uint8Array> {
  let size: number;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw new UserError('the model path is not a file: set model.path to the .onnx file', where);
    size = s.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('model file not found: check model.path in the policy', where);
    throw new UserError(`cannot read the model file (${firstLine(e)})`, where);
  }
  if (size > maxBytes) {
    const mb = (n: number): string => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${n} bytes`);
    throw new UserError(
      `model file is ${mb(size)}, above the ${mb(maxBytes)} limit: use a smaller model or raise the limit`,
      where,
    );
  }
  // the size is checked again on the open descriptor, and the read stops at the limit whatever stat said (issue #10)
  const buf = readRegularFileSync(file, { maxBytes, what: 'model', where, tooBigHint: 'use a smaller model or raise the limit' });
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * A Python pickle (scikit-learn / joblib files): starts with the PROTO opcode 0x80 and a protocol 2..5, or is named
 * .pkl / .pickle / .joblib. Loading a pickle runs code, so it is never decoded here; a pickle reader (src/model/pickle)
 * may claim it before parseModel is reached.
 */
export function looksLikePickle(bytes: Uint8Array, file = ''): boolean {
  if (bytes.length >= 2 && bytes[0] === 0x80 && bytes[1]! >= 2 && bytes[1]! <= 5) return true;
  return /\.(pkl|pickle|joblib)$/i.test(file);
}

/** Up to `max` module.name globals a pickle imports (GLOBAL / STACK_GLOBAL opcodes), read as bytes, never executed. */
export function pickleImports(bytes: Uint8Array, max = 5): string[] {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4 * 1024 * 1024)).toString('latin1');
  const out = new Set<string>();
  const name = '[A-Za-z_][A-Za-z0-9_.]{0,80}';
  // GLOBAL: 'c' module '\n' name '\n'
  for (const m of text.matchAll(new RegExp(`c(${name})\\n(${name})\\n`, 'g'))) {
    out.add(`${m[1]}.${m[2]}`);
    if (out.size >= max) return [...out];
  }
  // STACK_GLOBAL (0x93) after two SHORT_BINUNICODE (0x8c len text) strings, memoized (0x94) or not
  for (const m of text.matchAll(new RegExp(`\\x8c[\\s\\S](${name})\\x94?\\x8c[\\s\\S](${name})\\x94?\\x93`, 'g'))) {
    out.add(`${m[1]}.${m[2]}`);
    if (out.size >= max) break;
  }
  return [...out];
}

/** The UserError for a pickle given as the model. */
export function pickleRefusal(bytes: Uint8Array, where: SourceLocation): UserError {
  const imports = pickleImports(bytes).map((s) => s.replace(/[^A-Za-z0-9_.]/g, ''));
  const dangerous = imports.filter((s) => /^(os|posix|nt|subprocess|builtins|__builtin__|sys|shutil|socket|runpy|importlib|pty|ctypes)\./.test(s) || /\.(system|eval|exec|popen|spawn\w*|__import__)$/.test(s));
  const what = imports.length > 0 ? `; it imports ${imports.join(', ')}` : '';
  const warn = dangerous.length > 0 ? ` (${dangerous.join(', ')} would run commands when unpickled)` : '';
  return new UserError(
    `the model file is a Python pickle (scikit-learn/joblib), not ONNX${what}${warn}. The gate never unpickles files, since loading a pickle runs code; export the model to ONNX (skl2onnx) and point model.path at the .onnx file`,
    where,
  );
}

/** Longest model input/output name accepted. */
export const MAX_MODEL_NAME_CHARS = 1024;

/** UserError "not a valid ONNX model (<reason>)". */
export function notOnnx(reason: unknown, where: SourceLocation): UserError {
  return new UserError(`not a valid ONNX model (${firstLine(reason)})`, where);
}

/** Decode and sanity-check model bytes. */
export function parseModel(bytes: Uint8Array, where: SourceLocation): ModelFile {
  // by content only: a reader (src/model/sklearn/open.ts) may have translated a .joblib into the ONNX bytes given here
  if (looksLikePickle(bytes)) throw pickleRefusal(bytes, where);
  // bounded from the wire before decoding: protobufjs makes one object per node, so node counts, not bytes, cost memory
  try {
    measureOnnxWire(bytes);
  } catch (e) {
    if (e instanceof WireLimitError) {
      throw new UserError(`the model is too large to load safely: ${e.what} (limits: ${DEFAULT_WIRE_LIMITS.maxNodes.toLocaleString('en-US')} nodes, ${Math.round(DEFAULT_WIRE_LIMITS.maxDecodeBytes / (1024 * 1024))} MB to decode; weights in raw_data cost only their bytes); simplify the model or store its weights as raw_data`, where);
    }
    throw notOnnx(e, where);
  }
  let proto: ModelProto;
  try {
    proto = decodeModel(bytes);
  } catch (e) {
    throw notOnnx(e, where);
  }
  const graph = proto.graph;
  if (!graph || (graph.output ?? []).length === 0 || (graph.node ?? []).length === 0) {
    throw notOnnx(bytes.length === 0 ? 'empty file' : 'no graph with nodes and outputs', where);
  }
  // input and output names reach the report and every renderer: bounded (issue #10)
  for (const vi of [...(graph.input ?? []), ...(graph.output ?? [])]) {
    const name = vi.name ?? '';
    if (name.length > MAX_MODEL_NAME_CHARS) {
      throw new UserError(`the model has an input or output name of ${name.length} characters, more than the limit of ${MAX_MODEL_NAME_CHARS}; name them shortly when exporting`, where);
    }
  }
  const random = randomOperator(graph);
  if (random !== undefined) {
    throw new UserError(
      `the model draws random numbers (a ${random} node): its scores would change from one call to the next, so no check could be reproduced and attacks and certified bounds would mean nothing; export the model for inference, without random operators or Dropout in training mode`,
      where,
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return { bytes, sha256, proto, graph };
}

/** A bool (or numeric) initializer whose every value is false / 0; false when it cannot be read. */
function isFalseTensor(t: TensorProto): boolean {
  if (t.dataType === 9) {
    const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
    return raw ? raw.every((b) => b === 0) : (t.int32Data ?? []).every((v) => v === 0);
  }
  try {
    return tensorValues(t).every((v) => v === 0);
  } catch {
    return false;
  }
}

/**
 * The nodes the graph's outputs depend on (a dead node cannot change a score; onnxruntime removes it), walking back from
 * the outputs through each node's inputs. A subgraph (Loop/If body) of a live node counts as live as a whole.
 */
function liveNodes(g: GraphProto): NonNullable<GraphProto['node']> {
  const nodes = g.node ?? [];
  const producer = new Map<string, number>();
  nodes.forEach((n, i) => {
    for (const o of n.output ?? []) if (o) producer.set(o, i);
  });
  const live = new Uint8Array(nodes.length);
  const todo = (g.output ?? []).map((o) => o.name ?? '');
  while (todo.length > 0) {
    const i = producer.get(todo.pop() as string);
    if (i === undefined || live[i]) continue;
    live[i] = 1;
    const n = nodes[i]!;
    todo.push(...(n.input ?? []));
    // a subgraph reads outer tensors by name: keep their producers alive too
    for (const a of n.attribute ?? []) for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) for (const sn of sub.node ?? []) todo.push(...(sn.input ?? []));
  }
  return nodes.filter((_, i) => live[i]);
}

/** ONNX operators whose output is random at every call (default domain). */
const RANDOM_OPS = new Set(['RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli']);

/**
 * The first operator of the graph (or of a subgraph: Loop, If, Scan bodies) that makes scores random: one of RANDOM_OPS,
 * or Dropout whose `training_mode` input is anything but an initializer holding false (in inference Dropout is the
 * identity). Undefined when the scores are a function of the inputs. Subgraph depth is bounded on the wire before this.
 */
export function randomOperator(graph: GraphProto): string | undefined {
  const stack: GraphProto[] = [graph];
  while (stack.length > 0) {
    const g = stack.pop() as GraphProto;
    const initializers = new Map((g.initializer ?? []).map((t) => [t.name ?? '', t]));
    for (const node of liveNodes(g)) {
      const op = node.opType ?? '';
      const domain = node.domain ?? '';
      if ((domain === '' || domain === 'ai.onnx') && RANDOM_OPS.has(op)) return op;
      if ((domain === '' || domain === 'ai.onnx') && op === 'Dropout') {
        const mode = node.input?.[2];
        if (mode) {
          const t = initializers.get(mode);
          if (!t || !isFalseTensor(t)) return 'Dropout (training mode)';
        }
      }
      for (const a of node.attribute ?? []) {
        if (a.g) stack.push(a.g);
        for (const sub of a.graphs ?? []) stack.push(sub);
      }
    }
  }
  return undefined;
}

/** Classifier class labels in probability-column order: from a ZipMap, else from an ai.onnx.ml *Classifier node. */
export function classLabels(graph: GraphProto): Array<number | string> {
  const nodes = (graph.node ?? []).filter((n) => n.domain === 'ai.onnx.ml');
  const ordered = [...nodes.filter((n) => n.opType === 'ZipMap'), ...nodes.filter((n) => /Classifier$/.test(n.opType ?? ''))];
  for (const node of ordered) {
    for (const attr of ['classlabels_int64s', 'classlabels_ints', 'classlabels_strings']) {
      const v = nodeAttribute(node, attr);
      if (Array.isArray(v) && v.length > 0) return v as Array<number | string>;
    }
  }
  return [];
}

/** Outputs the gate could score from: tensors as declared, ZipMap outputs as the tensors that feed them. */
export function outputCandidates(graph: GraphProto, zipMaps: ZipMapBypass[]): OutputCandidate[] {
  const out: OutputCandidate[] = [];
  for (const vi of graph.output ?? []) {
    const sig = valueInfoSignature(vi);
    const zm = zipMaps.find((z) => z.zipMapOutput === sig.name);
    if (zm) {
      out.push({ name: sig.name, fetch: zm.tensor, type: 'float32', shape: [null, zm.classes.length || null], viaZipMap: true });
    } else if (isTensorType(vi.type)) {
      out.push({ name: sig.name, fetch: sig.name, type: sig.type, shape: sig.shape, viaZipMap: false });
    }
  }
  return out;
}

/** Signature of a parsed model file. */
export function signatureOf(file: string, m: ModelFile): ModelSignature {
  const zipMaps = findBypassableZipMaps(m.graph);
  const classes = classLabels(m.graph);
  const candidates = outputCandidates(m.graph, zipMaps);
  let defaultScore: ModelSignature['defaultScore'];
  try {
    const plan = planScoreOutput({ candidates, classes, modelLocation: { file } });
    defaultScore = { output: plan.output, kind: plan.kind, positiveIndex: plan.positiveIndex };
  } catch (e) {
    defaultScore = { error: e instanceof Error ? e.message : String(e) };
  }
  return {
    file,
    sha256: m.sha256,
    bytes: m.bytes.length,
    producer: shortenName(producerOf(m.proto), 200),
    irVersion: int64ToNumber(m.proto.irVersion),
    opsets: opsetImports(m.proto),
    operators: graphOperators(m.graph),
    inputs: graphFeedInputs(m.graph).map(valueInfoSignature),
    outputs: (m.graph.output ?? []).map(valueInfoSignature),
    zipMaps,
    classes,
    defaultScore,
  };
}

/**
 * Signature of a model file without creating a session (for the CLI's `inspect`): inputs, outputs, ZipMaps, classes,
 * operators, and which output the gate would score. UserError when the file is missing, too big or not ONNX.
 */
export async function inspectModel(
  file: string,
  opts: { displayPath?: string; maxBytes?: number } = {},
): Promise<ModelSignature> {
  const where = { file: opts.displayPath ?? file };
  const bytes = await readModelBytes(file, where, opts.maxBytes);
  // ONNX, or a scikit-learn pickle / XGBoost / LightGBM file translated in memory (issue #11)
  const { openModel } = await import('./sklearn/open.js');
  return signatureOf(where.file, openModel(bytes, where).parsed);
}
