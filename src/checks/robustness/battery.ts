/**
 * The battery: sample the rows to attack, build the attack space, run each enabled attack (each with its own seeded
 * rng fork, query budget and the run's deadline), and summarise. Returns the section plus the raw outcomes (tests
 * check every adversarial example against the constraints).
 */
import type { CheckContext } from '../context.js';
import { categoricalAttack } from './attacks/categorical-attack.js';
import { counterfactualTest, type CounterfactualOutcome } from './attacks/counterfactual.js';
import { decisionAttack } from './attacks/decision-attack.js';
import { noiseAttack } from './attacks/noise.js';
import { scoreAttack } from './attacks/score-attack.js';
import { createOracle, type Oracle } from './oracle.js';
import { instancesOf, type AttackOutcome } from './outcome.js';
import type { RobustnessSettings } from './policy.js';
import { stratifiedSample } from './sample.js';
import { buildAttackSpace, constraintSummary, type AttackSpace } from './space.js';
import { buildRelations, relationSummary, type RelationLead, type Relations } from './relations.js';
import { certify, loadModelGraph, type Certificate } from './certify.js';
import { certificationResult, featureChanges, rowOutcomes, worstCaseOutcome, worstCaseResult } from './worst-case.js';
import { summarizeAttack } from './summarize.js';
import type { AttackNorm, RobustnessReport, StopReason } from './types.js';

export interface BatteryRun {
  section: RobustnessReport;
  space: AttackSpace;
  relations: Relations;
  sample: Uint32Array;
  outcomes: AttackOutcome[];
  counterfactuals: CounterfactualOutcome[];
  /** Per norm: the worst case over the attacks of that norm. */
  worst: AttackOutcome[];
  certificate: Certificate | null;
}

/** Optional observer (benchmarks: told when each attack starts and ends; never affects results) and tuning (tests). */
export interface BatteryHooks {
  onAttack?(key: string, phase: 'start' | 'end'): void;
  /** Tests: most candidates per model call (default MAX_STEP_ROWS), to exercise the chunked paths. */
  maxStepRows?: number;
  /** The model as ONNX bytes when the model file is not ONNX itself (translated models), for the certificates. */
  modelBytes?: Uint8Array;
}

export async function runBattery(ctx: CheckContext, settings: RobustnessSettings, hooks: BatteryHooks = {}): Promise<BatteryRun> {
  const tuning = hooks.maxStepRows !== undefined ? { maxStepRows: hooks.maxStepRows } : {};
  const mark = (key: string, phase: 'start' | 'end'): void => hooks.onAttack?.(key, phase);
  const { policy } = ctx.doc;
  const threshold = policy.model.threshold;
  const space = buildAttackSpace({ input: ctx.input, dataset: ctx.dataset, doc: ctx.doc, settings });
  const relations = buildRelations(space, settings.relations, ctx.doc);
  const notes: string[] = [...relations.notes];
  const sample = stratifiedSample(ctx.labels.yTrue, settings.rows, ctx.rng.fork('robustness/sample'));
  const shared = { remaining: settings.max_queries };
  let stopped: StopReason | null = null;
  const labelOnly = ctx.model.info.outputKind === 'label';

  const oracle = (maxQueries: number, lead?: RelationLead): Oracle =>
    createOracle({ model: ctx.model, space, threshold, maxQueries, deadline: ctx.deadline, shared, relations, batchRows: policy.model.batch_size, ...(lead ? { lead } : {}) });
  const note = (o: Oracle, what: string): void => {
    const s = o.stopped();
    if (s === null) return;
    stopped ??= s;
    notes.push(
      s === 'deadline'
        ? `robustness: ${what} stopped at the time limit; its results are partial`
        : `robustness: ${what} stopped at its query budget; its results are partial`,
    );
  };
  const expired = (): boolean => Date.now() > ctx.deadline || shared.remaining <= 0;

  const outcomes: AttackOutcome[] = [];
  const skipped: string[] = [];
  const instances = instancesOf(sample, ctx.labels.yTrue, ctx.yPred, ctx.scores);

  if (settings.noise.enabled) {
    if (expired()) skipped.push('noise');
    else {
      const o = oracle(settings.noise.max_queries, 'numeric');
      const noiseInst = instancesOf(sample, ctx.labels.yTrue, ctx.yPred, ctx.scores, settings.noise.repeats);
      mark('noise', 'start');
      outcomes.push(await noiseAttack(space, o, noiseInst, { strengths: settings.noise.strengths, repeats: settings.noise.repeats, ...tuning }, ctx.rng.fork('robustness/noise')));
      mark('noise', 'end');
      note(o, 'the noise test');
    }
  }

  const sa = settings.score_attack;
  if (sa.enabled) {
    for (const norm of ['linf', 'l2'] as AttackNorm[]) {
      const eps = sa.epsilons[norm];
      if (!eps || eps.length === 0) continue;
      if (labelOnly) {
        notes.push('robustness: the model outputs labels only, so the score-based attack was skipped (the decision-based attack still runs)');
        break;
      }
      if (expired()) {
        skipped.push(`score_attack/${norm}`);
        continue;
      }
      const o = oracle(sa.max_queries, 'numeric');
      mark(`score_attack/${norm}`, 'start');
      outcomes.push(
        await scoreAttack(
          space,
          o,
          instances,
          {
            norm,
            epsilons: eps,
            steps: sa.steps,
            gradient: sa.gradient,
            samples: sa.samples,
            smoothing: sa.smoothing,
            ...(sa.step_size !== undefined ? { stepSize: sa.step_size } : {}),
            refineSteps: sa.refine_steps,
            ...tuning,
          },
          ctx.rng.fork(`robustness/score_attack/${norm}`),
        ),
      );
      mark(`score_attack/${norm}`, 'end');
      note(o, `the score-based attack (${norm})`);
    }
  }

  const da = settings.decision_attack;
  if (da.enabled) {
    if (expired()) skipped.push(`decision_attack/${da.norm}`);
    else {
      const o = oracle(da.max_queries, 'numeric');
      mark(`decision_attack/${da.norm}`, 'start');
      outcomes.push(
        await decisionAttack(
          space,
          o,
          instances,
          {
            norm: da.norm,
            epsilons: da.epsilons,
            iterations: da.iterations,
            gradientSamples: da.gradient_samples,
            maxGradientSamples: da.max_gradient_samples,
            initCandidates: da.init_candidates,
            tolerance: da.tolerance,
            yPred: ctx.yPred,
            ...tuning,
          },
          ctx.rng.fork(`robustness/decision_attack/${da.norm}`),
        ),
      );
      mark(`decision_attack/${da.norm}`, 'end');
      note(o, `the decision-based attack (${da.norm})`);
    }
  }

  const ca = settings.categorical_attack;
  if (ca.enabled) {
    if (expired()) skipped.push('categorical_attack');
    else {
      // the categorical attack checks its candidates against the relations itself (before spending queries)
      const o = oracle(ca.max_queries);
      mark('categorical_attack', 'start');
      outcomes.push(await categoricalAttack(space, o, instances, { maxChanges: ca.max_changes, beamWidth: ca.beam_width, relations, ...tuning }));
      mark('categorical_attack', 'end');
      note(o, 'the categorical attack');
    }
  }

  const counterfactuals: CounterfactualOutcome[] = [];
  const cf = settings.counterfactual;
  if (cf.enabled) {
    const specs = policy.sensitive.filter((s) => cf.attributes === null || cf.attributes.includes(s.name));
    for (const spec of specs) {
      if (expired()) {
        skipped.push(`counterfactual/${spec.name}`);
        continue;
      }
      const o = oracle(cf.max_queries);
      mark(`counterfactual/${spec.name}`, 'start');
      counterfactuals.push(
        await counterfactualTest(space, o, {
          spec,
          dataset: ctx.dataset,
          groupings: ctx.groupings,
          yTrue: ctx.labels.yTrue,
          yPred: ctx.yPred,
          scores: ctx.scores,
          rows: cf.rows,
          rng: ctx.rng.fork(`robustness/counterfactual/${spec.name}`),
          relations,
        }),
      );
      mark(`counterfactual/${spec.name}`, 'end');
      note(o, `the counterfactual test (${spec.name})`);
    }
  }
  if (skipped.length > 0) {
    stopped ??= Date.now() > ctx.deadline ? 'deadline' : 'query_budget';
    notes.push(`robustness: not run (${stopped === 'deadline' ? 'time limit reached' : 'query budget spent'}): ${skipped.join(', ')}`);
  }

  const summaryOpts = {
    groupings: ctx.groupings,
    minGroupSize: policy.min_group_size,
    yTrue: ctx.labels.yTrue,
    includeExamples: policy.report.include_examples,
  };
  let positives = 0;
  let correct = 0;
  for (const r of sample) {
    positives += ctx.labels.yTrue[r] as number;
    if (ctx.labels.yTrue[r] === ctx.yPred[r]) correct++;
  }
  // worst case per norm, certified lower bounds, what the successful examples change, per-row outcomes
  const norms = [...new Set(outcomes.filter((o) => o.kind === 'score_attack' || o.kind === 'decision_attack').map((o) => o.measure as AttackNorm))].sort();
  let certificate: Certificate | null = null;
  if (settings.certify && norms.length > 0 && !expired()) {
    mark('certify', 'start');
    certificate = certify({ space, relations, inst: instances, threshold, norms, info: ctx.model.info, proto: await loadModelGraph(ctx.doc, ctx.model.info, hooks.modelBytes), deadline: ctx.deadline });
    mark('certify', 'end');
  }
  const worst = norms.flatMap((norm) => worstCaseOutcome(space, outcomes, norm) ?? []);
  const attacks = outcomes.map((o) => summarizeAttack(space, o, summaryOpts));
  attacks.forEach((a, k) => {
    const o = outcomes[k]!;
    if (o.kind !== 'noise') a.featureChanges = featureChanges(space, [o]);
    if (o.noStart) a.noStart = o.noStart.reduce((x, y) => x + y, 0);
  });
  const section: RobustnessReport = {
    seed: policy.seed,
    threshold,
    units: settings.units,
    bounds: settings.bounds,
    sample: { rows: sample.length, positives, negatives: sample.length - positives, correct, method: 'stratified by label', datasetRows: ctx.dataset.rows },
    constraints: constraintSummary(space),
    attacks,
    counterfactual: counterfactuals.map((c) => c.result),
    relations: relationSummary(space, relations),
    worstCase: worst.map((w) => worstCaseResult(w, certificate, ctx.labels.yTrue)),
    ...(certificate ? { certification: certificationResult(certificate, instances.correct) } : {}),
    featureChanges: featureChanges(space, outcomes.filter((o) => o.kind !== 'noise')),
    rowOutcomes: rowOutcomes(outcomes, worst, certificate),
    queries: settings.max_queries - shared.remaining,
    stopped,
    notes,
  };
  if (certificate) for (const n of certificate.notes) notes.push(`robustness (certified bounds): ${n}`);
  return { section, space, relations, sample, outcomes, counterfactuals, worst, certificate };
}
