/**
 * Per row, the worst case over the attacks (issue #14): for each norm, a row is flipped at ε when any attack of that
 * norm (score-based, decision-based) found a valid example of size <= ε; robust accuracy = rows classified correctly
 * and flipped by no attack. Next to it, the certified share (certify.ts) and what is unknown between the two.
 * Also the per-feature summary of what successful examples change, and the per-row outcomes of the Report.
 */
import { BALL_SLACK } from './attacks/common.js';
import type { Certificate } from './certify.js';
import { chartNumber, distributionOf } from './distribution.js';
import { emptyOutcome, type AttackOutcome } from './outcome.js';
import type { AttackSpace } from './space.js';
import type { AttackNorm, CertificationResult, FeatureChange, RowOutcome, WorstCaseBudget, WorstCaseResult } from './types.js';

/**
 * The worst case of a norm as an AttackOutcome (flipped per budget, smallest perturbation over the attacks), so the
 * gates' estimates (intervals) work on it as on any attack. Null when no attack of the norm ran.
 */
export function worstCaseOutcome(space: AttackSpace, outcomes: AttackOutcome[], norm: AttackNorm): AttackOutcome | null {
  const mine = outcomes.filter((o) => (o.kind === 'score_attack' || o.kind === 'decision_attack') && o.measure === norm);
  if (mine.length === 0) return null;
  const inst = mine[0]!.instances;
  const n = inst.rows.length;
  const budgets = [...new Set(mine.flatMap((o) => o.budgets))].sort((a, b) => a - b);
  const out = emptyOutcome(space, { key: `worst_case/${norm}`, kind: 'score_attack', title: `Worst case over the ${norm === 'linf' ? 'L∞' : 'L2'} attacks`, measure: norm, units: space.units }, inst, budgets);
  out.parameters = { attacks: mine.map((o) => o.key).join(', ') };
  const nc = space.categorical.length;
  const nn = space.numeric.length;
  for (let i = 0; i < n; i++) {
    let best = Number.NaN;
    let from: AttackOutcome | null = null;
    for (const o of mine) {
      const mp = o.minPerturbation[i] as number;
      if (mp === mp && !(best <= mp)) {
        best = mp;
        from = o;
      }
    }
    if (!from) continue;
    out.minPerturbation[i] = best;
    out.exampleScore[i] = from.exampleScore[i] as number;
    out.examples.x.set(from.examples.x.subarray(i * nn, i * nn + nn), i * nn);
    out.examples.c.set(from.examples.c.subarray(i * nc, i * nc + nc), i * nc);
    for (let b = 0; b < budgets.length; b++) {
      if (best <= (budgets[b] as number) * (1 + BALL_SLACK)) {
        out.flipped[b * n + i] = 1;
        out.attackedScore[b * n + i] = out.exampleScore[i] as number;
      }
    }
  }
  return out;
}

export function worstCaseResult(out: AttackOutcome, cert: Certificate | null, yTrue: Uint8Array): WorstCaseResult {
  const n = out.instances.rows.length;
  const { correct, d0, rows } = out.instances;
  const radius = cert?.radius[out.measure as AttackNorm];
  const budgets: WorstCaseBudget[] = out.budgets.map((eps, b) => {
    let nCorrect = 0;
    let successes = 0;
    let robust = 0;
    let certified = 0;
    for (let i = 0; i < n; i++) {
      const flipped = out.flipped[b * n + i] === 1;
      const pred = flipped ? 1 - (d0[i] as number) : (d0[i] as number);
      if (pred === yTrue[rows[i] as number]) robust++;
      if (!correct[i]) continue;
      nCorrect++;
      if (flipped) successes++;
      if (radius && (radius[i] as number) > eps) certified++;
    }
    return {
      epsilon: eps,
      rows: n,
      correct: nCorrect,
      successes,
      successRate: nCorrect > 0 ? successes / nCorrect : null,
      robustAccuracy: n > 0 ? robust / n : null,
      certified: radius ? certified : null,
      certifiedRate: radius && nCorrect > 0 ? certified / nCorrect : null,
      unknown: radius ? nCorrect - successes - certified : null,
    };
  });
  return { key: out.key, norm: out.measure as AttackNorm, units: out.units, attacks: String(out.parameters.attacks ?? '').split(', ').filter(Boolean), budgets };
}

export function certificationResult(cert: Certificate, correct: Uint8Array): CertificationResult {
  const radius: CertificationResult['radius'] = {};
  for (const [norm, r] of Object.entries(cert.radius) as Array<[AttackNorm, Float64Array]>) {
    const finite: number[] = [];
    let unbounded = 0;
    for (let i = 0; i < r.length; i++) {
      if (!correct[i]) continue;
      const v = r[i] as number;
      if (v === Infinity) unbounded++;
      else if (v === v) finite.push(v);
    }
    radius[norm] = { ...distributionOf(finite), unbounded };
  }
  return { method: cert.method, exact: { ...cert.exact }, radius, notes: [...cert.notes] };
}

/** Which features the examples (the smallest per flipped correct row) of these outcomes change, and by how much. */
export function featureChanges(space: AttackSpace, outcomes: AttackOutcome[]): FeatureChange[] {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const count = new Float64Array(nn + nc);
  const sum = new Float64Array(nn);
  const max = new Float64Array(nn);
  let examples = 0;
  for (const o of outcomes) {
    const ex = o.examples;
    for (let i = 0; i < o.instances.rows.length; i++) {
      const mp = o.minPerturbation[i] as number;
      if (!(mp === mp) || !o.instances.correct[i]) continue;
      examples++;
      const r = ex.origin[i] as number;
      for (let j = 0; j < nn; j++) {
        const a = space.x0[r * nn + j] as number;
        const v = ex.x[i * nn + j] as number;
        if (v === a || (v !== v && a !== a)) continue;
        const u = Math.abs((v - a) / (space.limits.scale[j] as number));
        count[j]++;
        sum[j] += u;
        if (u > (max[j] as number)) max[j] = u;
      }
      for (let j = 0; j < nc; j++) if (ex.c[i * nc + j] !== space.c0[r * nc + j]) count[nn + j]++;
    }
  }
  const out: FeatureChange[] = [];
  for (let j = 0; j < nn + nc; j++) {
    const c = count[j] as number;
    if (c === 0) continue;
    const numeric = j < nn;
    out.push({
      feature: numeric ? space.numeric[j]!.name : space.categorical[j - nn]!.name,
      kind: numeric ? 'numeric' : 'categorical',
      examples: c,
      share: examples > 0 ? c / examples : 0,
      meanAbsChange: numeric ? (sum[j] as number) / c : null,
      maxAbsChange: numeric ? (max[j] as number) : null,
    });
  }
  return out.sort((a, b) => b.examples - a.examples || a.feature.localeCompare(b.feature));
}

/** Per attacked row and attack (and worst case): flipped at the largest budget, smallest perturbation, status. */
export function rowOutcomes(outcomes: AttackOutcome[], worst: AttackOutcome[], cert: Certificate | null): RowOutcome[] {
  const out: RowOutcome[] = [];
  for (const o of [...outcomes, ...worst]) {
    if (o.kind === 'noise') continue; // noise instances are (row, repeat) pairs of random draws, not attacks on a row
    const n = o.instances.rows.length;
    const last = o.budgets.length - 1;
    const isWorst = o.key.startsWith('worst_case/');
    const radius = isWorst && cert ? cert.radius[o.measure as AttackNorm] : undefined;
    for (let i = 0; i < n; i++) {
      const correct = o.instances.correct[i] === 1;
      const mp = o.minPerturbation[i] as number;
      const flipped = last >= 0 && o.flipped[last * n + i] === 1;
      const entry: RowOutcome = {
        row: o.instances.rows[i] as number,
        attack: o.key,
        correct,
        flipped,
        perturbation: mp === mp ? chartNumber(mp) : null,
        status: !correct ? 'not_attacked' : flipped ? 'flipped' : o.noStart?.[i] ? 'no_start' : 'not_flipped',
      };
      if (radius) {
        const r = radius[i] as number;
        entry.certified = Number.isFinite(r) ? chartNumber(r) : null;
      }
      out.push(entry);
    }
  }
  return out;
}
