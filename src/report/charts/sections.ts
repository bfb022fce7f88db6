/**
 * Read-only views of the optional Report sections the charts and the comment draw: robustness (issue #3: the original
 * vs adversarial score ECDFs each attack keeps per budget) and explainability (issue #4: ranked global importance,
 * permutation importance). Those sections are `unknown` in the Report contract (a report.json may also come from an
 * untrusted run), so every field is checked before use; a missing or malformed section yields nothing, never a throw.
 */
import type { ExplainabilityReport } from '../../checks/explainability/types.js';
import type { RobustnessReport } from '../../checks/robustness/types.js';
import type { CurvePoint } from '../../metrics/types.js';
import { permutationChangeWord, permutationMetricName } from '../section-views.js';

export interface AdversarialKs {
  /** Attack key ('noise', 'score_attack/linf'). */
  attack: string;
  /** Human title of the attack. */
  title: string;
  /** The budget whose curves are shown (the largest one that kept curves), and its units. */
  budget?: number;
  units?: string;
  original: CurvePoint[];
  adversarial: CurvePoint[];
  /** KS statistic between the two. */
  statistic?: number;
  /** Score at which the two CDFs are farthest apart. */
  at?: number;
}

export interface FeatureImportance {
  feature: string;
  importance: number;
  /** Spread over repeats (standard deviation), when given. */
  spread?: number;
  /** Share of the total importance, when given. */
  share?: number;
  sensitive: boolean;
  /** Sensitive attributes this feature is a strong proxy of. */
  proxyOf: string[];
}

export interface ImportanceView {
  /** 'mean |SHAP|, TreeSHAP, probability', 'permutation importance (ROC AUC drop)'. */
  measure: string;
  /** Label of the value axis when 'Importance (<measure>)' would not read well. */
  axis?: string;
  features: FeatureImportance[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** An array of at least two {x, y} points with finite numbers, else undefined. */
export function asCurve(v: unknown): CurvePoint[] | undefined {
  if (!Array.isArray(v) || v.length < 2) return undefined;
  const out: CurvePoint[] = [];
  for (const p of v) {
    if (!isObject(p)) return undefined;
    const x = num(p.x);
    const y = num(p.y);
    if (x === undefined || y === undefined) return undefined;
    out.push({ x, y });
  }
  return out;
}

/** Most attacks charted (a battery has about five). */
const MAX_ATTACKS = 12;

/**
 * For each attack of the robustness section, the score ECDFs before and after the attack at its largest budget that
 * kept both curves (the strongest attack the policy asked for).
 */
export function adversarialKsCurves(robustness: unknown): AdversarialKs[] {
  if (!isObject(robustness)) return [];
  const out: AdversarialKs[] = [];
  const units = str((robustness as Partial<RobustnessReport>).units);
  for (const attack of list(robustness.attacks).slice(0, MAX_ATTACKS)) {
    if (!isObject(attack)) continue;
    const key = str(attack.key);
    if (!key) continue;
    let best: { budget: number | undefined; ks: Json; original: CurvePoint[]; adversarial: CurvePoint[] } | undefined;
    for (const b of list(attack.budgets)) {
      if (!isObject(b) || !isObject(b.ks) || !isObject(b.ks.curves)) continue;
      const original = asCurve(b.ks.curves.original);
      const adversarial = asCurve(b.ks.curves.adversarial);
      if (!original || !adversarial) continue;
      const budget = num(b.budget);
      if (!best || (budget ?? -Infinity) >= (best.budget ?? -Infinity)) best = { budget, ks: b.ks, original, adversarial };
    }
    if (!best) continue;
    const entry: AdversarialKs = { attack: key, title: str(attack.title) ?? key, original: best.original, adversarial: best.adversarial };
    if (best.budget !== undefined) entry.budget = best.budget;
    const u = str(attack.units) ?? units;
    if (u) entry.units = u;
    const statistic = num(best.ks.statistic);
    if (statistic !== undefined) entry.statistic = statistic;
    const at = num(best.ks.at);
    if (at !== undefined) entry.at = at;
    out.push(entry);
  }
  return out;
}

const METHOD_NAMES: Record<string, string> = { tree_shap: 'TreeSHAP', kernel_shap: 'KernelSHAP', exact_shapley: 'exact Shapley' };
const SPACE_NAMES: Record<string, string> = { probability: 'probability', log_odds: 'log-odds', margin: 'margin' };

/**
 * Global importance per raw column from the explainability section: mean |SHAP| (ranked, with shares, sensitive
 * attributes and proxies marked), or, when the section has no SHAP ranking, permutation importance.
 */
export function featureImportance(explainability: unknown, sensitiveNames: ReadonlySet<string> = new Set()): ImportanceView | undefined {
  return shapImportance(explainability, sensitiveNames) ?? permutationImportance(explainability, sensitiveNames);
}

export function shapImportance(explainability: unknown, sensitiveNames: ReadonlySet<string> = new Set()): ImportanceView | undefined {
  if (!isObject(explainability)) return undefined;
  const e = explainability as Partial<Record<keyof ExplainabilityReport, unknown>>;
  const features: FeatureImportance[] = [];
  for (const entry of list(e.importance)) {
    if (!isObject(entry)) continue;
    const feature = str(entry.feature);
    const importance = num(entry.meanAbsShap);
    if (feature === undefined || importance === undefined) continue;
    const f: FeatureImportance = {
      feature,
      importance,
      sensitive: entry.sensitive === true || sensitiveNames.has(feature),
      proxyOf: list(entry.proxyOf).filter((p): p is string => typeof p === 'string'),
    };
    const share = num(entry.share);
    if (share !== undefined) f.share = share;
    features.push(f);
  }
  if (features.length === 0) return undefined;
  features.sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  const method = METHOD_NAMES[String(e.method)] ?? 'SHAP';
  const space = SPACE_NAMES[String(e.space)];
  return { measure: `mean |SHAP|, ${method}${space ? `, ${space}` : ''}`, features };
}

export function permutationImportance(explainability: unknown, sensitiveNames: ReadonlySet<string> = new Set()): ImportanceView | undefined {
  if (!isObject(explainability) || !isObject(explainability.permutation)) return undefined;
  const p = explainability.permutation;
  // The SHAP ranking knows which columns are sensitive or proxies; reuse that for the same columns.
  const flags = new Map<string, { sensitive: boolean; proxyOf: string[] }>();
  for (const f of shapImportance(explainability, sensitiveNames)?.features ?? []) flags.set(f.feature, { sensitive: f.sensitive, proxyOf: f.proxyOf });
  const features: FeatureImportance[] = [];
  for (const entry of list(p.features)) {
    if (!isObject(entry)) continue;
    const feature = str(entry.feature);
    const importance = num(entry.mean);
    if (feature === undefined || importance === undefined) continue;
    const known = flags.get(feature);
    const f: FeatureImportance = { feature, importance, sensitive: sensitiveNames.has(feature) || known?.sensitive === true, proxyOf: known?.proxyOf ?? [] };
    const spread = num(entry.std);
    if (spread !== undefined) f.spread = spread;
    features.push(f);
  }
  if (features.length === 0) return undefined;
  features.sort((a, b) => b.importance - a.importance || (a.feature < b.feature ? -1 : 1));
  const metric = str(p.metric);
  if (!metric) return { measure: 'permutation importance', features };
  const change = `${permutationMetricName(metric).replace(/_/g, ' ')} ${permutationChangeWord(metric)}`;
  return { measure: `permutation importance (${change})`, axis: `${change} when the column is shuffled`, features };
}
