/**
 * Every chart of a Report, as standalone SVG documents: selection rate and count by each sensitive attribute, ROC,
 * precision-recall, precision against threshold, KS (positives vs negatives), KS original vs adversarial scores per
 * attack (when robustness ran), feature importance (when explainability ran). Pure: Report in, SVG text out.
 */
import { dataCharts } from './data-charts.js';
import { formatCompact, formatPercent, formatValue } from '../format.js';
import type { Report } from '../types.js';
import { rankedBarChart } from './bar-chart.js';
import { countChart, selectionRateChart, slug } from './group-charts.js';
import { ksChart, ksOriginalChart, precisionRecallChart, precisionThresholdChart, rocChart, type Chart } from './performance-charts.js';
import { adversarialKsCurves, permutationImportance, shapImportance, type ImportanceView } from './sections.js';

export type { Chart } from './performance-charts.js';

/** At most this many features in the importance chart. */
export const MAX_IMPORTANCE_BARS = 20;

/** 'ε = 0.5 std', 'strength 0.1 std', '≤ 2 changed features': the budget as the policy wrote it. */
export function budgetLabel(a: { attack: string; budget?: number; units?: string }): string {
  if (a.budget === undefined) return '';
  const units = a.units ? ` ${a.units}` : '';
  if (a.attack.startsWith('noise')) return `strength ${formatCompact(a.budget)}${units}`;
  if (a.attack.startsWith('categorical')) return `≤ ${formatCompact(a.budget)} changed ${a.budget === 1 ? 'feature' : 'features'}`;
  return `ε = ${formatCompact(a.budget)}${units}`;
}

export function adversarialKsCharts(report: Report): Chart[] {
  const used = new Set<string>();
  return adversarialKsCurves(report.robustness).map((a) => {
    const name = uniqueName(`ks-adversarial-${slug(a.attack)}`, used);
    // The attack's name is the title (a long 'KS curves: ...' prefix pushed it out); the subtitle says what is drawn.
    const title = a.title;
    const budget = budgetLabel(a);
    const subtitle = [
      a.statistic !== undefined ? `Scores before and after the attack: KS ${formatValue(a.statistic)}` : 'Scores before and after the attack',
      budget,
    ]
      .filter(Boolean)
      .join(' · ');
    return {
      name,
      title,
      svg: ksChart({
        id: name,
        title,
        subtitle,
        description: `Empirical CDFs of the model score on the attacked rows before (original) and after (adversarial) the attack ${a.title}${budget ? ` at ${budget}` : ''}.`,
        a: { name: 'original scores', points: a.original },
        b: { name: 'adversarial scores', points: a.adversarial },
        statistic: a.statistic ?? null,
        at: a.at ?? null,
        threshold: report.threshold,
      }),
    };
  });
}

function sensitiveNames(report: Report): Set<string> {
  const names = new Set<string>();
  for (const attr of report.fairness) for (const a of attr.attributes) names.add(a);
  return names;
}

function importanceBars(name: string, title: string, view: ImportanceView): Chart {
  const shown = view.features.slice(0, MAX_IMPORTANCE_BARS);
  const hidden = view.features.length - shown.length;
  const anySensitive = shown.some((f) => f.sensitive);
  const anyProxy = shown.some((f) => !f.sensitive && f.proxyOf.length > 0);
  return {
    name,
    title,
    svg: rankedBarChart({
      id: name,
      title,
      subtitle: `${view.measure}${hidden > 0 ? ` · top ${shown.length} of ${view.features.length} features` : ''}`,
      description: `Global importance of each feature (${view.measure}), largest first; sensitive attributes and their proxies highlighted.`,
      xLabel: view.axis ?? `Importance (${view.measure})`,
      bars: shown.map((f) => {
        const cls = f.sensitive ? ('s1' as const) : f.proxyOf.length > 0 ? ('s4' as const) : ('s0' as const);
        const label = !f.sensitive && f.proxyOf.length > 0 ? `${f.feature} (proxy of ${f.proxyOf.join(', ')})` : f.feature;
        const bar = {
          label,
          value: f.importance,
          valueLabel: f.share !== undefined ? `${formatValue(f.importance, 3)} (${formatPercent(f.share)})` : formatValue(f.importance, 3),
          cls,
          emphasis: cls !== 's0',
        };
        return f.spread !== undefined ? { ...bar, spread: f.spread } : bar;
      }),
      legend: [
        { label: 'feature', cls: 's0', swatch: 'box' },
        ...(anySensitive ? [{ label: 'sensitive attribute', cls: 's1' as const, swatch: 'box' as const }] : []),
        ...(anyProxy ? [{ label: 'proxy of a sensitive attribute', cls: 's4' as const, swatch: 'box' as const }] : []),
        ...(shown.some((f) => f.spread !== undefined) ? [{ label: '± spread over repeats', cls: 'fg' as const, swatch: 'line' as const }] : []),
      ],
    }),
  };
}

/** Importance bars: mean |SHAP| (or permutation importance when there is no SHAP ranking); permutation too when both exist. */
export function importanceCharts(report: Report): Chart[] {
  const names = sensitiveNames(report);
  const shap = shapImportance(report.explainability, names);
  const permutation = permutationImportance(report.explainability, names);
  const out: Chart[] = [];
  const main = shap ?? permutation;
  if (main) out.push(importanceBars('feature-importance', 'Feature importance', main));
  if (shap && permutation) out.push(importanceBars('permutation-importance', 'Permutation importance', permutation));
  return out;
}

/** Issue #14: how often each feature is changed among the successful adversarial examples (over all attacks). */
export function featureChangeChart(report: Report): Chart | null {
  const r = report.robustness as { featureChanges?: unknown; units?: unknown } | undefined;
  const list = Array.isArray(r?.featureChanges) ? (r.featureChanges as Array<Record<string, unknown>>) : [];
  const rows = list.filter((f) => typeof f.feature === 'string' && typeof f.share === 'number' && Number.isFinite(f.share)).slice(0, MAX_IMPORTANCE_BARS);
  if (rows.length === 0) return null;
  const units = r?.units === 'raw' ? 'units' : 'std';
  const name = 'robustness-feature-changes';
  const title = 'Features the attacks change';
  return {
    name,
    title,
    svg: rankedBarChart({
      id: name,
      title,
      subtitle: `Share of successful adversarial examples that change each feature${list.length > rows.length ? ` · top ${rows.length} of ${list.length}` : ''}`,
      description: 'For each feature, the share of the successful adversarial examples (the smallest per flipped row, over all attacks) that change it; numeric features with their mean change.',
      xLabel: 'Share of successful examples',
      bars: rows.map((f) => ({
        label: String(f.feature),
        value: f.share as number,
        valueLabel: `${formatPercent(f.share as number)}${typeof f.meanAbsChange === 'number' ? ` (${formatValue(f.meanAbsChange, 2)} ${units})` : ''}`,
        cls: f.kind === 'categorical' ? ('s4' as const) : ('s0' as const),
      })),
      legend: [
        { label: 'numeric feature (mean change)', cls: 's0', swatch: 'box' },
        { label: 'categorical feature', cls: 's4', swatch: 'box' },
      ],
    }),
  };
}

function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let i = 2; used.has(name); i++) name = `${base}-${i}`;
  used.add(name);
  return name;
}

/** The file-name-safe name of each fairness attribute's charts (`selection-rate-<name>`, `count-<name>`), in order. */
export function attributeChartNames(report: Report): string[] {
  const used = new Set<string>();
  return report.fairness.map((attr) => uniqueName(slug(attr.name), used));
}

export function renderCharts(report: Report): Chart[] {
  const charts: Chart[] = [];
  const names = attributeChartNames(report);
  report.fairness.forEach((attr, i) => {
    const c = selectionRateChart(report, attr, names[i]!);
    if (c) charts.push(c);
  });
  report.fairness.forEach((attr, i) => {
    const c = countChart(report, attr, names[i]!);
    if (c) charts.push(c);
  });
  for (const make of [rocChart, precisionRecallChart, precisionThresholdChart, ksOriginalChart]) {
    const c = make(report);
    if (c) charts.push(c);
  }
  charts.push(...adversarialKsCharts(report));
  const changes = featureChangeChart(report);
  if (changes) charts.push(changes);
  charts.push(...importanceCharts(report));
  charts.push(...dataCharts(report));
  return charts;
}
