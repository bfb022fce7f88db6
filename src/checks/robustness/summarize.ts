/**
 * AttackOutcome -> the Report's AttackResult: per budget, success rate on correctly classified rows, accuracy before
 * and under attack, flip rate, KS between original and attacked scores (with both CDFs), and the same per sensitive
 * group with the robustness disparity (max − min success rate over groups with at least min_group_size correct rows).
 */
import type { Grouping } from '../../data/types.js';
import { downsampleCurve, MAX_CURVE_POINTS } from '../../metrics/downsampleCurve.js';
import type { CurvePoint } from '../../metrics/types.js';
import { chartCurve, compareScores, distributionOf, median } from './distribution.js';
import type { AttackOutcome } from './outcome.js';
import type { AttackSpace } from './space.js';
import type { AdversarialExample, AttackResult, BudgetResult, GroupingRobustness, GroupRobustness } from './types.js';

/** Points of the CDF curves kept for budgets other than the largest. */
const SMALL_CURVE_POINTS = 60;

export interface SummaryOptions {
  groupings: Grouping[];
  minGroupSize: number;
  yTrue: Uint8Array;
  /** Include a few examples (feature changes) — only when policy.report.include_examples. */
  includeExamples: boolean;
}

function ratio(a: number, b: number): number | null {
  return b > 0 ? a / b : null;
}

function groupRobustness(out: AttackOutcome, b: number, g: Grouping, minGroupSize: number, yTrue: Uint8Array): GroupingRobustness {
  const n = out.instances.rows.length;
  const k = g.keys.length;
  const rows = new Float64Array(k);
  const correct = new Float64Array(k);
  const successes = new Float64Array(k);
  const rightAfter = new Float64Array(k);
  const flips = new Float64Array(k);
  const sizes: number[][] = Array.from({ length: k }, () => []);
  const members: number[][] = Array.from({ length: k }, () => []);
  for (let i = 0; i < n; i++) {
    const r = out.instances.rows[i] as number;
    const code = g.codes[r] as number;
    if (!(code >= 0 && code < k)) continue;
    const flipped = out.flipped[b * n + i] === 1;
    rows[code]++;
    (members[code] as number[]).push(i);
    if (flipped) flips[code]++;
    const ok = out.instances.correct[i] === 1;
    if (ok) correct[code]++;
    if (ok && flipped) {
      successes[code]++;
      const mp = out.minPerturbation[i] as number;
      if (mp === mp) (sizes[code] as number[]).push(mp);
    }
    const predAfter = flipped ? 1 - (out.instances.d0[i] as number) : (out.instances.d0[i] as number);
    if (predAfter === yTrue[r]) rightAfter[code]++;
  }
  const groups: GroupRobustness[] = g.keys.map((key, c) => {
    const sufficient = (correct[c] as number) >= minGroupSize;
    const gr: GroupRobustness = {
      key,
      rows: rows[c] as number,
      correct: correct[c] as number,
      successes: successes[c] as number,
      successRate: ratio(successes[c] as number, correct[c] as number),
      flipRate: ratio(flips[c] as number, rows[c] as number),
      accuracyUnderAttack: ratio(rightAfter[c] as number, rows[c] as number),
      medianPerturbation: median(sizes[c] as number[]),
      ks: groupKs(out, b, members[c] as number[]),
      sufficient,
    };
    if (!sufficient) gr.insufficientReason = `${correct[c]} correctly classified attacked rows < min_group_size ${minGroupSize}`;
    return gr;
  });
  let hi: GroupRobustness | null = null;
  let lo: GroupRobustness | null = null;
  for (const gr of groups) {
    if (!gr.sufficient || gr.successRate === null) continue;
    if (hi === null || gr.successRate > (hi.successRate as number)) hi = gr;
    if (lo === null || gr.successRate < (lo.successRate as number)) lo = gr;
  }
  const enough = groups.filter((x) => x.sufficient && x.successRate !== null).length >= 2;
  let fHi = -Infinity;
  let fLo = Infinity;
  for (const gr of groups) {
    if (!gr.sufficient || gr.flipRate === null) continue;
    fHi = Math.max(fHi, gr.flipRate);
    fLo = Math.min(fLo, gr.flipRate);
  }
  return {
    grouping: g.name,
    groups,
    disparity: enough && hi && lo ? (hi.successRate as number) - (lo.successRate as number) : null,
    flipRateDisparity: enough ? fHi - fLo : null,
    mostVulnerable: enough && hi ? hi.key : null,
    leastVulnerable: enough && lo ? lo.key : null,
  };
}

function groupKs(out: AttackOutcome, b: number, idx: number[]): number | null {
  if (idx.length === 0) return null;
  const n = out.instances.rows.length;
  const original = Float32Array.from(idx, (i) => out.instances.s0[i] as number);
  const attacked = Float32Array.from(idx, (i) => out.attackedScore[b * n + i] as number);
  return compareScores(original, attacked, 0).statistic;
}

function budgetResult(out: AttackOutcome, b: number, opts: SummaryOptions): BudgetResult {
  const n = out.instances.rows.length;
  const { correct, d0, s0, rows } = out.instances;
  let nCorrect = 0;
  let successes = 0;
  let flips = 0;
  let rightAfter = 0;
  let absChange = 0;
  for (let i = 0; i < n; i++) {
    const flipped = out.flipped[b * n + i] === 1;
    if (correct[i]) nCorrect++;
    if (flipped) flips++;
    if (flipped && correct[i]) successes++;
    const predAfter = flipped ? 1 - (d0[i] as number) : (d0[i] as number);
    if (predAfter === opts.yTrue[rows[i] as number]) rightAfter++;
    absChange += Math.abs((out.attackedScore[b * n + i] as number) - (s0[i] as number));
  }
  const accuracyOriginal = ratio(nCorrect, n);
  const accuracyUnderAttack = ratio(rightAfter, n);
  return {
    budget: out.budgets[b] as number,
    rows: n,
    correct: nCorrect,
    successes,
    successRate: ratio(successes, nCorrect),
    accuracyOriginal,
    accuracyUnderAttack,
    accuracyDrop: accuracyOriginal !== null && accuracyUnderAttack !== null ? accuracyOriginal - accuracyUnderAttack : null,
    flipRate: ratio(flips, n),
    meanAbsScoreChange: n > 0 ? absChange / n : null,
    // full curves for the largest budget (the one charts show), coarser ones for the others
    ks: compareScores(s0, out.attackedScore.subarray(b * n, b * n + n), b === out.budgets.length - 1 ? MAX_CURVE_POINTS : SMALL_CURVE_POINTS),
    groups: opts.groupings.map((g) => groupRobustness(out, b, g, opts.minGroupSize, opts.yTrue)),
  };
}

/** Fraction of correct instances with an example of size <= x, at every budget and every size found. */
function successCurve(out: AttackOutcome): CurvePoint[] {
  const { correct } = out.instances;
  let nCorrect = 0;
  const sizes: number[] = [];
  for (let i = 0; i < correct.length; i++) {
    if (!correct[i]) continue;
    nCorrect++;
    const mp = out.minPerturbation[i] as number;
    if (mp === mp) sizes.push(mp);
  }
  if (nCorrect === 0) return [];
  sizes.sort((a, b) => a - b);
  const xs = [...new Set([0, ...sizes, ...out.budgets])].sort((a, b) => a - b);
  const points: CurvePoint[] = [];
  let j = 0;
  for (const x of xs) {
    while (j < sizes.length && (sizes[j] as number) <= x) j++;
    points.push({ x, y: j / nCorrect });
  }
  return chartCurve(downsampleCurve(points));
}

function examplesOf(space: AttackSpace, out: AttackOutcome, max: number): AdversarialExample[] {
  const res: AdversarialExample[] = [];
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const ex = out.examples;
  for (let i = 0; i < out.instances.rows.length && res.length < max; i++) {
    const mp = out.minPerturbation[i] as number;
    if (!(mp === mp) || !out.instances.correct[i]) continue;
    const o = ex.origin[i] as number;
    const changes: AdversarialExample['changes'] = [];
    for (let j = 0; j < nn; j++) {
      const a = space.x0[o * nn + j] as number;
      const v = ex.x[i * nn + j] as number;
      if (v !== a && !(v !== v && a !== a)) changes.push({ feature: space.numeric[j]!.name, from: a, to: v });
    }
    for (let j = 0; j < nc; j++) {
      const a = space.c0[o * nc + j] as number;
      const v = ex.c[i * nc + j] as number;
      const f = space.categorical[j]!;
      if (v !== a) changes.push({ feature: f.name, from: f.levels[a] ?? String(a), to: f.levels[v] ?? String(v) });
    }
    res.push({ row: o, scoreOriginal: out.instances.s0[i] as number, scoreAdversarial: out.exampleScore[i] as number, perturbation: mp, changes });
  }
  return res;
}

function medianOverCorrect(out: AttackOutcome): AttackResult['medianPerturbation'] {
  const sizes: number[] = [];
  let missing = 0;
  let largest = 0;
  for (let i = 0; i < out.instances.rows.length; i++) {
    if (!out.instances.correct[i]) continue;
    const mp = out.minPerturbation[i] as number;
    if (mp === mp) {
      sizes.push(mp);
      if (mp > largest) largest = mp;
    } else missing++;
  }
  const n = sizes.length + missing;
  if (n === 0) return null;
  sizes.sort((a, b) => a - b);
  const all = [...sizes, ...new Array<number>(missing).fill(Infinity)];
  const mid = (n - 1) / 2;
  const lo = all[Math.floor(mid)] as number;
  const hi = all[Math.ceil(mid)] as number;
  if (Number.isFinite(hi)) return { value: lo + (hi - lo) * (mid - Math.floor(mid)), lowerBound: false };
  // more than half not flipped within what was searched
  const searched = out.kind === 'decision_attack' ? largest : Math.max(largest, ...out.budgets);
  return { value: Number.isFinite(lo) ? Math.max(lo, searched) : searched, lowerBound: true };
}

export function summarizeAttack(space: AttackSpace, out: AttackOutcome, opts: SummaryOptions): AttackResult {
  const sizes: number[] = [];
  for (let i = 0; i < out.instances.rows.length; i++) {
    const mp = out.minPerturbation[i] as number;
    if (out.instances.correct[i] && mp === mp) sizes.push(mp);
  }
  const result: AttackResult = {
    key: out.key,
    kind: out.kind,
    title: out.title,
    measure: out.measure,
    units: out.units,
    budgets: out.budgets.map((_, b) => budgetResult(out, b, opts)),
    perturbation: distributionOf(sizes),
    medianPerturbation: medianOverCorrect(out),
    successCurve: successCurve(out),
    queries: out.queries,
    calls: out.calls,
    meanRowsPerCall: out.calls > 0 ? out.queries / out.calls : 0,
    stopped: out.stopped,
    notes: out.notes,
    parameters: out.parameters,
  };
  if (opts.includeExamples) result.examples = examplesOf(space, out, 5);
  return result;
}
