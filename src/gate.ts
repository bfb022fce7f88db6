/**
 * Orchestration only: policy -> dataset + model -> scores -> checks -> Report. No metric is computed here and
 * nothing is printed or published; main.ts (Action) and cli.ts (terminal) render and publish the Report.
 */
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { resolve } from 'node:path';
import { fairnessChecks } from './checks/fairness.js';
import { performanceChecks, hasScores } from './checks/performance.js';
import type { CheckContext } from './checks/context.js';
import { runRobustness } from './checks/robustness/index.js';
import { runExplainability } from './checks/explainability/index.js';
import { readDataset } from './data/read.js';
import { bottomKRows, sliceDataset, subsetDataset } from './data/subset.js';
import { runDataStage } from './checks/data/stage.js';
import { buildGroupings } from './data/groups.js';
import { favourableClasses, invertedLabelNote, makeLabels } from './data/labels.js';
import { fairnessContext } from './checks/favourable.js';
import { groupMetrics, orderByScoreDescending, performanceMetrics, scoresToPredictions } from './metrics/index.js';
import { encodeModelInput } from './model/encode.js';
import { baselineStage } from './baseline/index.js';
import { resolveBaselineSettings } from './baseline/policy.js';
import { isUserError, UserError } from './util/errors.js';
import { formatNumber, setRunDeadline, statisticsOf } from './checks/result.js';
import { hardDeadlineOf, startWatchdog, type Watchdog } from './util/watchdog.js';
import { applyMultipleTestingCorrection } from './stats/correction.js';
import { loadModel } from './model/session.js';
import type { ScoringModel } from './model/types.js';
import type { Dataset, Grouping, Labels } from './data/types.js';
import { loadPolicy, MAX_POLICY_BYTES, resolvePolicyPath } from './policy/load.js';
import { comparePolicyWithBase, policyChangesNote, type PolicyComparison } from './baseline/policy-changes.js';
import { robustnessSettings } from './checks/robustness/policy.js';
import { readExplainabilitySettings } from './checks/explainability/policy.js';
import type { PolicyDocument } from './policy/types.js';
import type { CheckResult, Report } from './report/types.js';
import { REPORT_SCHEMA_VERSION } from './report/types.js';
import { createRng } from './util/rng.js';
import { TOOL_VERSION } from './version.js';

export interface GateOptions {
  /** Policy file path (absolute, or relative to the workspace). */
  policyFile: string;
  /** Root that policy paths are relative to (the repository checkout). */
  workspace: string;
  /** Wall-clock budget for the whole run in ms (PR content is untrusted). Default 20 minutes. */
  timeBudgetMs?: number;
  /** Clock, for tests. */
  now?: () => Date;
  /** `--baseline <file | git rev | rev:path>` (CLI): compare with this model instead of the pull request's base. */
  baseline?: string;
  /** GITHUB_EVENT_PATH (Action): the pull request's base sha is read from it. */
  eventPath?: string;
  /**
   * GITHUB_EVENT_PATH for the policy comparison alone (Action with `baseline: none`: no model comparison, but what the
   * pull request changes in the policy is still said). Default: eventPath.
   */
  policyEventPath?: string;
  /** Told when each stage starts and ends (terminal progress line, Action log groups). Never prints; errors ignored. */
  onProgress?: (event: GateProgress) => void;
  /**
   * Scores of every evaluation row computed elsewhere (`merge`: the shards' scores, src/shard.ts): the model is still
   * loaded (robustness, explainability, fingerprints) but not run over the rows. Must have one score per row.
   */
  scores?: Float32Array;
  /** Rows above which scoring is chunked and the input checks run on a sample (default SAMPLE_ROWS; tests lower it). */
  sampleRows?: number;
}

/** A stage of the run starting or ending (the stages are the keys of report.timings). */
export interface GateProgress {
  stage: string;
  state: 'start' | 'end';
  /** Milliseconds since the run started. */
  elapsedMs: number;
  /** The stage's own duration (report.timings[stage]), on 'end'. */
  stageMs?: number;
  /** Evaluation rows, once the dataset is read. */
  rows?: number;
}

export interface GateRun {
  report: Report;
  doc: PolicyDocument;
}

async function fingerprint(file: string, displayPath: string): Promise<{ path: string; sha256: string; bytes: number }> {
  const bytes = await readFile(file);
  return { path: displayPath, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length };
}

function summarize(checks: CheckResult[]): Report['summary'] {
  return {
    checks: checks.length,
    passed: checks.filter((c) => c.outcome === 'pass' && c.status === 'pass').length,
    failed: checks.filter((c) => c.outcome === 'fail').length,
    warned: checks.filter((c) => c.outcome === 'warn').length,
    insufficient: checks.filter((c) => c.status === 'insufficient').length,
    notRun: checks.filter((c) => c.status === 'not-run').length,
  };
}

interface EvaluationData {
  dataset: Dataset;
  labels: Labels;
  groupings: Grouping[];
}

/** The evaluation dataset with its labels and sensitive groupings, as the policy describes them. */
async function readEvaluationData(doc: PolicyDocument, file: string): Promise<EvaluationData> {
  const { policy } = doc;
  const dataset = await readDataset(file, {
    displayPath: policy.dataset.path,
    missingValues: policy.dataset.missing_values,
    maxRows: policy.dataset.max_rows,
    ...(policy.dataset.delimiter !== undefined ? { delimiter: policy.dataset.delimiter } : {}),
    ...(policy.dataset.columns !== undefined ? { columns: policy.dataset.columns } : {}),
  });
  return { dataset, labels: makeLabels(dataset, policy.dataset, doc), groupings: buildGroupings(dataset, policy, doc) };
}

/** Scores every row with the model (batched) and assembles what the checks receive. */
/**
 * Above this many rows (issue #12) the gate never holds the encoded input of every row: rows are encoded and scored
 * in chunks (what stays per row is the score, the decision, the label and the group codes), and the checks that need
 * model inputs (robustness, explainability, the baseline comparison) run on a seeded sample of this many rows
 * (bottomKRows: independent of chunking and sharding). At or below it nothing changes.
 */
export const SAMPLE_ROWS = 100_000;
/** Rows encoded and scored at a time above SAMPLE_ROWS. */
export const SCORE_CHUNK_ROWS = 65_536;

/** Scores of rows [start, end) of a dataset, encoded and scored in chunks of SCORE_CHUNK_ROWS (shards, large data). */
export async function scoreRows(doc: PolicyDocument, dataset: Dataset, model: ScoringModel, workspace: string, start: number, end: number): Promise<Float32Array> {
  const encode = (ds: Dataset) => encodeModelInput(ds, model.info.inputs, doc.policy.model.features, { workspace, policyFile: doc.file, locate: doc.locate });
  const scores = new Float32Array(end - start);
  for (let a = start; a < end; a += SCORE_CHUNK_ROWS) {
    const b = Math.min(end, a + SCORE_CHUNK_ROWS);
    scores.set(await model.score(encode(sliceDataset(dataset, a, b))), a - start);
  }
  return scores;
}

export { readEvaluationData, type EvaluationData };

async function scoreContext(doc: PolicyDocument, data: EvaluationData, model: ScoringModel, workspace: string, deadline: number, given?: Float32Array, sampleRows = SAMPLE_ROWS): Promise<CheckContext> {
  const { policy } = doc;
  const encode = (ds: Dataset) => encodeModelInput(ds, model.info.inputs, policy.model.features, { workspace, policyFile: doc.file, locate: doc.locate });
  const n = data.dataset.rows;
  if (given !== undefined && given.length !== n) {
    throw new UserError(`the shards hold ${given.length} scores but ${policy.dataset.path} has ${n} rows: run every shard on the same data`, { file: doc.file, line: 1 });
  }
  if (n <= sampleRows) {
    const input = encode(data.dataset);
    const scores = given ?? (await model.score(input));
    const yPred = scoresToPredictions(scores, policy.model.threshold);
    return { doc, ...data, model, input, scores, yPred, rng: createRng(policy.seed), deadline };
  }
  const scores = given ?? (await scoreRows(doc, data.dataset, model, workspace, 0, n));
  const yPred = scoresToPredictions(scores, policy.model.threshold);
  const rows = bottomKRows(n, sampleRows, policy.seed);
  const sampled = subsetDataset(data.dataset, rows);
  const full: CheckContext = { doc, ...data, model, input: encode(sampled), scores, yPred, rng: createRng(policy.seed), deadline };
  const yTrue = gather8(data.labels.yTrue, rows);
  full.sample = {
    ...full,
    dataset: sampled,
    labels: { ...data.labels, yTrue, positives: count1(yTrue) },
    groupings: data.groupings.map((g) => ({ ...g, codes: Int32Array.from(rows, (r) => g.codes[r]) })),
    scores: Float32Array.from(rows, (r) => scores[r]),
    yPred: gather8(yPred, rows),
    rows,
  };
  return full;
}

/** Empties every column's cells in place (the Dataset keeps its shape: rows, names, levels, sha256). */
function releaseCells(dataset: Dataset): void {
  for (const c of dataset.columns) {
    if (c.kind === 'numeric') c.values = new Float64Array(0);
    else c.codes = new Int32Array(0);
  }
}

function gather8(a: Uint8Array, rows: Uint32Array): Uint8Array {
  return Uint8Array.from(rows, (r) => a[r]);
}

function count1(a: Uint8Array): number {
  let k = 0;
  for (let i = 0; i < a.length; i++) k += a[i];
  return k;
}

export async function runGate(options: GateOptions): Promise<GateRun> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const budgetMs = options.timeBudgetMs ?? 20 * 60 * 1000;
  const deadline = started + budgetMs;
  const watchdog = startWatchdog({ hardDeadline: hardDeadlineOf(started, budgetMs), budgetMs });
  try {
    return await runStages(options, { started, budgetMs, deadline, watchdog });
  } finally {
    watchdog.stop();
  }
}

/** The first stage that ended after the deadline (the one that ran out of time), if any. */
interface BudgetState {
  started: number;
  budgetMs: number;
  deadline: number;
  watchdog: Watchdog;
  exhausted?: string;
}

/** Sections whose checks a stage produces (for the not-run check of a stage that ran out of time). */
const STAGE_SECTION: Record<string, CheckResult['section']> = {
  policy: 'performance', dataset: 'performance', model: 'performance', scoring: 'performance', metrics: 'performance',
  checks: 'fairness', robustness: 'robustness', explainability: 'explainability', baseline: 'baseline', data: 'data',
};

/**
 * Checks of a stage that ran out of time: any that could not be decided (insufficient: an attack or SHAP run cut off,
 * a bootstrap without enough resamples) did not run — status not-run, outcome per statistics.on_not_run (default fail).
 */
function markCutOff(checks: CheckResult[], stage: string, onNotRun: 'fail' | 'warn'): void {
  for (const c of checks) {
    if (c.status !== 'insufficient') continue;
    c.status = 'not-run';
    c.outcome = onNotRun;
    c.message = `${c.title}: not run (the time budget ran out in stage ${stage}); required ${c.threshold.kind === 'min' ? '≥' : '≤'} ${formatNumber(c.threshold.value)}`;
    if (c.evidence) {
      c.evidence.onNotRun = onNotRun;
      delete c.evidence.insufficientKind;
    }
  }
}

/** The check that says the run did not finish within its budget (issue #9: not-run never passes by default). */
function budgetCheck(doc: PolicyDocument, budget: BudgetState, onNotRun: 'fail' | 'warn'): CheckResult {
  const stage = budget.exhausted as string;
  const section = STAGE_SECTION[stage] ?? 'performance';
  const seconds = (budget.budgetMs / 1000).toFixed(budget.budgetMs < 10_000 ? 1 : 0);
  const hint =
    stage === 'robustness' ? 'lower robustness.rows or the attacks\' budgets'
    : stage === 'explainability' ? 'lower explainability.rows or background'
    : 'lower statistics.resamples or dataset.max_rows';
  return {
    id: `${section}/time_budget`,
    ruleId: `${section}/time_budget`,
    section,
    metric: 'time_budget',
    title: 'Time budget',
    value: null,
    threshold: { kind: 'max', value: budget.budgetMs / 1000 },
    status: 'not-run',
    outcome: onNotRun,
    margin: null,
    message: `Time budget: not run to the end (the ${seconds} s budget ran out in stage ${stage}; what it cut off is marked not run): raise time-budget-minutes (Action) or --time-budget (CLI), or ${hint}`,
    location: { file: doc.file, line: 1, column: 1 },
    evidence: { rule: 'point', basis: 'point', inconclusiveWidth: 0, onInsufficient: 'warn', onNotRun, severity: 'error' },
  };
}

async function runStages(options: GateOptions, budget: BudgetState): Promise<GateRun> {
  const now = options.now ?? (() => new Date());
  const { started, deadline, watchdog } = budget;
  const timings: Record<string, number> = {};
  let mark = Date.now();
  let rows: number | undefined; // for progress, once the dataset is read
  const progress = (event: Omit<GateProgress, 'elapsedMs' | 'rows'>): void => {
    try {
      options.onProgress?.({ ...event, elapsedMs: Date.now() - started, ...(rows !== undefined ? { rows } : {}) });
    } catch {
      // progress display must never change a run
    }
  };
  const lap = (name: string): void => {
    const t = Date.now();
    timings[name] = t - mark;
    mark = t;
    if (t > deadline && budget.exhausted === undefined) budget.exhausted = name;
    progress({ stage: name, state: 'end', stageMs: timings[name] });
  };
  const begin = (name: string): void => {
    watchdog.stage(name);
    progress({ stage: name, state: 'start' });
  };

  begin('policy');
  const doc = await loadPolicy(options.policyFile, { workspace: options.workspace });
  const { policy } = doc;
  setRunDeadline(doc, deadline);
  // the robustness and explainability settings are read by their stages; read them now too, so that a mistake in
  // them (a limit of 5 meaning 5%) is reported before the dataset and the model are loaded, not minutes later
  if (policy.checks?.robustness !== undefined) robustnessSettings(doc);
  if (policy.checks?.explainability !== undefined) readExplainabilitySettings(doc);
  lap('policy');
  begin('dataset');

  const datasetPath = resolvePolicyPath(doc, policy.dataset.path, ['dataset', 'path']);
  const { dataset, labels, groupings } = await readEvaluationData(doc, datasetPath);
  rows = dataset.rows;
  lap('dataset');
  // issue #13: the data checks (drift, integrity, leakage, representation) run before any model check
  const dataStage = policy.data !== undefined ? (begin('data'), await runDataStage(doc, { dataset, labels, groupings })) : undefined;
  if (dataStage) lap('data');

  const modelPath = resolvePolicyPath(doc, policy.model.path, ['model', 'path']);
  let model: ScoringModel | undefined;
  try {
    begin('model');
    model = await loadModel({ file: modelPath, displayPath: policy.model.path, spec: policy.model, locate: doc.locate });
    lap('model');
    begin('scoring');
    const ctx = await scoreContext(doc, { dataset, labels, groupings }, model, options.workspace, deadline, options.scores, options.sampleRows);
    if (dataStage) await dataStage.scorePrediction(model, ctx.scores, options.workspace);
    // at scale, nothing after scoring reads the full rows' cells (labels and groups are codes already; robustness,
    // explainability and the baseline read the sample): let them go before the metrics (issue #12, peak memory)
    if (ctx.sample) releaseCells(dataset);
    lap('scoring');
    begin('metrics');
    const { scores, yPred } = ctx;

    const withScores = hasScores(ctx);
    const scoreOrder = withScores ? orderByScoreDescending(scores) : undefined; // one sort shared by every metric
    const performance = performanceMetrics(labels.yTrue, withScores ? scores : null, yPred, { curves: withScores, scoreOrder });
    // fairness on the favourable outcome (dataset.favourable): ctx itself, or labels/decisions/scores flipped
    const fair = fairnessContext(ctx);
    const fairOrder = fair === ctx ? scoreOrder : withScores ? orderByScoreDescending(fair.scores) : undefined;
    const fairness = groupings.map((grouping) =>
      groupMetrics({ yTrue: fair.labels.yTrue, yPred: fair.yPred, scores: withScores ? fair.scores : null, grouping, minGroupSize: policy.min_group_size, scoreOrder: fairOrder }),
    );
    lap('metrics');
    begin('checks');

    const checks: CheckResult[] = [...(dataStage?.checks ?? []), ...performanceChecks(ctx, performance), ...fairnessChecks(fair, fairness)];
    lap('checks');
    const notes: string[] = [...(dataStage?.notes ?? [])]; // the model's own notes stay in report.model.info.notes
    if (ctx.sample) {
      notes.push(
        `${dataset.rows.toLocaleString('en-US')} rows: scored in chunks of ${SCORE_CHUNK_ROWS.toLocaleString('en-US')}; performance and fairness use every row, while robustness, explainability and the baseline comparison run on a seeded sample of ${ctx.sample.rows.length.toLocaleString('en-US')} rows (the same sample however the rows are read or sharded).`,
      );
    }
    const inverted = invertedLabelNote(performance.metrics.roc_auc, String(policy.dataset.positive_label), labels.negativeLabel);
    if (inverted !== undefined) notes.push(inverted);

    let robustness: Report['robustness'];
    if (policy.checks.robustness !== undefined) {
      begin('robustness');
      // a translated scikit-learn / XGBoost model: the certificates read the translated graph, not the pickle
      const graphBytes = (model as { graphBytes?: Uint8Array }).graphBytes;
      const r = await runRobustness(ctx.sample ?? ctx, graphBytes ? { modelBytes: graphBytes } : {});
      robustness = r.section;
      checks.push(...r.checks);
      notes.push(...r.notes);
      lap('robustness');
      if (budget.exhausted !== undefined) markCutOff(r.checks, 'robustness', statisticsOf(doc).onNotRun);
    }
    let explainability: Report['explainability'];
    if (policy.checks.explainability !== undefined) {
      begin('explainability');
      const r = await runExplainability(ctx.sample ?? ctx);
      explainability = r.section;
      checks.push(...r.checks);
      notes.push(...r.notes);
      lap('explainability');
      if (budget.exhausted !== undefined) markCutOff(r.checks, 'explainability', statisticsOf(doc).onNotRun);
    }

    let baseline: Report['baseline'];
    // A comparison the user did not ask for (no --baseline, no max_regression limits) must never stop the gate: when the
    // base model cannot be read (shallow checkout, not a git repository) it becomes a note. With limits, the error
    // stands: it says what to change (fetch-depth), and the limits cannot be checked without the base model.
    const mustCompare = options.baseline !== undefined || resolveBaselineSettings(policy).limits.length > 0;
    let stage: Awaited<ReturnType<typeof baselineStage>>;
    begin('baseline');
    try {
      stage = await baselineStage(ctx.sample ?? ctx, {
        workspace: options.workspace,
        ...(options.baseline !== undefined ? { baseline: options.baseline } : {}),
        ...(options.eventPath !== undefined ? { eventPath: options.eventPath } : {}),
        loadModel: (file, displayPath) => loadModel({ file, displayPath, spec: policy.model }),
        // baseline.dataset: base — the pull request's model scored again on the base branch's dataset
        contextFor: async (datasetFile) => scoreContext(doc, await readEvaluationData(doc, datasetFile), model!, options.workspace, deadline),
        inputFor: (m, c) =>
          m.info.inputs.length === model!.info.inputs.length && m.info.inputs.every((s, i) => s.name === model!.info.inputs[i].name && s.type === model!.info.inputs[i].type)
            ? c.input
            : encodeModelInput(c.dataset, m.info.inputs, policy.model.features, { workspace: options.workspace, policyFile: doc.file, locate: doc.locate }),
      });
    } catch (error) {
      if (mustCompare || !isUserError(error)) throw error;
      stage = { compared: false, notes: [`No comparison with the base branch's model: ${error.message}`] };
    }
    if (stage.compared) {
      baseline = stage.section;
      checks.push(...stage.checks);
    }
    notes.push(...stage.notes);
    // what the pull request changes in the policy itself: a lowered limit or a removed check turns a breach green
    // without touching the model (informative: it never stops the gate)
    let policyChanges: PolicyComparison | undefined;
    try {
      const cmp = await comparePolicyWithBase({
        workspace: options.workspace,
        doc,
        policyFile: resolve(options.workspace, options.policyFile),
        ...(options.baseline !== undefined ? { explicit: options.baseline } : {}),
        ...((options.eventPath ?? options.policyEventPath) !== undefined ? { eventPath: options.eventPath ?? options.policyEventPath } : {}),
        maxBytes: MAX_POLICY_BYTES,
      });
      if (cmp !== null && 'unreadable' in cmp) notes.push(`Policy changes not compared: ${cmp.unreadable}.`);
      else if (cmp !== null && (cmp.newFile || cmp.changes.length > 0)) {
        policyChanges = cmp;
        notes.unshift(policyChangesNote(cmp));
      }
    } catch (error) {
      if (!isUserError(error)) notes.push('Policy changes not compared: git could not read the base version of the policy.');
    }
    lap('baseline');
    if (budget.exhausted !== undefined) checks.push(budgetCheck(doc, budget, statisticsOf(doc).onNotRun));
    const gated = applyMultipleTestingCorrection(checks, statisticsOf(doc));

    for (const g of fairness) {
      if (g.insufficientGroups.length > 0) {
        notes.push(
          `${g.name}: ${g.insufficientGroups.length} group(s) below min_group_size ${policy.min_group_size} are left out of the aggregates and named on the line of every fairness check of ${g.name}; such a group still fails a check when its own exact interval shows the breach: ${g.insufficientGroups.slice(0, 10).join(', ')}${g.insufficientGroups.length > 10 ? ', …' : ''}`,
        );
      }
    }
    if (checks.length === 0) notes.push('The policy names no checks: nothing was gated.');

    const summary = summarize(gated);
    const policyFp = await fingerprint(resolve(options.workspace, options.policyFile), doc.file);
    const modelInfo = { ...model.info } as Partial<typeof model.info>;
    delete modelInfo.file;
    delete modelInfo.sha256;
    delete modelInfo.bytes;
    const report: Report = {
      schemaVersion: REPORT_SCHEMA_VERSION,
      tool: { name: 'model-risk-gate', version: TOOL_VERSION },
      createdAt: now().toISOString(),
      verdict: summary.failed > 0 ? 'fail' : 'pass',
      summary,
      seed: policy.seed,
      policy: { ...policyFp, sha256: doc.sha256 },
      model: { path: policy.model.path, sha256: model.info.sha256, bytes: model.info.bytes, info: modelInfo as Report['model']['info'] },
      dataset: {
        path: policy.dataset.path,
        sha256: dataset.sha256,
        bytes: (await stat(datasetPath)).size,
        rows: dataset.rows,
        columns: dataset.columns.length,
        label: policy.dataset.label,
        positiveLabel: String(policy.dataset.positive_label),
        positives: labels.positives,
        favourable: favourableClasses(policy.dataset, labels),
      },
      threshold: policy.model.threshold,
      minGroupSize: policy.min_group_size,
      checks: gated,
      budget: { ms: budget.budgetMs, ...(budget.exhausted !== undefined ? { exhausted: budget.exhausted } : {}) },
      performance,
      fairness,
      notes,
      timings,
    };
    if (robustness !== undefined) report.robustness = robustness;
    if (explainability !== undefined) report.explainability = explainability;
    if (baseline !== undefined) report.baseline = baseline;
    if (policyChanges !== undefined) report.policyChanges = policyChanges;
    if (dataStage) report.data = dataStage.section;
    timings.total = Date.now() - started;
    return { report, doc };
  } finally {
    await model?.dispose();
  }
}
