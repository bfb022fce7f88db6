/**
 * Policy validation: ajv against policies/schema.json, then the checks a schema cannot express (metric names,
 * references between attributes, bin edges, paths staying inside the workspace). Every problem is collected — the
 * user fixes them all in one round — and each says what is wrong and what to do.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isAbsolute, relative, resolve } from 'node:path';
import {
  FAIRNESS_AGGREGATE_SUFFIXES,
  FAIRNESS_METRIC_NAMES,
  NAMED_FAIRNESS_METRICS,
  PERFORMANCE_METRIC_NAMES,
  fairnessMetricHasAgg,
  fairnessMetricHasMethod,
  isFairnessMetricName,
  isPerformanceMetricName,
} from './metric-names.js';
import { defaultSensitiveName, intersectionName } from './names.js';
import { parsePointer, pointerPath } from './positions.js';
import { allowedKeys } from './schema.js';
import { didYouMean, listNames } from './suggest.js';
import { printable } from '../util/output.js';

export interface Problem {
  pointer: string[];
  message: string;
  /** Report at the key of the member (unknown keys) rather than at its value. */
  atKey?: boolean;
}

type Json = unknown;
type Obj = Record<string, Json>;

const isObj = (v: Json): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
/** A name from the policy in a message, as code, control characters escaped (output.ts printable). */
const code = (s: string): string => `\`${printable(s)}\``;

// ---------------------------------------------------------------- schema errors

const REQUIRED_HINTS: Record<string, string> = {
  version: 'add `version: 1` at the top',
  model: 'add a `model:` section with the ONNX file (`path: models/model.onnx`)',
  dataset: 'add a `dataset:` section with the CSV file, label column and positive label',
  path: 'add the file path, relative to the repository root',
  label: 'add the name of the label column',
  positive_label: 'add the label value of the positive class (e.g. `positive_label: 1`)',
  column: 'add the dataset column that holds the attribute',
};

function describeValue(v: Json): string {
  if (v === null) return 'empty (null)';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${code(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v === 'number' ? 'the number' : 'the value'} ${code(String(v))}`;
}

function typeWords(t: string | string[]): string {
  const names: Record<string, string> = {
    number: 'a number',
    integer: 'a whole number',
    string: 'a text',
    boolean: 'true or false',
    object: 'a mapping (key: value lines)',
    array: 'a list',
    null: 'empty',
  };
  const list = (Array.isArray(t) ? t : String(t).split(',')).map((x) => names[x] ?? x);
  return list.length === 1 ? list[0] : `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

/** One readable problem per ajv error (some errors are dropped: they are reported better by the semantic checks). */
export function schemaProblems(validate: ValidateFunction, data: Json): Problem[] {
  if (validate(data)) return [];
  const out: Problem[] = [];
  for (const e of validate.errors ?? []) {
    const p = fromAjvError(e);
    if (p) out.push(p);
  }
  return dedupe(out);
}

function fromAjvError(e: ErrorObject): Problem | null {
  // Unknown metric names are reported by the semantic checks, with a better "did you mean".
  if (e.schemaPath.includes('/propertyNames')) return null;
  const pointer = parsePointer(e.instancePath);
  const where = code(pointerPath(pointer));
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String(params.additionalProperty);
      const allowed = allowedKeys(e.parentSchema);
      const hint = didYouMean(key, allowed);
      const place = pointer.length === 0 ? 'at the top level' : `in ${where}`;
      return {
        pointer: [...pointer, key],
        atKey: true,
        message: `unknown key ${code(key)} ${place}; ${hint || (allowed.length ? `allowed keys: ${listNames(allowed, 12)}` : 'remove it')}`,
      };
    }
    case 'required': {
      const key = String(params.missingProperty);
      const place = pointer.length === 0 ? 'the policy' : where;
      return { pointer, message: `${place} needs ${code(key)}; ${REQUIRED_HINTS[key] ?? `add \`${key}:\``}` };
    }
    case 'type':
      return {
        pointer,
        message: `${where} must be ${typeWords(params.type as string)}, not ${describeValue(e.data)}; change the value`,
      };
    case 'const':
      return {
        pointer,
        message: `${where} must be ${code(JSON.stringify(params.allowedValue))}, not ${describeValue(e.data)}; change it to ${code(JSON.stringify(params.allowedValue))}`,
      };
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? didYouMean(e.data, allowed) : '';
      return {
        pointer,
        message: `${where} must be one of ${listNames(allowed)}, not ${describeValue(e.data)}${hint ? `; ${hint}` : ''}`,
      };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return {
        pointer,
        message: `${where} must be ${String(params.comparison).replace('>=', '≥').replace('<=', '≤')} ${String(params.limit)}, not ${describeValue(e.data)}`,
      };
    case 'minItems':
      return { pointer, message: `${where} needs at least ${String(params.limit)} item${params.limit === 1 ? '' : 's'}; add more or remove the key` };
    case 'maxItems':
      return { pointer, message: `${where} has more than ${String(params.limit)} items; keep at most ${String(params.limit)}` };
    case 'minLength':
      return { pointer, message: `${where} must not be empty` };
    case 'uniqueItems':
      return {
        pointer: [...pointer, String(params.i)],
        message: `${where} lists the same item twice (items ${String(params.j)} and ${String(params.i)}, counting from 0); remove one`,
      };
    case 'pattern':
      if (params.pattern === '^[^|]+$') {
        return { pointer, message: `${where} must not contain \`|\` (it separates the values of intersection groups); rename it` };
      }
      return { pointer, message: `${where} must match the pattern ${code(String(params.pattern))}` };
    default:
      return { pointer, message: `${where} ${e.message ?? 'is not valid'}` };
  }
}

function dedupe(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.pointer.join('/')}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---------------------------------------------------------------- semantic checks

export interface SemanticOptions {
  /** Absolute workspace root: policy paths must stay inside it. */
  workspace: string;
}

/** Checks beyond the schema. Tolerates data of the wrong shape (the schema errors already report it). */
export function semanticProblems(data: Json, opts: SemanticOptions): Problem[] {
  const out: Problem[] = [];
  if (!isObj(data)) return out;
  const attributeNames = checkSensitive(data, out);
  checkModel(data, opts, out);
  checkDataset(data, opts, out);
  checkData(data, opts, out);
  const checks = isObj(data.checks) ? data.checks : {};
  checkPerformance(checks.performance, out);
  checkFairness(checks.fairness, attributeNames, out);
  checkBaseline(data.baseline, out);
  return out;
}

/**
 * `baseline.max_regression`: a regression of a metric bounded by 1 cannot exceed 1, so a larger limit never breaches
 * (`accuracy: 5` meant 5 points, i.e. 0.05).
 */
function checkBaseline(b: Json, out: Problem[]): void {
  if (!isObj(b) || !isObj(b.max_regression)) return;
  for (const [metric, v] of Object.entries(b.max_regression)) {
    const max = typeof v === 'number' ? v : isObj(v) && typeof v.max === 'number' ? v.max : undefined;
    const range = metricRange(metric);
    if (max === undefined || range === undefined || range.high !== 1 || max <= 1) continue;
    const pointer = typeof v === 'number' ? ['baseline', 'max_regression', metric] : ['baseline', 'max_regression', metric, 'max'];
    out.push({
      pointer,
      message:
        max <= 100
          ? `${code(metric)}: a regression of ${max} looks like a percentage; use ${Number((max / 100).toPrecision(12))} (${metric} is between 0 and 1, so it cannot fall by more than 1)`
          : `${code(metric)}: a regression of ${max} can never happen (${metric} is between 0 and 1), so the limit checks nothing; use a limit between 0 and 1`,
    });
  }
}

/** Declared sensitive attribute names and intersection names (for `attributes` references). */
function checkSensitive(data: Obj, out: Problem[]): Set<string> {
  const names = new Map<string, string>(); // name -> where declared
  const sensitive = Array.isArray(data.sensitive) ? data.sensitive : [];
  sensitive.forEach((s, i) => {
    if (!isObj(s) || typeof s.column !== 'string') return;
    const bins = Array.isArray(s.bins) && s.bins.every((b) => typeof b === 'number') ? (s.bins as number[]) : undefined;
    const name = typeof s.name === 'string' ? s.name : defaultSensitiveName(s.column, s.bins !== undefined);
    const prev = names.get(name);
    if (prev !== undefined) {
      out.push({
        pointer: ['sensitive', String(i), typeof s.name === 'string' ? 'name' : 'column'],
        message: `sensitive attribute name ${code(name)} is already used by ${prev}; give this one another \`name\``,
      });
    } else names.set(name, `sensitive[${i}]`);
    if (bins) {
      for (let k = 1; k < bins.length; k++) {
        if (!(bins[k] > bins[k - 1])) {
          out.push({
            pointer: ['sensitive', String(i), 'bins', String(k)],
            message: `bin edges must be strictly increasing, but ${bins[k]} follows ${bins[k - 1]}; sort them and remove repeats`,
          });
          break;
        }
      }
    }
    if (Array.isArray(s.labels)) {
      if (!Array.isArray(s.bins)) {
        out.push({
          pointer: ['sensitive', String(i), 'labels'],
          message: '`labels` names bins, but this attribute has no `bins`; add bin edges or remove `labels`',
        });
      } else if (s.labels.length !== s.bins.length + 1) {
        out.push({
          pointer: ['sensitive', String(i), 'labels'],
          message: `${s.bins.length} bin edge${s.bins.length === 1 ? '' : 's'} make${s.bins.length === 1 ? 's' : ''} ${s.bins.length + 1} bins, so \`labels\` needs ${s.bins.length + 1} names, not ${s.labels.length}`,
        });
      }
    }
  });

  const declared = new Set(names.keys());
  const all = new Set(declared);
  const intersections = Array.isArray(data.intersections) ? data.intersections : [];
  intersections.forEach((combo, i) => {
    if (!Array.isArray(combo) || !combo.every((c) => typeof c === 'string')) return;
    const parts = combo as string[];
    parts.forEach((part, j) => {
      if (!declared.has(part)) {
        const hint = didYouMean(part, declared);
        out.push({
          pointer: ['intersections', String(i), String(j)],
          message:
            `intersection names ${code(part)}, which is not a declared sensitive attribute; ` +
            (hint || (declared.size ? `declared: ${listNames([...declared])}` : 'declare it under `sensitive:` first')),
        });
      }
    });
    const name = intersectionName(parts);
    if (all.has(name)) {
      out.push({ pointer: ['intersections', String(i)], message: `intersection ${code(name)} is declared twice (or clashes with an attribute name); remove one` });
    }
    all.add(name);
  });
  return all;
}

function checkModel(data: Obj, opts: SemanticOptions, out: Problem[]): void {
  if (!isObj(data.model)) return;
  checkPath(data.model.path, ['model', 'path'], opts, out);
  const features = data.model.features;
  if (!isObj(features)) return;
  const given = ['columns', 'one_hot', 'file'].filter((k) => features[k] !== undefined);
  if (given.length !== 1) {
    out.push({
      pointer: ['model', 'features'],
      message:
        given.length === 0
          ? '`features` needs one of `columns`, `one_hot` or `file`; add the one that describes the model\'s feature matrix'
          : `\`features\` has ${given.map(code).join(' and ')}; give exactly one of \`columns\`, \`one_hot\`, \`file\``,
    });
  }
  checkPath(features.file, ['model', 'features', 'file'], opts, out);
  if (isObj(features.one_hot)) {
    const numeric = Array.isArray(features.one_hot.numeric) ? features.one_hot.numeric : [];
    const categorical = isObj(features.one_hot.categorical) ? features.one_hot.categorical : {};
    if (numeric.length === 0 && Object.keys(categorical).length === 0) {
      out.push({ pointer: ['model', 'features', 'one_hot'], message: '`one_hot` lists no columns; add `numeric` and/or `categorical` columns' });
    }
    for (const c of Object.keys(categorical)) {
      if (numeric.includes(c)) {
        out.push({
          pointer: ['model', 'features', 'one_hot', 'categorical', c],
          message: `column ${code(c)} is both numeric and categorical in \`one_hot\`; keep it in one of them`,
        });
      }
    }
  }
}

function checkDataset(data: Obj, opts: SemanticOptions, out: Problem[]): void {
  if (!isObj(data.dataset)) return;
  checkPath(data.dataset.path, ['dataset', 'path'], opts, out);
  const label = data.dataset.label;
  if (typeof label === 'string' && Array.isArray(data.sensitive)) {
    data.sensitive.forEach((s, i) => {
      if (isObj(s) && s.column === label) {
        out.push({
          pointer: ['sensitive', String(i), 'column'],
          message: `sensitive column ${code(label)} is the label column; choose an attribute of the people, not the outcome`,
        });
      }
    });
  }
}

/** A relative or absolute path that resolves inside the workspace; '' when it does not. */
export function pathEscapesWorkspace(p: string, workspace: string): boolean {
  const abs = resolve(workspace, p);
  const rel = relative(resolve(workspace), abs);
  return rel === '..' || rel.startsWith('../') || rel.startsWith('..\\') || isAbsolute(rel);
}

function checkPath(p: Json, pointer: string[], opts: SemanticOptions, out: Problem[]): void {
  if (typeof p !== 'string' || p === '') return;
  if (p.includes('\0')) {
    out.push({ pointer, message: `${code(pointerPath(pointer))} contains a NUL character; fix the path` });
  } else if (pathEscapesWorkspace(p, opts.workspace)) {
    out.push({
      pointer,
      message: `${code(pointerPath(pointer))} points outside the repository (${code(p)}); use a path inside the workspace, relative to its root`,
    });
  }
}

/**
 * @param metric a performance or fairness metric name: a limit outside the metric's range (metricRange) is refused,
 *   with a hint when it looks like a percentage (`accuracy: { min: 75 }`).
 */
function checkThreshold(t: Json, pointer: string[], out: Problem[], metric?: string): void {
  if (!isObj(t)) return;
  const min = typeof t.min === 'number' ? t.min : undefined;
  const max = typeof t.max === 'number' ? t.max : undefined;
  if (t.min === undefined && t.max === undefined) {
    out.push({ pointer, message: `${code(pointerPath(pointer))} needs \`min\` or \`max\` (or both); add the limit the value must meet` });
    return;
  }
  const range = metric === undefined ? undefined : metricRange(metric);
  let outside = false;
  if (range && metric !== undefined) {
    for (const [kind, v] of [['min', min], ['max', max]] as const) {
      if (v === undefined || (v >= range.low && v <= range.high)) continue;
      outside = true;
      out.push({ pointer: [...pointer, kind], message: rangeMessage(metric, kind, v, range) });
    }
  }
  if (!outside && min !== undefined && max !== undefined && min > max) {
    out.push({ pointer: [...pointer, 'min'], message: `\`min\` (${min}) is greater than \`max\` (${max}); no value can pass — swap or fix them` });
  }
}

// ---------------------------------------------------------------- metric ranges (issue #9: obvious mistakes)

/** The values a metric can take: [low, high] (high may be Infinity). */
export interface MetricRange {
  low: number;
  high: number;
}

const UNIT: MetricRange = { low: 0, high: 1 };
const NON_NEGATIVE: MetricRange = { low: 0, high: Number.POSITIVE_INFINITY };
/** Base metrics that are not bounded by 1: a row count, and log loss (−log of a probability). Every other is in [0, 1]. */
const UNBOUNDED_BASES = new Set(['count', 'log_loss']);

/**
 * The range of a performance or fairness metric, from the metric name tables (policy/metric-names.ts); undefined for
 * an unknown name. Rates, accuracy, precision/recall/F1, ROC AUC, average precision, Brier, KS and the mean score are
 * in [0, 1]; count and log loss in [0, ∞). Fairness metrics: every ratio is in [0, 1] (smallest over largest, or
 * inverted to be ≤ 1 to_overall); a difference (max − min, or max |group − overall|) and a lowest/highest group are
 * in the base metric's range ([0, 1] for a bounded base, [0, ∞) for count and log loss); the named fairlearn metrics
 * (demographic parity, equalized odds, equal opportunity) are differences/ratios of rates: [0, 1].
 */
export function metricRange(metric: string): MetricRange | undefined {
  if (isPerformanceMetricName(metric)) return UNBOUNDED_BASES.has(metric) ? NON_NEGATIVE : UNIT;
  if (!isFairnessMetricName(metric)) return undefined;
  if ((NAMED_FAIRNESS_METRICS as readonly string[]).includes(metric)) return UNIT;
  for (const suffix of FAIRNESS_AGGREGATE_SUFFIXES) {
    const tail = `_${suffix}`;
    if (!metric.endsWith(tail)) continue;
    const base = metric.slice(0, -tail.length);
    if (!isPerformanceMetricName(base)) continue;
    if (suffix === 'ratio') return UNIT;
    return UNBOUNDED_BASES.has(base) ? NON_NEGATIVE : UNIT;
  }
  return undefined;
}

function rangeWords(range: MetricRange): string {
  return range.high === Number.POSITIVE_INFINITY ? `at least ${range.low}` : `between ${range.low} and ${range.high}`;
}

/** `accuracy`: min 75 looks like a percentage; use 0.75 — or what the limit means when it cannot be a percentage. */
export function rangeMessage(metric: string, kind: 'min' | 'max', v: number, range: MetricRange): string {
  const what = `${code(metric)}: ${kind} ${v}`;
  const between = `(${metric} is ${rangeWords(range)})`;
  if (range.high === 1 && v > 1 && v <= 100) {
    return `${what} looks like a percentage; use ${Number((v / 100).toPrecision(12))} ${between}`;
  }
  const never = (kind === 'min') === v > range.high ? 'no value can pass it' : 'no value can breach it, so it checks nothing';
  return `${what} is outside the range of the metric ${between}: ${never}; use a limit ${rangeWords(range)}`;
}

function checkPerformance(perf: Json, out: Problem[]): void {
  if (!isObj(perf)) return;
  for (const [name, t] of Object.entries(perf)) {
    const pointer = ['checks', 'performance', name];
    if (!isPerformanceMetricName(name)) {
      const hint = didYouMean(name, PERFORMANCE_METRIC_NAMES);
      const fairHint = isFairnessMetricName(name) ? ` (${code(name)} is a fairness metric: move it under \`checks.fairness\`)` : '';
      out.push({
        pointer,
        atKey: true,
        message: `unknown performance metric ${code(name)}${fairHint}; ${hint || `known: ${listNames(PERFORMANCE_METRIC_NAMES, 18)}`}`,
      });
      continue;
    }
    checkThreshold(t, pointer, out, name);
  }
}

function checkFairness(fair: Json, attributeNames: Set<string>, out: Problem[]): void {
  if (!isObj(fair)) return;
  const names = Object.keys(fair);
  if (names.length > 0 && attributeNames.size === 0) {
    out.push({
      pointer: ['checks', 'fairness'],
      message: 'fairness checks need at least one sensitive attribute; add a `sensitive:` list (e.g. `- column: sex`)',
    });
  }
  for (const name of names) {
    const t = fair[name];
    const pointer = ['checks', 'fairness', name];
    if (!isFairnessMetricName(name)) {
      const hint = didYouMean(name, FAIRNESS_METRIC_NAMES);
      out.push({
        pointer,
        atKey: true,
        message:
          `unknown fairness metric ${code(name)}; ` +
          (hint ||
            'use demographic_parity_difference/_ratio, equalized_odds_difference/_ratio, equal_opportunity_difference/_ratio, or <metric>_difference, _ratio, _group_min, _group_max'),
      });
      continue;
    }
    checkThreshold(t, pointer, out, name);
    if (!isObj(t)) continue;
    if (Array.isArray(t.attributes)) {
      t.attributes.forEach((a, j) => {
        if (typeof a === 'string' && attributeNames.size > 0 && !attributeNames.has(a)) {
          const hint = didYouMean(a, attributeNames);
          out.push({
            pointer: [...pointer, 'attributes', String(j)],
            message: `${code(a)} is not a sensitive attribute or intersection; ${hint || `declared: ${listNames([...attributeNames])}`}`,
          });
        }
      });
    }
    if (t.method !== undefined && !fairnessMetricHasMethod(name)) {
      out.push({ pointer: [...pointer, 'method'], message: `\`method\` applies to differences and ratios, not to ${code(name)}; remove it` });
    }
    if (t.agg !== undefined && !fairnessMetricHasAgg(name)) {
      out.push({ pointer: [...pointer, 'agg'], message: `\`agg\` applies to equalized_odds_* only, not to ${code(name)}; remove it` });
    }
  }
}

/** Issue #13: the `data` section's paths stay in the workspace, every limit has min or max; renames are one-to-one. */
function checkData(data: Obj, opts: SemanticOptions, out: Problem[]): void {
  if (isObj(data.dataset) && isObj(data.dataset.columns)) {
    const seen = new Map<string, string>();
    for (const [name, file] of Object.entries(data.dataset.columns)) {
      if (typeof file !== 'string') continue;
      const prev = seen.get(file);
      if (prev !== undefined) {
        out.push({ pointer: ['dataset', 'columns', name], message: `file column ${code(file)} is already renamed to ${code(prev)}; map each file column to one name` });
      } else seen.set(file, name);
    }
  }
  const d = data.data;
  if (!isObj(d)) return;
  checkPath(d.reference, ['data', 'reference'], opts, out);
  for (const part of ['drift', 'integrity', 'leakage', 'representation']) {
    const section = d[part];
    if (!isObj(section)) continue;
    for (const [key, value] of Object.entries(section)) {
      if (key === 'thresholds' || key === 'training' || key === 'alpha' || key === 'bins') continue;
      if (part === 'drift' && key === 'columns' && isObj(value)) {
        for (const [col, t] of Object.entries(value)) checkThreshold(t, ['data', 'drift', 'columns', col], out);
      } else checkThreshold(value, ['data', part, key], out);
    }
  }
  if (isObj(d.leakage)) {
    checkPath(d.leakage.training, ['data', 'leakage', 'training'], opts, out);
    if (d.reference === undefined && d.leakage.training === undefined && d.leakage.overlap !== undefined) {
      out.push({ pointer: ['data', 'leakage', 'overlap'], message: '`overlap` needs training data to look in; add `data.reference` or `data.leakage.training`' });
    }
  }
  if (d.reference === undefined && isObj(d.drift)) {
    out.push({ pointer: ['data', 'drift'], message: '`drift` compares with a reference dataset; add `data.reference: <path of the training data>`' });
  }
}
