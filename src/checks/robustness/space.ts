/**
 * The attack space: what an attacker may change in a model input, and how.
 *
 * A model input is split into numeric features (one number each: a column of a feature matrix, or a numeric [N,1]
 * input tensor) and categorical features (a one-hot indicator group of a feature matrix, or a string input tensor),
 * each with its constraints:
 * - immutable (sensitive attributes by default, `immutable`, everything outside `mutable`, `features.<f>.immutable`);
 * - numeric bounds (default: the observed min/max; `bounds: none` drops them; `features.<f>.min/max` always apply);
 * - integer-valued (integer columns of the data, int tensors, `features.<f>.integer`);
 * - allowed direction of change (`features.<f>.direction`: increase | decrease);
 * - categorical values: only the values seen in the data (a one-hot group keeps exactly one indicator set, or none
 *   where the data has rows with none).
 * The original rows are kept as plain numbers: x0 (rows × numeric features) and c0 (rows × categorical features,
 * level index), so that attacks work on typed arrays and encode.ts builds model inputs from them.
 */
import type { Dataset } from '../../data/types.js';
import type { ModelInput } from '../../model/types.js';
import type { PolicyDocument, PolicyPointer } from '../../policy/types.js';
import { didYouMean, listNames } from '../../policy/suggest.js';
import { UserError } from '../../util/errors.js';
import { ROBUSTNESS_POINTER, type Direction, type RobustnessSettings } from './policy.js';
import type { FeatureConstraintSummary } from './types.js';

export type NumericSource =
  | { kind: 'matrix'; column: number }
  | { kind: 'tensor'; input: string; type: 'float32' | 'float64' | 'int64' | 'int32' };

export interface NumericFeature {
  name: string;
  /** Dataset column it comes from, when known. */
  column: string | null;
  source: NumericSource;
  /** Standard deviation over the dataset rows (population, missing values skipped). */
  std: number;
  /** One unit of perturbation in feature units: std ('std' units; 1 for a constant feature) or 1 ('raw'). */
  scale: number;
  lower: number;
  upper: number;
  integer: boolean;
  /** The model sees float32 values: candidates are rounded to float32 (towards the original value). */
  float32: boolean;
  mutable: boolean;
  immutableReason?: string;
  direction: Direction;
}

export type CategoricalSource =
  | { kind: 'one-hot'; /** Matrix column of the indicator per level; -1 = the all-zero level. */ indicators: Int32Array; /** Every indicator column of the group. */ columns: number[] }
  | { kind: 'tensor'; input: string };

export interface CategoricalFeature {
  name: string;
  column: string | null;
  source: CategoricalSource;
  /** Values seen in the data (category names; '(none)' for a one-hot group with no indicator set). */
  levels: string[];
  mutable: boolean;
  immutableReason?: string;
}

/** The numeric constraints as flat arrays (hot paths read these, not the feature objects). */
export interface NumericLimits {
  lower: Float64Array;
  upper: Float64Array;
  scale: Float64Array;
  integer: Uint8Array;
  float32: Uint8Array;
  mutable: Uint8Array;
  /** 1 = may only increase, −1 = may only decrease, 0 = either way. */
  direction: Int8Array;
}

export interface AttackSpace {
  input: ModelInput;
  rows: number;
  numeric: NumericFeature[];
  categorical: CategoricalFeature[];
  limits: NumericLimits;
  /** Original numeric values, row-major (rows × numeric.length); NaN = missing (never changed). */
  x0: Float64Array;
  /** Original categorical levels, row-major (rows × categorical.length). */
  c0: Int32Array;
  /** Indices of mutable numeric / categorical features. */
  mutableNumeric: Int32Array;
  mutableCategorical: Int32Array;
  /** One-hot groups left as plain numeric indicators (one_hot: none): group name -> numeric feature indices. */
  indicatorGroups: Record<string, number[]>;
  units: 'std' | 'raw';
}

export const NONE_LEVEL = '(none)';
/** A string input with more distinct values than this is left alone by the attacks. */
export const MAX_CATEGORICAL_LEVELS = 500;

interface NameTarget {
  numeric: number[];
  categorical: number[];
}

function stats(values: ArrayLike<number>, n: number, stride: number, offset: number): { min: number; max: number; std: number; integral: boolean } {
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  let count = 0;
  let integral = true;
  for (let i = 0; i < n; i++) {
    const v = values[i * stride + offset] as number;
    if (v !== v) continue;
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
    count++;
    if (integral && !Number.isInteger(v)) integral = false;
  }
  if (count === 0) return { min: NaN, max: NaN, std: 0, integral: false };
  const mean = sum / count;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i * stride + offset] as number;
    if (v !== v) continue;
    ss += (v - mean) * (v - mean);
  }
  return { min, max, std: Math.sqrt(ss / count), integral };
}

interface Builder {
  numeric: NumericFeature[];
  categorical: CategoricalFeature[];
  x0Columns: Float64Array[];
  c0Columns: Int32Array[];
  /** Indicator column -> one-hot group name (whether or not groups are kept). */
  groupOfColumn: Map<number, string>;
}

function at(doc: PolicyDocument, ...rest: Array<string | number>): ReturnType<PolicyDocument['locate']> {
  const ptr: PolicyPointer = [...ROBUSTNESS_POINTER, ...rest];
  return doc.locate(ptr);
}

/** One-hot groups of a feature matrix: the encoder's, then the policy's (by prefix or list). */
function matrixGroups(input: Extract<ModelInput, { kind: 'matrix' }>, settings: RobustnessSettings, doc: PolicyDocument): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  for (const [name, idx] of Object.entries(input.oneHotGroups)) groups.set(name, [...idx]);
  const index = new Map(input.featureNames.map((n, i) => [n, i]));
  for (const [name, spec] of Object.entries(settings.one_hot_groups)) {
    let idx: number[];
    if (typeof spec === 'string') {
      idx = input.featureNames.flatMap((n, i) => (n.startsWith(spec) ? [i] : []));
      if (idx.length < 2) {
        throw new UserError(
          `checks.robustness: one-hot group \`${name}\`: ${idx.length} model feature(s) start with \`${spec}\`; a group needs at least two`,
          at(doc, 'one_hot_groups', name),
        );
      }
    } else {
      idx = spec.map((f, j) => {
        const i = index.get(f);
        if (i === undefined) {
          throw new UserError(
            `checks.robustness: one-hot group \`${name}\` names \`${f}\`, which is not a model feature; ${didYouMean(f, input.featureNames) || `features: ${listNames(input.featureNames)}`}`,
            at(doc, 'one_hot_groups', name, j),
          );
        }
        return i;
      });
    }
    groups.set(name, idx);
  }
  const owner = new Map<number, string>();
  for (const [name, idx] of groups) {
    for (const i of idx) {
      const other = owner.get(i);
      if (other !== undefined && other !== name) {
        throw new UserError(
          `checks.robustness: feature \`${input.featureNames[i]}\` is in two one-hot groups (\`${other}\` and \`${name}\`); give each indicator one group`,
          at(doc, 'one_hot_groups', settings.one_hot_groups[name] !== undefined ? name : other),
        );
      }
      owner.set(i, name);
    }
  }
  return groups;
}

/** Level per row of a one-hot group; null when some row is not one-hot (values other than 0/1, or two set). */
function oneHotLevels(data: Float32Array, width: number, rows: number, cols: number[]): { codes: Int32Array; indicators: Int32Array; levels: number[] } | null {
  const seen = new Int32Array(cols.length + 1);
  const raw = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let level = cols.length; // none
    const base = r * width;
    for (let j = 0; j < cols.length; j++) {
      const v = data[base + (cols[j] as number)] as number;
      if (v === 0) continue;
      if (v !== 1 || level !== cols.length) return null;
      level = j;
    }
    raw[r] = level;
    seen[level]++;
  }
  // keep the levels seen in the data, in group order (none last)
  const remap = new Int32Array(cols.length + 1).fill(-1);
  const levels: number[] = [];
  for (let j = 0; j <= cols.length; j++) {
    if ((seen[j] as number) > 0) {
      remap[j] = levels.length;
      levels.push(j);
    }
  }
  const codes = new Int32Array(rows);
  for (let r = 0; r < rows; r++) codes[r] = remap[raw[r] as number] as number;
  const indicators = Int32Array.from(levels, (j) => (j === cols.length ? -1 : (cols[j] as number)));
  return { codes, indicators, levels };
}

function buildMatrix(input: Extract<ModelInput, { kind: 'matrix' }>, dataset: Dataset, settings: RobustnessSettings, doc: PolicyDocument): Builder {
  const b: Builder = { numeric: [], categorical: [], x0Columns: [], c0Columns: [], groupOfColumn: new Map() };
  const { data, width, rows, featureNames } = input;
  const groups = matrixGroups(input, settings, doc);
  const inGroup = new Set<number>();
  for (const [name, cols] of groups) {
    for (const c of cols) b.groupOfColumn.set(c, name);
    if (settings.one_hot === 'none') continue;
    const lv = oneHotLevels(data, width, rows, cols);
    if (lv === null) {
      if (settings.one_hot_groups[name] !== undefined) {
        throw new UserError(
          `checks.robustness: one-hot group \`${name}\` is not one-hot in the data (a row has a value other than 0/1 or two indicators set); fix the group or remove it`,
          at(doc, 'one_hot_groups', name),
        );
      }
      continue; // left as numeric features
    }
    for (const c of cols) inGroup.add(c);
    const levelNames = lv.levels.map((j) => {
      if (j === cols.length) return NONE_LEVEL;
      const f = featureNames[cols[j] as number] as string;
      const eq = f.indexOf('=');
      return f.startsWith(`${name}=`) ? f.slice(name.length + 1) : eq >= 0 ? f.slice(eq + 1) : f;
    });
    b.categorical.push({
      name,
      column: dataset.byName.has(name) ? name : null,
      source: { kind: 'one-hot', indicators: lv.indicators, columns: [...cols] },
      levels: levelNames,
      mutable: true,
    });
    b.c0Columns.push(lv.codes);
  }
  for (let j = 0; j < width; j++) {
    if (inGroup.has(j)) continue;
    const name = featureNames[j] ?? `feature_${j}`;
    const col = new Float64Array(rows);
    for (let r = 0; r < rows; r++) col[r] = data[r * width + j] as number;
    const s = stats(col, rows, 1, 0);
    const dsCol = dataset.byName.get(name);
    b.numeric.push({
      name,
      column: dsCol ? name : null,
      source: { kind: 'matrix', column: j },
      std: s.std,
      scale: 1,
      lower: s.min,
      upper: s.max,
      integer: dsCol?.kind === 'numeric' ? dsCol.integer && s.integral : s.integral,
      float32: true,
      mutable: true,
      direction: 'any',
    });
    b.x0Columns.push(col);
  }
  return b;
}

function buildColumns(input: Extract<ModelInput, { kind: 'columns' }>, dataset: Dataset): Builder {
  const b: Builder = { numeric: [], categorical: [], x0Columns: [], c0Columns: [], groupOfColumn: new Map() };
  const rows = input.rows;
  for (const [name, t] of Object.entries(input.tensors)) {
    const column = input.sourceColumns[name] ?? null;
    if (t.type === 'string') {
      const index = new Map<string, number>();
      const levels: string[] = [];
      const codes = new Int32Array(rows);
      for (let r = 0; r < rows; r++) {
        const v = t.data[r] as string;
        let k = index.get(v);
        if (k === undefined) {
          k = levels.length;
          index.set(v, k);
          levels.push(v);
        }
        codes[r] = k;
      }
      b.categorical.push({ name, column, source: { kind: 'tensor', input: name }, levels, mutable: true });
      b.c0Columns.push(codes);
      continue;
    }
    const col = new Float64Array(rows);
    if (t.type === 'int64') for (let r = 0; r < rows; r++) col[r] = Number(t.data[r]);
    else for (let r = 0; r < rows; r++) col[r] = t.data[r] as number;
    const s = stats(col, rows, 1, 0);
    const dsCol = column !== null ? dataset.byName.get(column) : undefined;
    const intTensor = t.type === 'int64' || t.type === 'int32';
    b.numeric.push({
      name,
      column,
      source: { kind: 'tensor', input: name, type: t.type },
      std: s.std,
      scale: 1,
      lower: s.min,
      upper: s.max,
      integer: intTensor || (dsCol?.kind === 'numeric' ? dsCol.integer && s.integral : s.integral),
      float32: t.type === 'float32',
      mutable: true,
      direction: 'any',
    });
    b.x0Columns.push(col);
  }
  return b;
}

/** Resolve a feature name of the policy: a numeric feature, a categorical feature, their dataset column, or a one-hot group name. */
function resolveName(b: Builder, name: string): NameTarget | null {
  const numeric: number[] = [];
  const categorical: number[] = [];
  b.numeric.forEach((f, i) => {
    if (f.name === name || f.column === name) numeric.push(i);
  });
  b.categorical.forEach((f, i) => {
    if (f.name === name || f.column === name) categorical.push(i);
  });
  if (numeric.length === 0 && categorical.length === 0) {
    // a one-hot group name when indicators are plain numbers (one_hot: none)
    b.numeric.forEach((f, i) => {
      if (f.source.kind === 'matrix' && b.groupOfColumn.get(f.source.column) === name) numeric.push(i);
    });
  }
  return numeric.length + categorical.length > 0 ? { numeric, categorical } : null;
}

function allNames(b: Builder): string[] {
  const names = new Set<string>();
  for (const f of b.numeric) names.add(f.name);
  for (const f of b.categorical) names.add(f.name);
  for (const g of b.groupOfColumn.values()) names.add(g);
  return [...names];
}

function mustResolve(b: Builder, name: string, doc: PolicyDocument, pointer: Array<string | number>): NameTarget {
  const t = resolveName(b, name);
  if (t) return t;
  throw new UserError(
    `checks.robustness: \`${name}\` is not a model feature; ${didYouMean(name, allNames(b)) || `features: ${listNames(allNames(b))}`}`,
    at(doc, ...pointer),
  );
}

export interface BuildSpaceOptions {
  input: ModelInput;
  dataset: Dataset;
  doc: PolicyDocument;
  settings: RobustnessSettings;
}

/** The attack space of a model input under the policy's constraints. UserError for names that match no feature. */
export function buildAttackSpace(opts: BuildSpaceOptions): AttackSpace {
  const { input, dataset, doc, settings } = opts;
  const b = input.kind === 'matrix' ? buildMatrix(input, dataset, settings, doc) : buildColumns(input, dataset);
  const setImmutable = (t: NameTarget, reason: string): void => {
    for (const i of t.numeric) {
      const f = b.numeric[i] as NumericFeature;
      if (f.mutable) {
        f.mutable = false;
        f.immutableReason = reason;
      }
    }
    for (const i of t.categorical) {
      const f = b.categorical[i] as CategoricalFeature;
      if (f.mutable) {
        f.mutable = false;
        f.immutableReason = reason;
      }
    }
  };

  if (settings.mutable !== null) {
    const allowed: NameTarget = { numeric: [], categorical: [] };
    settings.mutable.forEach((name, i) => {
      const t = mustResolve(b, name, doc, ['mutable', i]);
      allowed.numeric.push(...t.numeric);
      allowed.categorical.push(...t.categorical);
    });
    const num = new Set(allowed.numeric);
    const cat = new Set(allowed.categorical);
    setImmutable(
      { numeric: b.numeric.flatMap((_, i) => (num.has(i) ? [] : [i])), categorical: b.categorical.flatMap((_, i) => (cat.has(i) ? [] : [i])) },
      'not in mutable',
    );
  }
  if (settings.sensitive_immutable) {
    for (const s of doc.policy.sensitive) {
      const t = resolveName(b, s.column) ?? resolveName(b, s.name);
      if (t) setImmutable(t, 'sensitive');
    }
  }
  settings.immutable.forEach((name, i) => setImmutable(mustResolve(b, name, doc, ['immutable', i]), 'policy'));

  for (const [name, spec] of Object.entries(settings.features)) {
    const t = mustResolve(b, name, doc, ['features', name]);
    if (t.categorical.length > 0 && (spec.min !== undefined || spec.max !== undefined || spec.integer !== undefined || spec.direction !== undefined)) {
      throw new UserError(
        `checks.robustness: \`${name}\` is categorical; only \`immutable\` applies to it (min, max, integer and direction are for numeric features)`,
        at(doc, 'features', name),
      );
    }
    if (spec.immutable === true) setImmutable(t, 'policy');
    if (spec.immutable === false) {
      for (const i of t.numeric) {
        const f = b.numeric[i] as NumericFeature;
        f.mutable = true;
        delete f.immutableReason;
      }
      for (const i of t.categorical) {
        const f = b.categorical[i] as CategoricalFeature;
        f.mutable = true;
        delete f.immutableReason;
      }
    }
  }

  // numeric constraints: bounds, integers, direction, units
  for (const f of b.numeric) {
    const spec = settings.features[f.name] ?? (f.column !== null ? settings.features[f.column] : undefined);
    if (settings.bounds === 'none') {
      f.lower = -Infinity;
      f.upper = Infinity;
    }
    if (!Number.isFinite(f.lower) && settings.bounds === 'data') f.lower = -Infinity; // all values missing
    if (!Number.isFinite(f.upper) && settings.bounds === 'data') f.upper = Infinity;
    if (settings.integers === 'none' && (f.source.kind === 'matrix' || f.source.type === 'float32' || f.source.type === 'float64')) f.integer = false;
    if (spec?.min !== undefined) f.lower = spec.min;
    if (spec?.max !== undefined) f.upper = spec.max;
    if (spec?.integer !== undefined) f.integer = spec.integer || (f.source.kind === 'tensor' && (f.source.type === 'int64' || f.source.type === 'int32'));
    if (spec?.direction !== undefined) f.direction = spec.direction;
    f.scale = settings.units === 'raw' ? 1 : f.std > 0 ? f.std : 1;
    if (f.mutable && settings.bounds === 'data' && spec?.min === undefined && spec?.max === undefined && f.lower === f.upper) {
      f.mutable = false;
      f.immutableReason = 'constant';
    }
  }
  for (const f of b.categorical) {
    if (f.mutable && f.levels.length < 2) {
      f.mutable = false;
      f.immutableReason = 'constant';
    } else if (f.mutable && f.levels.length > MAX_CATEGORICAL_LEVELS) {
      // free text or identifiers, not a category an attacker picks from
      f.mutable = false;
      f.immutableReason = `more than ${MAX_CATEGORICAL_LEVELS} values`;
    }
  }

  const rows = input.rows;
  const nn = b.numeric.length;
  const nc = b.categorical.length;
  const x0 = new Float64Array(rows * nn);
  for (let j = 0; j < nn; j++) {
    const col = b.x0Columns[j] as Float64Array;
    for (let r = 0; r < rows; r++) x0[r * nn + j] = col[r] as number;
  }
  const c0 = new Int32Array(rows * nc);
  for (let j = 0; j < nc; j++) {
    const col = b.c0Columns[j] as Int32Array;
    for (let r = 0; r < rows; r++) c0[r * nc + j] = col[r] as number;
  }
  return {
    input,
    rows,
    numeric: b.numeric,
    categorical: b.categorical,
    limits: limitsOf(b.numeric),
    x0,
    c0,
    mutableNumeric: Int32Array.from(b.numeric.flatMap((f, i) => (f.mutable ? [i] : []))),
    mutableCategorical: Int32Array.from(b.categorical.flatMap((f, i) => (f.mutable ? [i] : []))),
    indicatorGroups: indicatorGroupsOf(b),
    units: settings.units,
  };
}

export function limitsOf(numeric: NumericFeature[]): NumericLimits {
  return {
    lower: Float64Array.from(numeric, (f) => f.lower),
    upper: Float64Array.from(numeric, (f) => f.upper),
    scale: Float64Array.from(numeric, (f) => f.scale),
    integer: Uint8Array.from(numeric, (f) => (f.integer ? 1 : 0)),
    float32: Uint8Array.from(numeric, (f) => (f.float32 ? 1 : 0)),
    mutable: Uint8Array.from(numeric, (f) => (f.mutable ? 1 : 0)),
    direction: Int8Array.from(numeric, (f) => (f.direction === 'increase' ? 1 : f.direction === 'decrease' ? -1 : 0)),
  };
}

function indicatorGroupsOf(b: Builder): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  b.numeric.forEach((f, i) => {
    if (f.source.kind !== 'matrix') return;
    const g = b.groupOfColumn.get(f.source.column);
    if (g !== undefined) (out[g] ??= []).push(i);
  });
  return out;
}

/** The constraints as plain JSON for the Report. */
export function constraintSummary(space: AttackSpace): FeatureConstraintSummary[] {
  const out: FeatureConstraintSummary[] = [];
  for (const f of space.numeric) {
    const s: FeatureConstraintSummary = {
      feature: f.name,
      kind: 'numeric',
      mutable: f.mutable,
      lower: Number.isFinite(f.lower) ? f.lower : null,
      upper: Number.isFinite(f.upper) ? f.upper : null,
      integer: f.integer,
      direction: f.direction,
      std: f.std,
    };
    if (f.immutableReason !== undefined) s.reason = f.immutableReason;
    out.push(s);
  }
  for (const f of space.categorical) {
    const s: FeatureConstraintSummary = {
      feature: f.name,
      kind: 'categorical',
      mutable: f.mutable,
      values: f.levels.length,
      encoding: f.source.kind === 'one-hot' ? 'one-hot' : 'string input',
    };
    if (f.immutableReason !== undefined) s.reason = f.immutableReason;
    out.push(s);
  }
  return out;
}
