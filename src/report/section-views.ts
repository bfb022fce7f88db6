/**
 * What the renderers (job summary, PR comment, HTML, terminal) pick from the robustness (issue #3), explainability
 * (issue #4) and baseline (issue #6) sections of a Report, so that all of them show the same rows with the same words.
 * Selection, ordering and labels only: every number shown is a number of the Report, never recomputed.
 *
 * A report.json may come from an untrusted run (the workflow_run comment path only checks its outline), so these
 * helpers never assume an array is an array or a number is a number: `list`, `numberOr` and `guardSection` keep a
 * malformed section from throwing in a renderer. Text still has to be escaped by the renderer for its format.
 */
import type { BaselineMetricChange, BaselineReport, ChangeDirection, ChangeEffect } from '../baseline/types.js';
import type { AssociationEntry, ExplainabilityReport, ImportanceEntry } from '../checks/explainability/types.js';
import type { AttackResult, BudgetResult, CounterfactualGroup, CounterfactualResult, GroupingRobustness, RobustnessReport } from '../checks/robustness/types.js';
import { formatCompact, formatCount, formatLevel, formatValue, plural } from './format.js';
import type { CheckResult, Report } from './types.js';

// ---------------------------------------------------------------------------------------------------------------
// Defensive access

/** The value when it is an array, else an empty array; at most `max` items. */
export function list<T>(v: readonly T[] | unknown, max = Number.POSITIVE_INFINITY): T[] {
  return Array.isArray(v) ? (v.slice(0, max) as T[]) : [];
}

/** Length of an array, 0 otherwise. */
export function lengthOf(v: unknown): number {
  return Array.isArray(v) ? v.length : 0;
}

/** A finite number, or null. */
export function numberOr(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A typed field that is really an object (not null, not an array), for typed access after the test. */
export function isPresent<T>(v: T | null | undefined): v is T {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The section when it is an object (the renderers' entry test), else undefined. */
export function robustnessOf(report: Report): RobustnessReport | undefined {
  return isObject(report.robustness) ? report.robustness : undefined;
}
export function explainabilityOf(report: Report): ExplainabilityReport | undefined {
  return isObject(report.explainability) ? report.explainability : undefined;
}
export function baselineOf(report: Report): BaselineReport | undefined {
  return isObject(report.baseline) ? report.baseline : undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// Robustness

/** Most attacks, budgets per attack, groupings and counterfactual attributes any renderer shows. */
export const MAX_ATTACKS = 12;
export const MAX_BUDGETS = 10;
export const MAX_GROUPINGS = 12;
export const MAX_COUNTERFACTUALS = 20;

/** 'standard deviations' for 'std', 'raw units' for 'raw', the text otherwise. */
export function unitsWord(units: unknown): string {
  if (units === 'std') return 'std';
  if (units === 'raw') return 'raw units';
  if (units === 'features') return 'features';
  return typeof units === 'string' ? units : '';
}

/** The budget of one attack, in words: 'strength 0.25 std', 'ε 0.1 std', '≤ 2 features'. */
export function budgetText(attack: Pick<AttackResult, 'kind' | 'units'>, budget: unknown): string {
  const b = numberOr(budget);
  const value = b === null ? 'n/a' : formatCompact(b);
  if (attack.kind === 'noise') return `strength ${value} ${unitsWord(attack.units)}`.trim();
  if (attack.kind === 'categorical_attack') return `≤ ${value} ${b === 1 ? 'feature' : 'features'}`;
  return `ε ${value} ${unitsWord(attack.units)}`.trim();
}

/**
 * A perturbation size in the attack's measure: L0 counts changed features (a whole number, or a half-way median) and
 * noise strengths are policy literals, both shown in their shortest form ('2', '0.25'); norms with 4 decimals.
 */
export function perturbationText(attack: Pick<AttackResult, 'measure'>, value: unknown): string {
  const v = numberOr(value);
  if (v === null) return 'n/a';
  return attack.measure === 'l0' || attack.measure === 'strength' ? formatCompact(v) : formatValue(v);
}

/** The median minimal perturbation: '0.0497', or '> 0.1' when fewer than half of the correct rows flipped. */
export function medianPerturbationText(attack: Pick<AttackResult, 'medianPerturbation' | 'measure'>): string {
  const mp = attack.medianPerturbation;
  if (!isObject(mp)) return 'n/a';
  const v = numberOr(mp.value);
  if (v === null) return 'n/a';
  if (mp.lowerBound === true) return `> ${formatCompact(v)}`;
  return perturbationText(attack, v);
}

/**
 * Plain-text definitions printed under the robustness tables (each renderer escapes them for its format), so that
 * the job summary, the comment and the HTML report explain the same words the same way.
 */
export const ROBUSTNESS_TERMS = {
  attacks:
    'Accuracy under attack: share of attacked rows still classified correctly. Success rate: correctly classified rows whose ' +
    'decision the attack flipped within the budget. Flip rate: attacked rows (noise: noisy copies) whose decision changed, ' +
    'including rows the model already got wrong. Median min. perturbation: over all correctly classified rows, the ' +
    'smallest change that flipped each one, rows never flipped counting as infinite (“> x”: fewer than half flipped ' +
    'within the largest size searched). KS: largest gap between the distributions of the scores before and after the ' +
    'attack (0 = unchanged, 1 = completely moved). Disparity: max − min success rate over the groups with enough ' +
    'correctly classified rows (noise: flip rate).',
  groups:
    'Rows: attacked rows of the group (noise: their noisy copies). Median perturbation of flipped rows: the median ' +
    'smallest change over the rows flipped at this budget only, so it can be below the attack’s median min. ' +
    'perturbation, which also counts the rows that did not flip. Insufficient: fewer correctly classified attacked rows ' +
    'than min_group_size; left out of the disparity.',
  counterfactual:
    'Flip rate: share of rows whose decision changes for at least one other value of the attribute. Pair flip rate: ' +
    'share of (row, other value) pairs whose decision changes (an attribute with more values gives each row more ' +
    'chances to flip, so the pair rate can be lower). Mean / max |Δscore|: mean and largest absolute change of the ' +
    'model’s score.',
} as const;

/** The largest budget of an attack (the one the charts draw and the terminal shows), or undefined. */
export function largestBudget(attack: AttackResult): BudgetResult | undefined {
  let best: BudgetResult | undefined;
  for (const b of list<BudgetResult>(attack.budgets, MAX_BUDGETS)) {
    if (!isObject(b)) continue;
    if (best === undefined || (numberOr(b.budget) ?? -Infinity) >= (numberOr(best.budget) ?? -Infinity)) best = b;
  }
  return best;
}

/** The disparity a renderer shows for an attack: flip-rate disparity for noise, success-rate disparity otherwise. */
export function disparityOf(attack: Pick<AttackResult, 'kind'>, g: GroupingRobustness): number | null {
  return attack.kind === 'noise' ? numberOr(g.flipRateDisparity) : numberOr(g.disparity);
}

/** The group named as most vulnerable for that disparity (highest success rate; noise: the engine's pick as well). */
export function mostVulnerableOf(g: GroupingRobustness): string | null {
  return typeof g.mostVulnerable === 'string' ? g.mostVulnerable : null;
}

/** Robustness checks about one attack, at every budget (the engine names the attack in CheckResult.details.attack). */
export function checksOnAttack(report: Report, attackKey: string): CheckResult[] {
  return list<CheckResult>(report.checks).filter((c) => c.section === 'robustness' && isObject(c.details) && c.details.attack === attackKey);
}

/** Robustness checks of the counterfactual test of one attribute. */
export function checksOnCounterfactual(report: Report, attribute: string): CheckResult[] {
  return list<CheckResult>(report.checks).filter((c) => c.section === 'robustness' && c.scope === `counterfactual/${attribute}`);
}

/** How the counterfactual values were made, in words. */
export function counterfactualMethodText(c: CounterfactualResult): string {
  const n = lengthOf(c.values);
  if (c.method === 'category') return `each other category (${n} values)`;
  if (c.method === 'bins') {
    const values = list<{ key: unknown; value: unknown }>(c.values, 12).filter(isObject);
    const shown = values.map((v) => `${String(v.key)}: ${typeof v.value === 'number' ? formatCompact(v.value) : String(v.value)}`);
    return `moved to each other bin (${n} bins)${shown.length ? `, set to the bin's median (${shown.join(', ')})` : ''}`;
  }
  return 'not a model input';
}

/** Groups of a counterfactual test, highest flip rate first (ties: report order); at most `max`. */
export function counterfactualGroupsByFlipRate(c: CounterfactualResult, max: number): { shown: CounterfactualGroup[]; omitted: number } {
  const groups = list<CounterfactualGroup>(c.groups).filter(isObject);
  const ordered = groups
    .map((g, i) => [g, i] as const)
    .sort((a, b) => (numberOr(b[0].flipRate) ?? -1) - (numberOr(a[0].flipRate) ?? -1) || a[1] - b[1])
    .map(([g]) => g);
  const shown = ordered.slice(0, max);
  return { shown, omitted: groups.length - shown.length };
}

/** The features the attacks may not change, with why ('sex (sensitive)'). */
export function immutableFeatures(r: RobustnessReport): Array<{ feature: string; reason: string }> {
  return list<RobustnessReport['constraints'][number]>(r.constraints)
    .filter((c) => isObject(c) && c.mutable === false)
    .map((c) => ({ feature: String(c.feature), reason: typeof c.reason === 'string' ? c.reason : '' }));
}

/** Worst outcome of some checks as an emoji, '' when none. */
export function worstOutcomeEmoji(checks: readonly CheckResult[]): string {
  if (checks.some((c) => c.outcome === 'fail')) return '❌';
  if (checks.some((c) => c.outcome === 'warn')) return '⚠️';
  return checks.length > 0 ? '✅' : '';
}

// ---------------------------------------------------------------------------------------------------------------
// Explainability

const METHOD_NAMES: Record<string, string> = { tree_shap: 'TreeSHAP', kernel_shap: 'KernelSHAP', exact_shapley: 'exact Shapley values' };
const SPACE_NAMES: Record<string, string> = { probability: 'probability', log_odds: 'log-odds', margin: 'margin' };
const MEASURE_NAMES: Record<string, string> = { cramers_v: 'Cramér’s V', correlation_ratio: 'correlation ratio η' };

export function shapMethodName(method: unknown): string {
  return METHOD_NAMES[String(method)] ?? 'SHAP';
}
/**
 * How many model calls SHAP made, in words: '1,204 model calls (3,000,000 rows) for SHAP', or, for exact TreeSHAP,
 * which reads the trees from the graph and never runs the model, 'no model calls for SHAP (TreeSHAP reads the trees)'.
 */
export function shapModelCallsText(e: Pick<ExplainabilityReport, 'modelCalls' | 'modelRows' | 'method'>): string {
  const calls = numberOr(e.modelCalls) ?? 0;
  if (calls === 0 && e.method === 'tree_shap') return 'no model calls for SHAP (TreeSHAP reads the trees from the graph)';
  return `${plural(calls, 'model call')} (${formatCount(numberOr(e.modelRows) ?? 0)} rows) for SHAP`;
}

/**
 * 'ranges at 95% from 1,000 bootstrap resamples of the explained rows and 5 background draws' (plain text; the caller
 * escapes). '' when the section has no uncertainty (statistics.resamples 0, older reports).
 */
export function importanceUncertaintyText(e: Pick<ExplainabilityReport, 'uncertainty'>): string {
  const u = e.uncertainty;
  if (!isPresent(u)) return '';
  const draws = numberOr(u.backgrounds) ?? 1;
  const resampled = numberOr(u.backgroundRowsResampled);
  const bg =
    (resampled !== null ? ` and their ${formatCount(resampled)} background rows` : '') +
    (draws > 1 ? ` and ${formatCount(draws)} background draws` : resampled !== null ? '' : `, one background${typeof u.backgroundsReason === 'string' ? ` (${u.backgroundsReason})` : ''}`);
  return `${formatLevel(numberOr(u.level) ?? 0.95)} ranges from ${plural(numberOr(u.resamples) ?? 0, 'bootstrap resample')} of the explained rows${bg}`;
}

/** '2–4': a feature's rank range, or undefined without one. */
export function rankRangeOf(e: Pick<ExplainabilityReport, 'uncertainty'>, feature: string): string | undefined {
  const f = list<{ feature: string; rankLow: number; rankHigh: number }>(e.uncertainty?.features).find((x) => isPresent(x) && x.feature === feature);
  if (!f) return undefined;
  return `${formatCount(numberOr(f.rankLow))}–${formatCount(numberOr(f.rankHigh))}`;
}

export function shapSpaceName(space: unknown): string {
  return SPACE_NAMES[String(space)] ?? String(space ?? '');
}
export function associationMeasureName(measure: unknown): string {
  return MEASURE_NAMES[String(measure)] ?? String(measure ?? '');
}

/** Most features in a ranked importance table, and in the terminal. */
export const MAX_IMPORTANCE_ROWS = 15;
export const TEXT_IMPORTANCE_ROWS = 5;

/** Global importance in rank order (as the Report ranks it); at most `max`, with how many were left out. */
export function rankedImportance(e: ExplainabilityReport, max: number): { shown: ImportanceEntry[]; omitted: number } {
  const all = list<ImportanceEntry>(e.importance).filter((x) => isObject(x));
  const ordered = all
    .map((x, i) => [x, i] as const)
    .sort((a, b) => (numberOr(a[0].rank) ?? Infinity) - (numberOr(b[0].rank) ?? Infinity) || a[1] - b[1])
    .map(([x]) => x);
  return { shown: ordered.slice(0, max), omitted: all.length - Math.min(all.length, max) };
}

/** The strong associations (proxies) of one feature, strongest first. */
export function proxiesOf(e: ExplainabilityReport, feature: string): AssociationEntry[] {
  return list<AssociationEntry>(e.associations)
    .filter((a) => isObject(a) && a.feature === feature && a.strong === true)
    .sort((a, b) => (numberOr(b.value) ?? 0) - (numberOr(a.value) ?? 0));
}

/** Permutation importance of a feature (mean and std over repeats), when it was computed. */
export function permutationOf(e: ExplainabilityReport, feature: string): { mean: number | null; std: number | null } | undefined {
  if (!isObject(e.permutation)) return undefined;
  const entry = list<{ feature: string; mean: number; std: number }>(e.permutation.features).find((f) => isObject(f) && f.feature === feature);
  return entry ? { mean: numberOr(entry.mean), std: numberOr(entry.std) } : undefined;
}

/** 'roc_auc' -> 'ROC AUC' for the permutation metric. */
export function permutationMetricName(metric: unknown): string {
  const names: Record<string, string> = { roc_auc: 'ROC AUC', average_precision: 'average precision', accuracy: 'accuracy', brier: 'Brier score', log_loss: 'log loss' };
  return names[String(metric)] ?? String(metric ?? '');
}

/** 'drop' for a score (higher is better), 'rise' for a loss: what shuffling a column does to the metric. */
export function permutationChangeWord(metric: unknown): string {
  return metric === 'brier' || metric === 'log_loss' ? 'rise' : 'drop';
}

// ---------------------------------------------------------------------------------------------------------------
// Baseline

const ARROWS: Record<ChangeDirection, string> = { up: '▲', down: '▼', flat: '▬', unknown: '·' };

/** ▲ up, ▼ down, ▬ flat, · unknown. */
export function directionArrow(d: unknown): string {
  return ARROWS[d as ChangeDirection] ?? ARROWS.unknown;
}
/**
 * The effect a renderer marks (colour, ✅ ❌): better / worse only when the change is more than resampling noise (its
 * interval excludes 0); undefined otherwise.
 */
export function markedEffect(m: Pick<BaselineMetricChange, 'effect' | 'significant'>): ChangeEffect | undefined {
  return m.significant === true ? m.effect : undefined;
}
/** The Significant column: 'yes', 'no', '—' when there is no change to test. */
export function significanceText(m: Pick<BaselineMetricChange, 'significant' | 'delta'>): string {
  return m.significant === true ? 'yes' : m.delta === null ? '—' : 'no';
}

/** The limit of a gated change in words: 'drop ≤ 0.01', 'rise ≤ 0.005', '' when not gated. */
export function maxRegressionText(m: BaselineMetricChange): string {
  const max = numberOr(m.maxRegression);
  if (max === null) return '';
  const word = m.higherIsBetter === true ? 'drop' : m.higherIsBetter === false ? 'rise' : 'change';
  return `${word} ≤ ${formatCompact(max)}`;
}

/** The check that gates a change, when any. */
export function checkOfChange(report: Report, m: BaselineMetricChange): CheckResult | undefined {
  if (typeof m.checkId !== 'string') return undefined;
  return list<CheckResult>(report.checks).find((c) => c.id === m.checkId);
}

/** Most rows of the before/after table in the summary and the HTML report, and in the comment. */
export const MAX_BASELINE_ROWS = 40;
export const COMMENT_BASELINE_ROWS = 20;

/** Why the comparison could not be made (status 'incompatible'), from the rows' notes. */
export function incompatibleReason(b: BaselineReport): string | undefined {
  const note = list<BaselineMetricChange>(b.metrics).find((m) => isObject(m) && typeof m.note === 'string')?.note;
  return note;
}
