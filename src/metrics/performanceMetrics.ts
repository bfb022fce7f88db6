/** Whole-dataset performance of a binary classifier. */
import { confusionCounts } from './confusion.js';
import { labelMetrics } from './labelMetrics.js';
import { performanceCurves } from './performanceCurves.js';
import { nullScoreMetrics, scoreMetricsFromOrder } from './scoreMetrics.js';
import { orderByScoreDescending } from './scoreOrder.js';
import type { PerformanceResult } from './types.js';

export interface PerformanceOptions {
  /** Also return the chart curves (ROC, PR, precision by threshold, KS CDFs), thinned to ~200 points. Default false. */
  curves?: boolean;
  /** Row indices sorted by score, highest first (orderByScoreDescending(scores)), to share one sort with groupMetrics. */
  scoreOrder?: Uint32Array;
}

/**
 * Confusion counts, every label metric (labelMetrics) and, when scores are given, every score metric
 * (scoreMetricsFromOrder) of the whole dataset. `scores` null = a label-only model: score metrics, ksAt and curves are
 * null. Label metrics follow fairlearn/sklearn (zero_division=0); score metrics are null where undefined.
 */
export function performanceMetrics(
  yTrue: Uint8Array,
  scores: Float32Array | null,
  yPred: Uint8Array,
  opts: PerformanceOptions = {},
): PerformanceResult {
  const confusion = confusionCounts(yTrue, yPred);
  const metrics = labelMetrics(confusion);
  if (scores === null) {
    return { confusion, metrics: { ...metrics, ...nullScoreMetrics() }, ksAt: null, curves: null };
  }
  if (scores.length !== yTrue.length) throw new RangeError(`yTrue has ${yTrue.length} rows, scores ${scores.length}`);
  const order = opts.scoreOrder ?? orderByScoreDescending(scores);
  const scored = scoreMetricsFromOrder(yTrue, scores, order);
  return {
    confusion,
    metrics: { ...metrics, ...scored.metrics },
    ksAt: scored.ksAt,
    curves: opts.curves === true && yTrue.length > 0 ? performanceCurves(scored.sweep, scored.ksAt) : null,
  };
}
