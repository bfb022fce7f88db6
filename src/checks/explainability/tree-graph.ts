/**
 * Is the model a plain tree ensemble on its input matrix? Finds the ai.onnx.ml tree operator, checks that it reads the
 * graph input directly (through Identity/Cast at most) and that the score output comes straight from its score
 * tensor (through Identity/Cast/ZipMap, or one Sigmoid). Otherwise says why: a tree ensemble behind in-graph
 * preprocessing (Scaler, OneHotEncoder, ...) or inside a bigger graph is explained by KernelSHAP on the raw columns.
 */
import type { GraphProto, ModelProto, NodeProto } from '../../model/onnx-graph.js';
import type { ModelInfo, ModelInput } from '../../model/types.js';

export const TREE_OPERATORS = ['TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'TreeEnsemble'];
const PASS_THROUGH = new Set(['Identity', 'Cast']);

export type TreeLocation =
  | { ok: true; node: NodeProto; sigmoidAfter: boolean }
  | { ok: false; reason: string; hasTrees: boolean };

function producers(graph: GraphProto): Map<string, NodeProto> {
  const m = new Map<string, NodeProto>();
  for (const node of graph.node ?? []) for (const out of node.output ?? []) if (out) m.set(out, node);
  return m;
}

export function locateTreeEnsemble(proto: ModelProto, info: Pick<ModelInfo, 'scoreOutput'>, input: ModelInput): TreeLocation {
  const graph = proto.graph;
  if (!graph) return { ok: false, reason: 'the model has no graph', hasTrees: false };
  const trees = (graph.node ?? []).filter((n) => TREE_OPERATORS.includes(n.opType ?? '') && n.domain === 'ai.onnx.ml');
  if (trees.length === 0) return { ok: false, reason: 'the graph has no tree ensemble operator', hasTrees: false };
  if (trees.length > 1) return { ok: false, reason: `the graph combines ${trees.length} tree ensemble operators`, hasTrees: true };
  const node = trees[0];
  if (input.kind !== 'matrix') {
    return { ok: false, reason: `the ${node.opType} sits behind per-column preprocessing inside the graph (one input tensor per column)`, hasTrees: true };
  }
  const made = producers(graph);
  let x = node.input?.[0] ?? '';
  for (let guard = 0; guard < 16 && made.has(x); guard++) {
    const p = made.get(x) as NodeProto;
    if (!PASS_THROUGH.has(p.opType ?? '')) {
      return { ok: false, reason: `the ${node.opType} reads a tensor computed in the graph (${p.opType}): in-graph preprocessing`, hasTrees: true };
    }
    x = p.input?.[0] ?? '';
  }
  if (x !== input.input) return { ok: false, reason: `the ${node.opType} does not read the model input ${input.input}`, hasTrees: true };

  const scoreTensor = node.opType === 'TreeEnsembleClassifier' ? node.output?.[1] : node.output?.[0];
  let y = info.scoreOutput;
  let sigmoids = 0;
  for (let guard = 0; guard < 16 && y !== scoreTensor; guard++) {
    const p = made.get(y);
    if (!p) return { ok: false, reason: `the score output ${info.scoreOutput} does not come from the ${node.opType}`, hasTrees: true };
    const op = p.opType ?? '';
    if (op === 'Sigmoid') sigmoids++;
    else if (!PASS_THROUGH.has(op) && op !== 'ZipMap') {
      return { ok: false, reason: `the ${node.opType}'s output goes through ${op} before the score output`, hasTrees: true };
    }
    y = p.input?.[0] ?? '';
  }
  if (y !== scoreTensor) return { ok: false, reason: `the score output ${info.scoreOutput} does not come from the ${node.opType}`, hasTrees: true };
  if (sigmoids > 1) return { ok: false, reason: 'more than one Sigmoid after the trees', hasTrees: true };
  return { ok: true, node, sigmoidAfter: sigmoids === 1 };
}
