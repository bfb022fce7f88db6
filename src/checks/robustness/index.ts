/**
 * Robustness (issue #3): a battery of black-box attacks on the model, constraint-aware, with policy gates.
 * Entry point for the gate: runRobustness(ctx) reads `checks.robustness` from the policy (see policy.ts).
 */
import type { CheckContext, SectionOutput } from '../context.js';
import { runBattery } from './battery.js';
import { robustnessChecks } from './gates.js';
import { ROBUSTNESS_DEFAULTS, robustnessSettings } from './policy.js';
import type { RobustnessReport } from './types.js';
import { smallestStep } from './relations.js';

export type { RobustnessReport } from './types.js';
export { robustnessSettings, ROBUSTNESS_DEFAULTS, type RobustnessSettings } from './policy.js';
export { runBattery, type BatteryRun } from './battery.js';

export interface RobustnessOptions {
  /** The model as ONNX bytes when the model file is not ONNX (a translated scikit-learn/XGBoost model): certificates. */
  modelBytes?: Uint8Array;
}

export async function runRobustness(ctx: CheckContext, options: RobustnessOptions = {}): Promise<SectionOutput<RobustnessReport>> {
  const settings = robustnessSettings(ctx.doc) ?? ROBUSTNESS_DEFAULTS;
  const run = await runBattery(ctx, settings, options.modelBytes ? { modelBytes: options.modelBytes } : {});
  const labelOnly = ctx.model.info.outputKind === 'label';
  const stopped = run.section.stopped;
  const checks = robustnessChecks(ctx.doc, settings, run.section, {
    groupings: ctx.groupings.map((g) => g.name),
    data: { outcomes: run.outcomes, worst: run.worst, counterfactuals: run.counterfactuals, yTrue: ctx.labels.yTrue, groupings: ctx.groupings },
    smallestStep: smallestStep(run.space, run.relations),
    missingReason: (key) =>
      labelOnly && key.startsWith('score_attack/')
        ? 'the model outputs labels only: the score-based attack cannot run'
        : stopped === 'deadline'
          ? 'not run: the time limit was reached'
          : stopped === 'query_budget'
            ? 'not run: the query budget was spent'
            : 'not run',
  });
  const notes = [...run.section.notes];
  // budgets that cannot move any feature say so even without a gate on them (issue #9, item 5)
  const step = smallestStep(run.space, run.relations);
  for (const a of run.section.attacks) {
    if (a.kind !== 'score_attack' && a.kind !== 'decision_attack') continue;
    const vacuous = a.budgets.filter((b) => step === null || b.budget < step.size * (1 - 1e-12)).map((b) => b.budget);
    if (vacuous.length === 0) continue;
    const units = settings.units === 'std' ? 'std' : 'raw units';
    const msg =
      step === null
        ? 'no numeric feature may change: its budgets cannot move anything'
        : `ε = ${vacuous.join(', ')} ${units} cannot move any feature (the smallest step is ${Number(step.size.toPrecision(3))} ${units}: ${step.feature}, ${step.why}); 0 successes there show nothing`;
    a.notes.push(msg);
  }
  for (const a of run.section.attacks) for (const n of a.notes) notes.push(`robustness (${a.key}): ${n}`);
  for (const c of run.section.counterfactual) for (const n of c.notes) notes.push(`robustness (counterfactual ${c.attribute}): ${n}`);
  return { section: run.section, checks, notes };
}
