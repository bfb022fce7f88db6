/**
 * The robustness section's gates -> CheckResults (through makeCheckResults, pointing at the gate's line in the policy).
 *
 * Metric names (CheckResult.metric; the scope names the attack, norm and budget):
 *   attack_success_rate, accuracy_under_attack, accuracy_drop, median_perturbation, ks_adversarial,
 *   robustness_disparity (per grouping), noise_flip_rate, noise_flip_rate_disparity,
 *   counterfactual_flip_rate, counterfactual_mean_abs_score_change (per sensitive attribute).
 */
import type { PolicyDocument, PolicyPointer } from '../../policy/types.js';
import type { CheckResult } from '../../report/types.js';
import { formatNumber, makeCheckResults } from '../result.js';
import { ROBUSTNESS_POINTER, type AttackGates, type BudgetGate, type DisparityGate, type RobustnessSettings } from './policy.js';
import type { Grouping } from '../../data/types.js';
import type { CounterfactualOutcome } from './attacks/counterfactual.js';
import { budgetEstimate, counterfactualEstimate, disparityEstimate, medianPerturbationEstimate, type BudgetMetric } from './estimates.js';
import type { AttackOutcome } from './outcome.js';
import type { AttackResult, BudgetResult, RobustnessReport } from './types.js';

const NORM_TITLE: Record<string, string> = { linf: 'L∞', l2: 'L2', l0: 'L0', strength: 'strength' };

function attackTitle(a: AttackResult): string {
  switch (a.kind) {
    case 'noise':
      return 'Gaussian noise';
    case 'score_attack':
      return `score-based ${NORM_TITLE[a.measure]}`;
    case 'decision_attack':
      return `decision-based ${NORM_TITLE[a.measure]}`;
    case 'categorical_attack':
      return 'categorical';
  }
}

function budgetLabel(a: AttackResult, b: BudgetResult): string {
  if (a.kind === 'noise') return `strength ${formatNumber(b.budget)}`;
  if (a.kind === 'categorical_attack') return `≤ ${b.budget} changes`;
  return `ε ${formatNumber(b.budget)}`;
}

/** The gate's budget: the one it names, else the largest. */
function pickBudget(a: AttackResult, gate: BudgetGate): BudgetResult | undefined {
  const want = a.kind === 'noise' ? gate.strength : gate.epsilon;
  if (want === undefined) return a.budgets[a.budgets.length - 1];
  return a.budgets.find((b) => Math.abs(b.budget - want) <= 1e-12 * Math.max(1, want));
}

interface GateContext {
  doc: PolicyDocument;
  minGroupSize: number;
  /** Per-row data for confidence intervals (absent: point estimates only). */
  data?: GateData;
  /** Smallest change any mutable numeric feature allows (units); null: none can move (see vacuousReason). */
  smallestStep?: SmallestStep | null;
  units: string;
}

export interface SmallestStep {
  size: number;
  feature: string;
  why: string;
}

/** Why an ε budget cannot show anything (every allowed step is larger than ε), or undefined. */
function vacuousReason(g: GateContext, eps: number): string | undefined {
  if (g.smallestStep === undefined) return undefined;
  const units = g.units === 'std' ? 'std' : 'raw units';
  if (g.smallestStep === null) return `ε = ${formatNumber(eps)} ${units} cannot move any feature: no numeric feature may change`;
  if (eps < g.smallestStep.size * (1 - 1e-12)) {
    return `ε = ${formatNumber(eps)} ${units} cannot move any feature: the smallest step is ${formatNumber(g.smallestStep.size)} ${units} (${g.smallestStep.feature}, ${g.smallestStep.why})`;
  }
  return undefined;
}

/** The raw outcomes behind the section, so that gates can give makeCheckResults a way to re-estimate each value. */
export interface GateData {
  outcomes: AttackOutcome[];
  /** Worst case per norm (worst-case gates). */
  worst?: AttackOutcome[];
  counterfactuals: CounterfactualOutcome[];
  yTrue: Uint8Array;
  groupings: Grouping[];
}

function attackChecks(
  g: GateContext,
  a: AttackResult,
  gates: AttackGates & Record<string, unknown>,
  pointer: PolicyPointer,
  flipGates: boolean,
  /** Set when the attack did not run: every gate on it is insufficient for this reason. */
  missing?: string,
): CheckResult[] {
  const out: CheckResult[] = [];
  const scopeBase = a.key;
  const outcome = missing === undefined ? g.data?.outcomes.find((o) => o.key === a.key) : undefined;
  const budgetIndex = (b: BudgetResult): number => a.budgets.indexOf(b);
  const add = (
    key: string,
    metric: string,
    name: string,
    gate: BudgetGate,
    value: (b: BudgetResult) => number | null,
    insufficient?: (b: BudgetResult) => string | undefined,
    estimateOf?: BudgetMetric,
  ): void => {
    const b = pickBudget(a, gate);
    if (!b) return;
    const vacuous = a.kind === 'score_attack' || a.kind === 'decision_attack' ? vacuousReason(g, b.budget) : undefined;
    const reason = missing ?? (vacuous !== undefined ? undefined : insufficient?.(b));
    const estimate = outcome && g.data && estimateOf ? budgetEstimate(outcome, budgetIndex(b), estimateOf, g.data.yTrue) : undefined;
    const res = makeCheckResults({
      ...(estimate ? { estimate } : {}),
      doc: g.doc,
      section: 'robustness',
      metric,
      scope: `${scopeBase}@${formatNumber(b.budget, 6)}`,
      title: `${name} (${attackTitle(a)}, ${budgetLabel(a, b)})`,
      value: value(b),
      threshold: gate,
      pointer: [...pointer, key],
      // a budget that cannot move any feature did not test the model: not run (fails unless on_not_run: warn), never a
      // pass of "0 successes" (issue #9, item 5)
      ...(missing === undefined && vacuous !== undefined ? { notRunReason: `${vacuous}; give a budget of at least that step` } : reason !== undefined ? { insufficientReason: reason } : {}),
      details: { attack: a.key, budget: b.budget, rows: b.rows, correct: b.correct, successes: b.successes, ...(a.stopped ? { stopped: a.stopped } : {}) },
    });
    out.push(...res);
  };
  const noCorrect = (b: BudgetResult): string | undefined => (b.correct === 0 ? 'no attacked row is classified correctly' : undefined);
  if (gates.success_rate) add('success_rate', 'attack_success_rate', 'Attack success rate', gates.success_rate, (b) => b.successRate, noCorrect, 'success_rate');
  if (gates.accuracy_under_attack) add('accuracy_under_attack', 'accuracy_under_attack', 'Accuracy under attack', gates.accuracy_under_attack, (b) => b.accuracyUnderAttack, undefined, 'accuracy_under_attack');
  if (gates.accuracy_drop) add('accuracy_drop', 'accuracy_drop', 'Accuracy drop under attack', gates.accuracy_drop, (b) => b.accuracyDrop, undefined, 'accuracy_drop');
  if (gates.ks) add('ks', 'ks_adversarial', 'KS original vs attacked scores', gates.ks, (b) => b.ks.statistic, undefined, 'ks');
  const flipRate = gates['flip_rate'] as BudgetGate | undefined;
  if (flipGates && flipRate) add('flip_rate', 'noise_flip_rate', 'Decision flip rate', flipRate, (b) => b.flipRate, undefined, 'flip_rate');
  if (gates.median_perturbation) {
    const gate = gates.median_perturbation;
    const mp = a.medianPerturbation;
    let reason: string | undefined;
    if (missing !== undefined) reason = missing;
    else if (mp === null) reason = 'no attacked row is classified correctly';
    else if (mp.lowerBound && gate.min !== undefined && mp.value < gate.min) {
      reason = `fewer than half of the rows were flipped: the median is only known to exceed ${formatNumber(mp.value)}`;
    }
    const ceiling = mp?.value ?? 0;
    const estimate = outcome && g.data && reason === undefined && mp && !mp.lowerBound ? medianPerturbationEstimate(outcome, g.data.yTrue, ceiling) : undefined;
    out.push(
      ...makeCheckResults({
        ...(estimate ? { estimate } : {}),
        doc: g.doc,
        section: 'robustness',
        metric: 'median_perturbation',
        scope: scopeBase,
        title: `Median minimal perturbation (${attackTitle(a)}, ${a.units})`,
        value: mp?.value ?? null,
        threshold: gate,
        pointer: [...pointer, 'median_perturbation'],
        ...(reason !== undefined ? { insufficientReason: reason } : {}),
        details: { attack: a.key, lowerBound: mp?.lowerBound ?? false, found: a.perturbation.count },
      }),
    );
  }
  const disparityKey = flipGates ? 'flip_rate_disparity' : 'success_rate_disparity';
  const disp = gates[disparityKey] as DisparityGate | undefined;
  if (disp) {
    const b = pickBudget(a, disp);
    if (b) {
      for (const gr of b.groups) {
        if (disp.groupings && !disp.groupings.includes(gr.grouping)) continue;
        const value = flipGates ? gr.flipRateDisparity : gr.disparity;
        const grouping = g.data?.groupings.find((x) => x.name === gr.grouping);
        const estimate =
          outcome && g.data && grouping && value !== null ? disparityEstimate(outcome, budgetIndex(b), grouping, g.minGroupSize, g.data.yTrue, flipGates) : undefined;
        out.push(
          ...makeCheckResults({
            ...(estimate ? { estimate } : {}),
            doc: g.doc,
            section: 'robustness',
            metric: flipGates ? 'noise_flip_rate_disparity' : 'robustness_disparity',
            scope: `${scopeBase}@${formatNumber(b.budget, 6)}/${gr.grouping}`,
            title: `${flipGates ? 'Flip-rate' : 'Attack success-rate'} disparity across ${gr.grouping} (${attackTitle(a)}, ${budgetLabel(a, b)})`,
            value,
            threshold: disp,
            pointer: [...pointer, disparityKey],
            ...(missing !== undefined
              ? { insufficientReason: missing }
              : value === null
                ? { insufficientReason: `fewer than two ${gr.grouping} groups with at least ${g.minGroupSize} ${flipGates ? '' : 'correctly classified '}attacked rows` }
                : {}),
            details: { attack: a.key, grouping: gr.grouping, mostVulnerable: gr.mostVulnerable, leastVulnerable: gr.leastVulnerable },
          }),
        );
      }
    }
  }
  return out;
}

/** Why an attack or counterfactual the policy asked for has no results (gates on it are then insufficient). */
export type MissingReason = (key: string) => string;

function emptyBudget(budget: number, groupings: string[]): BudgetResult {
  return {
    budget,
    rows: 0,
    correct: 0,
    successes: 0,
    successRate: null,
    accuracyOriginal: null,
    accuracyUnderAttack: null,
    accuracyDrop: null,
    flipRate: null,
    meanAbsScoreChange: null,
    ks: { statistic: null, at: null, curves: { original: [], adversarial: [] } },
    groups: groupings.map((grouping) => ({ grouping, groups: [], disparity: null, flipRateDisparity: null, mostVulnerable: null, leastVulnerable: null })),
  };
}

/** A result with no values, for an attack that did not run. */
function placeholder(key: string, kind: AttackResult['kind'], measure: AttackResult['measure'], units: string, budgets: number[], groupings: string[]): AttackResult {
  return {
    key,
    kind,
    title: key,
    measure,
    units,
    budgets: budgets.map((b) => emptyBudget(b, groupings)),
    perturbation: { count: 0, median: null, mean: null, min: null, max: null, quantiles: {} },
    medianPerturbation: null,
    successCurve: [],
    queries: 0,
    calls: 0,
    meanRowsPerCall: 0,
    stopped: null,
    notes: [],
    parameters: {},
  };
}

export interface GateOptions {
  /** Names of the sensitive groupings (for disparity gates on attacks that did not run). */
  groupings: string[];
  missingReason: MissingReason;
  /** Per-row outcomes, for confidence intervals (policy `statistics`). */
  data?: GateData;
  /** Smallest step of the attack space (undefined: not checked). */
  smallestStep?: SmallestStep | null;
}

export function robustnessChecks(doc: PolicyDocument, settings: RobustnessSettings, section: RobustnessReport, opts: GateOptions): CheckResult[] {
  const g: GateContext = {
    doc,
    minGroupSize: doc.policy.min_group_size,
    units: settings.units,
    ...(opts.data ? { data: opts.data } : {}),
    ...(opts.smallestStep !== undefined ? { smallestStep: opts.smallestStep } : {}),
  };
  const out: CheckResult[] = [];
  const result = (key: string, kind: AttackResult['kind'], measure: AttackResult['measure'], units: string, budgets: number[]): [AttackResult, string | undefined] => {
    const a = section.attacks.find((x) => x.key === key);
    return a ? [a, undefined] : [placeholder(key, kind, measure, units, budgets, opts.groupings), opts.missingReason(key)];
  };
  const asGates = (x: object): AttackGates & Record<string, unknown> => x as AttackGates & Record<string, unknown>;
  if (settings.noise.enabled) {
    const [a, missing] = result('noise', 'noise', 'strength', settings.units, settings.noise.strengths);
    out.push(...attackChecks(g, a, asGates(settings.noise), [...ROBUSTNESS_POINTER, 'noise'], true, missing));
  }
  if (settings.score_attack.enabled) {
    for (const norm of ['linf', 'l2'] as const) {
      const eps = settings.score_attack.epsilons[norm];
      if (!eps || eps.length === 0) continue;
      const gates: AttackGates & Record<string, unknown> = {};
      for (const [k, v] of Object.entries(settings.score_attack)) {
        const gate = v as BudgetGate;
        if (typeof v === 'object' && v !== null && 'norm' in gate && gate.norm !== undefined && gate.norm !== norm) continue;
        gates[k] = v;
      }
      const [a, missing] = result(`score_attack/${norm}`, 'score_attack', norm, settings.units, eps);
      out.push(...attackChecks(g, a, gates, [...ROBUSTNESS_POINTER, 'score_attack'], false, missing));
    }
  }
  if (settings.decision_attack.enabled) {
    const d = settings.decision_attack;
    const [a, missing] = result(`decision_attack/${d.norm}`, 'decision_attack', d.norm, settings.units, d.epsilons);
    out.push(...attackChecks(g, a, asGates(d), [...ROBUSTNESS_POINTER, 'decision_attack'], false, missing));
  }
  if (settings.categorical_attack.enabled) {
    const c = settings.categorical_attack;
    const [a, missing] = result('categorical_attack', 'categorical_attack', 'l0', 'features', [c.max_changes]);
    out.push(...attackChecks(g, a, asGates(c), [...ROBUSTNESS_POINTER, 'categorical_attack'], false, missing));
  }
  out.push(...worstCaseChecks(g, settings, section, opts));
  const cf = settings.counterfactual;
  if (cf.enabled) {
    const expected = doc.policy.sensitive.filter((s) => cf.attributes === null || cf.attributes.includes(s.name)).map((s) => s.name);
    for (const attribute of expected) {
      const c = section.counterfactual.find((x) => x.attribute === attribute);
      const missing = c ? undefined : opts.missingReason(`counterfactual/${attribute}`);
      const gates = [
        ['flip_rate', 'counterfactual_flip_rate', 'Counterfactual flip rate', cf.flip_rate, c?.flipRate ?? null],
        ['mean_abs_score_change', 'counterfactual_mean_abs_score_change', 'Counterfactual mean |Δscore|', cf.mean_abs_score_change, c?.meanAbsScoreChange ?? null],
      ] as const;
      for (const [key, metric, title, gate, value] of gates) {
        if (!gate) continue;
        if (gate.attributes && !gate.attributes.includes(attribute)) continue;
        const reason = missing ?? (value === null ? (c?.stopped ? 'the test did not run (time or query budget)' : `no row with a known ${attribute}`) : undefined);
        const cfOutcome = opts.data?.counterfactuals.find((x) => x.result.attribute === attribute);
        const estimate = cfOutcome && opts.data && reason === undefined && cfOutcome.rows.length > 0 ? counterfactualEstimate(cfOutcome, key, opts.data.yTrue) : undefined;
        out.push(
          ...makeCheckResults({
            ...(estimate ? { estimate } : {}),
            doc,
            section: 'robustness',
            metric,
            scope: `counterfactual/${attribute}`,
            title: `${title} (${attribute})`,
            value,
            threshold: gate,
            pointer: [...ROBUSTNESS_POINTER, 'counterfactual', key],
            ...(reason !== undefined ? { insufficientReason: reason } : {}),
            details: { attribute, rows: c?.rows ?? 0, pairs: c?.pairs ?? 0, method: c?.method ?? 'none' },
          }),
        );
      }
    }
  }
  return out;
}

/** Gates on the worst case over the attacks of a norm: success rate and robust accuracy at a budget. */
function worstCaseChecks(g: GateContext, settings: RobustnessSettings, section: RobustnessReport, opts: GateOptions): CheckResult[] {
  const out: CheckResult[] = [];
  const wc = settings.worst_case;
  const norms = (['linf', 'l2'] as const).filter((n) => (settings.score_attack.enabled && settings.score_attack.epsilons[n]) || (settings.decision_attack.enabled && settings.decision_attack.norm === n));
  for (const [key, metric, title] of [
    ['success_rate', 'worst_case_success_rate', 'Worst-case attack success rate'],
    ['robust_accuracy', 'robust_accuracy', 'Robust accuracy'],
  ] as const) {
    const gate = wc[key];
    if (!gate) continue;
    for (const norm of gate.norm ? [gate.norm] : norms) {
      const w = section.worstCase?.find((x) => x.norm === norm);
      const budgets = w?.budgets ?? [];
      const b = gate.epsilon !== undefined ? budgets.find((x) => Math.abs(x.epsilon - gate.epsilon!) <= 1e-12 * Math.max(1, gate.epsilon!)) : budgets[budgets.length - 1];
      const eps = b?.epsilon ?? gate.epsilon ?? 0;
      const outcome = opts.data?.worst?.find((o) => o.key === `worst_case/${norm}`);
      const bIndex = b && outcome ? outcome.budgets.indexOf(b.epsilon) : -1;
      const vacuousWorst = w && b ? vacuousReason(g, eps) : undefined;
      const reason = !w || !b ? opts.missingReason(`worst_case/${norm}`) : (vacuousWorst ?? (b.correct === 0 ? 'no attacked row is classified correctly' : undefined));
      const value = b ? (key === 'success_rate' ? b.successRate : b.robustAccuracy) : null;
      const estimate = outcome && opts.data && bIndex >= 0 && reason === undefined ? budgetEstimate(outcome, bIndex, key === 'success_rate' ? 'success_rate' : 'accuracy_under_attack', opts.data.yTrue) : undefined;
      out.push(
        ...makeCheckResults({
          ...(estimate ? { estimate } : {}),
          doc: g.doc,
          section: 'robustness',
          metric,
          scope: `worst_case/${norm}@${formatNumber(eps, 6)}`,
          title: `${title} (worst case over the ${NORM_TITLE[norm]} attacks, ε ${formatNumber(eps)})`,
          value,
          threshold: gate,
          pointer: [...ROBUSTNESS_POINTER, 'worst_case', key],
          ...(vacuousWorst !== undefined ? { notRunReason: `${vacuousWorst}; give a budget of at least that step` } : reason !== undefined ? { insufficientReason: reason } : {}),
          details: {
            attack: `worst_case/${norm}`,
            budget: eps,
            rows: b?.rows ?? 0,
            correct: b?.correct ?? 0,
            successes: b?.successes ?? 0,
            certified: b?.certified ?? null,
            unknown: b?.unknown ?? null,
            attacks: w?.attacks ?? [],
          },
        }),
      );
    }
  }
  return out;
}
