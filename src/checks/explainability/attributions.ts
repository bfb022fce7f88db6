/**
 * Per-row attributions for the explained rows: exact TreeSHAP when the model is a plain ONNX tree ensemble on its input
 * matrix (and the parsed trees reproduce the model's scores), KernelSHAP on the raw columns otherwise.
 */
import type { ModelProto } from '../../model/onnx-graph.js';
import type { MatrixInput, ModelInput, ModelInfo, ScoringModel } from '../../model/types.js';
import type { Rng } from '../../util/rng.js';
import { gatherRows } from './input-rows.js';
import { properCoalitions } from './coalitions.js';
import { kernelShap, type PerBackgroundValues } from './kernel-shap.js';
import type { Players } from './players.js';
import type { ExplainabilitySettings } from './policy.js';
import { countLeaves, parseTreeEnsemble, TreeParseError } from './tree-ensemble.js';
import { locateTreeEnsemble } from './tree-graph.js';
import { applyTransform, scalarizeTreeScore, treeMargin, type ScalarTreeScore } from './tree-score.js';
import { treeShap, type ShapValues } from './tree-shap.js';
import { encodedTreeRequest } from './translated-trees.js';
import type { KernelShapSummary, ShapMethod, ShapSpace, TreeEnsembleSummary } from './types.js';

/** Largest |model score - recomputed tree score| accepted before the parsed trees are trusted. */
export const TREE_SCORE_TOLERANCE = 1e-4;
/** Beyond this many players, enumerating every coalition is never attempted. */
export const MAX_EXACT_PLAYERS = 20;

export interface AttributionRequest {
  model: ScoringModel;
  /** The whole dataset's model input. */
  input: ModelInput;
  /** The whole dataset's scores (ctx.scores). */
  scores: Float32Array;
  players: Players;
  /** Dataset rows explained / in the background (weights sum to 1). */
  explainedRows: Uint32Array;
  backgroundRows: Uint32Array;
  backgroundWeights: Float64Array;
  settings: ExplainabilitySettings;
  rng: Rng;
  /** Decoded model file, when available (needed for TreeSHAP). */
  proto: ModelProto | null;
  /** Why no model file could be read, when proto is null. */
  protoProblem?: string;
  deadline?: number;
  /** KernelSHAP: also keep the values against each background row (for the gates' ranges), within MAX_PER_BACKGROUND. */
  perBackground?: boolean;
}

/** Bounds on what KernelSHAP keeps per background row: model rows scored (4 bytes each), and values (8 bytes each). */
export const MAX_PER_BACKGROUND = { modelRows: 25_000_000, values: 5_000_000 };

export interface AttributionRun {
  method: ShapMethod;
  reason: string;
  /** Values per space computed ([rows x players]). */
  spaces: Partial<Record<ShapSpace, ShapValues>>;
  additivityError: Partial<Record<ShapSpace, number>>;
  /** Explained rows actually done (a prefix of explainedRows when cut short). */
  rows: number;
  modelCalls: number;
  modelRows: number;
  /** `input` / `playerOfSlot`: the matrix and players the trees were explained on when not ctx.input's (issue #11). */
  tree?: { summary: TreeEnsembleSummary; score: ScalarTreeScore; input?: MatrixInput; playerOfSlot?: Int32Array };
  kernel?: KernelShapSummary;
  /** KernelSHAP's values against each background row alone (when asked for and within MAX_PER_BACKGROUND). */
  perBackground?: PerBackgroundValues;
  truncated: boolean;
  notes: string[];
}

interface TreePlan {
  ok: boolean;
  reason: string;
  score?: ScalarTreeScore;
  maxDifference?: number;
}

/** Can TreeSHAP explain this model exactly? Parses, folds the score convention and checks it against the model's scores. */
export function planTreeShap(
  proto: ModelProto,
  info: Pick<ModelInfo, 'scoreOutput' | 'positiveIndex' | 'outputKind'>,
  input: ModelInput,
  scores: Float32Array,
  checkRows: ArrayLike<number>,
): TreePlan {
  if (info.outputKind === 'label') return { ok: false, reason: 'the model outputs labels only' };
  const where = locateTreeEnsemble(proto, info, input);
  if (!where.ok) return { ok: false, reason: where.reason };
  let scalar;
  try {
    scalar = scalarizeTreeScore(parseTreeEnsemble(where.node), info.positiveIndex, where.sigmoidAfter);
  } catch (e) {
    if (e instanceof TreeParseError) return { ok: false, reason: `the ${where.node.opType} could not be read (${e.message})` };
    throw e;
  }
  if (!scalar.ok) return { ok: false, reason: scalar.reason };
  const m = input as MatrixInput;
  if (scalar.score.ensemble.featureCount > m.width) {
    return { ok: false, reason: `the trees use feature ${scalar.score.ensemble.featureCount - 1} of a ${m.width}-column input` };
  }
  let maxDifference = 0;
  for (let k = 0; k < checkRows.length; k++) {
    const r = checkRows[k];
    const mine = applyTransform(scalar.score, treeMargin(scalar.score, m.data, r * m.width));
    const d = Math.abs(mine - scores[r]);
    if (!(d <= maxDifference)) maxDifference = Number.isNaN(d) ? Infinity : d;
  }
  if (!(maxDifference <= TREE_SCORE_TOLERANCE)) {
    return {
      ok: false,
      reason: `the trees read from the ${where.node.opType} reproduce the model's scores only to ${maxDifference.toExponential(2)} (${scalar.score.convention})`,
    };
  }
  return {
    ok: true,
    reason: `the graph is one ${where.node.opType} on the input matrix (${scalar.score.convention}; recomputed scores within ${maxDifference.toExponential(1)})`,
    score: scalar.score,
    maxDifference,
  };
}

function runTree(req: AttributionRequest, plan: TreePlan): AttributionRun {
  const score = plan.score as ScalarTreeScore;
  const input = req.input as MatrixInput;
  const x = (gatherRows(input, req.explainedRows) as MatrixInput).data;
  const bg = (gatherRows(input, req.backgroundRows) as MatrixInput).data;
  const common = {
    score,
    x,
    rows: req.explainedRows.length,
    width: input.width,
    background: bg,
    backgroundRows: req.backgroundRows.length,
    weights: req.backgroundWeights,
    deadline: req.deadline,
  };
  const grouped = treeShap({ ...common, playerOf: req.players.playerOfSlot, players: req.players.names.length });
  const perFeature = treeShap({ ...common, rows: grouped.rows });
  const e = score.ensemble;
  const rankingOf = (r: typeof grouped): ShapValues => r.probability ?? r.margin;
  const pf = rankingOf(perFeature);
  const featureMeans = new Float64Array(input.width);
  for (let i = 0; i < perFeature.rows; i++) for (let f = 0; f < input.width; f++) featureMeans[f] += Math.abs(pf.values[i * input.width + f]);
  const spaces: AttributionRun['spaces'] = {};
  const additivityError: AttributionRun['additivityError'] = {};
  if (score.transform === 'logistic') {
    spaces.log_odds = grouped.margin;
    additivityError.log_odds = grouped.additivityError.margin;
    spaces.probability = grouped.probability as ShapValues;
    additivityError.probability = grouped.additivityError.probability as number;
  } else {
    spaces.probability = grouped.margin;
    additivityError.probability = grouped.additivityError.margin;
  }
  return {
    method: 'tree_shap',
    reason: plan.reason,
    spaces,
    additivityError,
    rows: grouped.rows,
    modelCalls: 0,
    modelRows: 0,
    tree: {
      score,
      summary: {
        operator: e.operator,
        trees: e.roots.length,
        nodes: e.mode.length,
        leaves: countLeaves(e),
        maxDepth: e.maxDepth,
        postTransform: e.postTransform,
        maxScoreDifference: plan.maxDifference ?? 0,
        perModelFeature: input.featureNames.map((feature, f) => ({ feature, meanAbsShap: perFeature.rows > 0 ? featureMeans[f] / perFeature.rows : 0 })),
      },
    },
    truncated: grouped.rows < req.explainedRows.length,
    notes: [],
  };
}

async function runKernel(req: AttributionRequest, why: string): Promise<AttributionRun> {
  const { settings } = req;
  const P = req.players.names.length;
  const K = req.backgroundRows.length;
  const notes: string[] = [];
  const budget = settings.kernel_shap.max_evaluations;
  const requested = req.explainedRows.length;
  const exactPerRow = P <= MAX_EXACT_PLAYERS ? properCoalitions(P) * K : Infinity;
  let exact = settings.kernel_shap.exact === 'always' || (settings.kernel_shap.exact === 'auto' && exactPerRow * requested <= budget);
  if (exact && P > MAX_EXACT_PLAYERS) {
    exact = false;
    notes.push(`Exact enumeration needs 2^${P} coalitions; KernelSHAP sampled them instead.`);
  }
  const perRow = exact ? exactPerRow : Math.min(settings.kernel_shap.samples, P <= 52 ? properCoalitions(P) : Infinity) * K;
  let rows = requested;
  if (perRow * rows > budget) {
    rows = Math.max(1, Math.floor(budget / perRow));
    notes.push(
      `KernelSHAP explained ${rows} of ${requested} rows to stay within kernel_shap.max_evaluations = ${budget} model rows (${perRow} per row).`,
    );
  }
  const explainedRows = req.explainedRows.subarray(0, rows);
  const result = await kernelShap({
    model: req.model,
    players: req.players,
    explain: gatherRows(req.input, explainedRows),
    background: gatherRows(req.input, req.backgroundRows),
    backgroundWeights: req.backgroundWeights,
    logOdds: req.model.info.outputKind !== 'label',
    samples: settings.kernel_shap.samples,
    exact,
    rng: req.rng.fork('kernel-shap'),
    deadline: req.deadline,
    perBackground: req.perBackground === true && perRow * rows <= MAX_PER_BACKGROUND.modelRows && rows * K * P <= MAX_PER_BACKGROUND.values,
  });
  const spaces: AttributionRun['spaces'] = { probability: result.probability };
  const additivityError: AttributionRun['additivityError'] = { probability: result.additivityError.probability };
  if (result.logOdds) {
    spaces.log_odds = result.logOdds;
    additivityError.log_odds = result.additivityError.logOdds as number;
    let saturated = 0;
    for (const p of result.probability.output) if (p <= 0 || p >= 1) saturated++;
    if (saturated > 0) {
      notes.push(`${saturated} explained row(s) have a score of exactly 0 or 1 in float32: their log-odds are clipped at ±34.5.`);
    }
  }
  return {
    method: result.exact ? 'exact_shapley' : 'kernel_shap',
    reason: why,
    spaces,
    additivityError,
    rows: result.rows,
    modelCalls: result.modelCalls,
    modelRows: result.modelRows,
    kernel: { coalitions: result.coalitions, exact: result.exact, completeSizes: result.completeSizes, paired: !result.exact },
    ...(result.perBackground ? { perBackground: result.perBackground } : {}),
    truncated: result.truncated || result.rows < requested,
    notes,
  };
}

/** Attributions for the explained rows with the method the settings and the model allow. */
export async function computeAttributions(req: AttributionRequest): Promise<AttributionRun> {
  const method = req.settings.method;
  let why = 'KernelSHAP was asked for (method: kernel_shap)';
  if (method !== 'kernel_shap' && req.model.treeView) {
    // issue #11: a translated scikit-learn / XGBoost tree model: TreeSHAP on its encoded features, raw columns as players
    const enc = await encodedTreeRequest(req, req.model.treeView);
    if ('proto' in enc) {
      const plan = planTreeShap(enc.proto, enc.info, enc.input, req.scores, Uint32Array.from([...req.explainedRows, ...req.backgroundRows]));
      if (plan.ok) {
        const run = runTree({ ...req, input: enc.input, players: enc.players }, { ...plan, reason: `${plan.reason.replace('the graph is one', 'the translated model is one').replace('on the input matrix', 'on its encoded features')}, grouped by raw column` });
        if (run.tree) Object.assign(run.tree, { input: enc.input, playerOfSlot: enc.players.playerOfSlot });
        return run;
      }
      why = `${plan.reason}: KernelSHAP on the raw columns`;
    } else why = `${enc.reason}: KernelSHAP on the raw columns`;
    if (method === 'tree_shap') why = `tree_shap was asked for but ${why.charAt(0).toLowerCase()}${why.slice(1)}`;
  } else if (method !== 'kernel_shap' && req.model.info.translated) {
    // issue #11: a translated model without trees (e.g. LogisticRegression)
    why = `the model translated from ${req.model.info.translated.format} (${req.model.info.translated.estimator}) has no tree ensemble: KernelSHAP on the raw columns`;
    if (method === 'tree_shap') why = `tree_shap was asked for but ${why}`;
  } else if (method !== 'kernel_shap') {
    if (!req.proto) {
      why = `TreeSHAP needs the model file (${req.protoProblem ?? 'not available'}): KernelSHAP used`;
    } else {
      const checkRows = Uint32Array.from([...req.explainedRows, ...req.backgroundRows]);
      const plan = planTreeShap(req.proto, req.model.info, req.input, req.scores, checkRows);
      if (plan.ok) return runTree(req, plan);
      why = `${plan.reason}: KernelSHAP on the raw columns`;
    }
    if (method === 'tree_shap') why = `tree_shap was asked for but ${why.charAt(0).toLowerCase()}${why.slice(1)}`;
  }
  const run = await runKernel(req, why);
  if (method === 'tree_shap') run.notes.unshift(`Explainability: ${why}.`);
  return run;
}
