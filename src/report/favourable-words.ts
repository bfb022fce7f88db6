/**
 * The words every renderer uses for the favourable outcome (policy dataset.favourable, issue #9). When the positive
 * class is the adverse outcome (default, fraud, re-offence) and `favourable: negative`, the fairness section of the
 * Report is on the favourable (negative) class: its "selection rate" is the rate of favourable decisions, so the group
 * with the lowest rate is the group flagged adverse most. These helpers say so; each renderer escapes the label texts
 * with its own `code` function (the rest of the text is constant and safe in markdown, HTML and a terminal).
 */
import { favoursNegative, fairnessMetricTitle, fairnessShortTitle, type OutcomeTerms } from '../metrics/names.js';
import type { MetricName } from '../metrics/types.js';
import type { Report } from './types.js';

/** The favourable outcome of a report; undefined for the default (the positive class) and for older reports. */
export function adverseTerms(report: Pick<Report, 'dataset'>): OutcomeTerms | undefined {
  const f = report.dataset.favourable;
  return favoursNegative(f) ? f : undefined;
}

/** Title of a fairness-section metric in this report ('Rate of good decisions' when the favourable class is negative). */
export function fairnessTitleIn(report: Pick<Report, 'dataset'>, metric: string): string {
  return fairnessMetricTitle(metric, adverseTerms(report));
}

/** Column header of a per-group metric in this report ('Decided good', 'TPR (good)'). */
export function groupColumnTitle(report: Pick<Report, 'dataset'>, metric: MetricName): string {
  return fairnessShortTitle(metric, adverseTerms(report));
}

/** The y-axis / legend name of the per-group selection rate. */
export function selectionRateName(report: Pick<Report, 'dataset'>): string {
  const t = adverseTerms(report);
  return t ? `Rate of favourable decisions (${t.label})` : 'Selection rate';
}

/**
 * One sentence for the fairness section when the favourable outcome is the negative class; undefined otherwise.
 * `code` escapes a label text for the renderer (markdown code span, HTML <code>, plain text).
 */
export function favourableSentence(report: Pick<Report, 'dataset'>, code: (label: string) => string): string | undefined {
  const t = adverseTerms(report);
  if (!t) return undefined;
  const good = code(t.label);
  const bad = code(t.adverseLabel);
  return (
    `Fairness is measured on the favourable outcome ${good} (the negative class; the positive class ${bad} is the ` +
    `adverse outcome): selection rate = rate of ${good} decisions (1 − the adverse-outcome rate, the rate of ${bad} ` +
    `decisions), TPR = share of actual ${good} rows decided ${good}, FPR = share of actual ${bad} rows decided ${good}. ` +
    `The group with the lowest selection rate is the group flagged ${bad} most. Performance metrics stay on the ` +
    `positive class ${bad}.`
  );
}

/** Short form for a chart subtitle: which group the lowest rate of favourable decisions is. */
export function favourableShort(report: Pick<Report, 'dataset'>, code: (label: string) => string): string | undefined {
  const t = adverseTerms(report);
  if (!t) return undefined;
  return `lowest = flagged ${code(t.adverseLabel)} most`;
}
