/**
 * Relations between features (issue #14), so that adversarial records and counterfactuals are records that can exist:
 * - functional pairs: a categorical feature and a discrete numeric one where each value of one determines the other
 *   (education <-> education_num; learned when the data has exactly one-to-one pairs, or named in the policy);
 * - combinations: categorical values that must have been seen together in the data (at least `min_count` rows):
 *   learned for every pair of categorical features, or named in the policy for larger groups
 *   (relationship × sex × marital_status);
 * - less_equal (a <= b) and sums (total = Σ parts) between numeric features, from the policy.
 *
 * Every candidate an attack scores is projected onto them (the oracle calls projectRelations before encoding):
 * - numeric attacks (noise, score, decision) lead with numbers: categorical levels start from the original row, a
 *   moved numeric feature of a functional pair snaps to an allowed value between the original and the moved value
 *   (towards the original, so a candidate inside a norm ball stays inside it) and its partner takes the matching level;
 *   a partner that may not change, or a resulting combination never seen, puts the pair back;
 * - the categorical attack leads with levels: a changed level sets its numeric partner (or is put back when the partner
 *   may not move there), and a candidate whose combination was never seen is put back to the original row.
 * Counterfactuals (the sensitive attribute changes on purpose) repair the attribute's dependents instead: see
 * repairCounterfactual.
 */
import type { PolicyDocument, PolicyPointer } from '../../policy/types.js';
import { didYouMean, listNames } from '../../policy/suggest.js';
import { UserError } from '../../util/errors.js';
import { ROBUSTNESS_POINTER, type RelationSettings } from './policy.js';
import type { Candidates } from './project.js';
import type { AttackSpace } from './space.js';

/** Features with more distinct values than this are not learned into relations. */
const MAX_LEARN_VALUES = 64;
/** Row visits spent learning relations at most (feature pairs × rows). */
const MAX_LEARN_WORK = 400_000_000;

export interface FunctionalPair {
  /** Categorical feature index and numeric feature index. */
  categorical: number;
  numeric: number;
  /** Value of the numeric feature for each level (NaN: a level with no value in the data). */
  valueOfLevel: Float64Array;
  /** Allowed numeric values, ascending, and the level of each. */
  values: Float64Array;
  levelOfValue: Int32Array;
  source: 'learned' | 'policy';
}

export interface Combination {
  /** Categorical feature indices. */
  features: number[];
  /** Rows of the data per seen combination (key: levels joined by ','). */
  seen: Map<string, number>;
  /** For pairs: a dense table levels(a) × levels(b) of counts (fast path), and which cells are allowed. */
  table: Uint32Array | null;
  allowedCell: Uint8Array | null;
  /** Pairs: levels of the second feature (the table's row length). */
  stride?: number;
  /** Combinations ruled out (pairs: cells not allowed; groups: not counted). */
  excluded: number;
  minCount: number;
  source: 'learned' | 'policy';
  /** The combinations seen at least minCount times, flat (features.length levels each), and their counts. */
  tuples: Int32Array;
  counts: Uint32Array;
}

export interface Ordering {
  lesser: number;
  greater: number;
}

export interface SumRelation {
  parts: number[];
  total: number;
}

export interface Relations {
  /** Plain-text remarks (learning skipped on very large data). */
  notes: string[];
  functional: FunctionalPair[];
  combinations: Combination[];
  orderings: Ordering[];
  sums: SumRelation[];
  /** Numeric features made immutable because a partner cannot change (feature index -> reason). */
  frozen: Map<number, string>;
}

/** For the Report: the relations in force, by name. */
export interface RelationSummary {
  kind: 'functional' | 'combination' | 'less_equal' | 'sum';
  features: string[];
  source: 'learned' | 'policy';
  /** Functional: allowed pairs; combination: allowed combinations. */
  values?: number;
  /** Combination: combinations ruled out. */
  excluded?: number;
}

export const NO_RELATIONS: Relations = { notes: [], functional: [], combinations: [], orderings: [], sums: [], frozen: new Map() };

function at(doc: PolicyDocument, ...rest: Array<string | number>): ReturnType<PolicyDocument['locate']> {
  const ptr: PolicyPointer = [...ROBUSTNESS_POINTER, 'relations', ...rest];
  return doc.locate(ptr);
}

type Target = { kind: 'numeric' | 'categorical'; index: number };

function resolve(space: AttackSpace, name: string, doc: PolicyDocument, pointer: Array<string | number>): Target {
  const c = space.categorical.findIndex((f) => f.name === name || f.column === name);
  if (c >= 0) return { kind: 'categorical', index: c };
  const n = space.numeric.findIndex((f) => f.name === name || f.column === name);
  if (n >= 0) return { kind: 'numeric', index: n };
  const names = [...space.numeric.map((f) => f.name), ...space.categorical.map((f) => f.name)];
  throw new UserError(
    `checks.robustness.relations: \`${name}\` is not a model feature; ${didYouMean(name, names) || `features: ${listNames(names)}`}`,
    at(doc, ...pointer),
  );
}

/** The one-to-one map between categorical c and numeric j in the data, or null (strict: any conflict -> null). */
/** The distinct non-missing values of numeric feature j, ascending, or null when there are more than `max`. */
export function distinctValues(space: AttackSpace, j: number, max: number): Float64Array | null {
  const nn = space.numeric.length;
  const seen = new Set<number>();
  for (let r = 0; r < space.rows; r++) {
    const v = space.x0[r * nn + j] as number;
    if (v !== v || seen.has(v)) continue;
    seen.add(v);
    if (seen.size > max) return null;
  }
  return Float64Array.from(seen).sort();
}

function learnPair(space: AttackSpace, c: number, j: number, strict: boolean, distinct?: Float64Array | null): FunctionalPair | null {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const L = space.categorical[c]!.levels.length;
  const values = distinct === undefined ? distinctValues(space, j, strict ? MAX_LEARN_VALUES : 1_000_000) : distinct;
  if (!values) return null;
  const V = values.length;
  const index = new Map<number, number>();
  values.forEach((v, q) => index.set(v, q));
  const table = new Uint32Array(L * V);
  for (let r = 0; r < space.rows; r++) {
    const v = space.x0[r * nn + j] as number;
    if (v !== v) continue;
    table[(space.c0[r * nc + c] as number) * V + (index.get(v) as number)]++;
  }
  const counts = new Map<string, number>();
  for (let l = 0; l < L; l++) for (let q = 0; q < V; q++) if ((table[l * V + q] as number) > 0) counts.set(`${l}|${values[q]}`, table[l * V + q] as number);
  // most frequent value per level, most frequent level per value
  const bestOfLevel = new Map<number, [number, number]>();
  const bestOfValue = new Map<number, [number, number]>();
  for (const [key, n] of counts) {
    const bar = key.indexOf('|');
    const level = Number(key.slice(0, bar));
    const value = Number(key.slice(bar + 1));
    const bl = bestOfLevel.get(level);
    if (!bl || n > bl[1] || (n === bl[1] && value < bl[0])) bestOfLevel.set(level, [value, n]);
    const bv = bestOfValue.get(value);
    if (!bv || n > bv[1] || (n === bv[1] && level < bv[0])) bestOfValue.set(value, [level, n]);
  }
  if (strict) {
    if (counts.size !== bestOfLevel.size || counts.size !== bestOfValue.size) return null;
    if (bestOfValue.size > MAX_LEARN_VALUES || bestOfLevel.size < 3) return null;
  }
  const valueOfLevel = new Float64Array(L).fill(Number.NaN);
  for (const [level, [value]] of bestOfLevel) {
    // a value shared by two levels (policy pairs on noisy data) belongs to its most frequent level only
    if (bestOfValue.get(value)?.[0] === level) valueOfLevel[level] = value;
  }
  const pairs = [...bestOfValue.entries()].filter(([value, [level]]) => valueOfLevel[level] === value).sort((a, b) => a[0] - b[0]);
  return {
    categorical: c,
    numeric: j,
    valueOfLevel,
    values: Float64Array.from(pairs, (p) => p[0]),
    levelOfValue: Int32Array.from(pairs, (p) => p[1][0]),
    source: strict ? 'learned' : 'policy',
  };
}

function learnCombination(space: AttackSpace, features: number[], minCount: number, source: 'learned' | 'policy'): Combination {
  const nc = space.categorical.length;
  const seen = new Map<string, number>();
  let table: Uint32Array | null = null;
  if (features.length === 2) {
    const a = features[0] as number;
    const b = features[1] as number;
    const lb = space.categorical[b]!.levels.length;
    table = new Uint32Array(space.categorical[a]!.levels.length * lb);
    for (let r = 0; r < space.rows; r++) table[(space.c0[r * nc + a] as number) * lb + (space.c0[r * nc + b] as number)]++;
  }
  if (table) {
    const lb = space.categorical[features[1] as number]!.levels.length;
    for (let q = 0; q < table.length; q++) if ((table[q] as number) > 0) seen.set(`${Math.floor(q / lb)},${q % lb}`, table[q] as number);
  } else {
    for (let r = 0; r < space.rows; r++) {
      const key = features.map((f) => space.c0[r * nc + f]).join(',');
      seen.set(key, (seen.get(key) ?? 0) + 1);
    }
  }
  let allowedCell: Uint8Array | null = null;
  let allowed: Array<[string, number]>;
  let excluded = 0;
  if (table) {
    // a learned pair rules out only structural zeros: combinations seen fewer than min_count times although
    // independence would put at least MIN_EXPECTED rows there (no female husband: 2,171 expected, 0 seen); rare
    // combinations of rare values stay allowed (the data is too small to say they cannot exist)
    const la = space.categorical[features[0] as number]!.levels.length;
    const lb = space.categorical[features[1] as number]!.levels.length;
    const rowTotal = new Float64Array(la);
    const colTotal = new Float64Array(lb);
    for (let q = 0; q < table.length; q++) {
      rowTotal[Math.floor(q / lb)] += table[q] as number;
      colTotal[q % lb] += table[q] as number;
    }
    allowedCell = new Uint8Array(table.length);
    allowed = [];
    for (let q = 0; q < table.length; q++) {
      const n = table[q] as number;
      const expected = ((rowTotal[Math.floor(q / lb)] as number) * (colTotal[q % lb] as number)) / Math.max(1, space.rows);
      const ok = n >= minCount || (source === 'learned' && expected < MIN_EXPECTED);
      allowedCell[q] = ok ? 1 : 0;
      if (ok) allowed.push([`${Math.floor(q / lb)},${q % lb}`, n]);
      else excluded++;
    }
  } else allowed = [...seen].filter(([, c]) => c >= minCount);
  const tuples = new Int32Array(allowed.length * features.length);
  allowed.forEach(([key], q) => tuples.set(key.split(',').map(Number), q * features.length));
  const stride = features.length === 2 ? space.categorical[features[1] as number]!.levels.length : 0;
  return { features, seen, table, allowedCell, stride, excluded, minCount, source, tuples, counts: Uint32Array.from(allowed, ([, c]) => c) };
}

/** A learned pair of values is ruled out only when independence would put at least this many rows there. */
export const MIN_EXPECTED = 5;

/** The relations of the policy plus, unless `learn: false`, those learned from the data. Freezes partners as needed. */
export function buildRelations(space: AttackSpace, settings: RelationSettings, doc: PolicyDocument): Relations {
  const rel: Relations = { notes: [], functional: [], combinations: [], orderings: [], sums: [], frozen: new Map() };
  const pairKey = new Set<string>();
  settings.functional.forEach((names, i) => {
    const [a, b] = names.map((n, q) => resolve(space, n, doc, ['functional', i, q])) as [Target, Target];
    if (a.kind === 'categorical' && b.kind === 'categorical') {
      rel.combinations.push(learnCombination(space, [a.index, b.index], settings.min_count, 'policy'));
      return;
    }
    if (a.kind === 'numeric' && b.kind === 'numeric') {
      throw new UserError(
        `checks.robustness.relations: functional pairs link a categorical feature to a discrete numeric one (or two categorical ones); \`${names[0]}\` and \`${names[1]}\` are both numeric`,
        at(doc, 'functional', i),
      );
    }
    const c = a.kind === 'categorical' ? a.index : b.index;
    const j = a.kind === 'numeric' ? a.index : b.index;
    const p = learnPair(space, c, j, false);
    if (p) {
      rel.functional.push(p);
      pairKey.add(`${c}:${j}`);
    }
  });
  settings.combinations.forEach((names, i) => {
    const idx = names.map((n, q) => {
      const t = resolve(space, n, doc, ['combinations', i, q]);
      if (t.kind !== 'categorical') {
        throw new UserError(`checks.robustness.relations: \`${n}\` is numeric; combinations are of categorical features`, at(doc, 'combinations', i, q));
      }
      return t.index;
    });
    rel.combinations.push(learnCombination(space, idx, settings.min_count, 'policy'));
  });
  settings.less_equal.forEach((names, i) => {
    const [a, b] = names.map((n, q) => resolve(space, n, doc, ['less_equal', i, q])) as [Target, Target];
    if (a.kind !== 'numeric' || b.kind !== 'numeric') {
      throw new UserError('checks.robustness.relations: less_equal compares two numeric features', at(doc, 'less_equal', i));
    }
    rel.orderings.push({ lesser: a.index, greater: b.index });
  });
  settings.sums.forEach((s, i) => {
    const parts = s.parts.map((n, q) => {
      const t = resolve(space, n, doc, ['sums', i, 'parts', q]);
      if (t.kind !== 'numeric') throw new UserError('checks.robustness.relations: sums are of numeric features', at(doc, 'sums', i, 'parts', q));
      return t.index;
    });
    const t = resolve(space, s.total, doc, ['sums', i, 'total']);
    if (t.kind !== 'numeric') throw new UserError('checks.robustness.relations: sums are of numeric features', at(doc, 'sums', i, 'total'));
    rel.sums.push({ parts, total: t.index });
  });

  if (settings.learn) {
    const small = space.categorical.flatMap((f, i) => (f.levels.length <= MAX_LEARN_VALUES ? [i] : []));
    const discrete = space.numeric.map((f, j) => (f.integer ? distinctValues(space, j, MAX_LEARN_VALUES) : null));
    // bounded work on big data: each candidate pair is one pass over the rows
    const pairPasses = small.length * discrete.filter(Boolean).length + (small.length * (small.length - 1)) / 2;
    if (pairPasses * space.rows > MAX_LEARN_WORK) {
      rel.notes.push(
        `relations: ${pairPasses} feature pairs × ${space.rows} rows is too much to learn from; only the policy's relations apply (name them under relations)`,
      );
      small.length = 0;
    }
    for (const c of small) {
      for (let j = 0; j < space.numeric.length; j++) {
        if (!discrete[j] || pairKey.has(`${c}:${j}`)) continue;
        const p = learnPair(space, c, j, true, discrete[j]);
        if (p) rel.functional.push(p);
      }
    }
    for (let q = 0; q < small.length; q++) {
      for (let r = q + 1; r < small.length; r++) {
        const a = small[q] as number;
        const b = small[r] as number;
        rel.combinations.push(learnCombination(space, [a, b], settings.min_count, 'learned'));
      }
    }
  }

  // a numeric feature whose categorical partner may not change cannot move (and vice versa)
  for (const p of rel.functional) {
    const cf = space.categorical[p.categorical]!;
    const nf = space.numeric[p.numeric]!;
    if (nf.mutable && !cf.mutable) {
      nf.mutable = false;
      nf.immutableReason = `determined by ${cf.name} (immutable)`;
      rel.frozen.set(p.numeric, nf.immutableReason);
    }
  }
  if (rel.frozen.size > 0) {
    space.limits.mutable = Uint8Array.from(space.numeric, (f) => (f.mutable ? 1 : 0));
    space.mutableNumeric = Int32Array.from(space.numeric.flatMap((f, i) => (f.mutable ? [i] : [])));
  }
  return rel;
}

export function relationSummary(space: AttackSpace, rel: Relations): RelationSummary[] {
  const out: RelationSummary[] = [];
  for (const p of rel.functional) {
    out.push({ kind: 'functional', features: [space.categorical[p.categorical]!.name, space.numeric[p.numeric]!.name], source: p.source, values: p.values.length });
  }
  for (const c of rel.combinations) {
    // learned pairs that rule nothing out are not worth listing
    if (c.source === 'learned' && c.excluded === 0) continue;
    out.push({ kind: 'combination', features: c.features.map((f) => space.categorical[f]!.name), source: c.source, values: c.counts.length, excluded: c.excluded });
  }
  for (const o of rel.orderings) out.push({ kind: 'less_equal', features: [space.numeric[o.lesser]!.name, space.numeric[o.greater]!.name], source: 'policy' });
  for (const s of rel.sums) out.push({ kind: 'sum', features: [...s.parts.map((j) => space.numeric[j]!.name), space.numeric[s.total]!.name], source: 'policy' });
  return out;
}

const combinationIndex = new WeakMap<Relations, { byFeature: Combination[][]; ids: Int32Array[] }>();
const NO_COMBINATIONS: Combination[] = [];
const NO_IDS = new Int32Array(0);

function indexOf(rel: Relations): { byFeature: Combination[][]; ids: Int32Array[] } {
  let idx = combinationIndex.get(rel);
  if (!idx) {
    const byFeature: Combination[][] = [];
    const idLists: number[][] = [];
    rel.combinations.forEach((comb, q) => {
      for (const f of comb.features) {
        (byFeature[f] ??= []).push(comb);
        (idLists[f] ??= []).push(q);
      }
    });
    idx = { byFeature, ids: Array.from(idLists, (l) => Int32Array.from(l ?? [])) };
    combinationIndex.set(rel, idx);
  }
  return idx;
}

/** The combinations that involve categorical feature j (indexed once per Relations). */
function combinationsOf(rel: Relations, j: number): Combination[] {
  return indexOf(rel).byFeature[j] ?? NO_COMBINATIONS;
}

/** Indices in rel.combinations of combinationsOf(rel, j), in the same order. */
function combinationIdsOf(rel: Relations, j: number): Int32Array {
  return indexOf(rel).ids[j] ?? NO_IDS;
}

export function hasRelations(rel: Relations): boolean {
  return rel.functional.length + rel.combinations.length + rel.orderings.length + rel.sums.length > 0;
}

const levelCounts = new WeakMap<Relations, Uint32Array[]>();

/** Rows of the data with level v of categorical feature j. */
function levelCount(space: AttackSpace, rel: Relations, j: number, v: number): number {
  let all = levelCounts.get(rel);
  if (!all) {
    const nc = space.categorical.length;
    all = space.categorical.map((f, q) => {
      const counts = new Uint32Array(f.levels.length);
      for (let r = 0; r < space.rows; r++) counts[space.c0[r * nc + q] as number]++;
      return counts;
    });
    levelCounts.set(rel, all);
  }
  return (all[j]?.[v] as number) ?? 0;
}

/** Group combinations (more than two features): counts keyed by a mixed-radix code of the levels (null: too many). */
const groupCodes = new WeakMap<Combination, { radix: Float64Array; levels: Int32Array; counts: Map<number, number> } | null>();

function codesOf(space: AttackSpace, comb: Combination): { radix: Float64Array; levels: Int32Array; counts: Map<number, number> } | null {
  let g = groupCodes.get(comb);
  if (g === undefined) {
    const w = comb.features.length;
    const radix = new Float64Array(w);
    const levels = Int32Array.from(comb.features, (f) => space.categorical[f]!.levels.length);
    let product = 1;
    for (let f = 0; f < w; f++) {
      radix[f] = product;
      product *= Math.max(1, levels[f] as number);
    }
    if (product > Number.MAX_SAFE_INTEGER) g = null;
    else {
      const counts = new Map<number, number>();
      for (const [key, n] of comb.seen) {
        const parts = key.split(',').map(Number);
        let code = 0;
        for (let f = 0; f < w; f++) code += (parts[f] as number) * (radix[f] as number);
        counts.set(code, n);
      }
      g = { radix, levels, counts };
    }
    groupCodes.set(comb, g);
  }
  return g;
}

/** Rows of the data with the levels candidate k gives a group combination (no table). */
function groupCount(space: AttackSpace, comb: Combination, c: Int32Array, k: number): number {
  const nc = space.categorical.length;
  const g = codesOf(space, comb);
  if (g === null) return comb.seen.get(comb.features.map((f) => c[k * nc + f]).join(',')) ?? 0;
  const features = comb.features;
  let code = 0;
  for (let f = 0; f < features.length; f++) {
    const v = c[k * nc + (features[f] as number)] as number;
    // a level outside the feature's levels is no combination of the data (as its string key would not be)
    if (!(v >= 0 && v < (g.levels[f] as number))) return 0;
    code += v * (g.radix[f] as number);
  }
  return g.counts.get(code) ?? 0;
}

/** Rows of the data with the combination `comb` takes in candidate k. */
function combinationCount(space: AttackSpace, comb: Combination, c: Int32Array, k: number): number {
  const nc = space.categorical.length;
  if (comb.table) {
    const lb = space.categorical[comb.features[1] as number]!.levels.length;
    return comb.table[(c[k * nc + (comb.features[0] as number)] as number) * lb + (c[k * nc + (comb.features[1] as number)] as number)] as number;
  }
  return groupCount(space, comb, c, k);
}

/** Is combination `comb` allowed for the levels of candidate k? */
function combinationAllowed(space: AttackSpace, comb: Combination, c: Int32Array, k: number): boolean {
  const nc = space.categorical.length;
  const cells = comb.allowedCell;
  if (cells) {
    const f = comb.features;
    const lb = comb.stride ?? space.categorical[f[1] as number]!.levels.length;
    return cells[(c[k * nc + (f[0] as number)] as number) * lb + (c[k * nc + (f[1] as number)] as number)] === 1;
  }
  return groupCount(space, comb, c, k) >= comb.minCount;
}

/** The allowed value of a functional pair between a (original) and v, closest to v (a itself when none). */
function snapToward(values: Float64Array, v: number, a: number): number {
  let best = a;
  if (v > a) {
    for (let q = 0; q < values.length; q++) {
      const w = values[q] as number;
      if (w > a && w <= v) best = w;
    }
  } else if (v < a) {
    for (let q = values.length - 1; q >= 0; q--) {
      const w = values[q] as number;
      if (w < a && w >= v) best = w;
    }
  }
  return best;
}

function valueAllowed(space: AttackSpace, j: number, v: number, a: number): boolean {
  const L = space.limits;
  if (L.mutable[j] === 0) return v === a;
  const dir = L.direction[j] as number;
  if ((dir === 1 && v < a) || (dir === -1 && v > a)) return false;
  return v >= Math.min(L.lower[j] as number, a) && v <= Math.max(L.upper[j] as number, a);
}

export type RelationLead = 'numeric' | 'categorical';

/** Project candidates [from, to) onto the relations in place (see the file comment). */
export function projectRelations(space: AttackSpace, rel: Relations, cands: Candidates, lead: RelationLead, from = 0, to = cands.count): void {
  const numericRelations = rel.orderings.length + rel.sums.length > 0;
  if (lead === 'numeric' && rel.functional.length === 0 && !numericRelations) return;
  if (lead === 'categorical' && rel.functional.length + rel.combinations.length === 0 && !numericRelations) return;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const { x, c, origin } = cands;
  const x0 = space.x0;
  const c0 = space.c0;
  for (let k = from; k < to; k++) {
    const o = origin[k] as number;
    if (lead === 'numeric') {
      // numeric attacks change no level on purpose: a level differs from the original only through its partner
      for (const p of rel.functional) c[k * nc + p.categorical] = c0[o * nc + p.categorical] as number;
      for (const p of rel.functional) {
        const j = p.numeric;
        const a = x0[o * nn + j] as number;
        const v = x[k * nn + j] as number;
        if (v === a || a !== a) continue;
        let w = snapToward(p.values, v, a);
        if (w !== a && space.limits.float32[j] === 1 && Math.fround(w) !== w) w = a;
        if (w === a || !space.categorical[p.categorical]!.mutable) {
          x[k * nn + j] = a;
          continue;
        }
        x[k * nn + j] = w;
        const level = p.levelOfValue[binarySearch(p.values, w)] as number;
        c[k * nc + p.categorical] = level;
        // the new level must fit every combination it is part of
        for (const comb of combinationsOf(rel, p.categorical)) {
          if (!combinationAllowed(space, comb, c, k)) {
            x[k * nn + j] = a;
            c[k * nc + p.categorical] = c0[o * nc + p.categorical] as number;
            break;
          }
        }
      }
    } else {
      let changed = false;
      for (let j = 0; j < nc; j++) if (c[k * nc + j] !== c0[o * nc + j]) changed = true;
      for (const p of rel.functional) x[k * nn + p.numeric] = x0[o * nn + p.numeric] as number;
      if (changed) {
        let ok = categoricalAllowed(space, rel, c, k, o);
        for (const p of rel.functional) {
          if (!ok) break;
          const level = c[k * nc + p.categorical] as number;
          if (level === c0[o * nc + p.categorical]) continue;
          const j = p.numeric;
          const a = x0[o * nn + j] as number;
          const v = p.valueOfLevel[level] as number;
          if (a !== a) continue;
          if (v !== v || !valueAllowed(space, j, v, a)) ok = false;
          else x[k * nn + j] = v;
        }
        if (!ok) {
          for (let j = 0; j < nc; j++) c[k * nc + j] = c0[o * nc + j] as number;
          for (const p of rel.functional) x[k * nn + p.numeric] = x0[o * nn + p.numeric] as number;
        }
      }
    }
    projectNumericRelations(space, rel, cands, k);
  }
}

function binarySearch(values: Float64Array, v: number): number {
  let lo = 0;
  let hi = values.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((values[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** less_equal and sums on candidate k: a moved feature is pulled back towards its original value, else put back. */
function projectNumericRelations(space: AttackSpace, rel: Relations, cands: Candidates, k: number): void {
  if (rel.orderings.length === 0 && rel.sums.length === 0) return;
  const nn = space.numeric.length;
  const { x, origin } = cands;
  const o = origin[k] as number;
  const x0 = space.x0;
  for (const r of rel.orderings) {
    const a0 = x0[o * nn + r.lesser] as number;
    const b0 = x0[o * nn + r.greater] as number;
    if (!(a0 <= b0)) continue; // the original row breaks it (or has a missing value): nothing to keep
    const a = x[k * nn + r.lesser] as number;
    const b = x[k * nn + r.greater] as number;
    if (a <= b) continue;
    // pull the moved one(s) back towards the original: a down to max(a0, b), else b up to min(b0, a)
    if (a !== a0 && Math.max(a0, b) < a && b >= a0) x[k * nn + r.lesser] = b;
    else if (b !== b0 && a <= b0) x[k * nn + r.greater] = a;
    else {
      x[k * nn + r.lesser] = a0;
      x[k * nn + r.greater] = b0;
    }
  }
  for (const s of rel.sums) {
    const t0 = x0[o * nn + s.total] as number;
    let sum0 = 0;
    for (const p of s.parts) sum0 += x0[o * nn + p] as number;
    if (!(Math.abs(sum0 - t0) <= 1e-6 * Math.max(1, Math.abs(t0)))) continue;
    let sum = 0;
    for (const p of s.parts) sum += x[k * nn + p] as number;
    const t = x[k * nn + s.total] as number;
    if (Math.abs(sum - t) <= 1e-6 * Math.max(1, Math.abs(t))) continue;
    const fixed = space.limits.float32[s.total] === 1 ? Math.fround(sum) : sum;
    if (valueAllowed(space, s.total, fixed, t0) && Math.abs(fixed - sum) <= 1e-6 * Math.max(1, Math.abs(sum))) x[k * nn + s.total] = fixed;
    else {
      for (const p of s.parts) x[k * nn + p] = x0[o * nn + p] as number;
      x[k * nn + s.total] = t0;
    }
  }
}

export interface CounterfactualRepair {
  /** Features changed to keep the row consistent (categorical / numeric indices). */
  categorical: number[];
  numeric: number[];
  /** Per dependent feature name: rows changed, rows that could not be made consistent. */
  changed: Map<string, number>;
  unresolved: Map<string, number>;
  /** Repairs already worked out: combination index and levels -> the seen combination chosen (null: none). */
  memo?: Map<number | string, Int32Array | null>;
  /** Scratch of the repair search (reused from row to row). */
  trial?: Int32Array;
  counted?: Uint32Array;
  stamp?: number;
}

const levelRadix = new WeakMap<AttackSpace, { radix: Float64Array; product: number }>();

/**
 * A number that identifies (combination ci of `combs`, the levels of candidate k): mixed radix over the levels of every
 * categorical feature, exact while combs × the product of the level counts stays below 2^53 (a string key beyond).
 */
function repairKey(space: AttackSpace, c: Int32Array, k: number, ci: number, combs: number): number | string {
  const nc = space.categorical.length;
  let r = levelRadix.get(space);
  if (r === undefined) {
    const radix = new Float64Array(nc);
    let product = 1;
    for (let j = 0; j < nc; j++) {
      radix[j] = product;
      product = Math.min(product * Math.max(1, space.categorical[j]!.levels.length), Number.MAX_VALUE);
    }
    r = { radix, product };
    levelRadix.set(space, r);
  }
  if (r.product * combs > Number.MAX_SAFE_INTEGER) return `${ci}:${c.subarray(k * nc, k * nc + nc).join(',')}`;
  let key = 0;
  for (let j = 0; j < nc; j++) key += (c[k * nc + j] as number) * (r.radix[j] as number);
  return key * combs + ci;
}

/**
 * The log terms of the repair's support score, each computed once per Relations (the same expression on the same
 * counts: the same numbers): log(n(v) + ½) per level, log((n(v, w) + ½) / (n(v) + ½)) per pair-table cell and side.
 */
class SupportLogs {
  private readonly levels: Float64Array[];
  private readonly cells: Array<[Float64Array, Float64Array] | undefined> = [];
  constructor(readonly space: AttackSpace) {
    this.levels = space.categorical.map((f) => new Float64Array(f.levels.length).fill(Number.NaN));
  }
  level(j: number, v: number, nv: number): number {
    const t = this.levels[j]!;
    let x = t[v] as number;
    if (x !== x) x = t[v] = Math.log(nv + 0.5);
    return x;
  }
  /** The cell term of pair combination `comb` (index id) for the levels in `trial`, `feature` being the changed side. */
  cell(id: number, comb: Combination, feature: number, trial: Int32Array, nv: number): number {
    const a = comb.features[0] as number;
    const b = comb.features[1] as number;
    const lb = this.space.categorical[b]!.levels.length;
    const q = (trial[a] as number) * lb + (trial[b] as number);
    let sides = this.cells[id];
    if (!sides) {
      const n = comb.table!.length;
      sides = [new Float64Array(n).fill(Number.NaN), new Float64Array(n).fill(Number.NaN)];
      this.cells[id] = sides;
    }
    const t = sides[a === feature ? 0 : 1];
    let x = t[q] as number;
    if (x !== x) x = t[q] = Math.log(((comb.table![q] as number) + 0.5) / (nv + 0.5));
    return x;
  }
}

const supportLogCache = new WeakMap<Relations, SupportLogs>();

function supportLogs(space: AttackSpace, rel: Relations): SupportLogs {
  let l = supportLogCache.get(rel);
  if (!l || l.space !== space) {
    l = new SupportLogs(space);
    supportLogCache.set(rel, l);
  }
  return l;
}

/**
 * Counterfactual candidate k changed `attribute` (a categorical feature) on purpose: every combination that involves
 * it and is now unseen is repaired by changing the fewest other features of the combination (ties: the combination
 * seen most often), then functional partners follow their categorical feature. Combinations that cannot be repaired
 * are left as they are and counted in `unresolved` by feature.
 */
export function repairCounterfactual(space: AttackSpace, rel: Relations, cands: Candidates, k: number, attribute: number, repair: CounterfactualRepair): void {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const { x, c, origin } = cands;
  const o = origin[k] as number;
  const mine = combinationsOf(rel, attribute);
  for (let pass = 0, changedAny = true; pass < 2 && changedAny; pass++) {
    changedAny = false;
    for (let ci = 0; ci < mine.length; ci++) {
      const comb = mine[ci]!;
      if (combinationAllowed(space, comb, c, k)) continue;
      // the seen combination with the attribute's new value that changes the fewest others; ties: the one that fits
      // the rest of the row best (fewest other combinations broken, then the most rows of the data behind the
      // combinations it forms: a husband who becomes female becomes a wife, not 'not in family')
      const memoKey = repairKey(space, c, k, ci, mine.length);
      repair.memo ??= new Map();
      let best = repair.memo.get(memoKey);
      if (best === undefined) {
        best = null;
        let bestChanges = Infinity;
        let bestBroken = Infinity;
        let bestSupport = -Infinity;
        const w = comb.features.length;
        const pos = comb.features.indexOf(attribute);
        const want = c[k * nc + attribute] as number;
        const trial = (repair.trial ??= new Int32Array(nc));
        const counted = (repair.counted ??= new Uint32Array(rel.combinations.length));
        const features = comb.features;
        const tuples = comb.tuples;
        const logs = supportLogs(space, rel);
        for (let q = 0; q < comb.counts.length; q++) {
          if (tuples[q * w + pos] !== want) continue;
          let changes = 0;
          for (let f = 0; f < w; f++) if (f !== pos && tuples[q * w + f] !== c[k * nc + (features[f] as number)]) changes++;
          if (changes > bestChanges) continue;
          for (let j = 0; j < nc; j++) trial[j] = c[k * nc + j] as number;
          for (let f = 0; f < w; f++) trial[features[f] as number] = tuples[q * w + f] as number;
          // broken: other combinations the change breaks; support: naive-Bayes log-likelihood of each changed level
          // given the row's other levels (pair tables): log n(v) + Σ_g log((n(v, level_g) + ½) / (n(v) + ½))
          let broken = 0;
          let support = 0;
          // combinations counted for this tuple: counted[id] === stamp
          const stamp = (repair.stamp = ((repair.stamp ?? 0) + 1) >>> 0 || 1);
          for (let f = 0; f < w; f++) {
            const feature = features[f] as number;
            const changed = trial[feature] !== c[k * nc + feature];
            if (!changed && feature !== attribute) continue;
            const nv = changed ? levelCount(space, rel, feature, trial[feature] as number) : 0;
            if (changed) support += logs.level(feature, trial[feature] as number, nv);
            const others = combinationsOf(rel, feature);
            const ids = combinationIdsOf(rel, feature);
            for (let g = 0; g < others.length; g++) {
              const other = others[g]!;
              const id = ids[g] as number;
              if (counted[id] !== stamp) {
                counted[id] = stamp;
                if (!combinationAllowed(space, other, trial, 0)) broken++;
              }
              if (changed && other.table) support += logs.cell(id, other, feature, trial, nv);
            }
          }
          if (changes < bestChanges || broken < bestBroken || (broken === bestBroken && support > bestSupport)) {
            best = comb.tuples.subarray(q * w, q * w + w);
            bestChanges = changes;
            bestBroken = broken;
            bestSupport = support;
          }
        }
        repair.memo.set(memoKey, best);
      }
      if (!best) continue;
      const features = comb.features;
      for (let q = 0; q < features.length; q++) {
        const f = features[q] as number;
        if (f === attribute || best[q] === c[k * nc + f]) continue;
        c[k * nc + f] = best[q] as number;
        changedAny = true;
        const name = space.categorical[f]!.name;
        repair.changed.set(name, (repair.changed.get(name) ?? 0) + 1);
        if (!repair.categorical.includes(f)) repair.categorical.push(f);
      }
    }
  }
  // what is still inconsistent after the repairs: counted once per counterfactual row
  for (let ci = 0; ci < mine.length; ci++) {
    const comb = mine[ci]!;
    if (combinationAllowed(space, comb, c, k)) continue;
    for (const f of comb.features) {
      if (f === attribute) continue;
      const name = space.categorical[f]!.name;
      repair.unresolved.set(name, (repair.unresolved.get(name) ?? 0) + 1);
    }
  }
  for (const p of rel.functional) {
    const level = c[k * nc + p.categorical] as number;
    if (level === space.c0[o * nc + p.categorical]) continue;
    const v = p.valueOfLevel[level] as number;
    const name = space.numeric[p.numeric]!.name;
    if (v !== v) {
      repair.unresolved.set(name, (repair.unresolved.get(name) ?? 0) + 1);
      continue;
    }
    if (x[k * nn + p.numeric] !== v) {
      x[k * nn + p.numeric] = v;
      repair.changed.set(name, (repair.changed.get(name) ?? 0) + 1);
      if (!repair.numeric.includes(p.numeric)) repair.numeric.push(p.numeric);
    }
  }
}

/**
 * The smallest change a norm-bounded attack can make to any mutable numeric feature, in the policy's units, and which
 * feature and why ('integer', 'allowed values'); 0 for a continuous feature; null when nothing can move.
 */
export function smallestStep(space: AttackSpace, rel: Relations): { size: number; feature: string; why: string } | null {
  let best: { size: number; feature: string; why: string } | null = null;
  for (const j of space.mutableNumeric) {
    const f = space.numeric[j]!;
    const pair = rel.functional.find((p) => p.numeric === j);
    let size = 0;
    let why = 'continuous';
    if (pair) {
      let gap = Infinity;
      for (let q = 1; q < pair.values.length; q++) gap = Math.min(gap, (pair.values[q] as number) - (pair.values[q - 1] as number));
      if (!Number.isFinite(gap)) continue;
      size = gap / f.scale;
      why = `allowed values of ${space.categorical[pair.categorical]!.name}`;
    } else if (f.integer) {
      size = 1 / f.scale;
      why = 'integer';
    }
    if (best === null || size < best.size) best = { size, feature: f.name, why };
  }
  return best;
}

/** Is the candidate's categorical state allowed (every combination seen, every functional partner able to follow)? */
export function categoricalAllowed(space: AttackSpace, rel: Relations, c: Int32Array, k: number, origin: number): boolean {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  // the original row's combinations are seen (it is a row of the data): only those with a changed feature can break
  for (let j = 0; j < nc; j++) {
    if (c[k * nc + j] === space.c0[origin * nc + j]) continue;
    for (const comb of combinationsOf(rel, j)) if (!combinationAllowed(space, comb, c, k)) return false;
  }
  for (const p of rel.functional) {
    const level = c[k * nc + p.categorical] as number;
    if (level === space.c0[origin * nc + p.categorical]) continue;
    const a = space.x0[origin * nn + p.numeric] as number;
    if (a !== a) continue;
    const v = p.valueOfLevel[level] as number;
    if (v !== v || !valueAllowed(space, p.numeric, v, a)) return false;
  }
  return true;
}

/**
 * categoricalAllowed for a state that differs from a valid parent state in feature j only: only the combinations of j
 * and j's functional partner can break.
 */
export function categoricalAllowedChange(space: AttackSpace, rel: Relations, c: Int32Array, k: number, origin: number, j: number): boolean {
  for (const comb of combinationsOf(rel, j)) if (!combinationAllowed(space, comb, c, k)) return false;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  for (const p of rel.functional) {
    if (p.categorical !== j) continue;
    const level = c[k * nc + j] as number;
    if (level === space.c0[origin * nc + j]) continue;
    const a = space.x0[origin * nn + p.numeric] as number;
    if (a !== a) continue;
    const v = p.valueOfLevel[level] as number;
    if (v !== v || !valueAllowed(space, p.numeric, v, a)) return false;
  }
  return true;
}

/**
 * categoricalAllowedChange with the combinations and functional pairs of each feature looked up once (the categorical
 * attack checks every child it generates).
 */
export class ChangeChecker {
  private readonly combos: Combination[][];
  private readonly pairs: FunctionalPair[][];
  constructor(
    readonly space: AttackSpace,
    rel: Relations,
  ) {
    this.combos = space.categorical.map((_, j) => combinationsOf(rel, j));
    this.pairs = space.categorical.map((_, j) => rel.functional.filter((p) => p.categorical === j));
  }
  /** Same answer as categoricalAllowedChange(space, rel, c, k, origin, j). */
  allowedChange(c: Int32Array, k: number, origin: number, j: number): boolean {
    const space = this.space;
    const combos = this.combos[j]!;
    for (let q = 0; q < combos.length; q++) if (!combinationAllowed(space, combos[q]!, c, k)) return false;
    const pairs = this.pairs[j]!;
    if (pairs.length === 0) return true;
    const nn = space.numeric.length;
    const nc = space.categorical.length;
    const level = c[k * nc + j] as number;
    if (level === space.c0[origin * nc + j]) return true;
    for (let q = 0; q < pairs.length; q++) {
      const p = pairs[q]!;
      const a = space.x0[origin * nn + p.numeric] as number;
      if (a !== a) continue;
      const v = p.valueOfLevel[level] as number;
      if (v !== v || !valueAllowed(space, p.numeric, v, a)) return false;
    }
    return true;
  }
}

/** Functional partners of candidates [from, to) follow their categorical level (candidates already checked valid). */
export function applyFunctionalPartners(space: AttackSpace, rel: Relations, cands: Candidates, from = 0, to = cands.count): void {
  if (rel.functional.length === 0) return;
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const { x, c, origin } = cands;
  for (let k = from; k < to; k++) {
    const o = origin[k] as number;
    for (const p of rel.functional) {
      const level = c[k * nc + p.categorical] as number;
      const a = space.x0[o * nn + p.numeric] as number;
      const v = level === space.c0[o * nc + p.categorical] || a !== a ? a : (p.valueOfLevel[level] as number);
      x[k * nn + p.numeric] = v === v ? v : a;
    }
  }
}
