/** Every score metric of SCORE_METRICS from one sorted pass. */
import { averagePrecisionFromSweep } from './averagePrecision.js';
import { ksFromSweep } from './ksStatistic.js';
import { brierScore, logLoss, meanScore } from './probabilityScores.js';
import { rocAucFromSweep } from './rocAuc.js';
import { orderByScoreDescending } from './scoreOrder.js';
import { sweepFromOrder, type ThresholdSweep } from './thresholdSweep.js';
import type { MetricValues, ScoreMetricName } from './types.js';

export interface ScoreMetricsResult {
  /** mean_score, roc_auc, average_precision, brier, log_loss, ks (statistic); null where undefined. */
  metrics: Record<ScoreMetricName, number | null>;
  /** Score at which the KS statistic is reached; null when KS is undefined. */
  ksAt: number | null;
  /** The sweep the ranking metrics came from (reuse it for curves). */
  sweep: ThresholdSweep;
}

/** null for NaN/±Infinity (e.g. a NaN score from a broken model), so no NaN reaches a report. */
export function finiteOrNull(x: number | null): number | null {
  return x === null || !Number.isFinite(x) ? null : x;
}

/**
 * Score metrics of the rows in `order` (row indices sorted by score, highest first: a slice of
 * orderByScoreDescending's output). mean_score, brier and log_loss as in probabilityScores.ts; roc_auc,
 * average_precision and ks from one threshold sweep. Each is null when undefined (no rows; one class only for the
 * ranking metrics).
 */
export function scoreMetricsFromOrder(yTrue: Uint8Array, scores: Float32Array, order: Uint32Array): ScoreMetricsResult {
  const sweep = sweepFromOrder(yTrue, scores, order);
  const ks = ksFromSweep(sweep);
  const metrics: Record<ScoreMetricName, number | null> = {
    mean_score: finiteOrNull(meanScore(scores, order)),
    roc_auc: finiteOrNull(rocAucFromSweep(sweep)),
    average_precision: finiteOrNull(averagePrecisionFromSweep(sweep)),
    brier: finiteOrNull(brierScore(yTrue, scores, order)),
    log_loss: finiteOrNull(logLoss(yTrue, scores, order)),
    ks: ks === null ? null : finiteOrNull(ks.statistic),
  };
  return { metrics, ksAt: ks === null ? null : finiteOrNull(ks.at), sweep };
}

/** Score metrics of all rows (or of `rows`): one sort, then scoreMetricsFromOrder. */
export function scoreMetrics(yTrue: Uint8Array, scores: Float32Array, rows?: ArrayLike<number>): ScoreMetricsResult {
  return scoreMetricsFromOrder(yTrue, scores, orderByScoreDescending(scores, rows));
}

/** The score metrics of a label-only model: all null. */
export function nullScoreMetrics(): MetricValues {
  return { mean_score: null, roc_auc: null, average_precision: null, brier: null, log_loss: null, ks: null };
}
