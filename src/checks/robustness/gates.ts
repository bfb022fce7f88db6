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
import type { AttackResult, BudgetResult, RobustnessReport } from './types.js';

const NORM_TITLE: Record<string, string> = { linf: 'L∞', l2: 'L2', l0: 'L0', strength: 'strength' };

function attackTitle(a: AttackResult): string {
  switch (a.kind) {
    case 'noise':
      return 'noise';
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
}

function attackChecks(g: GateContext, a: AttackResult, gates: AttackGates & Record<string, unknown>, pointer: PolicyPointer, flipGates = false): CheckResult[] {
  const out: CheckResult[] = [];
  const scopeBase = a.key;
  const add = (
    key: string,
    metric: string,
    name: string,
    gate: BudgetGate,
    value: (b: BudgetResult) => number | null,
    insufficient?: (b: BudgetResult) => string | undefined,
  ): void => {
    const b = pickBudget(a, gate);
    if (!b) return;
    const reason = insufficient?.(b);
    const res = makeCheckResults({
      doc: g.doc,
      section: 'robustness',
      metric,
      scope: `${scopeBase}@${formatNumber(b.budget, 6)}`,
      title: `${name} (${attackTitle(a)}, ${budgetLabel(a, b)})`,
      value: value(b),
      threshold: gate,
      pointer: [...pointer, key],
      ...(reason !== undefined ? { insufficientReason: reason } : {}),
      details: { attack: a.key, budget: b.budget, rows: b.rows, correct: b.correct, successes: b.successes, ...(a.stopped ? { stopped: a.stopped } : {}) },
    });
    out.push(...res);
  };
  const noCorrect = (b: BudgetResult): string | undefined => (b.correct === 0 ? 'no attacked row is classified correctly' : undefined);
  if (gates.success_rate) add('success_rate', 'attack_success_rate', 'Attack success rate', gates.success_rate, (b) => b.successRate, noCorrect);
  if (gates.accuracy_under_attack) add('accuracy_under_attack', 'accuracy_under_attack', 'Accuracy under attack', gates.accuracy_under_attack, (b) => b.accuracyUnderAttack);
  if (gates.accuracy_drop) add('accuracy_drop', 'accuracy_drop', 'Accuracy drop under attack', gates.accuracy_drop, (b) => b.accuracyDrop);
  if (gates.ks) add('ks', 'ks_adversarial', 'KS original vs attacked scores', gates.ks, (b) => b.ks.statistic);
  const flipRate = gates['flip_rate'] as BudgetGate | undefined;
  if (flipGates && flipRate) add('flip_rate', 'noise_flip_rate', 'Decision flip rate under noise', flipRate, (b) => b.flipRate);
  if (gates.median_perturbation) {
    const gate = gates.median_perturbation;
    const mp = a.medianPerturbation;
    let reason: string | undefined;
    if (mp === null) reason = 'no attacked row is classified correctly';
    else if (mp.lowerBound && gate.min !== undefined && mp.value < gate.min) {
      reason = `fewer than half of the rows were flipped: the median is only known to exceed ${formatNumber(mp.value)}`;
    }
    out.push(
      ...makeCheckResults({
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
        out.push(
          ...makeCheckResults({
            doc: g.doc,
            section: 'robustness',
            metric: flipGates ? 'noise_flip_rate_disparity' : 'robustness_disparity',
            scope: `${scopeBase}@${formatNumber(b.budget, 6)}/${gr.grouping}`,
            title: `${flipGates ? 'Flip-rate' : 'Attack success-rate'} disparity across ${gr.grouping} (${attackTitle(a)}, ${budgetLabel(a, b)})`,
            value,
            threshold: disp,
            pointer: [...pointer, disparityKey],
            ...(value === null ? { insufficientReason: `fewer than two ${gr.grouping} groups with at least ${g.minGroupSize} correctly classified attacked rows` } : {}),
            details: { attack: a.key, grouping: gr.grouping, mostVulnerable: gr.mostVulnerable, leastVulnerable: gr.leastVulnerable },
          }),
        );
      }
    }
  }
  return out;
}

export function robustnessChecks(doc: PolicyDocument, settings: RobustnessSettings, section: RobustnessReport): CheckResult[] {
  const g: GateContext = { doc, minGroupSize: doc.policy.min_group_size };
  const out: CheckResult[] = [];
  for (const a of section.attacks) {
    switch (a.kind) {
      case 'noise':
        out.push(...attackChecks(g, a, settings.noise as unknown as AttackGates & Record<string, unknown>, [...ROBUSTNESS_POINTER, 'noise'], true));
        break;
      case 'score_attack': {
        const norm = a.measure;
        const gates: AttackGates & Record<string, unknown> = {};
        for (const [k, v] of Object.entries(settings.score_attack)) {
          const gate = v as BudgetGate;
          if (typeof v === 'object' && v !== null && 'norm' in gate && gate.norm !== undefined && gate.norm !== norm) continue;
          gates[k] = v;
        }
        out.push(...attackChecks(g, a, gates, [...ROBUSTNESS_POINTER, 'score_attack']));
        break;
      }
      case 'decision_attack':
        out.push(...attackChecks(g, a, settings.decision_attack as unknown as AttackGates & Record<string, unknown>, [...ROBUSTNESS_POINTER, 'decision_attack']));
        break;
      case 'categorical_attack':
        out.push(...attackChecks(g, a, settings.categorical_attack as unknown as AttackGates & Record<string, unknown>, [...ROBUSTNESS_POINTER, 'categorical_attack']));
        break;
    }
  }
  const cf = settings.counterfactual;
  for (const c of section.counterfactual) {
    const gates = [
      ['flip_rate', 'counterfactual_flip_rate', 'Counterfactual flip rate', cf.flip_rate, c.flipRate],
      ['mean_abs_score_change', 'counterfactual_mean_abs_score_change', 'Counterfactual mean |Δscore|', cf.mean_abs_score_change, c.meanAbsScoreChange],
    ] as const;
    for (const [key, metric, title, gate, value] of gates) {
      if (!gate) continue;
      if (gate.attributes && !gate.attributes.includes(c.attribute)) continue;
      out.push(
        ...makeCheckResults({
          doc,
          section: 'robustness',
          metric,
          scope: `counterfactual/${c.attribute}`,
          title: `${title} (${c.attribute})`,
          value,
          threshold: gate,
          pointer: [...ROBUSTNESS_POINTER, 'counterfactual', key],
          ...(value === null ? { insufficientReason: c.stopped ? 'the test did not run (time or query budget)' : `no row with a known ${c.attribute}` } : {}),
          details: { attribute: c.attribute, rows: c.rows, pairs: c.pairs, method: c.method },
        }),
      );
    }
  }
  return out;
}
