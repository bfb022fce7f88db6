/**
 * Metrics of binary decisions, from confusion counts. Conventions are those of fairlearn 0.11 / scikit-learn 1.2 with
 * `zero_division=0`, so that values equal the reference files; every function returns null when the group has no rows.
 */
import type { ConfusionCounts, MetricValues } from './types.js';

function total(c: ConfusionCounts): number {
  return c.tp + c.fp + c.fn + c.tn;
}

/** n = tp + fp + fn + tn. */
export function rowCount(c: ConfusionCounts): number {
  return total(c);
}

/** Base rate = (tp + fn) / n = mean(y_true). null when n = 0. */
export function baseRate(c: ConfusionCounts): number | null {
  const n = total(c);
  return n === 0 ? null : (c.tp + c.fn) / n;
}

/** Selection rate = (tp + fp) / n = mean(y_pred) (fairlearn `selection_rate`). null when n = 0. */
export function selectionRate(c: ConfusionCounts): number | null {
  const n = total(c);
  return n === 0 ? null : (c.tp + c.fp) / n;
}

/** Accuracy = (tp + tn) / n (sklearn `accuracy_score`). null when n = 0. */
export function accuracy(c: ConfusionCounts): number | null {
  const n = total(c);
  return n === 0 ? null : (c.tp + c.tn) / n;
}

/**
 * True positive rate = recall = tp / (tp + fn). fairlearn `true_positive_rate`: 0 (not NaN) when the group has no
 * actual positives. null when n = 0.
 */
export function truePositiveRate(c: ConfusionCounts): number | null {
  if (total(c) === 0) return null;
  const p = c.tp + c.fn;
  return p === 0 ? 0 : c.tp / p;
}

/** False negative rate = fn / (tp + fn); 0 when there are no actual positives (fairlearn). null when n = 0. */
export function falseNegativeRate(c: ConfusionCounts): number | null {
  if (total(c) === 0) return null;
  const p = c.tp + c.fn;
  return p === 0 ? 0 : c.fn / p;
}

/** False positive rate = fp / (fp + tn); 0 when there are no actual negatives (fairlearn). null when n = 0. */
export function falsePositiveRate(c: ConfusionCounts): number | null {
  if (total(c) === 0) return null;
  const q = c.fp + c.tn;
  return q === 0 ? 0 : c.fp / q;
}

/** True negative rate = tn / (fp + tn); 0 when there are no actual negatives (fairlearn). null when n = 0. */
export function trueNegativeRate(c: ConfusionCounts): number | null {
  if (total(c) === 0) return null;
  const q = c.fp + c.tn;
  return q === 0 ? 0 : c.tn / q;
}

/** Precision = tp / (tp + fp); 0 when nothing is predicted positive (sklearn `zero_division=0`). null when n = 0. */
export function precision(c: ConfusionCounts): number | null {
  if (total(c) === 0) return null;
  const s = c.tp + c.fp;
  return s === 0 ? 0 : c.tp / s;
}

/** Recall = tp / (tp + fn); 0 when there are no actual positives (sklearn `zero_division=0`). null when n = 0. */
export function recall(c: ConfusionCounts): number | null {
  return truePositiveRate(c);
}

/**
 * F1 = 2 · precision · recall / (precision + recall), with precision and recall as above; 0 when both are 0
 * (sklearn 1.2 `f1_score(zero_division=0)`). null when n = 0.
 */
export function f1(c: ConfusionCounts): number | null {
  const p = precision(c);
  const r = recall(c);
  if (p === null || r === null) return null;
  const denom = p + r;
  return denom === 0 ? 0 : (2 * p * r) / denom;
}

/**
 * Balanced accuracy = mean, over the classes present in y_true, of that class's recall (sklearn
 * `balanced_accuracy_score`): (TPR + TNR) / 2 when both classes occur, TNR when only negatives occur, TPR when only
 * positives occur. null when n = 0.
 */
export function balancedAccuracy(c: ConfusionCounts): number | null {
  const positives = c.tp + c.fn;
  const negatives = c.fp + c.tn;
  if (positives === 0 && negatives === 0) return null;
  if (positives === 0) return c.tn / negatives;
  if (negatives === 0) return c.tp / positives;
  // sklearn: np.mean([recall of class 0, recall of class 1])
  return (c.tn / negatives + c.tp / positives) / 2;
}

/** Every label metric of LABEL_METRICS, in that order, from confusion counts (count = n; the rest null when n = 0). */
export function labelMetrics(c: ConfusionCounts): MetricValues {
  return {
    count: total(c),
    base_rate: baseRate(c),
    selection_rate: selectionRate(c),
    accuracy: accuracy(c),
    balanced_accuracy: balancedAccuracy(c),
    precision: precision(c),
    recall: recall(c),
    f1: f1(c),
    true_positive_rate: truePositiveRate(c),
    false_positive_rate: falsePositiveRate(c),
    true_negative_rate: trueNegativeRate(c),
    false_negative_rate: falseNegativeRate(c),
  };
}
