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
import { makeCheckResults } from './result.js';
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
    out.push(
      ...makeCheckResults({
        doc, section: 'performance', metric, title, value: perf.metrics[name] ?? null, threshold, pointer,
        ...(gated.insufficientReason !== undefined ? { insufficientReason: gated.insufficientReason } : {}),
        ...(gated.estimate ? { estimate: gated.estimate } : {}),
      }),
    );
  }
  return out;
}

/** @deprecated import from util/arrays.js */
export { gather } from '../util/arrays.js';
