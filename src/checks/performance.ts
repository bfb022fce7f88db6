/**
 * Performance gates: each metric named in policy.checks.performance compared with its threshold on the whole
 * evaluation set. Values come from metrics/ (equal to scikit-learn); this file only selects and gates.
 */
import { SCORE_METRICS } from '../metrics/index.js';
import type { MetricName, PerformanceResult } from '../metrics/index.js';
import { performanceEstimate } from '../stats/estimators.js';
import { PerformanceEvaluator } from '../stats/weighted/metrics.js';
import type { CheckResult } from '../report/types.js';
import type { CheckContext } from './context.js';
import { makeCheckResults, statisticsOf } from './result.js';
import { aucEstimate, binnedEstimate, cellsEstimate, meanEstimate, SCALE_WORK } from '../stats/scaleIntervals.js';
import type { IntervalEstimate } from '../stats/estimate.js';
import type { StatisticsSettings } from '../stats/policy.js';
import { thresholdSweep, type ThresholdSweep } from '../metrics/thresholdSweep.js';
import { rowLosses } from '../stats/weighted/scores.js';
import { weightedConfusion } from '../stats/weighted/confusion.js';
import { unitWeights } from '../stats/weighted/weights.js';
import type { Predictions } from '../stats/weighted/metrics.js';
import { createRng, type Rng } from '../util/rng.js';
import { metricTitle } from '../metrics/names.js';

export function hasScores(ctx: Pick<CheckContext, 'model'>): boolean {
  return ctx.model.info.outputKind !== 'label';
}

export function isScoreMetric(metric: string): boolean {
  return (SCORE_METRICS as readonly string[]).includes(metric);
}

export function performanceChecks(ctx: CheckContext, perf: PerformanceResult): CheckResult[] {
  const { doc, labels, yPred, scores } = ctx;
  const spec = doc.policy.checks.performance;
  const withScores = hasScores(ctx);
  const predictions = { yTrue: labels.yTrue, yPred, scores: withScores ? scores : null };
  let evaluator: PerformanceEvaluator | undefined; // one sort by score, shared by every metric's bootstrap
  let sweep: ThresholdSweep | undefined;
  const out: CheckResult[] = [];
  for (const [metric, threshold] of Object.entries(spec)) {
    const name = metric as MetricName;
    const title = metricTitle(metric);
    const pointer = ['checks', 'performance', metric];
    if (isScoreMetric(metric) && !withScores) {
      out.push(
        ...makeCheckResults({
          doc, section: 'performance', metric, title, value: null, threshold, pointer,
          insufficientReason: 'the model outputs labels only, so score metrics cannot be computed',
        }),
      );
      continue;
    }
    // the point value comes from the metrics engine (equal to scikit-learn); the estimate re-evaluates the metric on
    // bootstrap resamples as row weights, in O(n)
    evaluator ??= new PerformanceEvaluator(predictions);
    const gated = performanceEstimate(name, predictions, evaluator);
    const value = perf.metrics[name] ?? null;
    // at scale (rows × resamples above SCALE_WORK) the row bootstrap gives way to O(n log n) methods (issue #12)
    const settings = statisticsOf(doc);
    const atScale =
      gated.insufficientReason === undefined && value !== null && settings.resamples > 0 &&
      labels.yTrue.length * settings.resamples > (settings.scaleWork ?? SCALE_WORK) &&
      !(gated.estimate?.proportion && settings.proportion !== 'bootstrap');
    const scaled = atScale ? scaleEstimate(name, value as number, predictions, settings, createRng(doc.policy.seed).fork(`stats/performance/${metric}`), () => (sweep ??= thresholdSweep(labels.yTrue, scores))) : null;
    out.push(
      ...makeCheckResults({
        doc, section: 'performance', metric, title, value, threshold, pointer,
        ...(gated.insufficientReason !== undefined ? { insufficientReason: gated.insufficientReason } : {}),
        ...(scaled ? { intervalEstimate: scaled } : gated.estimate ? { estimate: gated.estimate } : {}),
      }),
    );
  }
  return out;
}

/** @deprecated import from util/arrays.js */
export { gather } from '../util/arrays.js';

/** The at-scale interval of a performance metric (src/stats/scaleIntervals.ts), or null to keep the row bootstrap. */
function scaleEstimate(metric: string, value: number, pred: Predictions, settings: StatisticsSettings, rng: Rng, sweep: () => ThresholdSweep): IntervalEstimate | null {
  if (pred.scores) {
    if (metric === 'roc_auc') return aucEstimate(value, sweep(), settings);
    if (metric === 'brier' || metric === 'log_loss' || metric === 'mean_score') return meanEstimate(rowLosses(metric, pred.yTrue, pred.scores), settings, pred.yTrue);
    if (metric === 'average_precision' || metric === 'ks') return binnedEstimate(metric, value, sweep(), settings, rng);
  }
  if (metric === 'count') return null;
  const cells = weightedConfusion(pred.yTrue, pred.yPred, unitWeights(pred.yTrue.length));
  return cellsEstimate(metric, value, cells, settings, rng);
}
