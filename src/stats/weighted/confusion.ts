/** Weighted confusion counts, overall and per group. */
import type { ConfusionCounts } from '../../metrics/types.js';

/** Σ weights per cell (tn, fp, fn, tp). Branch-free: cell = 2·y + ŷ. */
export function weightedConfusion(yTrue: Uint8Array, yPred: Uint8Array, w: Uint32Array): ConfusionCounts {
  const cells = new Float64Array(4);
  for (let i = 0; i < w.length; i++) cells[((yTrue[i] !== 0 ? 1 : 0) << 1) | (yPred[i] !== 0 ? 1 : 0)] += w[i];
  return { tn: cells[0], fp: cells[1], fn: cells[2], tp: cells[3] };
}

/** Per group: out[4g + (2y + ŷ)] = Σ weights (cells tn, fp, fn, tp). `out` has 4 × groups entries and is zeroed. */
export function weightedGroupConfusion(
  codes: Int32Array,
  groups: number,
  yTrue: Uint8Array,
  yPred: Uint8Array,
  w: Uint32Array,
  out: Float64Array = new Float64Array(4 * groups),
): Float64Array {
  out.fill(0);
  for (let i = 0; i < w.length; i++) out[(codes[i] << 2) | ((yTrue[i] !== 0 ? 1 : 0) << 1) | (yPred[i] !== 0 ? 1 : 0)] += w[i];
  return out;
}

export function confusionAt(cells: Float64Array, g: number): ConfusionCounts {
  return { tn: cells[4 * g], fp: cells[4 * g + 1], fn: cells[4 * g + 2], tp: cells[4 * g + 3] };
}

/** Cell index per row: 4·group + 2·y + ŷ (group 0 when there are no groups). Precompute once, count per sample. */
export function confusionCells(yTrue: Uint8Array, yPred: Uint8Array, codes?: Int32Array): Int32Array {
  const out = new Int32Array(yTrue.length);
  for (let i = 0; i < out.length; i++) out[i] = (codes ? codes[i] << 2 : 0) | ((yTrue[i] !== 0 ? 1 : 0) << 1) | (yPred[i] !== 0 ? 1 : 0);
  return out;
}

/** out[c] = Σ weights of the rows in cell c (out zeroed first). */
export function weightedCellCounts(cells: Int32Array, w: Uint32Array, out: Float64Array): Float64Array {
  out.fill(0);
  for (let i = 0; i < cells.length; i++) out[cells[i]] += w[i];
  return out;
}
