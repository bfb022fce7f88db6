/**
 * Players of the Shapley games: the dataset's raw columns as the model sees them. A one-hot group of a matrix input
 * (MatrixInput.oneHotGroups) is one player; every other matrix feature is its own player; for one tensor per column
 * (ColumnsInput), the tensors fed from the same dataset column form one player (a string input is one player).
 * A player's "slots" are matrix column indices (matrix) or tensor indices (columns, in Object.keys order).
 */
import type { ModelInput } from '../../model/types.js';

export interface Players {
  /** Player names (raw dataset columns), in order. */
  names: string[];
  /** Per player: the model input slots it moves. */
  slots: Int32Array[];
  /** Per slot: the player it belongs to. */
  playerOfSlot: Int32Array;
  /** Per player: the model input feature names (matrix feature names, or tensor names). */
  inputs: string[][];
}

/** Slot names of an input: matrix feature names, or tensor names in key order. */
export function slotNames(input: ModelInput): string[] {
  return input.kind === 'matrix' ? input.featureNames.slice() : Object.keys(input.tensors);
}

/**
 * Players of a model input. `columnOrder` (the dataset's column names) orders the players as the dataset does; players
 * not named like a column keep their input order after those.
 */
export function playersOf(input: ModelInput, columnOrder: readonly string[] = []): Players {
  const slots = slotNames(input);
  const ownerName = new Array<string>(slots.length);
  if (input.kind === 'matrix') {
    if (slots.length !== input.width) throw new Error(`matrix input has ${input.width} columns but ${slots.length} feature names`);
    for (let i = 0; i < slots.length; i++) ownerName[i] = slots[i] ?? `feature_${i}`;
    for (const [column, indices] of Object.entries(input.oneHotGroups ?? {})) {
      for (const i of indices) {
        if (!(i >= 0 && i < slots.length)) throw new Error(`one-hot group ${column} points outside the matrix (${i})`);
        ownerName[i] = column;
      }
    }
  } else {
    for (let i = 0; i < slots.length; i++) ownerName[i] = input.sourceColumns[slots[i]] ?? slots[i];
  }
  const firstSlot = new Map<string, number>();
  ownerName.forEach((name, i) => {
    if (!firstSlot.has(name)) firstSlot.set(name, i);
  });
  const position = new Map(columnOrder.map((c, i) => [c, i]));
  const names = [...firstSlot.keys()].sort((a, b) => {
    const pa = position.get(a);
    const pb = position.get(b);
    if (pa !== undefined && pb !== undefined) return pa - pb;
    if (pa !== undefined) return -1;
    if (pb !== undefined) return 1;
    return (firstSlot.get(a) as number) - (firstSlot.get(b) as number);
  });
  const index = new Map(names.map((n, k) => [n, k]));
  const playerOfSlot = Int32Array.from(ownerName, (n) => index.get(n) as number);
  const lists: number[][] = names.map(() => []);
  playerOfSlot.forEach((p, i) => lists[p].push(i));
  return {
    names,
    slots: lists.map((l) => Int32Array.from(l)),
    playerOfSlot,
    inputs: lists.map((l) => l.map((i) => slots[i])),
  };
}
