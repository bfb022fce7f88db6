/**
 * The verdict rule (issues #6, #9): how a value, its confidence interval and a threshold become pass / fail /
 * insufficient. Status not-run is decided by the caller (a check cut off by the time budget), never here.
 *
 * For a threshold `min` (resp. `max`) with limit t, value v and a two-sided CI [lo, hi]:
 * 1. insufficient ("data") when the caller gave a reason (a group below min_group_size, a class missing), or v is
 *    undefined, or the metric was undefined on more than `max_undefined_resamples` of the bootstrap resamples;
 * 2. rule 'point': the point value decides, always — fail when v is beyond t (v < t for min, v > t for max), else
 *    pass. The interval is shown beside it: a fail whose CI reaches the passing side carries the caveat "the CI reaches
 *    the threshold"; a pass whose CI reaches t carries "close to the limit". The CI never turns a point breach into
 *    anything but a fail;
 * 3. rule 'interval': insufficient ("inconclusive") when the CI straddles t (lo < t < hi) and is wider than
 *    inconclusive_width × inconclusiveScale(metric, t); else fail only when the whole CI is beyond t (hi < t for min,
 *    lo > t for max), else pass. Without an interval (resamples: 0, or a check that has none) 'interval' falls back to
 *    'point'.
 */
import type { CheckStatus } from '../report/types.js';
import type { VerdictRule } from './policy.js';
import { formatNumber } from './format.js';

export interface VerdictQuestion {
  kind: 'min' | 'max';
  limit: number;
  value: number | null;
  interval?: { low: number; high: number; level: number };
  rule: VerdictRule;
  /** Width in the metric's units (inconclusive_width × scale) above which a straddling CI is inconclusive ('interval'). */
  inconclusiveWidth: number;
  insufficientReason?: string;
}

export interface VerdictAnswer {
  status: CheckStatus;
  /** Why the evidence is insufficient (status 'insufficient'). */
  reason?: string;
  /** 'data': too few rows/cases or an undefined value; 'inconclusive': rule 'interval' and a wide CI straddles the limit. */
  insufficientKind?: 'data' | 'inconclusive';
  /** What the decision rested on. */
  basis: 'point' | 'interval';
  /** For a fail under 'point' whose CI still reaches the passing side, a pass whose CI reaches the limit, or a pass under 'interval' whose point breaches. */
  caveat?: string;
}

export function levelText(level: number): string {
  return `${formatNumber(level * 100, 2)}%`;
}

function beyond(kind: 'min' | 'max', x: number, limit: number): boolean {
  return kind === 'min' ? x < limit : x > limit;
}

export function decideVerdict(q: VerdictQuestion): VerdictAnswer {
  const basis: 'point' | 'interval' = q.rule === 'interval' && q.interval ? 'interval' : 'point';
  if (q.insufficientReason !== undefined) return { status: 'insufficient', reason: q.insufficientReason, insufficientKind: 'data', basis };
  if (q.value === null || !Number.isFinite(q.value)) {
    return { status: 'insufficient', reason: 'the value is undefined on this data', insufficientKind: 'data', basis };
  }
  const ci = q.interval;
  if (basis === 'interval' && ci) {
    if (ci.low < q.limit && q.limit < ci.high && ci.high - ci.low > q.inconclusiveWidth) {
      return {
        status: 'insufficient',
        insufficientKind: 'inconclusive',
        reason: `inconclusive: the ${levelText(ci.level)} CI straddles the threshold ${formatNumber(q.limit)} and is ${formatNumber(ci.high - ci.low)} wide, more than inconclusive_width ${formatNumber(q.inconclusiveWidth)} (rule 'interval')`,
        basis,
      };
    }
    const whole = q.kind === 'min' ? ci.high < q.limit : ci.low > q.limit;
    if (whole) return { status: 'fail', basis };
    const answer: VerdictAnswer = { status: 'pass', basis };
    if (beyond(q.kind, q.value, q.limit)) {
      answer.caveat = `the point estimate is beyond the threshold but the ${levelText(ci.level)} CI reaches it (rule 'interval')`;
    }
    return answer;
  }
  if (beyond(q.kind, q.value, q.limit)) {
    const answer: VerdictAnswer = { status: 'fail', basis };
    if (ci && !beyond(q.kind, q.kind === 'min' ? ci.high : ci.low, q.limit)) {
      answer.caveat = `the ${levelText(ci.level)} CI reaches the threshold`;
    }
    return answer;
  }
  const answer: VerdictAnswer = { status: 'pass', basis };
  if (ci && beyond(q.kind, q.kind === 'min' ? ci.low : ci.high, q.limit)) {
    answer.caveat = `close to the limit: the ${levelText(ci.level)} CI reaches it`;
  }
  return answer;
}
