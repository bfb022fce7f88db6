/**
 * Read-only views of the optional Report sections that the charts draw (robustness: the original vs adversarial score
 * ECDFs of each attack; explainability: global importance per feature). Those sections are `unknown` in the Report
 * contract and owned by other issues, so these readers accept their plain-JSON shapes defensively and return nothing
 * rather than throw when a section is absent or shaped differently.
 */
import type { CurvePoint } from '../../metrics/types.js';

export interface AdversarialKs {
  /** Attack id ('noise', 'spsa_linf'). */
  attack: string;
  /** Human title of the attack. */
  title: string;
  original: CurvePoint[];
  adversarial: CurvePoint[];
  /** KS statistic between the two, when the section gives it. */
  statistic?: number;
  /** Score at which the two CDFs are farthest apart, when given. */
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
}

export interface ImportanceView {
  /** 'mean |SHAP|', 'permutation importance (ROC AUC drop)', ... */
  measure: string;
  features: FeatureImportance[];
}

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v : undefined);

/** An array of {x, y} points with finite numbers, else undefined. */
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

const ORIGINAL_KEY = /^(original|orig|clean|before|ecdfOriginal|originalEcdf|originalCdf|ksOriginal)$/i;
const ADVERSARIAL_KEY = /^(adversarial|adv|attacked|after|ecdfAdversarial|adversarialEcdf|adversarialCdf|ksAdversarial)$/i;

function curvePair(o: Json): { original: CurvePoint[]; adversarial: CurvePoint[]; holder: Json } | undefined {
  let original: CurvePoint[] | undefined;
  let adversarial: CurvePoint[] | undefined;
  for (const [k, v] of Object.entries(o)) {
    if (ORIGINAL_KEY.test(k)) original ??= asCurve(v);
    else if (ADVERSARIAL_KEY.test(k)) adversarial ??= asCurve(v);
  }
  return original && adversarial ? { original, adversarial, holder: o } : undefined;
}

/**
 * Every attack in the robustness section that kept an original and an adversarial score ECDF. An attack is an object
 * with a name (`attack` | `name` | `id`) holding, directly or one level down (e.g. `ks: { original, adversarial }`),
 * two point arrays named original/adversarial (or ecdfOriginal/ecdfAdversarial, ...).
 */
export function adversarialKsCurves(robustness: unknown): AdversarialKs[] {
  const out: AdversarialKs[] = [];
  const seen = new Set<string>();
  const visit = (v: unknown, depth: number, parentName?: string, parentTitle?: string) => {
    if (depth > 5 || out.length >= 24) return;
    if (Array.isArray(v)) {
      for (const item of v) visit(item, depth + 1, parentName, parentTitle);
      return;
    }
    if (!isObject(v)) return;
    const name = str(v.attack) ?? str(v.name) ?? str(v.id) ?? parentName;
    const title = str(v.title) ?? str(v.label) ?? parentTitle ?? name;
    const pair = curvePair(v);
    if (pair && name) {
      const key = name;
      if (!seen.has(key)) {
        seen.add(key);
        const ks: AdversarialKs = { attack: name, title: title ?? name, original: pair.original, adversarial: pair.adversarial };
        const statistic = num(v.statistic) ?? num(v.ks) ?? num(v.ksStatistic);
        if (statistic !== undefined) ks.statistic = statistic;
        const at = num(v.at) ?? num(v.ksAt);
        if (at !== undefined) ks.at = at;
        out.push(ks);
      }
      return;
    }
    for (const [k, child] of Object.entries(v)) {
      if (typeof child !== 'object' || child === null) continue;
      // A keyed map of attacks ({ noise: {...}, spsa: {...} }) names them by key.
      const childName = isObject(child) && !str(child.attack) && !str(child.name) && !str(child.id) && depth <= 1 && !name ? k : name;
      visit(child, depth + 1, childName, childName === name ? title : undefined);
    }
  };
  visit(robustness, 0);
  return out;
}

const FEATURE_KEYS = ['feature', 'column', 'name', 'player'] as const;
const VALUE_KEYS = ['importance', 'meanAbsShap', 'mean_abs_shap', 'meanAbs', 'mean', 'value', 'score'] as const;
const SPREAD_KEYS = ['std', 'spread', 'stdev', 'sd'] as const;

function importanceEntries(v: unknown): FeatureImportance[] | undefined {
  if (!Array.isArray(v) || v.length === 0) return undefined;
  const out: FeatureImportance[] = [];
  for (const e of v) {
    if (!isObject(e)) return undefined;
    const feature = FEATURE_KEYS.map((k) => str(e[k])).find((x) => x !== undefined);
    const importance = VALUE_KEYS.map((k) => num(e[k])).find((x) => x !== undefined);
    if (feature === undefined || importance === undefined) return undefined;
    const f: FeatureImportance = { feature, importance, sensitive: e.sensitive === true || e.isSensitive === true };
    const spread = SPREAD_KEYS.map((k) => num(e[k])).find((x) => x !== undefined);
    if (spread !== undefined) f.spread = spread;
    const share = num(e.share);
    if (share !== undefined) f.share = share;
    out.push(f);
  }
  return out;
}

const IMPORTANCE_HOLDERS = /^(global|globalImportance|global_importance|importance|ranking|features|shap|permutation)$/i;

/**
 * Global importance per feature from the explainability section: the first array (breadth first, preferring keys such
 * as `global`/`importance`) whose entries name a feature and a number. Sorted by importance, largest first.
 */
export function featureImportance(explainability: unknown, sensitiveNames: ReadonlySet<string> = new Set()): ImportanceView | undefined {
  if (!isObject(explainability)) return undefined;
  const queue: Array<{ v: unknown; key: string; depth: number; holder: Json }> = [];
  const push = (o: Json, depth: number) => {
    const entries = Object.entries(o).sort(([a], [b]) => Number(IMPORTANCE_HOLDERS.test(b)) - Number(IMPORTANCE_HOLDERS.test(a)));
    for (const [key, v] of entries) queue.push({ v, key, depth, holder: o });
  };
  push(explainability, 0);
  while (queue.length) {
    const { v, key, depth, holder } = queue.shift()!;
    const entries = importanceEntries(v);
    if (entries) {
      for (const e of entries) if (sensitiveNames.has(e.feature)) e.sensitive = true;
      entries.sort((a, b) => b.importance - a.importance || a.feature.localeCompare(b.feature));
      const measure =
        str(holder.measure) ??
        str(holder.method) ??
        str((explainability as Json).measure) ??
        str((explainability as Json).method) ??
        key;
      return { measure, features: entries };
    }
    if (isObject(v) && depth < 3) push(v, depth + 1);
  }
  return undefined;
}
