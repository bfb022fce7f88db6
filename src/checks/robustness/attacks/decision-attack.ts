/**
 * Decision-based minimal-perturbation attack: HopSkipJumpAttack (Chen, Jordan & Wainwright, 2020), which sees only
 * the model's decisions, adapted to the constraints (every scored point is projected; iterates stay in the feasible
 * box) and batched: all rows advance in lockstep and every phase scores all its candidates in ONE model call.
 *
 * Per correctly classified row, in units u (over the mutable numeric features):
 * 1. start: the nearest rows of the data with the other decision (immutable features kept, projected), Gaussian
 *    points at growing scales (antithetic pairs) and, with few features, each feature alone at its bounds; the
 *    smallest one that flips is the starting point;
 * 2. boundary search: bisection between the row and the point (L2: along the segment; L∞: shrinking the box
 *    clip(u, ±λ‖u‖∞)) down to a relative precision `tolerance`;
 * 3. per iteration t: estimate the boundary normal at the boundary point from B_t = gradient_samples·√t sign queries
 *    at radius δ = dist·min(0.1, 1/d) along random directions (Gaussian, uniform for L∞, Rademacher from 32 features
 *    on; baseline-corrected Monte Carlo), step along it (L2: the unit vector; L∞: its
 *    sign) by ξ = dist/√t halved until the decision flips, then search the boundary again.
 * The smallest flipped (scored, valid) point per row is the row's minimal perturbation; success at ε = found <= ε.
 */
import type { Rng } from '../../../util/rng.js';
import { decide, type Oracle } from '../oracle.js';
import { emptyOutcome, offerExample, type AttackInstances, type AttackOutcome } from '../outcome.js';
import { perturbationNorm, placeCandidate, vectorNorm } from '../norms.js';
import { allocCandidates, CandidatePool, clampToFeasible, type Candidates } from '../project.js';
import type { AttackSpace } from '../space.js';
import type { AttackNorm } from '../types.js';
import { BALL_SLACK, MAX_STEP_ROWS, rademacher } from './common.js';

export interface DecisionAttackOptions {
  norm: AttackNorm;
  epsilons: number[];
  iterations: number;
  gradientSamples: number;
  maxGradientSamples: number;
  initCandidates: number;
  tolerance: number;
  /** Decisions of every dataset row (starting points come from rows with the other decision). */
  yPred: Uint8Array;
  /** Most candidates per model call (default MAX_STEP_ROWS). */
  maxStepRows?: number;
}

const NORM_TITLE: Record<AttackNorm, string> = { linf: 'L∞', l2: 'L2' };
/** Escalating Gaussian scales (in feature standard deviations) tried as starting points. */
const INIT_NOISE_SCALES = [0.25, 0.5, 1, 2, 4, 8, 16, 32];
/** Pool of opposite-decision rows searched for nearest starting points (fewer when there are many features). */
const INIT_POOL = 4000;
const INIT_POOL_WORK = 50_000;
const MAX_STEP_HALVINGS = 12;
/** Single-feature extremes are tried as starting points up to this many mutable features. */
const EXTREMES_UP_TO = 32;
/** An unbounded feature's "extreme": this many standard deviations away. */
const EXTREME_UNBOUNDED = 64;
/** From this many features on, probe directions are Rademacher ±1/√d (nearly uniform on the sphere there, and cheap). */
const RADEMACHER_FROM = 32;

interface Task {
  inst: number;
  origin: number;
  /** Current boundary point (units, continuous, feasible); its projection flips the decision. */
  u: Float64Array;
  dist: number;
}

export async function decisionAttack(space: AttackSpace, oracle: Oracle, inst: AttackInstances, opts: DecisionAttackOptions, rng: Rng): Promise<AttackOutcome> {
  const { norm } = opts;
  const out = emptyOutcome(
    space,
    { key: `decision_attack/${norm}`, kind: 'decision_attack', title: `Decision-based attack (HopSkipJump, ${NORM_TITLE[norm]})`, measure: norm, units: space.units },
    inst,
    opts.epsilons,
  );
  out.parameters = {
    iterations: opts.iterations,
    gradient_samples: opts.gradientSamples,
    max_gradient_samples: opts.maxGradientSamples,
    init_candidates: opts.initCandidates,
    tolerance: opts.tolerance,
  };
  const M = space.mutableNumeric.length;
  const n = inst.rows.length;
  if (M === 0) {
    out.notes.push('no mutable numeric feature: nothing for a decision-based attack to change');
    return out;
  }
  const nn = space.numeric.length;
  const threshold = oracle.threshold;
  const mut = space.mutableNumeric;
  const candidatePool = new CandidatePool(space);

  /** Score points (units) of the given tasks in one call; returns which flip, and records flipped examples. */
  const evaluate = async (tasks: Task[], points: Float64Array, per: number): Promise<{ flips: Uint8Array; cands: Candidates } | null> => {
    const count = tasks.length * per;
    if (count === 0) return { flips: new Uint8Array(0), cands: allocCandidates(space, 0) };
    if (!oracle.canAfford(count)) return null;
    const cands = candidatePool.take(count);
    for (let a = 0; a < tasks.length; a++) {
      const t = tasks[a] as Task;
      for (let p = 0; p < per; p++) placeCandidate(space, cands, a * per + p, t.origin, points, (a * per + p) * M);
    }
    const scores = await oracle.score(cands);
    const flips = new Uint8Array(count);
    for (let a = 0; a < tasks.length; a++) {
      const t = tasks[a] as Task;
      const d0 = inst.d0[t.inst] as number;
      for (let p = 0; p < per; p++) {
        const k = a * per + p;
        if (decide(scores[k] as number, threshold) === d0) continue;
        flips[k] = 1;
        offerExample(space, out, t.inst, cands, k, perturbationNorm(space, cands, k, norm), scores[k] as number);
      }
    }
    return { flips, cands };
  };

  // ---- 1. starting points
  const allTasks: Task[] = [];
  for (let i = 0; i < n; i++) if (inst.correct[i]) allTasks.push({ inst: i, origin: inst.rows[i] as number, u: new Float64Array(M), dist: Infinity });
  const pools: number[][] = [[], []];
  for (let r = 0; r < opts.yPred.length; r++) (pools[opts.yPred[r] === 1 ? 1 : 0] as number[]).push(r);
  for (const pool of pools) {
    // a seeded subset keeps the nearest-neighbour search bounded
    for (let i = pool.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const tmp = pool[i] as number;
      pool[i] = pool[j] as number;
      pool[j] = tmp;
    }
    pool.length = Math.min(pool.length, INIT_POOL, Math.max(200, Math.floor(INIT_POOL_WORK / M)));
  }
  const K = opts.initCandidates;
  const R = 2 * INIT_NOISE_SCALES.length; // antithetic pairs: z and −z at each scale
  // single-feature extremes (each mutable feature alone at its lower / upper bound) when there are few features
  const E = M <= EXTREMES_UP_TO ? 2 * M : 0;
  const per0 = K + R + E;
  let noStart = 0;
  /** Steps 1-3 for a chunk of rows (chunks bound the rows scored in one step). */
  const attackChunk = async (tasks: Task[]): Promise<void> => {
    const init = new Float64Array(tasks.length * per0 * M);
    const invScale = Float64Array.from(mut, (j) => 1 / space.numeric[j]!.scale);
    for (let a = 0; a < tasks.length; a++) {
      const t = tasks[a] as Task;
      const o = t.origin;
      const donors = pools[inst.d0[t.inst] === 1 ? 0 : 1] as number[];
      // K nearest opposite-decision rows in the mutable features (units), kept sorted by (distance, row)
      const bestR = new Int32Array(K).fill(-1);
      const bestD = new Float64Array(K).fill(Infinity);
      for (const r of donors) {
        let d = 0;
        for (let m = 0; m < M; m++) {
          const j = mut[m] as number;
          const a0 = space.x0[o * nn + j] as number;
          const v = space.x0[r * nn + j] as number;
          if (a0 !== a0 || v !== v) continue;
          const diff = Math.abs((v - a0) * (invScale[m] as number));
          d = norm === 'linf' ? (diff > d ? diff : d) : d + diff * diff;
        }
        if (d === 0 || d > (bestD[K - 1] as number) || (d === bestD[K - 1] && r > (bestR[K - 1] as number))) continue;
        let q = K - 1;
        while (q > 0 && ((bestD[q - 1] as number) > d || (bestD[q - 1] === d && (bestR[q - 1] as number) > r))) {
          bestD[q] = bestD[q - 1] as number;
          bestR[q] = bestR[q - 1] as number;
          q--;
        }
        bestD[q] = d;
        bestR[q] = r;
      }
      for (let p = 0; p < per0; p++) {
        const off = (a * per0 + p) * M;
        const r = p < K ? (bestR[p] as number) : -1;
        if (p >= K + R) {
          // extreme: feature (p - K - R) >> 1 at its lower (even) or upper (odd) bound, the others unchanged
          const m = (p - K - R) >> 1;
          const j = mut[m] as number;
          const f = space.numeric[j]!;
          const a0 = space.x0[o * nn + j] as number;
          const up = ((p - K - R) & 1) === 1;
          const bound = up ? f.upper : f.lower;
          const far = (up ? 1 : -1) * EXTREME_UNBOUNDED * (f.std > 0 ? f.std : f.scale);
          init[off + m] = a0 !== a0 ? 0 : Number.isFinite(bound) ? (bound - a0) / f.scale : far / f.scale;
          continue;
        }
        const scale = p >= K ? (INIT_NOISE_SCALES[(p - K) >> 1] as number) : 0;
        const mirror = p >= K && ((p - K) & 1) === 1;
        for (let m = 0; m < M; m++) {
          const j = mut[m] as number;
          const f = space.numeric[j]!;
          const a0 = space.x0[o * nn + j] as number;
          if (r >= 0) {
            const v = space.x0[r * nn + j] as number;
            init[off + m] = a0 !== a0 || v !== v ? 0 : (v - a0) / f.scale;
          } else if (mirror) init[off + m] = -(init[off - M + m] as number);
          else if (p >= K) init[off + m] = (scale * rng.normal() * (f.std > 0 ? f.std : f.scale)) / f.scale;
        }
      }
    }
    for (let a = 0; a < tasks.length; a++) {
      for (let p = 0; p < per0; p++) clampToFeasible(space, (tasks[a] as Task).origin, init, (a * per0 + p) * M);
    }
    const first = await evaluate(tasks, init, per0);
    let active: Task[] = [];
    if (first) {
      for (let a = 0; a < tasks.length; a++) {
        const t = tasks[a] as Task;
        let bestP = -1;
        let bestD = Infinity;
        for (let p = 0; p < per0; p++) {
          if (!first.flips[a * per0 + p]) continue;
          const d = vectorNorm(init, (a * per0 + p) * M, M, norm);
          if (d < bestD) {
            bestD = d;
            bestP = p;
          }
        }
        if (bestP < 0) continue;
        t.u.set(init.subarray((a * per0 + bestP) * M, (a * per0 + bestP + 1) * M));
        t.dist = bestD;
        active.push(t);
      }
      noStart += tasks.length - active.length;
    }

    // ---- 2. boundary search (bisection towards the original row)
    const blend = (u: Float64Array, lam: number, dst: Float64Array, off: number): void => {
      if (norm === 'l2') for (let m = 0; m < M; m++) dst[off + m] = lam * (u[m] as number);
      else {
        const r = lam * vectorNorm(u, 0, M, 'linf');
        for (let m = 0; m < M; m++) {
          const v = u[m] as number;
          dst[off + m] = v > r ? r : v < -r ? -r : v;
        }
      }
    };
    const boundary = async (ts: Task[]): Promise<boolean> => {
      const lo = new Float64Array(ts.length);
      const hi = new Float64Array(ts.length).fill(1);
      const pts = new Float64Array(ts.length * M);
      for (;;) {
        const open: number[] = [];
        for (let a = 0; a < ts.length; a++) if ((hi[a] as number) - (lo[a] as number) > opts.tolerance) open.push(a);
        if (open.length === 0) break;
        const sub = open.map((a) => ts[a] as Task);
        const mids = new Float64Array(open.length * M);
        open.forEach((a, q) => blend((ts[a] as Task).u, ((lo[a] as number) + (hi[a] as number)) / 2, mids, q * M));
        const res = await evaluate(sub, mids, 1);
        if (!res) return false;
        open.forEach((a, q) => {
          const mid = ((lo[a] as number) + (hi[a] as number)) / 2;
          if (res.flips[q]) {
            hi[a] = mid;
            pts.set(mids.subarray(q * M, q * M + M), a * M);
          } else lo[a] = mid;
        });
      }
      for (let a = 0; a < ts.length; a++) {
        const t = ts[a] as Task;
        if ((hi[a] as number) < 1) t.u.set(pts.subarray(a * M, a * M + M));
        t.dist = vectorNorm(t.u, 0, M, norm);
      }
      return true;
    };
    let ok = active.length > 0 ? await boundary(active) : true;

    // ---- 3. HopSkipJump iterations
    const dir = new Float64Array(M);
    for (let it = 1; ok && it <= opts.iterations && active.length > 0; it++) {
      active = active.filter((t) => t.dist > 0);
      const B = Math.min(opts.maxGradientSamples, Math.round(opts.gradientSamples * Math.sqrt(it)));
      const probes = new Float64Array(active.length * B * M);
      const dirs = new Float64Array(active.length * B * M);
      for (let a = 0; a < active.length; a++) {
        const t = active[a] as Task;
        const delta = t.dist * Math.min(0.1, 1 / M);
        for (let b = 0; b < B; b++) {
          const off = (a * B + b) * M;
          let s = 0;
          if (M >= RADEMACHER_FROM) {
            rademacher(rng, dirs, off, M);
            s = Math.sqrt(M);
          } else {
            for (let m = 0; m < M; m++) {
              const r = norm === 'l2' ? rng.normal() : 2 * rng.next() - 1;
              dirs[off + m] = r;
              s += r * r;
            }
            s = Math.sqrt(s) || 1;
          }
          for (let m = 0; m < M; m++) probes[off + m] = (t.u[m] as number) + (delta * (dirs[off + m] as number)) / s;
          clampToFeasible(space, t.origin, probes, off);
          // the direction actually probed (after the feasible clamp)
          for (let m = 0; m < M; m++) dirs[off + m] = ((probes[off + m] as number) - (t.u[m] as number)) / delta;
        }
      }
      const res = await evaluate(active, probes, B);
      if (!res) break;
      // step candidates
      const steps: Array<{ t: Task; v: Float64Array; xi: number }> = [];
      for (let a = 0; a < active.length; a++) {
        const t = active[a] as Task;
        let mean = 0;
        for (let b = 0; b < B; b++) mean += res.flips[a * B + b] ? 1 : -1;
        mean /= B;
        dir.fill(0);
        const baseline = Math.abs(mean) === 1 ? 0 : mean;
        for (let b = 0; b < B; b++) {
          const phi = (res.flips[a * B + b] ? 1 : -1) - baseline;
          const off = (a * B + b) * M;
          for (let m = 0; m < M; m++) dir[m] = (dir[m] as number) + phi * (dirs[off + m] as number);
        }
        const l2 = vectorNorm(dir, 0, M, 'l2');
        if (!(l2 > 0)) continue;
        const v = new Float64Array(M);
        for (let m = 0; m < M; m++) v[m] = norm === 'l2' ? (dir[m] as number) / l2 : Math.sign(dir[m] as number);
        steps.push({ t, v, xi: t.dist / Math.sqrt(it) });
      }
      // geometric step-size search: halve ξ until the step flips the decision
      let pending = steps;
      const landed: Array<{ t: Task; p: Float64Array }> = [];
      for (let h = 0; h <= MAX_STEP_HALVINGS && pending.length > 0; h++) {
        const pts = new Float64Array(pending.length * M);
        pending.forEach((s, q) => {
          for (let m = 0; m < M; m++) pts[q * M + m] = (s.t.u[m] as number) + s.xi * (s.v[m] as number);
          clampToFeasible(space, s.t.origin, pts, q * M);
        });
        const r2 = await evaluate(
          pending.map((s) => s.t),
          pts,
          1,
        );
        if (!r2) {
          ok = false;
          break;
        }
        const next: typeof pending = [];
        pending.forEach((s, q) => {
          if (r2.flips[q]) landed.push({ t: s.t, p: pts.slice(q * M, q * M + M) });
          else next.push({ ...s, xi: s.xi / 2 });
        });
        pending = next;
      }
      if (!ok) break;
      for (const l of landed) l.t.u.set(l.p);
      ok = await boundary(landed.map((l) => l.t));
    }
  };
  const chunk = Math.max(1, Math.floor((opts.maxStepRows ?? MAX_STEP_ROWS) / Math.max(per0, opts.maxGradientSamples)));
  for (let from = 0; from < allTasks.length && oracle.stopped() === null; from += chunk) {
    await attackChunk(allTasks.slice(from, from + chunk));
  }
  if (noStart > 0) out.notes.push(`${noStart} of ${allTasks.length} rows: none of the starting points tried (nearest rows with the other decision, noise up to 32 std, each feature at its bounds) flipped the decision within the constraints (counted as not flipped)`);

  // ---- per budget: success = an example within ε was found
  for (let b = 0; b < opts.epsilons.length; b++) {
    const eps = opts.epsilons[b] as number;
    for (let i = 0; i < n; i++) {
      const mp = out.minPerturbation[i] as number;
      if (inst.correct[i] && mp === mp && mp <= eps * (1 + BALL_SLACK)) {
        out.flipped[b * n + i] = 1;
        out.attackedScore[b * n + i] = out.exampleScore[i] as number;
      }
    }
  }
  out.queries = oracle.queries;
  out.calls = oracle.calls;
  out.stopped = oracle.stopped();
  return out;
}
