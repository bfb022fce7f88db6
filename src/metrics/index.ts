/** Public surface of the metrics engine: pure math on typed arrays, equal to scikit-learn 1.2 / fairlearn 0.11. */
export * from './types.js';
export { confusionCounts, addConfusion } from './confusion.js';
export { scoresToPredictions } from './predictions.js';
export {
  labelMetrics,
  rowCount,
  baseRate,
  selectionRate,
  accuracy,
  balancedAccuracy,
  precision,
  recall,
  f1,
  truePositiveRate,
  falsePositiveRate,
  trueNegativeRate,
  falseNegativeRate,
} from './labelMetrics.js';
export { orderByScoreDescending } from './scoreOrder.js';
export { thresholdSweep, sweepFromOrder, type ThresholdSweep } from './thresholdSweep.js';
export { rocAuc, rocAucFromSweep } from './rocAuc.js';
export { averagePrecision, averagePrecisionFromSweep } from './averagePrecision.js';
export { ksStatistic, ksFromSweep, type KsResult } from './ksStatistic.js';
export { meanScore, brierScore, logLoss, LOG_LOSS_EPS } from './probabilityScores.js';
export { scoreMetrics, scoreMetricsFromOrder, nullScoreMetrics, finiteOrNull, type ScoreMetricsResult } from './scoreMetrics.js';
export { downsampleCurve, downsampleIndices, MAX_CURVE_POINTS } from './downsampleCurve.js';
export { performanceCurves } from './performanceCurves.js';
export { performanceMetrics, type PerformanceOptions } from './performanceMetrics.js';
export {
  groupMin,
  groupMax,
  differenceBetweenGroups,
  differenceToOverall,
  ratioBetweenGroups,
  ratioToOverall,
  groupAggregates,
} from './groupAggregates.js';
export {
  demographicParityDifference,
  demographicParityRatio,
  equalizedOddsDifference,
  equalizedOddsRatio,
  equalOpportunityDifference,
  equalOpportunityRatio,
  fairlearnSummary,
  type GroupAggregates,
  type DisparityMethod,
  type TwoMetricAggregation,
} from './fairnessMetrics.js';
export { groupMetrics, type GroupMetricsInput } from './groupMetrics.js';
