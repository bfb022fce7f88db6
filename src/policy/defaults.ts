/**
 * Defaults of a validated policy. ajv (useDefaults) fills most leaf defaults from the schema; this fills the rest and
 * the ones that depend on other values (a sensitive attribute's name), so that the Policy type holds exactly.
 */
import { defaultSensitiveName } from './names.js';
import type { Policy } from './types.js';

export const DEFAULT_SEED = 0;
export const DEFAULT_MIN_GROUP_SIZE = 30;
export const DEFAULT_MIN_DENOMINATOR = 1;
export const DEFAULT_THRESHOLD = 0.5;
export const DEFAULT_BATCH_SIZE = 8192;
export const DEFAULT_MISSING_VALUES: readonly string[] = ['', '?', 'NA', 'NaN'];
export const DEFAULT_MAX_ROWS = 1_000_000;

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {});

/** Mutates and returns the (already schema-valid) data as a Policy with every default in place. */
export function applyPolicyDefaults(data: Obj): Policy {
  data.seed ??= DEFAULT_SEED;
  data.min_group_size ??= DEFAULT_MIN_GROUP_SIZE;
  data.min_denominator ??= DEFAULT_MIN_DENOMINATOR;

  const model = obj(data.model);
  model.threshold ??= DEFAULT_THRESHOLD;
  model.batch_size ??= DEFAULT_BATCH_SIZE;
  const features = model.features === undefined ? undefined : obj(model.features);
  if (features?.one_hot !== undefined) {
    const oneHot = obj(features.one_hot);
    oneHot.numeric ??= [];
    const categorical = obj(oneHot.categorical ?? {});
    // YAML reads `1` or `true` as numbers/booleans; categories are compared as text.
    for (const [k, v] of Object.entries(categorical)) categorical[k] = (v as unknown[]).map((c) => String(c));
    oneHot.categorical = categorical;
  }

  const dataset = obj(data.dataset);
  dataset.missing_values ??= [...DEFAULT_MISSING_VALUES];
  dataset.max_rows ??= DEFAULT_MAX_ROWS;

  data.sensitive ??= [];
  for (const s of data.sensitive as Obj[]) s.name ??= defaultSensitiveName(String(s.column), s.bins !== undefined);
  data.intersections ??= [];

  const checks = obj((data.checks ??= {}));
  checks.performance ??= {};
  checks.fairness ??= {};

  const report = obj((data.report ??= {}));
  report.include_examples ??= false;

  delete data.$schema;
  return data as unknown as Policy;
}
