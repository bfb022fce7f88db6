/**
 * Baseline comparison (issue #6): the pull request's model against the base branch's model on the same rows.
 * Each metric of the before/after table gets a paired bootstrap interval of its change (the same resampled rows for
 * both models, stratified by label, and by group for fairness metrics); `max_regression` limits become checks of the
 * worsening (direction-aware: a drop for higher-is-better metrics, a rise for lower-is-better ones), decided by
 * makeCheckResults like every other check.
 */
import { planFairnessMetric } from '../checks/fairness.js';
import { favourableOutcome, favourableView } from '../data/labels.js';
import { fairnessTitle } from '../checks/favourable.js';
import type { CheckContext, SectionOutput } from '../checks/context.js';
import { makeCheckResults, statisticsOf } from '../checks/result.js';
import { metricTitle } from '../metrics/names.js';
import { scoresToPredictions } from '../metrics/predictions.js';
import type { MetricName } from '../metrics/types.js';
import type { ModelInput, ScoringModel } from '../model/types.js';
import type { FairnessThreshold } from '../policy/types.js';
import type { CheckResult, Interval } from '../report/types.js';
import type { SampleStatistic } from '../stats/bootstrap.js';
import { bootstrapDistributions, fromDistribution, negateEstimate, type IntervalEstimate } from '../stats/estimate.js';
import { formatNumber } from '../stats/format.js';
import { labelGroupStrata, labelStrata } from '../stats/strata.js';
import { FairnessEvaluator, PerformanceEvaluator, isLabelMetric, type FairnessPlan, type Predictions } from '../stats/weighted/metrics.js';
import { higherIsBetter } from './direction.js';
import { resolveBaselineSettings, type RegressionLimit } from './policy.js';
import type { BaselineMetricChange, BaselineReport, ChangeDirection, ChangeEffect } from './types.js';

export interface BaselineModel {
  model: ScoringModel;
  /** Where it came from, for the report: "base commit 1a2b3c4 (pull request base), models/credit.onnx". */
  sourceDescription: string;
  /** The base model's input for the same rows, when it differs from ctx.input (default ctx.input). */
  input?: ModelInput;
  /** Which dataset both models were scored on, when the pull request changed it (shown in the report). */
  datasetNote?: string;
}

/** Metrics of the table when the policy names none. */
const DEFAULT_PERFORMANCE = ['roc_auc', 'accuracy', 'f1', 'brier'];
const DEFAULT_FAIRNESS = ['demographic_parity_ratio', 'equalized_odds_difference'];

/** One planned row of the before/after table. */
interface RowPlan {
  id: string;
  metric: string;
  section: 'performance' | 'fairness';
  scope?: string;
  title: string;
  /** Strata family: 'performance' or the attribute name. */
  strata: string;
  fairness?: FairnessPlan;
  limit?: RegressionLimit;
}

function isFairnessName(metric: string): boolean {
  return planFairnessMetric(metric) !== undefined && !isPerformanceName(metric);
}

function isPerformanceName(metric: string): boolean {
  return isLabelMetric(metric) || ['mean_score', 'roc_auc', 'average_precision', 'brier', 'log_loss', 'ks'].includes(metric);
}

function fairnessPlanOf(metric: string, opts: { method?: FairnessThreshold['method']; agg?: FairnessThreshold['agg'] }): FairnessPlan | undefined {
  const p = planFairnessMetric(metric, { agg: opts.agg });
  if (!p) return undefined;
  return { bases: p.bases, aggregate: p.aggregate, combine: p.combine, method: opts.method ?? 'between_groups' };
}

/** The rows of the table: gated checks, max_regression limits and baseline.metrics, in that order, each once. */
function planRows(ctx: CheckContext): RowPlan[] {
  const { policy } = ctx.doc;
  const settings = resolveBaselineSettings(policy);
  const attributes = ctx.groupings.map((g) => g.name);
  const rows = new Map<string, RowPlan>();
  const limitOf = new Map(settings.limits.map((l) => [l.metric, l]));

  const addPerformance = (metric: string): void => {
    if (rows.has(metric)) return;
    rows.set(metric, { id: metric, metric, section: 'performance', title: metricTitle(metric), strata: 'performance', limit: limitOf.get(metric) });
  };
  const addFairness = (metric: string, opts: { attributes?: string[]; method?: FairnessThreshold['method']; agg?: FairnessThreshold['agg'] }): void => {
    const limit = limitOf.get(metric);
    const method = limit?.method ?? opts.method;
    const agg = limit?.agg ?? opts.agg;
    const plan = fairnessPlanOf(metric, { method, agg });
    if (!plan) return;
    const chosen = opts.attributes ?? attributes;
    for (const attribute of chosen) {
      if (!attributes.includes(attribute)) continue;
      const id = `${metric}/${attribute}`;
      if (rows.has(id)) continue;
      const gated = limit && (limit.attributes === undefined || limit.attributes.includes(attribute)) ? limit : undefined;
      rows.set(id, {
        id, metric, section: 'fairness', scope: attribute, title: `${fairnessTitle(ctx, metric)} (${attribute})`,
        strata: attribute, fairness: plan, limit: gated,
      });
    }
  };

  const perfNames = [
    ...Object.keys(policy.checks.performance ?? {}),
    ...settings.limits.map((l) => l.metric).filter(isPerformanceName),
    ...settings.extraMetrics.filter(isPerformanceName),
  ];
  const fairNames = [
    ...Object.keys(policy.checks.fairness ?? {}),
    ...settings.limits.map((l) => l.metric).filter(isFairnessName),
    ...settings.extraMetrics.filter(isFairnessName),
  ];
  for (const m of perfNames.length ? perfNames : DEFAULT_PERFORMANCE) addPerformance(m);
  // limits first so that their attributes and options win
  for (const l of settings.limits) if (isFairnessName(l.metric)) addFairness(l.metric, { attributes: l.attributes });
  for (const [metric, t] of Object.entries(policy.checks.fairness ?? {})) addFairness(metric, t);
  for (const m of fairNames.length ? fairNames : attributes.length ? DEFAULT_FAIRNESS : []) addFairness(m, {});
  return [...rows.values()];
}

/** Evaluates one row's metric for one model under weights. */
type RowEvaluator = { value(w: Uint32Array | null): number | null; undefinedBecause?: string };

function evaluatorsFor(rows: RowPlan[], ctx: CheckContext, pred: Predictions): Map<string, RowEvaluator> {
  const out = new Map<string, RowEvaluator>();
  const perf = new PerformanceEvaluator(pred);
  const fairPred = favourableView(pred, favourableOutcome(ctx.doc.policy.dataset)); // fairness on the favourable outcome (issue #9)
  for (const row of rows) {
    if (row.section === 'performance') {
      const metric = row.metric as MetricName;
      out.set(row.id, { value: (w) => perf.value(metric, w), undefinedBecause: perf.undefinedBecause(metric) });
    } else {
      const grouping = ctx.groupings.find((g) => g.name === row.scope);
      if (!grouping || !row.fairness) continue;
      const ev = new FairnessEvaluator(fairPred, grouping, row.fairness, ctx.doc.policy.min_group_size);
      out.set(row.id, { value: (w) => ev.value(w), undefinedBecause: ev.insufficientReason });
    }
  }
  return out;
}

function directionOf(delta: number | null): ChangeDirection {
  if (delta === null) return 'unknown';
  return delta > 0 ? 'up' : delta < 0 ? 'down' : 'flat';
}

function effectOf(delta: number | null, better: boolean | null): ChangeEffect {
  if (delta === null) return 'unknown';
  if (better === null || delta === 0) return 'neutral';
  return (delta > 0) === better ? 'better' : 'worse';
}

function regressionTitle(row: RowPlan, better: boolean | null): string {
  return `${row.title} ${better === false ? 'rise' : 'drop'} vs base`;
}

function arrowContext(before: number | null, after: number | null): string {
  return `base ${formatNumber(before)} → ${formatNumber(after)}`;
}

/** The regression-limit check of one row. */
function regressionCheck(
  ctx: CheckContext,
  row: RowPlan,
  change: BaselineMetricChange,
  estimate: IntervalEstimate | null,
  insufficientReason: string | undefined,
  extraDetails: Record<string, unknown> = {},
): CheckResult[] {
  const limit = row.limit as RegressionLimit;
  const better = change.higherIsBetter;
  const regression = change.delta === null ? null : better === true ? -change.delta : change.delta;
  const input: Parameters<typeof makeCheckResults>[0] = {
    doc: ctx.doc,
    section: 'baseline',
    metric: row.metric,
    title: regressionTitle(row, better),
    value: regression,
    threshold: limit.threshold,
    pointer: ['baseline', 'max_regression', row.metric],
    context: arrowContext(change.before, change.after),
    details: { before: change.before, after: change.after, delta: change.delta, higherIsBetter: better, baseline: change.id, ...extraDetails },
  };
  if (row.scope !== undefined) input.scope = row.scope;
  if (insufficientReason !== undefined) input.insufficientReason = insufficientReason;
  else if (estimate) input.intervalEstimate = better === true ? negateEstimate(estimate) : estimate;
  return makeCheckResults(input);
}

function fingerprintOf(model: ScoringModel): { sha256: string; bytes: number } {
  return { sha256: model.info.sha256, bytes: model.info.bytes };
}

/**
 * The model is byte-identical to the base: no scoring; every row shows the current value before and after, delta 0,
 * and each max_regression check passes with a regression of exactly 0.
 */
export function unchangedBaseline(ctx: CheckContext, base: { sourceDescription: string }): SectionOutput<BaselineReport> {
  const rows = planRows(ctx);
  const pred: Predictions = { yTrue: ctx.labels.yTrue, yPred: ctx.yPred, scores: ctx.model.info.outputKind === 'label' ? null : ctx.scores };
  const evaluators = evaluatorsFor(rows, ctx, pred);
  const metrics: BaselineMetricChange[] = [];
  const checks: CheckResult[] = [];
  for (const row of rows) {
    const ev = evaluators.get(row.id);
    const value = ev?.undefinedBecause === undefined ? (ev?.value(null) ?? null) : null;
    const better = higherIsBetter(row.metric);
    const change: BaselineMetricChange = {
      id: row.id, metric: row.metric, section: row.section, title: row.title, before: value, after: value,
      delta: value === null ? null : 0, higherIsBetter: better, direction: value === null ? 'unknown' : 'flat',
      effect: value === null ? 'unknown' : 'neutral', significant: false,
    };
    if (row.scope !== undefined) change.scope = row.scope;
    if (ev?.undefinedBecause) change.note = ev.undefinedBecause;
    if (row.limit) {
      change.maxRegression = row.limit.max;
      // identical model, identical rows: the change is exactly 0 whatever the data
      const results = regressionCheck(ctx, row, { ...change, delta: 0 }, null, undefined, { unchanged: true });
      change.checkId = results[0]?.id;
      checks.push(...results);
    }
    metrics.push(change);
  }
  const fp = fingerprintOf(ctx.model);
  return {
    section: {
      status: 'unchanged',
      base: { source: base.sourceDescription, ...fp },
      current: fp,
      rows: ctx.labels.yTrue.length,
      decisionsChanged: 0,
      interval: null,
      metrics,
    },
    checks,
    notes: [`The model is identical to the base model (${base.sourceDescription}): not rescored; every change is 0.`],
  };
}

/**
 * The base model could not be loaded, encoded or scored (e.g. the pull request changed the model's inputs): no
 * comparison; every max_regression check is insufficient evidence with that reason (outcome per on_insufficient).
 */
export function incompatibleBaseline(ctx: CheckContext, base: BaselineReport['base'], reason: string): SectionOutput<BaselineReport> {
  const rows = planRows(ctx);
  const checks: CheckResult[] = [];
  const metrics: BaselineMetricChange[] = rows.map((row) => {
    const change: BaselineMetricChange = {
      id: row.id, metric: row.metric, section: row.section, title: row.title, before: null, after: null, delta: null,
      higherIsBetter: higherIsBetter(row.metric), direction: 'unknown', effect: 'unknown', significant: false, note: reason,
    };
    if (row.scope !== undefined) change.scope = row.scope;
    if (row.limit) {
      change.maxRegression = row.limit.max;
      const results = regressionCheck(ctx, row, change, null, reason);
      change.checkId = results[0]?.id;
      checks.push(...results);
    }
    return change;
  });
  return {
    section: { status: 'incompatible', base, current: fingerprintOf(ctx.model), rows: ctx.labels.yTrue.length, decisionsChanged: null, interval: null, metrics },
    checks,
    notes: [`Baseline: ${reason}; no comparison.`],
  };
}

/** Scores the base model on the same rows and compares (see the file comment). */
export async function runBaseline(ctx: CheckContext, base: BaselineModel): Promise<SectionOutput<BaselineReport>> {
  const { doc } = ctx;
  const stats = statisticsOf(doc);
  const rows = planRows(ctx);
  const n = ctx.labels.yTrue.length;
  const current: Predictions = { yTrue: ctx.labels.yTrue, yPred: ctx.yPred, scores: ctx.model.info.outputKind === 'label' ? null : ctx.scores };
  const notes: string[] = [];
  const fp = fingerprintOf(ctx.model);
  const baseRef = { source: base.sourceDescription, ...fingerprintOf(base.model) };


  let baseScores: Float32Array;
  try {
    baseScores = await base.model.score(base.input ?? ctx.input);
    if (baseScores.length !== n) throw new Error(`it returned ${baseScores.length} scores for ${n} rows`);
  } catch (e) {
    const why = String((e as Error)?.message ?? e).split('\n')[0];
    return incompatibleBaseline(ctx, baseRef, `the base model cannot be scored on this data (${why})`);
  }

  const basePred: Predictions = {
    yTrue: ctx.labels.yTrue,
    yPred: scoresToPredictions(baseScores, doc.policy.model.threshold),
    scores: base.model.info.outputKind === 'label' ? null : baseScores,
  };
  let decisionsChanged = 0;
  for (let i = 0; i < n; i++) if (basePred.yPred[i] !== current.yPred[i]) decisionsChanged++;

  const after = evaluatorsFor(rows, ctx, current);
  const before = evaluatorsFor(rows, ctx, basePred);

  // point values and what cannot be estimated
  const changes = new Map<string, BaselineMetricChange>();
  const reasons = new Map<string, string>();
  for (const row of rows) {
    const a = after.get(row.id);
    const b = before.get(row.id);
    const whyAfter = a === undefined ? 'unknown attribute' : a.undefinedBecause;
    const whyBefore = b === undefined ? 'unknown attribute' : b.undefinedBecause;
    const va = whyAfter === undefined ? (a as RowEvaluator).value(null) : null;
    const vb = whyBefore === undefined ? (b as RowEvaluator).value(null) : null;
    const delta = va === null || vb === null ? null : va - vb;
    const better = higherIsBetter(row.metric);
    const change: BaselineMetricChange = {
      id: row.id, metric: row.metric, section: row.section, title: row.title, before: vb, after: va, delta,
      higherIsBetter: better, direction: directionOf(delta), effect: effectOf(delta, better), significant: false,
    };
    if (row.scope !== undefined) change.scope = row.scope;
    const reason =
      whyBefore !== undefined ? `base model: ${whyBefore}` : whyAfter !== undefined ? `pull request model: ${whyAfter}` : delta === null ? 'the value is undefined for one of the models' : undefined;
    if (reason) {
      change.note = reason;
      reasons.set(row.id, reason);
    }
    changes.set(row.id, change);
  }

  // paired bootstrap of every change, one resampling run per strata family
  const estimates = new Map<string, IntervalEstimate>();
  if (stats.resamples > 0) {
    const families = new Map<string, RowPlan[]>();
    for (const row of rows) {
      if (reasons.has(row.id)) continue;
      const list = families.get(row.strata) ?? [];
      list.push(row);
      families.set(row.strata, list);
    }
    for (const [family, members] of families) {
      const strata =
        family === 'performance'
          ? labelStrata(ctx.labels.yTrue)
          : labelGroupStrata(ctx.labels.yTrue, (ctx.groupings.find((g) => g.name === family) as { codes: Int32Array }).codes);
      const statistics: SampleStatistic[] = members.map((row) => {
        const a = after.get(row.id) as RowEvaluator;
        const b = before.get(row.id) as RowEvaluator;
        return (sample) => {
          const w = sample.weights();
          const va = a.value(w);
          if (va === null) return null;
          const vb = b.value(w);
          return vb === null ? null : va - vb;
        };
      });
      const deltas = members.map((row) => changes.get(row.id)?.delta as number);
      const rng = ctx.rng.fork(`baseline/${family}`);
      const distributions = bootstrapDistributions(deltas, statistics, strata, stats, rng);
      members.forEach((row, j) => {
        const e = fromDistribution(distributions[j], stats);
        if (!e) return;
        estimates.set(row.id, e);
        const change = changes.get(row.id) as BaselineMetricChange;
        const ci: Interval = e.interval;
        change.deltaInterval = ci;
        change.significant = ci.low > 0 || ci.high < 0;
      });
    }
  }

  const checks: CheckResult[] = [];
  for (const row of rows) {
    const change = changes.get(row.id) as BaselineMetricChange;
    if (!row.limit) continue;
    change.maxRegression = row.limit.max;
    const results = regressionCheck(ctx, row, change, estimates.get(row.id) ?? null, reasons.get(row.id));
    change.checkId = results[0]?.id;
    checks.push(...results);
  }
  if (basePred.scores === null && current.scores !== null) notes.push('Baseline: the base model outputs labels only; score metrics are compared for the pull request model only.');

  const section: BaselineReport = {
    status: 'compared',
    base: baseRef,
    current: fp,
    rows: n,
    decisionsChanged,
    interval: stats.resamples > 0 ? { level: stats.level, resamples: stats.resamples, method: `paired-bootstrap-${stats.bootstrap}`, seed: doc.policy.seed } : null,
    metrics: rows.map((r) => changes.get(r.id) as BaselineMetricChange),
  };
  if (base.datasetNote) section.dataset = base.datasetNote;
  return { section, checks, notes };
}
