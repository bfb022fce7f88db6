/**
 * Rows to attack: a sample stratified by label (each class keeps its share of the data, at least one row of a class
 * that occurs), drawn without replacement with the seeded rng, returned in ascending row order.
 */
import { shuffledIndices, type Rng } from '../../util/rng.js';

export function stratifiedSample(yTrue: Uint8Array, size: number, rng: Rng): Uint32Array {
  const n = yTrue.length;
  if (size <= 0) return new Uint32Array(0);
  if (size >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const byClass: number[][] = [[], []];
  for (let i = 0; i < n; i++) (byClass[yTrue[i] === 1 ? 1 : 0] as number[]).push(i);
  const pos = (byClass[1] as number[]).length;
  let takePos = Math.round((size * pos) / n);
  if (pos > 0 && takePos === 0) takePos = 1;
  if (pos < n && takePos === size) takePos = size - 1;
  takePos = Math.min(takePos, pos);
  const takeNeg = Math.min(size - takePos, n - pos);
  const out: number[] = [];
  for (const [cls, take] of [
    [0, takeNeg],
    [1, takePos],
  ] as const) {
    const members = byClass[cls] as number[];
    const order = shuffledIndices(members.length, rng);
    for (let i = 0; i < take; i++) out.push(members[order[i] as number] as number);
  }
  out.sort((a, b) => a - b);
  return Uint32Array.from(out);
}
