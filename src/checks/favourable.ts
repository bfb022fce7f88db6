/**
 * The favourable outcome (policy dataset.favourable, issue #9): the fairness section reads the rows from the side of
 * the outcome people want. With `favourable: negative` (the positive class is default, fraud, re-offence, denial) the
 * fairness metrics see labels, decisions and scores flipped (data/labels.ts favourableView), which gives exactly
 * fairlearn's numbers with pos_label set to the favourable class; the performance metrics keep the positive class.
 */
import { favourableClasses, favourableOutcome, favourableView } from '../data/labels.js';
import { fairnessMetricTitle, type OutcomeTerms } from '../metrics/names.js';
import type { CheckContext } from './context.js';

/** ctx itself when the favourable outcome is the positive class; else a copy whose labels, yPred and scores are flipped. */
export function fairnessContext(ctx: CheckContext): CheckContext {
  const outcome = favourableOutcome(ctx.doc.policy.dataset);
  if (outcome === 'positive') return ctx;
  const view = favourableView({ yTrue: ctx.labels.yTrue, yPred: ctx.yPred, scores: ctx.scores }, outcome);
  const labels = { ...ctx.labels, yTrue: view.yTrue, positives: ctx.labels.yTrue.length - ctx.labels.positives };
  return { ...ctx, labels, yPred: view.yPred, scores: view.scores as Float32Array };
}

/** The favourable and adverse classes of this run (report.dataset.favourable). */
export function outcomeTerms(ctx: Pick<CheckContext, 'doc' | 'labels'>): OutcomeTerms {
  return favourableClasses(ctx.doc.policy.dataset, ctx.labels);
}

/** Title of a fairness metric for this run: names the favourable class when it is the negative one (metrics/names.ts). */
export function fairnessTitle(ctx: Pick<CheckContext, 'doc' | 'labels'>, metric: string): string {
  if (favourableOutcome(ctx.doc.policy.dataset) === 'positive') return fairnessMetricTitle(metric);
  return fairnessMetricTitle(metric, outcomeTerms(ctx));
}
