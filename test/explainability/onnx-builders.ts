/** Small ONNX models built in memory for tests (tree ensembles with every node mode, optional preprocessing). */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { onnx as O } from 'onnx-proto';
import { encodeModel, onnx } from '../../src/model/onnx-graph.js';

const T = onnx.AttributeProto.AttributeType;
const enc = new TextEncoder();

type AttrValue = number[] | string[] | string | number;
function attr(name: string, value: AttrValue, kind: 'ints' | 'floats' | 'strings' | 'string' | 'int' | 'float'): O.IAttributeProto {
  switch (kind) {
    case 'ints':
      return { name, type: T.INTS, ints: value as number[] };
    case 'floats':
      return { name, type: T.FLOATS, floats: value as number[] };
    case 'strings':
      return { name, type: T.STRINGS, strings: (value as string[]).map((s) => enc.encode(s)) };
    case 'string':
      return { name, type: T.STRING, s: enc.encode(value as string) };
    case 'int':
      return { name, type: T.INT, i: value as number };
    case 'float':
      return { name, type: T.FLOAT, f: value as number };
  }
}

export interface TreeNodeSpec {
  tree: number;
  id: number;
  /** 'LEAF' or a BRANCH_* mode. */
  mode: string;
  feature?: number;
  value?: number;
  trueId?: number;
  falseId?: number;
  missingTrue?: boolean;
  /** Leaf weights: [classId, weight] pairs. */
  weights?: Array<[number, number]>;
}

export interface TreeModelSpec {
  features: number;
  nodes: TreeNodeSpec[];
  postTransform: 'NONE' | 'LOGISTIC' | 'SOFTMAX';
  classes?: number;
  baseValues?: number[];
  /** Put an ai.onnx.ml Scaler (offset, scale) in front of the trees. */
  scaler?: { offset: number[]; scale: number[] };
}

function tensorType(elem: number, dims: Array<number | string>): O.ITypeProto {
  return { tensorType: { elemType: elem, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } };
}

export function treeClassifierModel(spec: TreeModelSpec): Uint8Array {
  const nodes = spec.nodes;
  const leafWeights = nodes.flatMap((n) => (n.weights ?? []).map(([c, w]) => ({ tree: n.tree, id: n.id, c, w })));
  const classes = spec.classes ?? 2;
  const treeAttrs: O.IAttributeProto[] = [
    attr('nodes_treeids', nodes.map((n) => n.tree), 'ints'),
    attr('nodes_nodeids', nodes.map((n) => n.id), 'ints'),
    attr('nodes_featureids', nodes.map((n) => n.feature ?? 0), 'ints'),
    attr('nodes_modes', nodes.map((n) => n.mode), 'strings'),
    attr('nodes_values', nodes.map((n) => n.value ?? 0), 'floats'),
    attr('nodes_truenodeids', nodes.map((n) => n.trueId ?? 0), 'ints'),
    attr('nodes_falsenodeids', nodes.map((n) => n.falseId ?? 0), 'ints'),
    attr('nodes_missing_value_tracks_true', nodes.map((n) => (n.missingTrue ? 1 : 0)), 'ints'),
    attr('nodes_hitrates', nodes.map(() => 1), 'floats'),
    attr('class_treeids', leafWeights.map((l) => l.tree), 'ints'),
    attr('class_nodeids', leafWeights.map((l) => l.id), 'ints'),
    attr('class_ids', leafWeights.map((l) => l.c), 'ints'),
    attr('class_weights', leafWeights.map((l) => l.w), 'floats'),
    attr('classlabels_int64s', Array.from({ length: classes }, (_, i) => i), 'ints'),
    attr('post_transform', spec.postTransform, 'string'),
  ];
  if (spec.baseValues) treeAttrs.push(attr('base_values', spec.baseValues, 'floats'));
  const graphNodes: O.INodeProto[] = [];
  let treeInput = 'features';
  if (spec.scaler) {
    graphNodes.push({
      opType: 'Scaler',
      domain: 'ai.onnx.ml',
      name: 'scaler',
      input: ['features'],
      output: ['scaled'],
      attribute: [attr('offset', spec.scaler.offset, 'floats'), attr('scale', spec.scaler.scale, 'floats')],
    });
    treeInput = 'scaled';
  }
  graphNodes.push({ opType: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', name: 'trees', input: [treeInput], output: ['label', 'probabilities'], attribute: treeAttrs });
  const model: O.IModelProto = {
    irVersion: 8,
    producerName: 'model-risk-gate tests',
    opsetImport: [
      { domain: '', version: 15 },
      { domain: 'ai.onnx.ml', version: 1 },
    ],
    graph: {
      name: 'trees',
      node: graphNodes,
      input: [{ name: 'features', type: tensorType(1, ['N', spec.features]) }],
      output: [
        { name: 'label', type: tensorType(7, ['N']) },
        { name: 'probabilities', type: tensorType(1, ['N', classes]) },
      ],
    },
  };
  return encodeModel(model);
}

/** Write bytes to a fresh temporary file; returns its path. */
export function writeTemp(name: string, bytes: Uint8Array): string {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-explain-'));
  const file = join(dir, name);
  writeFileSync(file, bytes);
  return file;
}

/**
 * The same kind of trees in the opset-5 `TreeEnsemble` operator (separate leaf arrays, tensor attributes), one target,
 * followed by a Sigmoid so that the output is a probability [N, 1].
 */
export function treeEnsembleV5Model(features: number, nodes: TreeNodeSpec[]): Uint8Array {
  const branches = nodes.filter((n) => n.mode !== 'LEAF');
  const leaves = nodes.filter((n) => n.mode === 'LEAF');
  const branchIndex = new Map(branches.map((n, i) => [`${n.tree}:${n.id}`, i]));
  const leafIndex = new Map(leaves.map((n, i) => [`${n.tree}:${n.id}`, i]));
  const modeCode: Record<string, number> = { BRANCH_LEQ: 0, BRANCH_LT: 1, BRANCH_GTE: 2, BRANCH_GT: 3, BRANCH_EQ: 4, BRANCH_NEQ: 5 };
  const child = (n: TreeNodeSpec, id: number): [number, number] => {
    const k = `${n.tree}:${id}`;
    return leafIndex.has(k) ? [leafIndex.get(k)!, 1] : [branchIndex.get(k)!, 0];
  };
  const trees = [...new Set(nodes.map((n) => n.tree))];
  const roots = trees.map((t) => branchIndex.get(`${t}:0`)!);
  const tensor = (name: string, dataType: number, values: number[]): O.IAttributeProto => ({
    name,
    type: T.TENSOR,
    t: dataType === 2 ? { name, dataType, dims: [values.length], rawData: Uint8Array.from(values) } : { name, dataType, dims: [values.length], floatData: values },
  });
  const treeAttrs: O.IAttributeProto[] = [
    attr('nodes_featureids', branches.map((n) => n.feature ?? 0), 'ints'),
    tensor('nodes_splits', 1, branches.map((n) => n.value ?? 0)),
    tensor('nodes_modes', 2, branches.map((n) => modeCode[n.mode])),
    attr('nodes_truenodeids', branches.map((n) => child(n, n.trueId!)[0]), 'ints'),
    attr('nodes_trueleafs', branches.map((n) => child(n, n.trueId!)[1]), 'ints'),
    attr('nodes_falsenodeids', branches.map((n) => child(n, n.falseId!)[0]), 'ints'),
    attr('nodes_falseleafs', branches.map((n) => child(n, n.falseId!)[1]), 'ints'),
    attr('nodes_missing_value_tracks_true', branches.map((n) => (n.missingTrue ? 1 : 0)), 'ints'),
    attr('leaf_targetids', leaves.map(() => 0), 'ints'),
    tensor('leaf_weights', 1, leaves.map((n) => (n.weights ?? [[0, 0]])[0][1])),
    attr('tree_roots', roots, 'ints'),
    attr('n_targets', 1, 'int'),
    attr('post_transform', 0, 'int'),
    attr('aggregate_function', 1, 'int'),
  ];
  const model: O.IModelProto = {
    irVersion: 10,
    producerName: 'model-risk-gate tests',
    opsetImport: [
      { domain: '', version: 21 },
      { domain: 'ai.onnx.ml', version: 5 },
    ],
    graph: {
      name: 'trees-v5',
      node: [
        { opType: 'TreeEnsemble', domain: 'ai.onnx.ml', name: 'trees', input: ['features'], output: ['margin'], attribute: treeAttrs },
        { opType: 'Sigmoid', domain: '', name: 'sigmoid', input: ['margin'], output: ['probability'] },
      ],
      input: [{ name: 'features', type: tensorType(1, ['N', features]) }],
      output: [{ name: 'probability', type: tensorType(1, ['N', 1]) }],
    },
  };
  return encodeModel(model);
}
