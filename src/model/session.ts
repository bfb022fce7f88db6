/**
 * The scoring model: an onnxruntime session over the (ZipMap-bypassed) model bytes, the output convention, and a
 * batched `score()` that returns one Float32Array of positive-class scores.
 */
import type { InferenceSession } from 'onnxruntime-common';
import type { ModelSpec, PolicyPointer } from '../policy/types.js';
import { UserError, type SourceLocation } from '../util/errors.js';
import { batchFeeds, checkInputFitsModel } from './input-feeds.js';
import { planScoreOutput, type ScorePlan } from './output-convention.js';
import { writeBatchScores, type OutputTensor } from './output-reader.js';
import { loadOrt, ORT_QUIET_SEVERITY, WASM_RUNTIME_NAME, type LoadedRuntime } from './runtime.js';
import {
  DEFAULT_MAX_MODEL_BYTES,
  notOnnx,
  outputCandidates,
  readModelBytes,
  signatureOf,
  type ModelFile,
} from './signature.js';
import type { ModelInfo, ModelInput, ModelInputSignature, ScoringModel } from './types.js';
import { bypassZipMaps } from './zipmap.js';
import { openModel } from './sklearn/open.js';
import { makeTreeView, type TranslatedTreeView } from './sklearn/tree-view.js';

export { inspectModel, DEFAULT_MAX_MODEL_BYTES, type ModelSignature } from './signature.js';

export interface LoadModelOptions {
  /** Path to read. */
  file: string;
  /** Path as the user knows it (in messages and in ModelInfo.file). */
  displayPath: string;
  spec: ModelSpec;
  /** Refuse bigger files (default 500 MB). */
  maxBytes?: number;
  /** Source position of a policy value, so errors about model.output / model.positive_index point at the policy line. */
  locate?: (pointer: PolicyPointer) => SourceLocation;
}

const DEFAULT_BATCH_SIZE = 8192;

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = (msg.split('\n').find((l) => l.trim() !== '') ?? msg).trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

/** An onnxruntime session error -> the user-facing reason. */
function sessionError(e: unknown, runtime: LoadedRuntime, where: SourceLocation): UserError {
  const line = firstLine(e);
  if (/implementation|not supported|not implemented|unsupported|opset/i.test(line)) {
    const hint =
      runtime.name === WASM_RUNTIME_NAME
        ? ': onnxruntime-web (wasm), the fallback on this platform, lacks it; run on linux/x64 or install onnxruntime-node for this platform'
        : ': export the model with operators/opsets onnxruntime supports';
    return new UserError(`${runtime.name} ${runtime.version} cannot run this model (${line})${hint}`, where);
  }
  return notOnnx(line, where);
}

class OnnxScoringModel implements ScoringModel {
  readonly info: ModelInfo;
  /** Trees of a translated scikit-learn / XGBoost model on its encoded features (issue #11), for exact TreeSHAP. */
  treeView?: TranslatedTreeView;
  /** The ONNX graph of a translated model (the file itself is a pickle / JSON): certificates read its trees (#14). */
  graphBytes?: Uint8Array;
  private rowsScored = 0;
  /** The same fetch list and run options for every run (built once, not per batch). */
  private readonly fetches: string[];
  private readonly runOptions: InferenceSession.RunOptions = { logSeverityLevel: ORT_QUIET_SEVERITY, logVerbosityLevel: 0 };
  constructor(
    info: ModelInfo,
    private readonly runtime: LoadedRuntime,
    private readonly session: InferenceSession,
    private readonly plan: ScorePlan,
    private readonly feedSignature: ModelInputSignature[],
    private readonly batchSize: number,
    private readonly where: SourceLocation,
  ) {
    this.info = info;
    this.fetches = [plan.fetch];
  }

  get queries(): number {
    return this.rowsScored;
  }

  async score(input: ModelInput): Promise<Float32Array> {
    checkInputFitsModel(input, this.feedSignature, this.where);
    const n = input.rows;
    const out = new Float32Array(n);
    const fetches = this.fetches;
    for (let start = 0; start < n; start += this.batchSize) {
      const end = Math.min(n, start + this.batchSize);
      const feeds = batchFeeds(this.runtime.ort, input, this.feedSignature, start, end);
      let results: InferenceSession.OnnxValueMapType;
      try {
        results = await this.session.run(feeds, fetches, this.runOptions);
      } catch (e) {
        throw new UserError(`${this.runtime.name} failed to score rows ${start}..${end - 1} (${firstLine(e)})`, this.where);
      }
      const t = results[this.plan.fetch] as unknown as OutputTensor;
      writeBatchScores(t, this.plan, out, start, end - start, this.where);
      this.rowsScored += end - start;
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}

async function createSession(runtime: LoadedRuntime, bytes: Uint8Array, where: SourceLocation): Promise<InferenceSession> {
  try {
    return await runtime.ort.InferenceSession.create(bytes, {
      graphOptimizationLevel: 'all',
      logSeverityLevel: ORT_QUIET_SEVERITY,
      logVerbosityLevel: 0,
      // issue #14: onnxruntime's worker threads spin-wait after each run by default; between runs the gate encodes the
      // next batch in JS, and other sessions (the base branch's model) may be alive: the spinning threads took the CPU
      // they need (measured: the gate's session ~20-35% slower than a bare one on the same calls)
      ...(runtime.name === WASM_RUNTIME_NAME ? {} : { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }),
    });
  } catch (e) {
    throw sessionError(e, runtime, where);
  }
}

/**
 * Load a model for scoring. UserError (located at the model file, or at the policy line via `locate`) when the file is
 * missing, too big, not ONNX, not runnable, or when the policy's output / positive index does not fit the model.
 */
export async function loadModel(opts: LoadModelOptions): Promise<ScoringModel> {
  const where: SourceLocation = { file: opts.displayPath };
  const fileBytes = await readModelBytes(opts.file, where, opts.maxBytes ?? DEFAULT_MAX_MODEL_BYTES);
  // ONNX, or a scikit-learn pickle / XGBoost JSON translated in memory; scanned first (issue #11)
  const opened = openModel(fileBytes, where);
  const bytes = opened.onnx;
  const parsed: ModelFile = opened.parsed;
  const signature = signatureOf(opts.displayPath, parsed);

  const plan = planScoreOutput({
    candidates: outputCandidates(parsed.graph, signature.zipMaps),
    output: opts.spec.output,
    positiveIndex: opts.spec.positive_index,
    classes: signature.classes,
    modelLocation: where,
    outputLocation: opts.locate?.(['model', 'output']),
    positiveIndexLocation: opts.locate?.(['model', 'positive_index']),
  });

  let runBytes = bytes;
  let zipMapBypassed = false;
  if (plan.fetch !== plan.output) {
    try {
      runBytes = bypassZipMaps(bytes, parsed.proto).bytes;
    } catch (e) {
      throw notOnnx(e, where);
    }
    zipMapBypassed = true;
  }

  const runtime = await loadOrt();
  const session = await createSession(runtime, runBytes, where);

  const notes = [...plan.notes];
  if (runtime.fallbackReason) notes.push(`${runtime.fallbackReason}; scored with ${runtime.name} (slower)`);

  const info: ModelInfo = {
    file: opts.displayPath,
    sha256: signature.sha256,
    bytes: signature.bytes,
    producer: signature.producer,
    inputs: signature.inputs,
    outputs: signature.outputs,
    scoreOutput: plan.output,
    outputKind: plan.kind,
    positiveIndex: plan.positiveIndex,
    zipMapBypassed,
    runtime: runtime.name,
    runtimeVersion: runtime.version,
    notes,
    artifact: opened.scan,
  };
  if (opened.foreign) {
    const t = opened.foreign.translation;
    // numeric inputs whose blank cells the translated model handles (imputer, NaN-aware trees) may be left blank
    for (const sig of signature.inputs) if (t.nanInputs.includes(sig.name)) sig.missing = 'nan';
    info.translated = { format: opened.foreign.format, estimator: opened.scan.translatedFrom ?? t.tree.cls, inputs: t.inputs.map((i) => i.name), encodedFeatures: t.features.length, scoring: t.scoring, classes: t.classes };
    if (t.sklearnVersion) info.translated.sklearnVersion = t.sklearnVersion;
    notes.push(...t.notes);
    if (plan.kind === 'probabilities' && t.classes[plan.positiveIndex] !== undefined) {
      notes.push(`translated from ${opened.foreign.format}: the score is predict_proba column ${plan.positiveIndex}, class ${JSON.stringify(t.classes[plan.positiveIndex])} of classes_ ${JSON.stringify(t.classes)}`);
    }
  }
  const batchSize = Number.isInteger(opts.spec.batch_size) && opts.spec.batch_size > 0 ? opts.spec.batch_size : DEFAULT_BATCH_SIZE;
  const scoring = new OnnxScoringModel(info, runtime, session, plan, signature.inputs, batchSize, where);
  if (opened.foreign) {
    scoring.treeView = makeTreeView(opened.foreign.translation) ?? undefined;
    scoring.graphBytes = bytes;
  }
  return scoring;
}
