/**
 * Performance gates: each metric named in policy.checks.performance compared with its threshold on the whole
 * evaluation set. Values come from metrics/ (equal to scikit-learn); this file only selects and gates.
 */
import { confusionCounts, labelMetrics, scoreMetrics, SCORE_METRICS } from '../metrics/index.js';
import type { MetricName, MetricValues, PerformanceResult } from '../metrics/index.js';
import type { CheckResult } from '../report/types.js';
import type { CheckContext } from './context.js';
import { makeCheckResults } from './result.js';
import { metricTitle, proportionOf } from './titles.js';

export function hasScores(ctx: Pick<CheckContext, 'model'>): boolean {
  return ctx.model.info.outputKind !== 'label';
}

export function isScoreMetric(metric: string): boolean {
  return (SCORE_METRICS as readonly string[]).includes(metric);
}

/** Gathers the values of `source` at `rows` into a new array of the same type. */
export function gather<T extends Uint8Array | Float32Array | Int32Array>(source: T, rows: Uint32Array): T {
  const out = new (source.constructor as { new (n: number): T })(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = source[rows[i]];
  return out;
}

export function performanceChecks(ctx: CheckContext, perf: PerformanceResult): CheckResult[] {
  const { doc, labels, yPred, scores } = ctx;
  const spec = doc.policy.checks.performance;
  const withScores = hasScores(ctx);
  const out: CheckResult[] = [];
  for (const [metric, threshold] of Object.entries(spec)) {
    const name = metric as MetricName;
    const needsScores = isScoreMetric(metric);
    const title = metricTitle(metric);
    const pointer = ['checks', 'performance', metric];
    if (needsScores && !withScores) {
      out.push(
        ...makeCheckResults({
          doc, section: 'performance', metric, title, value: null, threshold, pointer,
          insufficientReason: 'the model outputs labels only, so score metrics cannot be computed',
        }),
      );
      continue;
    }
    const value = perf.metrics[name] ?? null;
    // resampled row indices (with repeats) are read in place: no copies
    const recompute = (rows: Uint32Array): number | null =>
      needsScores
        ? ((scoreMetrics(labels.yTrue, scores, rows).metrics as MetricValues)[name] ?? null)
        : (labelMetrics(confusionCounts(labels.yTrue, yPred, rows))[name] ?? null);
    const proportion = proportionOf(metric, perf.confusion);
    out.push(
      ...makeCheckResults({
        doc, section: 'performance', metric, title, value, threshold, pointer,
        estimate: { recompute, strata: Int32Array.from(labels.yTrue), ...(proportion ? { proportion } : {}) },
      }),
    );
  }
  return out;
}
