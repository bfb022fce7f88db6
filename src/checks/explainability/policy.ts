/**
 * Settings of policy.checks.explainability (issue #4), typed, with defaults, validated with located errors.
 * The JSON Schema entry `$defs/explainability` in policies/schema.json describes the same keys for editors and ajv.
 */
import type { PolicyDocument, PolicyPointer, Threshold } from '../../policy/types.js';
import { UserError } from '../../util/errors.js';
import { rangeMessage, type MetricRange } from '../../policy/validate.js';

export type ExplainMethodSetting = 'auto' | 'tree_shap' | 'kernel_shap';
export type RankingSpace = 'probability' | 'log_odds';
export type PermutationMetric = 'roc_auc' | 'average_precision' | 'accuracy' | 'brier' | 'log_loss';
export type BackgroundMethod = 'sample' | 'kmeans';

/** A gate threshold, optionally limited to some sensitive attributes (by policy name). */
export interface ExplainabilityGate extends Threshold {
  attributes?: string[];
}

export interface StabilityGate extends Threshold {
  method?: 'halves' | 'seeds';
}

export interface ExplainabilitySettings {
  /** 'auto': exact TreeSHAP when the model is a plain ONNX tree ensemble on its input matrix, else KernelSHAP. */
  method: ExplainMethodSetting;
  /** Space of the ranking, shares and gates. */
  space: RankingSpace;
  /** Explained rows (a seeded sample of the dataset). */
  rows: number;
  /** Rows whose per-feature SHAP values are kept in the report. */
  report_rows: number;
  /**
   * redraws: extra backgrounds drawn with other seeds for the gates' ranges (issue #9 item 8); undefined = 'auto':
   * AUTO_REDRAWS for TreeSHAP (no model call), 0 for KernelSHAP (each draw costs a whole KernelSHAP run).
   */
  background: { size: number; method: BackgroundMethod; redraws?: number };
  kernel_shap: {
    /** Coalitions sampled per explained row (paired; the budget). */
    samples: number;
    /** Upper bound on model rows evaluated by KernelSHAP (coalitions x background x explained rows). */
    max_evaluations: number;
    /** 'auto': enumerate all 2^M coalitions when that fits max_evaluations; 'always' / 'never' force it. */
    exact: 'auto' | 'always' | 'never';
  };
  permutation: {
    enabled: boolean;
    repeats: number;
    metric: PermutationMetric;
    /** Rows used (a seeded sample when the dataset is bigger). */
    max_rows: number;
  };
  /** "Top k" of the rank gate and of proxy detection. */
  top_k: number;
  /** A feature is a proxy of a sensitive attribute when its association reaches these thresholds. */
  proxy: { cramers_v: number; correlation_ratio: number; mutual_information?: number };
  /** Gate: importance rank of each sensitive attribute's column (1 = most important); e.g. { min: 6 } = not in the top 5. */
  sensitive_rank?: ExplainabilityGate;
  /** Gate: share of total mean |SHAP| of each sensitive attribute's column; e.g. { max: 0.05 }. */
  sensitive_share?: ExplainabilityGate;
  /** Gate: number of proxies of each sensitive attribute ranking in the top k; e.g. { max: 0 }. */
  proxies_in_top_k?: ExplainabilityGate;
  /** Gate: Spearman rank correlation of the importance between two halves of the rows (or two seeds); e.g. { min: 0.8 }. */
  stability?: StabilityGate;
}

export const EXPLAINABILITY_DEFAULTS: ExplainabilitySettings = {
  method: 'auto',
  space: 'probability',
  rows: 100,
  report_rows: 20,
  background: { size: 50, method: 'sample' },
  kernel_shap: { samples: 512, max_evaluations: 3_000_000, exact: 'auto' },
  permutation: { enabled: true, repeats: 5, metric: 'roc_auc', max_rows: 10_000 },
  top_k: 5,
  proxy: { cramers_v: 0.3, correlation_ratio: 0.3 },
};

/** Background re-draws for the gates' ranges when TreeSHAP runs and the policy does not say. */
export const AUTO_REDRAWS = 4;

export const GATE_KEYS = ['sensitive_rank', 'sensitive_share', 'proxies_in_top_k', 'stability'] as const;
export type GateKey = (typeof GATE_KEYS)[number];

const BASE: PolicyPointer = ['checks', 'explainability'];

type Raw = Record<string, unknown>;

function isObject(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Reader {
  constructor(private readonly doc: PolicyDocument) {}

  fail(pointer: PolicyPointer, message: string): never {
    throw new UserError(`checks.explainability.${pointer.slice(BASE.length).join('.')}: ${message}`, this.doc.locate(pointer));
  }

  object(v: unknown, pointer: PolicyPointer, allowed: readonly string[]): Raw {
    if (v === undefined || v === null) return {};
    if (!isObject(v)) this.fail(pointer, 'must be a mapping of settings');
    for (const key of Object.keys(v)) {
      if (!allowed.includes(key)) this.fail([...pointer, key], `unknown setting "${key}"; allowed: ${allowed.join(', ')}`);
    }
    return v;
  }

  int(v: unknown, pointer: PolicyPointer, def: number, min: number, max: number): number {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      this.fail(pointer, `must be an integer from ${min} to ${max} (got ${JSON.stringify(v)})`);
    }
    return v;
  }

  num(v: unknown, pointer: PolicyPointer, def: number | undefined, min: number, max: number): number | undefined {
    if (v === undefined) return def;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      this.fail(pointer, `must be a number from ${min} to ${max} (got ${JSON.stringify(v)})`);
    }
    return v;
  }

  oneOf<T extends string>(v: unknown, pointer: PolicyPointer, def: T, options: readonly T[]): T {
    if (v === undefined) return def;
    if (typeof v !== 'string' || !options.includes(v as T)) {
      this.fail(pointer, `must be one of ${options.join(', ')} (got ${JSON.stringify(v)})`);
    }
    return v as T;
  }

  bool(v: unknown, pointer: PolicyPointer, def: boolean): boolean {
    if (v === undefined) return def;
    if (typeof v !== 'boolean') this.fail(pointer, `must be true or false (got ${JSON.stringify(v)})`);
    return v;
  }

  gate(v: unknown, pointer: PolicyPointer, extra: readonly string[], sensitiveNames: readonly string[], range?: MetricRange): Raw | undefined {
    if (v === undefined) return undefined;
    const allowed = ['min', 'max', 'rule', 'on_insufficient', 'severity', ...extra];
    const g = this.object(v, pointer, allowed);
    if (g.min === undefined && g.max === undefined) this.fail(pointer, 'needs a min or a max');
    for (const k of ['min', 'max'] as const) {
      if (g[k] !== undefined && (typeof g[k] !== 'number' || !Number.isFinite(g[k]))) this.fail([...pointer, k], 'must be a number');
      // a limit outside what the measure can take never breaches (or never passes): `sensitive_share: { max: 10 }`
      const n = g[k] as number | undefined;
      if (range && n !== undefined && (n < range.low || n > range.high)) this.fail([...pointer, k], rangeMessage(String(pointer[pointer.length - 1]), k, n, range));
    }
    if (typeof g.min === 'number' && typeof g.max === 'number' && g.min > g.max) {
      this.fail([...pointer, 'min'], `\`min\` (${g.min}) is greater than \`max\` (${g.max}); no value can pass — swap or fix them`);
    }
    this.oneOf(g.rule, [...pointer, 'rule'], 'point', ['point', 'interval']);
    this.oneOf(g.on_insufficient, [...pointer, 'on_insufficient'], 'warn', ['fail', 'warn', 'pass']);
    this.oneOf(g.severity, [...pointer, 'severity'], 'error', ['error', 'warning']);
    if (g.attributes !== undefined) {
      if (!Array.isArray(g.attributes) || g.attributes.some((a) => typeof a !== 'string')) {
        this.fail([...pointer, 'attributes'], 'must be a list of sensitive attribute names');
      }
      (g.attributes as string[]).forEach((a, i) => {
        if (!sensitiveNames.includes(a)) {
          this.fail([...pointer, 'attributes', i], `"${a}" is not a sensitive attribute of this policy (known: ${sensitiveNames.join(', ') || 'none'})`);
        }
      });
    }
    return g;
  }
}

/** Typed settings with defaults; UserError located at the offending policy value. */
export function readExplainabilitySettings(doc: PolicyDocument): ExplainabilitySettings {
  const r = new Reader(doc);
  const d = EXPLAINABILITY_DEFAULTS;
  const raw = r.object(doc.policy.checks.explainability, BASE, [
    'method', 'space', 'rows', 'report_rows', 'background', 'kernel_shap', 'permutation', 'top_k', 'proxy', ...GATE_KEYS,
  ]);
  const p = (...k: Array<string>): PolicyPointer => [...BASE, ...k];
  const bg = r.object(raw.background, p('background'), ['size', 'method', 'redraws']);
  const ks = r.object(raw.kernel_shap, p('kernel_shap'), ['samples', 'max_evaluations', 'exact']);
  const pi = r.object(raw.permutation, p('permutation'), ['enabled', 'repeats', 'metric', 'max_rows']);
  const px = r.object(raw.proxy, p('proxy'), ['cramers_v', 'correlation_ratio', 'mutual_information']);
  const sensitiveNames = (doc.policy.sensitive ?? []).map((s) => s.name ?? s.column);

  const settings: ExplainabilitySettings = {
    method: r.oneOf(raw.method, p('method'), d.method, ['auto', 'tree_shap', 'kernel_shap']),
    space: r.oneOf(raw.space, p('space'), d.space, ['probability', 'log_odds']),
    rows: r.int(raw.rows, p('rows'), d.rows, 1, 100_000),
    report_rows: r.int(raw.report_rows, p('report_rows'), d.report_rows, 0, 1000),
    background: {
      size: r.int(bg.size, p('background', 'size'), d.background.size, 1, 10_000),
      method: r.oneOf(bg.method, p('background', 'method'), d.background.method, ['sample', 'kmeans']),
    },
    kernel_shap: {
      samples: r.int(ks.samples, p('kernel_shap', 'samples'), d.kernel_shap.samples, 2, 1_000_000),
      max_evaluations: r.int(ks.max_evaluations, p('kernel_shap', 'max_evaluations'), d.kernel_shap.max_evaluations, 1000, 2_000_000_000),
      exact: r.oneOf(ks.exact, p('kernel_shap', 'exact'), d.kernel_shap.exact, ['auto', 'always', 'never']),
    },
    permutation: {
      enabled: r.bool(pi.enabled, p('permutation', 'enabled'), d.permutation.enabled),
      repeats: r.int(pi.repeats, p('permutation', 'repeats'), d.permutation.repeats, 1, 1000),
      metric: r.oneOf(pi.metric, p('permutation', 'metric'), d.permutation.metric, ['roc_auc', 'average_precision', 'accuracy', 'brier', 'log_loss']),
      max_rows: r.int(pi.max_rows, p('permutation', 'max_rows'), d.permutation.max_rows, 10, 10_000_000),
    },
    top_k: r.int(raw.top_k, p('top_k'), d.top_k, 1, 10_000),
    proxy: {
      cramers_v: r.num(px.cramers_v, p('proxy', 'cramers_v'), d.proxy.cramers_v, 0, 1) as number,
      correlation_ratio: r.num(px.correlation_ratio, p('proxy', 'correlation_ratio'), d.proxy.correlation_ratio, 0, 1) as number,
    },
  };
  if (bg.redraws !== undefined) settings.background.redraws = r.int(bg.redraws, p('background', 'redraws'), 0, 0, 50);
  const mi = r.num(px.mutual_information, p('proxy', 'mutual_information'), undefined, 0, 1);
  if (mi !== undefined) settings.proxy.mutual_information = mi;

  const rank = r.gate(raw.sensitive_rank, p('sensitive_rank'), ['attributes'], sensitiveNames, { low: 1, high: Number.POSITIVE_INFINITY });
  if (rank) settings.sensitive_rank = rank as ExplainabilityGate;
  const share = r.gate(raw.sensitive_share, p('sensitive_share'), ['attributes'], sensitiveNames, { low: 0, high: 1 });
  if (share) settings.sensitive_share = share as ExplainabilityGate;
  const proxies = r.gate(raw.proxies_in_top_k, p('proxies_in_top_k'), ['attributes'], sensitiveNames, { low: 0, high: Number.POSITIVE_INFINITY });
  if (proxies) settings.proxies_in_top_k = proxies as ExplainabilityGate;
  const stability = r.gate(raw.stability, p('stability'), ['method'], sensitiveNames, { low: -1, high: 1 });
  if (stability) {
    r.oneOf(stability.method, p('stability', 'method'), 'halves', ['halves', 'seeds']);
    settings.stability = stability as StabilityGate;
  }
  return settings;
}
