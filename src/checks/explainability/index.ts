/**
 * Explainability section (issue #4): which raw columns drive the model's decisions, and gates on sensitive attributes
 * and their proxies. Exact TreeSHAP for plain ONNX tree ensembles, KernelSHAP on raw columns otherwise, permutation
 * importance, association-based proxy detection, ranking stability.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { Column } from '../../data/types.js';
import { decodeModel, type ModelProto } from '../../model/onnx-graph.js';
import { resolvePolicyPath } from '../../policy/load.js';
import type { PolicyDocument } from '../../policy/types.js';
import type { CheckContext, SectionOutput } from '../context.js';
import { gather } from '../performance.js';
import { associationWith } from './association.js';
import { statisticsOf } from '../result.js';
import type { Rng } from '../../util/rng.js';
import { computeAttributions, type AttributionRequest, type AttributionRun } from './attributions.js';
import { chooseBackground, sampleRows, type Background } from './background.js';
import { attributeName, explainabilityChecks } from './gates.js';
import { globalImportance, meanAbsolute } from './global-importance.js';
import { gatherRows } from './input-rows.js';
import { permutationImportance } from './permutation-importance.js';
import { playersOf, type Players } from './players.js';
import { AUTO_REDRAWS, readExplainabilitySettings, type ExplainabilitySettings } from './policy.js';
import { rankDescending, spearman } from './rank.js';
import type { ScalarTreeScore } from './tree-score.js';
import { treeShap, type ShapValues } from './tree-shap.js';
import type { MatrixInput } from '../../model/types.js';
import type {
  AssociationEntry,
  ExplainabilityReport,
  ImportanceEntry,
  ImportanceUncertainty,
  RowAttribution,
  ShapSpace,
  StabilityResult,
} from './types.js';
import { columnOf, continuousRange, integerRange, resampleImportance } from './uncertainty.js';
import type { UncertaintyData } from './gates.js';

export type { ExplainabilityReport } from './types.js';
export { readExplainabilitySettings, EXPLAINABILITY_DEFAULTS, type ExplainabilitySettings } from './policy.js';

export interface ExplainabilityOptions {
  /** The model file's bytes (default: read again from policy.model.path and checked against the loaded model's SHA-256). */
  modelBytes?: Uint8Array;
}

async function loadModelProto(ctx: CheckContext, options: ExplainabilityOptions): Promise<{ proto: ModelProto | null; problem?: string }> {
  let bytes = options.modelBytes;
  if (!bytes) {
    try {
      const doc = ctx.doc as PolicyDocument & { workspace?: string };
      bytes = new Uint8Array(await readFile(resolvePolicyPath(doc, ctx.doc.policy.model.path)));
    } catch {
      return { proto: null, problem: 'the model file could not be read again' };
    }
  }
  if (createHash('sha256').update(bytes).digest('hex') !== ctx.model.info.sha256) {
    return { proto: null, problem: 'the model file changed after it was loaded' };
  }
  try {
    return { proto: decodeModel(bytes) };
  } catch {
    return { proto: null, problem: 'the model file could not be decoded' };
  }
}

function columnExample(column: Column | undefined, row: number): string | number | null {
  if (!column) return null;
  if (column.kind === 'categorical') return column.levels[column.codes[row]] ?? null;
  const v = column.values[row];
  return Number.isNaN(v) ? null : v;
}

function chooseSpace(run: AttributionRun, wanted: ExplainabilitySettings['space'], notes: string[]): ShapSpace {
  if (wanted === 'log_odds' && run.spaces.log_odds) return 'log_odds';
  if (wanted === 'log_odds') notes.push('Explainability: log-odds are not available for this model; importance is ranked on the score.');
  return 'probability';
}

function associations(
  ctx: CheckContext,
  settings: ExplainabilitySettings,
  players: Players,
  rankOf: Map<string, number>,
): AssociationEntry[] {
  const out: AssociationEntry[] = [];
  for (const s of ctx.doc.policy.sensitive ?? []) {
    const name = attributeName(s);
    const grouping = ctx.groupings.find((g) => g.attributes.length === 1 && g.name === name);
    if (!grouping) continue;
    for (const feature of players.names) {
      if (feature === s.column) continue;
      const column = ctx.dataset.byName.get(feature);
      if (!column) continue;
      const a = associationWith(column, grouping.codes, grouping.keys.length);
      const threshold = a.measure === 'cramers_v' ? settings.proxy.cramers_v : settings.proxy.correlation_ratio;
      const mi = settings.proxy.mutual_information;
      const strong = a.value >= threshold || (mi !== undefined && a.mutualInformation >= mi);
      const rank = rankOf.get(feature) ?? null;
      out.push({
        attribute: name,
        feature,
        measure: a.measure,
        value: a.value,
        mutualInformation: a.mutualInformation,
        rank,
        strong,
        proxyInTopK: strong && rank !== null && rank <= settings.top_k,
      });
    }
  }
  return out;
}

function orderOf(values: Float64Array, names: string[]): { order: string[]; meanAbs: Float64Array } {
  const meanAbs = meanAbsolute(values, names.length);
  return { order: rankDescending(meanAbs, names).map((p) => names[p]), meanAbs };
}

interface UncertaintyArgs {
  ctx: CheckContext;
  settings: ExplainabilitySettings;
  run: AttributionRun;
  request: AttributionRequest;
  explained: Uint32Array;
  space: ShapSpace;
  /** The reported run's values, then any background already drawn again (the 'seeds' stability run). */
  draws: Float64Array[];
  redrawModelRows: number;
  rng: Rng;
  notes: string[];
}

/**
 * Re-draws the background (`background.redraws`, default AUTO_REDRAWS for TreeSHAP, 0 for KernelSHAP) and bootstraps the
 * explained rows' attributions over the draws: the ranges the gates decide on. null when statistics.resamples is 0 or
 * no row was explained.
 */
async function importanceUncertainty(a: UncertaintyArgs): Promise<UncertaintyData | null> {
  const { ctx, settings, run, draws } = a;
  const stats = statisticsOf(ctx.doc);
  if (stats.resamples <= 0 || run.rows === 0) {
    if (stats.resamples <= 0 && run.rows > 0) a.notes.push('Explainability: statistics.resamples is 0, so the gates have no range and the point values decide.');
    return null;
  }
  const everyRow = settings.background.size >= ctx.input.rows;
  const asked = settings.background.redraws;
  const wanted = everyRow ? 0 : (asked ?? (run.method === 'tree_shap' ? AUTO_REDRAWS : 0));
  // KernelSHAP's values are linear in the background's weights: its rows are resampled with the explained rows, free.
  const pb = run.perBackground;
  const pbValues = pb ? (a.space === 'log_odds' ? pb.logOdds : pb.probability) : null;
  const background = pb && pbValues && pbValues.length === run.rows * pb.backgroundRows * a.request.players.names.length
    ? { values: pbValues, weights: pb.weights, rows: pb.backgroundRows }
    : undefined;
  let backgroundsReason: string | undefined;
  if (everyRow && !background) backgroundsReason = 'the background is every row of the dataset, so there is nothing to re-draw';
  else if (asked === undefined && run.method !== 'tree_shap' && draws.length === 1 && !background) {
    backgroundsReason = 'KernelSHAP would score every coalition again for each new background, and its values against each background row were too many to keep; set explainability.background.redraws to re-draw it';
  }
  let modelRows = a.redrawModelRows;
  let treeX: Float32Array | undefined;
  while (draws.length < 1 + wanted) {
    if (Date.now() > ctx.deadline) {
      backgroundsReason = 'the time limit was reached before more backgrounds were drawn';
      break;
    }
    const k = draws.length;
    const other = chooseBackground(ctx.input, settings.background.size, settings.background.method, a.rng.fork(`background/redraw-${k}`));
    let v: Float64Array | undefined;
    if (run.tree) {
      // The trees are already parsed and checked: one grouped TreeSHAP run against the new background.
      const treeInput = run.tree.input ?? (ctx.input as MatrixInput); // a translated model's encoded features (issue #11)
      treeX ??= (gatherRows(treeInput, a.explained) as MatrixInput).data;
      v = redrawTreeShap(run.tree.score, treeInput, treeX, run.rows, other, a.request, a.space, run.tree.playerOfSlot);
    } else {
      const r = await computeAttributions({ ...a.request, explainedRows: a.explained, backgroundRows: other.rows, backgroundWeights: other.weights, rng: a.rng.fork(`redraw-${k}`), perBackground: false });
      modelRows += r.modelRows;
      v = r.rows === run.rows ? r.spaces[a.space]?.values : undefined;
    }
    if (!v || v.length !== draws[0].length) {
      backgroundsReason = 'a re-drawn background could not be explained on every row within the limits';
      break;
    }
    draws.push(v);
  }
  const stabilityKind = settings.stability ? (settings.stability.method ?? 'halves') : null;
  const resamples = resampleImportance({
    draws,
    rows: run.rows,
    names: a.request.players.names,
    resamples: stats.resamples,
    rng: a.rng.fork('uncertainty'),
    stability: stabilityKind === 'seeds' && draws.length < 2 ? null : stabilityKind,
    deadline: ctx.deadline,
    ...(background ? { background } : {}),
  });
  if (resamples.resamples === 0) return null;
  if (resamples.resamples < stats.resamples) {
    a.notes.push(`Explainability: ${resamples.resamples} of ${stats.resamples} bootstrap resamples of the importance were done before the time limit.`);
  }
  return {
    resamples,
    level: stats.level,
    rows: run.rows,
    modelRows,
    ...(background ? { backgroundRowsResampled: background.rows } : {}),
    ...(backgroundsReason ? { backgroundsReason } : {}),
  };
}

/** Grouped TreeSHAP values of the explained rows against another background, in the ranking space (undefined when cut short). */
function redrawTreeShap(
  score: ScalarTreeScore,
  input: MatrixInput,
  x: Float32Array,
  rows: number,
  other: Background,
  request: AttributionRequest,
  space: ShapSpace,
  playerOfSlot?: Int32Array,
): Float64Array | undefined {
  const r = treeShap({
    score,
    x,
    rows,
    width: input.width,
    background: (gatherRows(input, other.rows) as MatrixInput).data,
    backgroundRows: other.rows.length,
    weights: other.weights,
    playerOf: playerOfSlot ?? request.players.playerOfSlot,
    players: request.players.names.length,
    deadline: request.deadline,
  });
  if (r.rows !== rows) return undefined;
  const logistic = score.transform === 'logistic';
  // the spaces runTree reports: logistic -> log_odds = margin, probability; otherwise probability = margin
  if (space === 'log_odds') return logistic ? r.margin.values : undefined;
  return logistic ? (r.probability as ShapValues).values : r.margin.values;
}

function uncertaintyReport(u: UncertaintyData, importance: ImportanceEntry[], names: string[]): ImportanceUncertainty {
  const r = u.resamples;
  const index = new Map(names.map((n, p) => [n, p]));
  const out: ImportanceUncertainty = {
    method: 'bootstrap',
    resamples: r.resamples,
    backgrounds: r.draws,
    level: u.level,
    modelRows: u.modelRows,
    features: importance.map((e) => {
      const p = index.get(e.feature) as number;
      const rank = integerRange(columnOf(r.ranks, r.resamples, r.players, p), u.level, e.rank) ?? { low: e.rank, high: e.rank };
      const share = continuousRange(columnOf(r.shares, r.resamples, r.players, p), u.level, e.share) ?? { low: e.share, high: e.share };
      return { feature: e.feature, rankLow: rank.low, rankHigh: rank.high, shareLow: share.low, shareHigh: share.high };
    }),
  };
  if (u.backgroundsReason) out.backgroundsReason = u.backgroundsReason;
  if (u.backgroundRowsResampled !== undefined) out.backgroundRowsResampled = u.backgroundRowsResampled;
  return out;
}

export async function runExplainability(
  ctx: CheckContext,
  options: ExplainabilityOptions = {},
): Promise<SectionOutput<ExplainabilityReport>> {
  const settings = readExplainabilitySettings(ctx.doc);
  const { dataset, model } = ctx;
  const notes: string[] = [];
  const rng = ctx.rng.fork('explainability');
  const players = playersOf(ctx.input, dataset.columns.map((c) => c.name));
  const P = players.names.length;

  const background = chooseBackground(ctx.input, settings.background.size, settings.background.method, rng.fork('background'));
  const explainedRows = sampleRows(ctx.input.rows, settings.rows, rng.fork('explained-rows'));
  const { proto, problem } = settings.method === 'kernel_shap' ? { proto: null, problem: undefined } : await loadModelProto(ctx, options);

  const request: AttributionRequest = {
    model,
    input: ctx.input,
    scores: ctx.scores,
    players,
    explainedRows,
    backgroundRows: background.rows,
    backgroundWeights: background.weights,
    settings,
    rng,
    proto,
    protoProblem: problem,
    deadline: ctx.deadline,
    perBackground: statisticsOf(ctx.doc).resamples > 0,
  };
  const run = await computeAttributions(request);
  notes.push(...run.notes);
  if (run.truncated) notes.push(`Explainability: ${run.rows} of ${explainedRows.length} rows were explained before the time limit.`);
  const space = chooseSpace(run, settings.space, notes);
  const values = run.spaces[space]?.values ?? new Float64Array(0);

  const sensitiveColumns = new Set((ctx.doc.policy.sensitive ?? []).map((s) => s.column));
  const importance = globalImportance(values, players.names, sensitiveColumns);
  const rankOf = new Map(importance.map((e) => [e.feature, e.rank]));
  const assoc = associations(ctx, settings, players, rankOf);
  for (const e of importance) e.proxyOf = assoc.filter((a) => a.feature === e.feature && a.strong).map((a) => a.attribute);

  // Stability: two halves of the explained rows (free), or a second background (one more SHAP run).
  let stability: StabilityResult | null = null;
  const stabilityMethod = settings.stability?.method ?? 'halves';
  const explained = explainedRows.subarray(0, run.rows);
  // Background draws for the gates' ranges (issue #9 item 8): every draw explains the same rows.
  const draws: Float64Array[] = [values];
  let redrawModelRows = 0;
  if (stabilityMethod === 'seeds' && settings.stability) {
    const other = chooseBackground(ctx.input, settings.background.size, settings.background.method, rng.fork('background/second-seed'));
    const second = await computeAttributions({
      ...request,
      explainedRows: explained,
      backgroundRows: other.rows,
      backgroundWeights: other.weights,
      rng: rng.fork('second-seed'),
      perBackground: false,
    });
    const secondValues = second.spaces[space]?.values ?? second.spaces.probability?.values ?? new Float64Array(0);
    const o = orderOf(secondValues, players.names);
    stability = { method: 'seeds', spearman: spearman(meanAbsolute(values, P), o.meanAbs), otherOrder: o.order };
    if (second.rows === run.rows && secondValues.length === values.length) {
      draws.push(secondValues);
      redrawModelRows += second.modelRows;
    }
  } else if (run.rows >= 2) {
    const even: number[] = [];
    const odd: number[] = [];
    for (let i = 0; i < run.rows; i++) (i % 2 === 0 ? even : odd).push(i);
    const a = meanAbsolute(values, P, even);
    const b = meanAbsolute(values, P, odd);
    stability = { method: 'halves', spearman: spearman(a, b), otherOrder: rankDescending(b, players.names).map((p) => players.names[p]) };
  }
  const uncertainty = await importanceUncertainty({ ctx, settings, run, request, explained, space, draws, redrawModelRows, rng, notes });

  // Permutation importance on (a sample of) all rows.
  let permutation: ExplainabilityReport['permutation'] = null;
  if (settings.permutation.enabled) {
    const all = ctx.input.rows <= settings.permutation.max_rows;
    const rows = all ? null : sampleRows(ctx.input.rows, settings.permutation.max_rows, rng.fork('permutation-rows'));
    permutation = await permutationImportance({
      model,
      input: rows ? gatherRows(ctx.input, rows) : ctx.input,
      yTrue: rows ? gather(ctx.labels.yTrue, rows) : ctx.labels.yTrue,
      baselineScores: rows ? gather(ctx.scores, rows) : ctx.scores,
      players,
      metric: settings.permutation.metric,
      threshold: ctx.doc.policy.model.threshold,
      repeats: settings.permutation.repeats,
      rng: rng.fork('permutation'),
      deadline: ctx.deadline,
    });
    if (!permutation) notes.push(`Explainability: permutation importance skipped (the ${settings.permutation.metric} is undefined on these rows, or the time limit was reached).`);
  }

  const includeExamples = ctx.doc.policy.report?.include_examples === true;
  const spaceValues = run.spaces[space];
  const reportRows: RowAttribution[] = [];
  for (let i = 0; i < Math.min(settings.report_rows, run.rows); i++) {
    const row = explainedRows[i];
    const entry: RowAttribution = {
      row,
      output: spaceValues ? spaceValues.output[i] : NaN,
      values: Array.from(values.subarray(i * P, (i + 1) * P)),
    };
    if (includeExamples) {
      entry.example = Object.fromEntries(players.names.map((name) => [name, columnExample(dataset.byName.get(name), row)]));
    }
    reportRows.push(entry);
  }

  const expectedValue: ExplainabilityReport['expectedValue'] = {};
  for (const [k, v] of Object.entries(run.spaces)) if (v) expectedValue[k as ShapSpace] = v.expected;

  const section: ExplainabilityReport = {
    method: run.method,
    methodReason: run.reason,
    space,
    seed: rng.seed,
    features: players.names,
    featureInputs: Object.fromEntries(players.names.map((n, p) => [n, players.inputs[p]])),
    background: { size: background.rows.length, method: background.method, fromRows: ctx.input.rows },
    explainedRows: run.rows,
    expectedValue,
    additivityError: run.additivityError,
    importance,
    rows: reportRows,
    modelCalls: run.modelCalls,
    modelRows: run.modelRows,
    permutation,
    associations: assoc,
    stability,
    topK: settings.top_k,
    truncated: run.truncated,
  };
  if (run.tree) section.tree = run.tree.summary;
  if (run.kernel) section.kernel = run.kernel;
  if (uncertainty) section.uncertainty = uncertaintyReport(uncertainty, importance, players.names);

  const checks = explainabilityChecks({
    doc: ctx.doc,
    settings,
    importance,
    associations: assoc,
    stability,
    ...(uncertainty ? { uncertainty: { ...uncertainty, names: players.names } } : {}),
  });
  return { section, checks, notes };
}
