/**
 * Exact TreeSHAP for a model translated from scikit-learn / XGBoost (issue #11): the trees read encoded features
 * (one-hot indicators, scaled numbers, ordinal codes) computed inside the graph from the raw columns. The translator
 * keeps the raw column of every encoded feature, so TreeSHAP runs on the encoded matrix (float64, from the translated
 * preprocessing) with the features of one raw column as one player: exact Shapley values of the raw-column game.
 * The recomputed scores are checked against the model's like any tree plan.
 */
import type { MatrixInput } from '../../model/types.js';
import type { TranslatedTreeView } from '../../model/sklearn/tree-view.js';
import { TREE_VIEW_INPUT, TREE_VIEW_OUTPUT } from '../../model/sklearn/tree-view.js';
import type { AttributionRequest } from './attributions.js';
import type { Players } from './players.js';

export interface EncodedTreeRequest {
  req: AttributionRequest;
  /** Matrix of the encoded features of every dataset row (float64 data). */
  input: MatrixInput;
  players: Players;
  info: { scoreOutput: string; positiveIndex: number; outputKind: 'probability' };
  proto: import('../../model/onnx-graph.js').ModelProto;
}

/** The request re-expressed on the encoded features, or a reason why not. */
export async function encodedTreeRequest(req: AttributionRequest, view: TranslatedTreeView): Promise<EncodedTreeRequest | { reason: string }> {
  const info = req.model.info;
  if (info.outputKind !== 'probabilities' || (info.positiveIndex !== 0 && info.positiveIndex !== 1)) {
    return { reason: `the translated model's score is ${info.outputKind} column ${info.positiveIndex}` };
  }
  const d = view.features.length;
  const playerOfSlot = new Int32Array(d);
  for (let f = 0; f < d; f++) {
    let p = -1;
    if (req.input.kind === 'columns') {
      const raw = view.featureRaw[f];
      const column = req.input.sourceColumns[raw] ?? raw;
      p = req.players.names.indexOf(column);
    } else if (view.featureMatrixColumn) {
      const c = view.featureMatrixColumn[f];
      p = c >= 0 && c < req.players.playerOfSlot.length ? req.players.playerOfSlot[c] : -1;
    }
    if (p < 0) return { reason: `encoded feature ${view.features[f]} comes from ${view.featureRaw[f]}, which is not a player` };
    playerOfSlot[f] = p;
  }
  const data = await view.encode(req.input);
  const input: MatrixInput = {
    kind: 'matrix',
    rows: req.input.rows,
    input: TREE_VIEW_INPUT,
    width: d,
    data: data as unknown as Float32Array,
    featureNames: view.features,
    oneHotGroups: {},
  };
  const slots: Int32Array[] = req.players.names.map((_, p) => Int32Array.from([...playerOfSlot.keys()].filter((f) => playerOfSlot[f] === p)));
  const players: Players = { names: req.players.names, slots, playerOfSlot, inputs: slots.map((s) => Array.from(s, (f) => view.features[f])) };
  return {
    req,
    input,
    players,
    info: { scoreOutput: TREE_VIEW_OUTPUT, positiveIndex: 0, outputKind: 'probability' },
    proto: view.treeModel(info.positiveIndex),
  };
}
