/** Confusion counts of binary labels. */
import type { ConfusionCounts } from './types.js';

/**
 * Confusion counts of binary predictions against binary truth (1 = positive class):
 * tp = #{y=1, ŷ=1}, fp = #{y=0, ŷ=1}, fn = #{y=1, ŷ=0}, tn = #{y=0, ŷ=0}
 * (scikit-learn `confusion_matrix(y_true, y_pred, labels=[0, 1]).ravel()` = tn, fp, fn, tp).
 *
 * `rows` restricts the count to those row indices (repeats count again, as in a bootstrap resample); without it every
 * row is counted. Any non-zero byte counts as 1.
 */
export function confusionCounts(yTrue: Uint8Array, yPred: Uint8Array, rows?: ArrayLike<number>): ConfusionCounts {
  // cell index = 2 * y + ŷ: 0 = tn, 1 = fp, 2 = fn, 3 = tp
  const cells = [0, 0, 0, 0];
  if (rows === undefined) {
    if (yPred.length !== yTrue.length) throw new RangeError(`yTrue has ${yTrue.length} rows, yPred ${yPred.length}`);
    for (let i = 0; i < yTrue.length; i++) cells[(yTrue[i] !== 0 ? 2 : 0) + (yPred[i] !== 0 ? 1 : 0)]++;
  } else {
    for (let j = 0; j < rows.length; j++) {
      const i = rows[j] as number;
      cells[(yTrue[i] !== 0 ? 2 : 0) + (yPred[i] !== 0 ? 1 : 0)]++;
    }
  }
  return { tn: cells[0] as number, fp: cells[1] as number, fn: cells[2] as number, tp: cells[3] as number };
}

/** Sum of confusion counts (for example of several groups). */
export function addConfusion(a: ConfusionCounts, b: ConfusionCounts): ConfusionCounts {
  return { tn: a.tn + b.tn, fp: a.fp + b.fp, fn: a.fn + b.fn, tp: a.tp + b.tp };
}
