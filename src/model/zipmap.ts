/**
 * ZipMap bypass. skl2onnx's default classifier export ends in an `ai.onnx.ml:ZipMap` node whose output
 * (`output_probability`) is seq(map(int64|string, float)): one JS-unfriendly map per row, which onnxruntime-node
 * refuses to return ("Non tensor type is temporarily not supported"). The ZipMap's input is the plain [N, C] float
 * probability tensor. We rewrite the model bytes in memory so that tensor is a graph output and the ZipMap (and its
 * output) are gone; the user never re-exports.
 *
 * The rewrite splices the protobuf bytes (proto-wire.ts): only the ZipMap node and its graph-output entry are removed
 * and one ValueInfo is added, every other byte of the file is kept verbatim.
 */
import {
  ELEM_TYPE_FLOAT,
  findNodes,
  nodeAttribute,
  onnx,
  type GraphProto,
  type ModelProto,
} from './onnx-graph.js';
import { concatBytes, lengthDelimited, listFields } from './proto-wire.js';

/** A ZipMap whose input tensor is read instead of its output. */
export interface ZipMapBypass {
  /** The ZipMap's output (seq(map)), as the model file declares it, e.g. 'output_probability'. */
  zipMapOutput: string;
  /** The [N, C] float tensor that fed the ZipMap, a graph output after the rewrite, e.g. 'probabilities'. */
  tensor: string;
  /** Class labels in column order (the ZipMap's classlabels_int64s or classlabels_strings). */
  classes: Array<number | string>;
}

const MODEL_GRAPH_FIELD = 7;
const GRAPH_NODE_FIELD = 1;
const GRAPH_OUTPUT_FIELD = 12;

/**
 * ZipMaps that can be bypassed: the node's output is a graph output and no other node reads it.
 * (A ZipMap inside a subgraph, or one feeding another node, is left alone.)
 */
export function findBypassableZipMaps(graph: GraphProto): ZipMapBypass[] {
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
  const consumed = new Set((graph.node ?? []).flatMap((n) => n.input ?? []));
  const out: ZipMapBypass[] = [];
  for (const node of findNodes(graph, 'ZipMap', 'ai.onnx.ml')) {
    const input = node.input?.[0];
    const output = node.output?.[0];
    if (!input || !output || !graphOutputs.has(output) || consumed.has(output)) continue;
    const ints = nodeAttribute(node, 'classlabels_int64s');
    const strings = nodeAttribute(node, 'classlabels_strings');
    const classes = (Array.isArray(ints) && ints.length > 0 ? ints : Array.isArray(strings) ? strings : []) as Array<
      number | string
    >;
    out.push({ zipMapOutput: output, tensor: input, classes });
  }
  return out;
}

/** ValueInfo bytes of a float tensor [unknown, classes]. */
function floatMatrixValueInfo(name: string, classes: number): Uint8Array {
  const dims = [{}, classes > 0 ? { dimValue: classes } : {}];
  return onnx.ValueInfoProto.encode({
    name,
    type: { tensorType: { elemType: ELEM_TYPE_FLOAT, shape: { dim: dims } } },
  }).finish();
}

/**
 * Rewrite model bytes so every bypassable ZipMap is gone and its input tensor is a graph output.
 * `model` is the decoded form of `bytes` (decodeModel). Returns the input bytes unchanged when there is no ZipMap.
 */
export function bypassZipMaps(
  bytes: Uint8Array,
  model: ModelProto,
): { bytes: Uint8Array; bypassed: ZipMapBypass[] } {
  const graph = model.graph;
  const bypassed = graph ? findBypassableZipMaps(graph) : [];
  if (bypassed.length === 0) return { bytes, bypassed };

  const zipMapOutputs = new Set(bypassed.map((b) => b.zipMapOutput));
  const existingOutputs = new Set((graph?.output ?? []).map((o) => o.name ?? ''));

  const modelFields = listFields(bytes);
  const graphFields = modelFields.filter((f) => f.field === MODEL_GRAPH_FIELD && f.wireType === 2);
  if (graphFields.length !== 1) throw new Error(`expected one graph in the model, found ${graphFields.length}`);
  const gf = graphFields[0]!;
  const graphBytes = bytes.subarray(gf.payloadStart, gf.payloadEnd);

  const kept: Uint8Array[] = [];
  for (const f of listFields(graphBytes)) {
    const payload = graphBytes.subarray(f.payloadStart, f.payloadEnd);
    if (f.field === GRAPH_NODE_FIELD && f.wireType === 2) {
      const node = onnx.NodeProto.decode(payload);
      const isBypassed =
        node.opType === 'ZipMap' && node.domain === 'ai.onnx.ml' && zipMapOutputs.has(node.output[0] ?? '');
      if (isBypassed) continue;
    }
    if (f.field === GRAPH_OUTPUT_FIELD && f.wireType === 2) {
      const vi = onnx.ValueInfoProto.decode(payload);
      const b = bypassed.find((x) => x.zipMapOutput === vi.name);
      if (b) {
        if (!existingOutputs.has(b.tensor)) {
          kept.push(lengthDelimited(GRAPH_OUTPUT_FIELD, floatMatrixValueInfo(b.tensor, b.classes.length)));
          existingOutputs.add(b.tensor);
        }
        continue;
      }
    }
    kept.push(graphBytes.subarray(f.start, f.end));
  }
  const newGraph = concatBytes(kept);
  const rewritten = concatBytes([
    bytes.subarray(0, gf.start),
    lengthDelimited(MODEL_GRAPH_FIELD, newGraph),
    bytes.subarray(gf.end),
  ]);
  return { bytes: rewritten, bypassed };
}
