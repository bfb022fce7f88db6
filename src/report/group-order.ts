/**
 * The order in which renderers show the groups of an attribute. The report keeps fairlearn's order (keys sorted as
 * strings, so a binned age reads '25-45', '<25', '>45'), and the metric values stay those of fairlearn; only the
 * display follows the bins' declared order: '<25', '25-45', '>45', then 'missing'. An attribute is treated as binned
 * when every key is a bin label of the default form ('<a', 'a-b', '>b', '>=a', see src/data/groups.ts) or `missing`;
 * other attributes (categories, custom bin `labels`) keep the report's order. Intersections ('Female|<25') follow the
 * order of each part, first attribute first. Pure.
 */
import type { AttributeResult, GroupResult } from '../metrics/types.js';

const MISSING = 'missing';
const KEY_SEPARATOR = '|';
const NUM = '(-?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:e[-+]?\\d+)?)';
const BELOW = new RegExp(`^<${NUM}$`, 'i');
const ATLEAST = new RegExp(`^>=${NUM}$`, 'i');
const ABOVE = new RegExp(`^>${NUM}$`, 'i');
const RANGE = new RegExp(`^${NUM}-${NUM}$`, 'i');

/** Sort position of a default bin label: [lower edge, rank within the edge], or null when it is not one. */
export function binPosition(label: string): [number, number] | null {
  let m: RegExpExecArray | null;
  if ((m = BELOW.exec(label))) return [Number(m[1]), 0];
  if ((m = RANGE.exec(label))) return Number(m[1]) <= Number(m[2]) ? [Number(m[1]), 1] : null;
  if ((m = ATLEAST.exec(label))) return [Number(m[1]), 1];
  if ((m = ABOVE.exec(label))) return [Number(m[1]), 2];
  return null;
}

/** The values of one attribute in display order (declared bin order when they are all bin labels), or null. */
export function binOrder(values: readonly string[]): string[] | null {
  const bins = values.filter((v) => v !== MISSING);
  if (bins.length < 2) return null;
  const positions = new Map<string, [number, number]>();
  for (const v of bins) {
    const p = binPosition(v);
    if (!p) return null;
    positions.set(v, p);
  }
  const sorted = [...bins].sort((a, b) => {
    const pa = positions.get(a)!;
    const pb = positions.get(b)!;
    return pa[0] - pb[0] || pa[1] - pb[1];
  });
  return values.includes(MISSING) ? [...sorted, MISSING] : sorted;
}

/** Rank of each value of each single attribute that is binned, by attribute name. */
function binnedRanks(all: readonly AttributeResult[]): Map<string, Map<string, number>> {
  const out = new Map<string, Map<string, number>>();
  for (const a of all) {
    if (a.attributes.length !== 1) continue;
    const order = binOrder(a.groups.map((g) => g.key));
    if (order) out.set(a.attributes[0]!, new Map(order.map((v, i) => [v, i])));
  }
  return out;
}

/**
 * The groups of `attr` in display order. `all` is every attribute of the report (an intersection looks up the order
 * of its parts there); without it a single attribute still orders its own bins. Returns the same array when nothing
 * changes.
 */
export function groupsInDisplayOrder(attr: AttributeResult, all: readonly AttributeResult[] = [attr]): GroupResult[] {
  const ranks = binnedRanks(all.includes(attr) ? all : [...all, attr]);
  const parts = attr.attributes;
  const partRanks = parts.map((p) => ranks.get(p));
  if (partRanks.every((r) => r === undefined)) return attr.groups;
  const index = new Map(attr.groups.map((g, i) => [g, i]));
  const valuesOf = (g: GroupResult): string[] => {
    if (parts.length === 1) return [g.key];
    const fromGroup = parts.map((p) => g.group?.[p]);
    return fromGroup.every((v) => typeof v === 'string') ? (fromGroup as string[]) : g.key.split(KEY_SEPARATOR);
  };
  const sorted = [...attr.groups].sort((a, b) => {
    const va = valuesOf(a);
    const vb = valuesOf(b);
    for (let i = 0; i < parts.length; i++) {
      const r = partRanks[i];
      const x = va[i] ?? '';
      const y = vb[i] ?? '';
      if (x === y) continue;
      if (r && r.has(x) && r.has(y)) return r.get(x)! - r.get(y)!;
      return x < y ? -1 : 1;
    }
    return index.get(a)! - index.get(b)!;
  });
  return sorted.every((g, i) => g === attr.groups[i]) ? attr.groups : sorted;
}

/** The attribute with its groups in display order (a shallow copy when the order changes). */
export function inDisplayOrder(attr: AttributeResult, all: readonly AttributeResult[] = [attr]): AttributeResult {
  const groups = groupsInDisplayOrder(attr, all);
  return groups === attr.groups ? attr : { ...attr, groups };
}
