/**
 * Which checks count against the gate, and in which order to show them: failures first, then warnings; within
 * each, the worst relative margin first (margin / |threshold|), checks without a value last; ties by id, so the
 * order is deterministic. Shared by the summary, the PR comment, annotations, SARIF and the terminal table.
 */
import { relativeMargin } from './format.js';
import type { CheckResult } from './types.js';

/** A check that affects the verdict or warns: outcome 'fail' or 'warn' (including insufficient evidence). */
export function isBreached(check: CheckResult): boolean {
  return check.outcome !== 'pass';
}

const OUTCOME_RANK: Record<CheckResult['outcome'], number> = { fail: 0, warn: 1, pass: 2 };

/** Sort comparator: outcome (fail, warn, pass), then relative margin ascending (null last), then id. */
export function compareBySeverity(a: CheckResult, b: CheckResult): number {
  const byOutcome = OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome];
  if (byOutcome !== 0) return byOutcome;
  const ra = relativeMargin(a);
  const rb = relativeMargin(b);
  if (ra !== null && rb !== null && ra !== rb) return ra - rb;
  if (ra === null && rb !== null) return 1;
  if (ra !== null && rb === null) return -1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/** The breached checks, worst first. */
export function rankedBreaches(checks: readonly CheckResult[]): CheckResult[] {
  return checks.filter(isBreached).sort(compareBySeverity);
}

/** Every check, worst first: breaches, then passing checks closest to their threshold first. */
export function rankedChecks(checks: readonly CheckResult[]): CheckResult[] {
  return [...checks].sort(compareBySeverity);
}

export interface OutcomeCounts {
  checks: number;
  /** outcome fail, and how many of those rest on insufficient evidence. */
  failed: number;
  failedInsufficient: number;
  /** outcome warn, and how many of those rest on insufficient evidence. */
  warned: number;
  warnedInsufficient: number;
  /** outcome fail / warn of checks that did not run (status not-run: the time budget). */
  failedNotRun: number;
  warnedNotRun: number;
  /** status pass. */
  passed: number;
  /** status insufficient with outcome pass (on_insufficient: pass): not gating. */
  notGated: number;
}

/**
 * Counts that partition the checks (failed + warned + passed + notGated = checks), for headlines. Report.summary
 * counts insufficient evidence a second time; a headline adding up to more than the checks would read wrong.
 */
export function outcomeCounts(checks: readonly CheckResult[]): OutcomeCounts {
  const c: OutcomeCounts = { checks: checks.length, failed: 0, failedInsufficient: 0, warned: 0, warnedInsufficient: 0, failedNotRun: 0, warnedNotRun: 0, passed: 0, notGated: 0 };
  for (const check of checks) {
    const insufficient = check.status === 'insufficient';
    const notRun = check.status === 'not-run';
    if (check.outcome === 'fail') {
      c.failed++;
      if (insufficient) c.failedInsufficient++;
      if (notRun) c.failedNotRun++;
    } else if (check.outcome === 'warn') {
      c.warned++;
      if (insufficient) c.warnedInsufficient++;
      if (notRun) c.warnedNotRun++;
    } else if (insufficient || notRun) c.notGated++;
    else c.passed++;
  }
  return c;
}
