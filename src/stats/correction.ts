/**
 * Multiple-testing correction across the gated checks (policy statistics.correction: holm | benjamini-hochberg).
 *
 * Each check with a confidence interval carries a one-sided p-value for a breach (evidence.pValue; H0: the true value
 * meets the threshold, see bootstrapInterval.ts / binomial.ts for how it is formed). Checks are grouped into families
 * (correction_family: 'metric' = one ruleId such as fairness/demographic_parity_ratio across all attributes,
 * 'section', or 'all') and the p-values of each family are adjusted (Holm: family-wise error; BH: false discovery
 * rate). A check's breach is significant at level α = (1 - level)/2 — the one-sided level that "the whole two-sided
 * CI lies beyond the threshold" corresponds to.
 *
 * Effect on verdicts: only under rule 'interval' (the rule that asks for statistical evidence of a breach). A check
 * that failed there stays failed only if its adjusted p-value is < α; otherwise it becomes insufficient (kind
 * 'multiple-testing', outcome per on_insufficient) and says so on its line — never a pass: the correction withdraws
 * the evidence, it does not create evidence of compliance. A correction never turns a pass into a fail. Under rule
 * 'point' the adjusted p-values are reported but the point estimate decides. The default family is 'all': the gate
 * fails when any check fails, so that is the family whose error rate a correction should control.
 *
 * Bootstrap p-values are refined below the ½/B resolution by the normal approximation (bootstrapInterval.ts), so a
 * breach whose whole interval lies far beyond the limit keeps a p-value that survives Holm over many checks.
 * The adjusted p-value is written into the message of every check it was computed for, so it shows wherever the
 * verdict shows (summary, comment, annotations, SARIF, CLI).
 */
import type { CheckResult } from '../report/types.js';
import { outcomeOf } from '../checks/result.js';
import { formatNumber } from './format.js';
import { adjustPValues } from './multipleTesting.js';
import type { StatisticsSettings } from './policy.js';

function familyOf(check: CheckResult, family: StatisticsSettings['correctionFamily']): string {
  if (family === 'all') return 'all';
  if (family === 'section') return check.section;
  return check.ruleId;
}

/** Returns new CheckResults (same order) with adjusted p-values and, under rule 'interval', re-decided breaches. */
export function applyMultipleTestingCorrection(
  checks: readonly CheckResult[],
  settings: Pick<StatisticsSettings, 'correction' | 'correctionFamily' | 'level'>,
): CheckResult[] {
  const out = checks.map((c) => ({ ...c, ...(c.evidence ? { evidence: { ...c.evidence } } : {}) }));
  if (settings.correction === 'none') return out;
  const method = settings.correction;
  const alpha = (1 - settings.level) / 2;
  const families = new Map<string, number[]>();
  out.forEach((c, i) => {
    if (c.evidence?.pValue === undefined) return;
    const key = familyOf(c, settings.correctionFamily);
    const list = families.get(key) ?? [];
    list.push(i);
    families.set(key, list);
  });
  for (const [family, members] of families) {
    const adjusted = adjustPValues(members.map((i) => out[i].evidence!.pValue as number), method);
    members.forEach((i, k) => {
      const c = out[i];
      const ev = c.evidence!;
      ev.adjustedPValue = adjusted[k];
      ev.correction = method;
      ev.family = family;
      ev.familySize = members.length;
      const name = method === 'holm' ? 'Holm' : 'Benjamini-Hochberg';
      if (c.status !== 'fail' || ev.basis !== 'interval' || !(adjusted[k] >= alpha)) {
        if (c.status === 'fail' || ev.basis === 'interval') c.message += ` (${name}-adjusted p ${formatP(adjusted[k])} over ${members.length} checks)`;
        return;
      }
      const why = `after the ${name} correction over ${members.length} checks the breach is not significant: adjusted p ${formatP(adjusted[k])} ≥ ${formatNumber(alpha)}`;
      const shown = c.message.replace(/ breaches .*$/, '');
      const required = `required ${c.threshold.kind === 'min' ? '≥' : '≤'} ${formatNumber(c.threshold.value)}`;
      c.status = 'insufficient';
      ev.insufficientKind = 'multiple-testing';
      c.message = `${shown}: inconclusive (${why}); ${required}`;
      c.outcome = outcomeOf(c.status, ev.severity, ev.onInsufficient, ev.onNotRun ?? 'fail');
    });
  }
  return out;
}

/** A p-value with its relation: '= 0.0031', '= 2.4e-7', or '< 1e-12' below that. */
function formatP(p: number): string {
  if (!(p >= 1e-12)) return '< 1e-12';
  return `= ${p < 1e-4 ? p.toExponential(2) : formatNumber(p)}`;
}
