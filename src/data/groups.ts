/**
 * Sensitive attributes and their intersections as integer group codes per row (the input of the grouping engine).
 *
 * Conventions (the same as the reference files, computed with fairlearn):
 * - Group keys are sorted as fairlearn sorts them: by value. Text values and bin labels sort as strings (code-unit
 *   order, so '25-45' < '<25' < '>45'); values of a numeric column without bins sort numerically.
 * - Binned numeric columns, edges [a, b]: '<a' (x < a), 'a-b' (a <= x <= b), '>b' (x > b). With more edges
 *   [a, b, c]: '<a', 'a-b' (a <= x < b), 'b-c' (b <= x <= c), '>c'. One edge [a]: '<a', '>=a'. `labels` replaces
 *   these names, bin for bin.
 * - A single attribute lists the values that occur. An intersection lists every combination of its attributes' values
 *   (the cartesian product, as MetricFrame does), including combinations with no rows; key = values joined with '|',
 *   name = attribute names joined with '_x_'.
 * - Missing values: a cell whose text is one of dataset.missing_values (or NaN in a numeric column) is put in a group
 *   of its own named `missing`, so that rows without the attribute are neither dropped nor mixed into another group.
 */
import { shortenName } from '../report/escape.js';
import type { Policy, PolicyDocument, PolicyPointer, SensitiveSpec } from '../policy/types.js';
import { defaultSensitiveName, intersectionName } from '../policy/names.js';
import { didYouMean, listNames } from '../policy/suggest.js';
import { UserError, type SourceLocation } from '../util/errors.js';
import { lineOfRow } from './csv.js';
import type { Column, Dataset, Grouping } from './types.js';

export { INTERSECTION_SEPARATOR, intersectionName } from '../policy/names.js';

/** Group key for rows whose sensitive value is missing. */
export const MISSING_GROUP = 'missing';
/** A numeric sensitive column without bins may have at most this many distinct values. */
export const MAX_UNBINNED_NUMERIC_VALUES = 20;
/** Bound on the number of groups of one attribute or intersection (reports stay readable, memory stays small). */
export const MAX_GROUPS = 1000;
/** Longest group name kept as is; longer values are shown as their start, '…' and a hash. */
export const MAX_GROUP_NAME_CHARS = 100;
/** Joins the values of an intersection group: 'Female|<25'. */
export const KEY_SEPARATOR = '|';

/** The default name of each bin for strictly increasing edges (see the module comment). */
export function defaultBinLabels(edges: readonly number[]): string[] {
  const k = edges.length;
  if (k === 0) return [];
  const f = (x: number): string => String(x);
  if (k === 1) return [`<${f(edges[0])}`, `>=${f(edges[0])}`];
  const labels = [`<${f(edges[0])}`];
  for (let i = 0; i + 1 < k; i++) labels.push(`${f(edges[i])}-${f(edges[i + 1])}`);
  labels.push(`>${f(edges[k - 1])}`);
  return labels;
}

/** Index of the bin holding x (0 .. edges.length), for strictly increasing edges. NaN -> -1. */
export function binIndex(x: number, edges: readonly number[]): number {
  if (Number.isNaN(x)) return -1;
  const k = edges.length;
  if (x < edges[0]) return 0;
  if (k === 1) return 1;
  if (x > edges[k - 1]) return k;
  // Inner bins [e_i, e_{i+1}) except the last, which includes its upper edge.
  for (let i = 0; i + 2 < k; i++) if (x < edges[i + 1]) return i + 1;
  return k - 1;
}

/**
 * One Grouping per sensitive attribute (policy order), then one per intersection (policy order).
 * @param doc when given, problems are reported at the sensitive attribute's line in the policy.
 */
export function buildGroupings(dataset: Dataset, policy: Policy, doc?: PolicyDocument): Grouping[] {
  const at = (pointer: PolicyPointer): SourceLocation => doc?.locate(pointer) ?? { file: dataset.file, line: 1 };
  const missing = new Set(policy.dataset.missing_values);
  const single = policy.sensitive.map((spec, i) => attributeGrouping(dataset, spec, missing, ['sensitive', i], at));
  const byName = new Map(single.map((g) => [g.name, g]));
  const crossed = policy.intersections.map((names, i) => {
    const parts = names.map((name, j) => {
      const g = byName.get(name);
      if (!g) {
        throw new UserError(
          `intersection names \`${name}\`, which is not a sensitive attribute; ${didYouMean(name, byName.keys()) || `declared: ${listNames([...byName.keys()])}`}`,
          at(['intersections', i, j]),
        );
      }
      return g;
    });
    return intersectGroupings(parts, at(['intersections', i]));
  });
  return [...single, ...crossed];
}

function attributeGrouping(
  dataset: Dataset,
  spec: SensitiveSpec,
  missing: Set<string>,
  pointer: PolicyPointer,
  at: (p: PolicyPointer) => SourceLocation,
): Grouping {
  const column = dataset.byName.get(spec.column);
  const name = spec.name ?? defaultSensitiveName(spec.column, spec.bins !== undefined);
  if (!column) {
    const names = dataset.columns.map((c) => c.name);
    throw new UserError(
      `sensitive column \`${spec.column}\` is not in ${dataset.file}; ` +
        (didYouMean(spec.column, names) || `its columns are ${listNames(names)}`),
      at([...pointer, 'column']),
    );
  }
  let rawCodes: Int32Array;
  let rawKeys: string[];
  let order: 'text' | 'numeric' = 'text';
  if (spec.bins && spec.bins.length > 0) {
    if (column.kind !== 'numeric') {
      const example = firstNonNumericText(column, missing);
      throw new UserError(
        `sensitive column \`${spec.column}\` has bins but is not numeric in ${dataset.file}` +
          (example ? ` (\`${example.text}\` on line ${lineOfRow(dataset, example.row)})` : '') +
          `; remove \`bins\` or fix the column`,
        at([...pointer, 'bins']),
      );
    }
    ({ rawCodes, rawKeys } = binnedCodes(column.values, spec.bins, spec.labels ?? defaultBinLabels(spec.bins)));
  } else if (column.kind === 'numeric') {
    ({ rawCodes, rawKeys } = numericValueCodes(column.values));
    const distinct = rawKeys.filter((k) => k !== MISSING_GROUP).length;
    if (distinct > MAX_UNBINNED_NUMERIC_VALUES) {
      throw new UserError(
        `sensitive column \`${spec.column}\` is numeric with ${distinct} distinct values; add \`bins\` ` +
          `(e.g. bins: [25, 45]) to group it into ranges`,
        at([...pointer, 'column']),
      );
    }
    order = 'numeric';
  } else {
    rawCodes = column.codes;
    // a group name is shown in every table, chart and annotation: long ones are shortened with a hash (issue #10)
    rawKeys = column.levels.map((l) => (missing.has(l) ? MISSING_GROUP : shortenName(l, MAX_GROUP_NAME_CHARS)));
  }
  const { keys, codes } = sortAndMerge(rawCodes, rawKeys, order);
  if (keys.length > MAX_GROUPS) {
    throw new UserError(
      `sensitive column \`${spec.column}\` has ${keys.length} distinct values, more than ${MAX_GROUPS}; ` +
        `choose a column with fewer groups or bin it`,
      at([...pointer, 'column']),
    );
  }
  return { name, attributes: [name], keys, values: keys.map((k) => ({ [name]: k })), codes };
}

function firstNonNumericText(column: Column, missing: Set<string>): { text: string; row: number } | null {
  if (column.kind !== 'categorical') return null;
  for (let i = 0; i < column.codes.length; i++) {
    const t = column.levels[column.codes[i]];
    if (!missing.has(t)) return { text: t, row: i };
  }
  return null;
}

function binnedCodes(values: Float64Array, edges: number[], labels: string[]): { rawCodes: Int32Array; rawKeys: string[] } {
  const n = values.length;
  const rawCodes = new Int32Array(n);
  const k = edges.length;
  for (let i = 0; i < n; i++) {
    const b = binIndex(values[i], edges);
    rawCodes[i] = b === -1 ? k + 1 : b;
  }
  return { rawCodes, rawKeys: [...labels, MISSING_GROUP] };
}

function numericValueCodes(values: Float64Array): { rawCodes: Int32Array; rawKeys: string[] } {
  const n = values.length;
  const rawCodes = new Int32Array(n);
  const index = new Map<number, number>();
  const rawKeys: string[] = [];
  let missingCode = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      if (missingCode === -1) {
        missingCode = rawKeys.length;
        rawKeys.push(MISSING_GROUP);
      }
      rawCodes[i] = missingCode;
      continue;
    }
    let code = index.get(v);
    if (code === undefined) {
      code = rawKeys.length;
      rawKeys.push(String(v));
      index.set(v, code);
      // Far too many values: stop early; the caller reports it.
      if (rawKeys.length > MAX_GROUPS + 1) return { rawCodes, rawKeys };
    }
    rawCodes[i] = code;
  }
  return { rawCodes, rawKeys };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNumericKeys(a: string, b: string): number {
  if (a === MISSING_GROUP) return b === MISSING_GROUP ? 0 : 1;
  if (b === MISSING_GROUP) return -1;
  return Number(a) - Number(b);
}

/** Keys that occur, sorted, with rows re-coded to them (raw codes with the same key merge). */
function sortAndMerge(
  rawCodes: Int32Array,
  rawKeys: string[],
  order: 'text' | 'numeric',
): { keys: string[]; codes: Int32Array } {
  const used = new Uint8Array(rawKeys.length);
  for (let i = 0; i < rawCodes.length; i++) used[rawCodes[i]] = 1;
  const keys = [...new Set(rawKeys.filter((_, c) => used[c] === 1))].sort(order === 'numeric' ? compareNumericKeys : compareText);
  const position = new Map(keys.map((k, i) => [k, i]));
  const remap = Int32Array.from(rawKeys, (k) => position.get(k) ?? -1);
  const codes = new Int32Array(rawCodes.length);
  for (let i = 0; i < rawCodes.length; i++) codes[i] = remap[rawCodes[i]];
  return { keys, codes };
}

/**
 * The cartesian product of several groupings: every combination of their keys (empty ones included), in
 * lexicographic order of the parts (the order of the first attribute first), as fairlearn's MultiIndex.
 */
export function intersectGroupings(parts: Grouping[], location?: SourceLocation): Grouping {
  const attributes = parts.flatMap((p) => p.attributes);
  const name = intersectionName(attributes);
  let total = 1;
  for (const p of parts) total *= p.keys.length;
  if (total > MAX_GROUPS) {
    throw new UserError(
      `intersection \`${name}\` has ${total} combinations of values, more than ${MAX_GROUPS}; intersect fewer or coarser attributes`,
      location,
    );
  }
  const keys: string[] = [];
  const values: Array<Record<string, string>> = [];
  const build = (depth: number, keyParts: string[], value: Record<string, string>): void => {
    if (depth === parts.length) {
      keys.push(keyParts.join(KEY_SEPARATOR));
      values.push({ ...value });
      return;
    }
    const p = parts[depth];
    p.keys.forEach((k, c) => {
      build(depth + 1, [...keyParts, k], { ...value, ...p.values[c] });
    });
  };
  build(0, [], {});
  const n = parts[0].codes.length;
  const codes = new Int32Array(n);
  for (const p of parts) {
    const radix = p.keys.length;
    const pc = p.codes;
    for (let i = 0; i < n; i++) codes[i] = codes[i] * radix + pc[i];
  }
  return { name, attributes, keys, values, codes };
}
