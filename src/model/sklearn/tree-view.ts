/**
 * The trees of a translated model as TreeSHAP needs them: the encoded feature matrix (float64, computed by the
 * translated preprocessing in onnxruntime), the raw column each encoded feature came from, and a tree-only ONNX model
 * on that matrix whose single output is the score of the chosen class. Exact interventional TreeSHAP on the encoded
 * features with the features of one raw column grouped as one player is exact Shapley on the raw columns, because
 * every encoder and scaler reads one raw column only.
 */
import type { InferenceSession } from 'onnxruntime-common';
import { batchFeeds } from '../input-feeds.js';
import { decodeModel, graphFeedInputs, valueInfoSignature, type ModelProto } from '../onnx-graph.js';
import { loadOrt, type LoadedRuntime } from '../runtime.js';
import type { ModelInput, ModelInputSignature } from '../types.js';
import { GraphBuilder, T_DOUBLE } from './onnx-builder.js';
import { emitTreeEnsemble, isLeaf } from './tree-ir.js';
import type { Translation } from './translate.js';

export const TREE_VIEW_INPUT = 'features';
export const TREE_VIEW_OUTPUT = 'score';

export interface TranslatedTreeView {
  /** Encoded feature names (e.g. 'workclass_Private'). */
  features: string[];
  /** Raw column (model input name) of each encoded feature; for a matrix input 'X', the column index as text. */
  featureRaw: string[];
  /** When the model takes one matrix X: the X column of each encoded feature's raw column (else null). */
  featureMatrixColumn: Int32Array | null;
  /** Tree-only model on the encoded features whose output TREE_VIEW_OUTPUT [N,1] is the score of class `positiveIndex`. */
  treeModel(positiveIndex: number): ModelProto;
  /** The encoded features of every row of `input`, row-major [rows x features.length], float64. */
  encode(input: ModelInput): Promise<Float64Array>;
  /** One-line description of the trees. */
  describe: string;
}

export function makeTreeView(t: Translation): TranslatedTreeView | null {
  const part = t.trees;
  const enc = t.encoderOnnx;
  if (!part || !enc) return null;
  const d = t.features.length;
  const matrix = t.inputs.length === 1 && t.inputs[0].name === 'X';
  const featureMatrixColumn = matrix ? Int32Array.from(t.featureRaw, (r) => Number(/^[xf](\d+)$/.exec(r)?.[1] ?? -1)) : null;
  let session: Promise<{ runtime: LoadedRuntime; session: InferenceSession; inputs: ModelInputSignature[] }> | null = null;
  const cache = new WeakMap<object, Float64Array>();
  const models = new Map<number, ModelProto>();
  return {
    features: t.features,
    featureRaw: t.featureRaw,
    featureMatrixColumn,
    describe: `${part.trees.length} trees on ${d} encoded features`,
    treeModel(positiveIndex: number): ModelProto {
      const cached = models.get(positiveIndex);
      if (cached) return cached;
      const g = new GraphBuilder();
      g.input(TREE_VIEW_INPUT, T_DOUBLE, ['N', d]);
      const T = part.trees.length;
      const neg = positiveIndex === 0;
      let perLeaf: (v: number) => number;
      let offset: number;
      if (part.logistic) {
        // sigmoid(s * (offset + sum)) for class 1; class 0 negates
        const s = part.marginScale * (neg ? -1 : 1);
        perLeaf = (v) => v * s;
        offset = part.offset * s;
      } else {
        // mean of leaf fractions for class 1; class 0: 1/T - v per tree
        perLeaf = neg ? (v) => 1 / T - v : (v) => v;
        offset = neg ? -part.offset : part.offset;
      }
      let out = emitTreeEnsemble(g, TREE_VIEW_INPUT, part.trees, { perLeaf, firstTreeOffset: offset });
      if (part.logistic) out = g.op('Sigmoid', [out]);
      g.node('Identity', [out], {}, { names: [TREE_VIEW_OUTPUT] });
      g.output(TREE_VIEW_OUTPUT, T_DOUBLE, ['N', 1]);
      const proto = decodeModel(g.build({ producer: 'model-risk-gate tree view' }));
      models.set(positiveIndex, proto);
      return proto;
    },
    async encode(input: ModelInput): Promise<Float64Array> {
      const hit = cache.get(input);
      if (hit) return hit;
      if (!session) {
        session = (async () => {
          const runtime = await loadOrt();
          const s = await runtime.ort.InferenceSession.create(enc.bytes, { graphOptimizationLevel: 'all' });
          const proto = decodeModel(enc.bytes);
          const inputs = graphFeedInputs(proto.graph ?? {}).map(valueInfoSignature);
          return { runtime, session: s, inputs };
        })();
      }
      const { runtime, session: s, inputs } = await session;
      const n = input.rows;
      const outData = new Float64Array(n * d);
      const batch = 8192;
      for (let start = 0; start < n; start += batch) {
        const end = Math.min(n, start + batch);
        const feeds = batchFeeds(runtime.ort, input, inputs, start, end);
        const r = await s.run(feeds, [enc.output]);
        const data = r[enc.output].data as Float64Array;
        outData.set(data.subarray(0, (end - start) * d), start * d);
      }
      cache.set(input, outData);
      return outData;
    },
  };
}

/** Leaves of all trees (for summaries). */
export function leafCount(t: Translation): number {
  return (t.trees?.trees ?? []).reduce((a, tr) => a + Array.from(tr.feature.keys()).filter((i) => isLeaf(tr, i)).length, 0);
}
