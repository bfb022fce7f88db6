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
import { perturbationNorm, placeCandidatesOfRow, vectorNorm } from '../norms.js';
import { CandidatePool, clampToFeasible, type Candidates } from '../project.js';
import type { AttackSpace } from '../space.js';
import type { AttackNorm } from '../types.js';
import { BALL_SLACK, fillNormal, MAX_STEP_ROWS, rademacher } from './common.js';

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
/** L∞ sign-correction rounds after the iterations: how far inside the current distance each sign is tried flipped. */
/** Random sign patterns of the corner search for rows without a start, each tried at these fractions of the way. */
const CORNER_SIGNS = 16;
const CORNER_SCALES = [1, 0.5, 0.25];
const SIGN_ROUNDS = [0.1, 0.03, 0.01, 0.003];
/** Sign rounds run up to this many mutable features, on groups of tasks of at most SIGN_POINTS coordinates. */
const SIGN_MAX_FEATURES = 1024;
const SIGN_POINTS = 4_000_000;

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
  out.noStart = new Uint8Array(n);
  if (M === 0) {
    out.notes.push('no mutable numeric feature: nothing for a decision-based attack to change');
    return out;
  }
  const nn = space.numeric.length;
  const threshold = oracle.threshold;
  const mut = space.mutableNumeric;
  // written only by placeCandidate: immutable values and levels are always the original ones (see onlyMutable)
  const candidatePool = new CandidatePool(space);
  let flipBuffer = new Uint8Array(0);

  // tasks: the correctly classified instances; the current boundary point of task t (units, continuous, feasible; its
  // projection flips the decision) is U[t·M, (t+1)·M), its size dist[t]
  let T = 0;
  for (let i = 0; i < n; i++) if (inst.correct[i]) T++;
  const taskInst = new Int32Array(T);
  const taskOrigin = new Uint32Array(T);
  for (let i = 0, t = 0; i < n; i++) {
    if (!inst.correct[i]) continue;
    taskInst[t] = i;
    taskOrigin[t++] = inst.rows[i] as number;
  }
  const U = new Float64Array(T * M);
  const dist = new Float64Array(T).fill(Infinity);

  /**
   * Score `per` points (units) of each task of tasks[0, nt) in one call; point p of the a-th task is
   * points[(p·nt + a)·M, ...) and candidate p·nt + a (point-major: a task keeps its slots from one call to the next,
   * so the model input rows are patched, not rebuilt). Returns which flip (a view valid until the next call), and
   * records flipped examples; null when the budget or the time is spent.
   */
  const evaluate = async (tasks: Int32Array, nt: number, points: Float64Array, per: number): Promise<Uint8Array | null> => {
    const count = nt * per;
    if (count === 0) return new Uint8Array(0);
    if (!oracle.canAfford(count)) return null;
    const cands = candidatePool.take(count);
    for (let a = 0; a < nt; a++) placeCandidatesOfRow(space, cands, taskOrigin[tasks[a] as number] as number, points, a, nt, per);
    const scores = await oracle.score(cands);
    if (flipBuffer.length < count) flipBuffer = new Uint8Array(Math.max(count, Math.ceil(flipBuffer.length * 1.5)));
    const flips = flipBuffer.subarray(0, count);
    recordFlips(space, inst, out, taskInst, tasks, nt, per, cands, scores, threshold, norm, flips);
    return flips;
  };

  // ---- 1. starting points
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
  // the donors' mutable values, contiguous (pool order)
  const donorValues = pools.map((pool) => {
    const v = new Float64Array(pool.length * M);
    for (let q = 0; q < pool.length; q++) for (let m = 0; m < M; m++) v[q * M + m] = space.x0[(pool[q] as number) * nn + (mut[m] as number)] as number;
    return v;
  });
  const K = opts.initCandidates;
  const R = 2 * INIT_NOISE_SCALES.length; // antithetic pairs: z and −z at each scale
  // single-feature extremes (each mutable feature alone at its lower / upper bound) when there are few features
  const E = M <= EXTREMES_UP_TO ? 2 * M : 0;
  const per0 = K + R + E;
  let noStart = 0;
  const invScale = Float64Array.from(mut, (j) => 1 / space.numeric[j]!.scale);
  const origValues = new Float64Array(M);
  const bestR = new Int32Array(K);
  const bestD = new Float64Array(K);
  const dir = new Float64Array(M);
  let probes = new Float64Array(0);
  let dirs = new Float64Array(0);

  /** Steps 1-3 for the tasks [t0, t1) (chunks bound the rows scored in one step). */
  const attackChunk = async (t0: number, t1: number): Promise<void> => {
    const nt = t1 - t0;
    const tasks = new Int32Array(nt);
    for (let a = 0; a < nt; a++) tasks[a] = t0 + a;
    // points: candidate p of task a at ((p·nt + a)·M)
    const init = new Float64Array(nt * per0 * M);
    const at = (a: number, p: number): number => (p * nt + a) * M;
    writeStartingPoints(space, inst, norm, rng, taskInst, taskOrigin, t0, nt, pools, donorValues, K, R, per0, invScale, init, bestR, bestD, origValues);
    for (let a = 0; a < nt; a++) {
      for (let p = 0; p < per0; p++) clampToFeasible(space, taskOrigin[t0 + a] as number, init, at(a, p));
    }
    const first = await evaluate(tasks, nt, init, per0);
    let active = new Int32Array(nt);
    let na = 0;
    if (first) {
      for (let a = 0; a < nt; a++) {
        const t = t0 + a;
        let bestP = -1;
        let bestDist = Infinity;
        for (let p = 0; p < per0; p++) {
          if (!first[p * nt + a]) continue;
          const d = vectorNorm(init, at(a, p), M, norm);
          if (d < bestDist) {
            bestDist = d;
            bestP = p;
          }
        }
        if (bestP < 0) continue;
        U.set(init.subarray(at(a, bestP), at(a, bestP) + M), t * M);
        dist[t] = bestDist;
        active[na++] = t;
      }
      // rows without a start: a search of the feasible box itself (each feature alone at its bounds when not tried
      // yet, then corners: every feature towards a random bound, at full, half and quarter distance)
      const missing: number[] = [];
      for (let a = 0; a < nt; a++) if (!(Number.isFinite(dist[t0 + a] as number))) missing.push(t0 + a);
      if (missing.length > 0) {
        const singles = E === 0 ? 2 * M : 0;
        const per1 = singles + CORNER_SIGNS * CORNER_SCALES.length;
        const nm = missing.length;
        const pts = new Float64Array(nm * per1 * M);
        const at1 = (q: number, p: number): number => (p * nm + q) * M;
        const reach = (o: number, m: number, up: boolean): number => {
          const j = mut[m] as number;
          const f = space.numeric[j]!;
          const a0 = space.x0[o * nn + j] as number;
          if (a0 !== a0) return 0;
          const bound = up ? f.upper : f.lower;
          return Number.isFinite(bound) ? (bound - a0) / f.scale : ((up ? 1 : -1) * EXTREME_UNBOUNDED * (f.std > 0 ? f.std : f.scale)) / f.scale;
        };
        const signs = new Uint8Array(M);
        missing.forEach((t, q) => {
          const o = taskOrigin[t] as number;
          for (let p = 0; p < singles; p++) pts[at1(q, p) + (p >> 1)] = reach(o, p >> 1, (p & 1) === 1);
          for (let c = 0; c < CORNER_SIGNS; c++) {
            for (let m = 0; m < M; m++) signs[m] = rng.next() < 0.5 ? 1 : 0;
            CORNER_SCALES.forEach((sc, w) => {
              const off = at1(q, singles + c * CORNER_SCALES.length + w);
              for (let m = 0; m < M; m++) pts[off + m] = sc * reach(o, m, signs[m] === 1);
            });
          }
          for (let p = 0; p < per1; p++) clampToFeasible(space, o, pts, at1(q, p));
        });
        const second = await evaluate(Int32Array.from(missing), nm, pts, per1);
        if (second) {
          missing.forEach((t, q) => {
            let bestP = -1;
            let bestDist = Infinity;
            for (let p = 0; p < per1; p++) {
              if (!second[p * nm + q]) continue;
              const d = vectorNorm(pts, at1(q, p), M, norm);
              if (d < bestDist) {
                bestDist = d;
                bestP = p;
              }
            }
            if (bestP < 0) return;
            U.set(pts.subarray(at1(q, bestP), at1(q, bestP) + M), t * M);
            dist[t] = bestDist;
            active[na++] = t;
          });
        }
      }
      for (let a = 0; a < nt; a++) {
        if (Number.isFinite(dist[t0 + a] as number)) continue;
        noStart++;
        out.noStart![taskInst[t0 + a] as number] = 1;
      }
    }

    // ---- 2. boundary search (bisection towards the original row)
    const lo = new Float64Array(nt);
    const hi = new Float64Array(nt);
    const pts = new Float64Array(nt * M);
    const open = new Int32Array(nt);
    const openTasks = new Int32Array(nt);
    const mids = new Float64Array(nt * M);
    /** Point λ of the way from the original row to task t's point (L2: on the segment; L∞: the box clip). */
    const blend = (t: number, lam: number, dst: Float64Array, off: number): void => {
      if (norm === 'l2') for (let m = 0; m < M; m++) dst[off + m] = lam * (U[t * M + m] as number);
      else {
        const r = lam * vectorNorm(U, t * M, M, 'linf');
        for (let m = 0; m < M; m++) {
          const v = U[t * M + m] as number;
          dst[off + m] = v > r ? r : v < -r ? -r : v;
        }
      }
    };
    const boundary = async (ts: Int32Array, nts: number): Promise<boolean> => {
      lo.fill(0, 0, nts);
      hi.fill(1, 0, nts);
      for (;;) {
        let no = 0;
        for (let a = 0; a < nts; a++) {
          if ((hi[a] as number) - (lo[a] as number) > opts.tolerance) {
            open[no] = a;
            openTasks[no++] = ts[a] as number;
          }
        }
        if (no === 0) break;
        for (let q = 0; q < no; q++) {
          const a = open[q] as number;
          blend(ts[a] as number, ((lo[a] as number) + (hi[a] as number)) / 2, mids, q * M);
        }
        const res = await evaluate(openTasks, no, mids, 1);
        if (!res) return false;
        for (let q = 0; q < no; q++) {
          const a = open[q] as number;
          const mid = ((lo[a] as number) + (hi[a] as number)) / 2;
          if (res[q]) {
            hi[a] = mid;
            for (let m = 0; m < M; m++) pts[a * M + m] = mids[q * M + m] as number;
          } else lo[a] = mid;
        }
      }
      for (let a = 0; a < nts; a++) {
        const t = ts[a] as number;
        if ((hi[a] as number) < 1) for (let m = 0; m < M; m++) U[t * M + m] = pts[a * M + m] as number;
        dist[t] = vectorNorm(U, t * M, M, norm);
      }
      return true;
    };
    let ok = na > 0 ? await boundary(active, na) : true;

    // ---- 3. HopSkipJump iterations
    const stepDir = new Float64Array(nt * M);
    const xi = new Float64Array(nt);
    const pending = new Int32Array(nt);
    const pendingPos = new Int32Array(nt);
    const landed = new Uint8Array(nt);
    const landedAt = new Float64Array(nt * M);
    const stepPts = new Float64Array(nt * M);
    const moved = new Int32Array(nt);
    // running sum of each task's unit normal estimates: the ray from the original row along it (L2) or its sign (L∞)
    // is searched for a closer boundary point after every iteration (exact in one step on a linear boundary)
    const acc = new Float64Array(nt * M);
    const rayDir = new Float64Array(nt * M);
    const rayPts = new Float64Array(nt * M);
    const rayBest = new Float64Array(nt * M);
    const rayTasks = new Int32Array(nt);
    const rayOpen = new Int32Array(nt);
    const rayOpenTasks = new Int32Array(nt);
    const rayLo = new Float64Array(nt);
    const rayHi = new Float64Array(nt);
    const raySearch = async (ts: Int32Array, nts: number): Promise<boolean> => {
      let nr = 0;
      for (let a = 0; a < nts; a++) {
        const t = ts[a] as number;
        const off = (t - t0) * M;
        const l2 = vectorNorm(acc, off, M, 'l2');
        if (!(l2 > 0) || !((dist[t] as number) > 0)) continue;
        for (let m = 0; m < M; m++) {
          const v = acc[off + m] as number;
          rayDir[nr * M + m] = norm === 'linf' ? Math.sign(v) : v / l2;
        }
        rayTasks[nr] = t;
        rayLo[nr] = 0;
        rayHi[nr] = dist[t] as number;
        nr++;
      }
      if (nr === 0) return true;
      // the ray's point at the current distance: flipped -> bisect towards the row
      for (let q = 0; q < nr; q++) {
        for (let m = 0; m < M; m++) rayPts[q * M + m] = (rayHi[q] as number) * (rayDir[q * M + m] as number);
        clampToFeasible(space, taskOrigin[rayTasks[q] as number] as number, rayPts, q * M);
      }
      const first = await evaluate(rayTasks, nr, rayPts, 1);
      if (!first) return false;
      let no = 0;
      for (let q = 0; q < nr; q++) {
        if (!first[q]) continue;
        rayTasks[no] = rayTasks[q] as number;
        rayLo[no] = 0;
        rayHi[no] = rayHi[q] as number;
        for (let m = 0; m < M; m++) {
          rayDir[no * M + m] = rayDir[q * M + m] as number;
          rayBest[no * M + m] = rayPts[q * M + m] as number;
        }
        no++;
      }
      for (;;) {
        let nopen = 0;
        for (let q = 0; q < no; q++) {
          if ((rayHi[q] as number) - (rayLo[q] as number) <= opts.tolerance * (rayHi[q] as number)) continue;
          rayOpen[nopen] = q;
          rayOpenTasks[nopen] = rayTasks[q] as number;
          const lam = ((rayLo[q] as number) + (rayHi[q] as number)) / 2;
          for (let m = 0; m < M; m++) rayPts[nopen * M + m] = lam * (rayDir[q * M + m] as number);
          clampToFeasible(space, taskOrigin[rayTasks[q] as number] as number, rayPts, nopen * M);
          nopen++;
        }
        if (nopen === 0) break;
        const res = await evaluate(rayOpenTasks, nopen, rayPts, 1);
        if (!res) return false;
        for (let p = 0; p < nopen; p++) {
          const q = rayOpen[p] as number;
          const lam = ((rayLo[q] as number) + (rayHi[q] as number)) / 2;
          if (res[p]) {
            rayHi[q] = lam;
            for (let m = 0; m < M; m++) rayBest[q * M + m] = rayPts[p * M + m] as number;
          } else rayLo[q] = lam;
        }
      }
      for (let q = 0; q < no; q++) {
        const t = rayTasks[q] as number;
        const d = vectorNorm(rayBest, q * M, M, norm);
        if (d < (dist[t] as number)) {
          for (let m = 0; m < M; m++) U[t * M + m] = rayBest[q * M + m] as number;
          dist[t] = d;
        }
      }
      return true;
    };
    for (let it = 1; ok && it <= opts.iterations && na > 0; it++) {
      let kept = 0;
      for (let a = 0; a < na; a++) if ((dist[active[a] as number] as number) > 0) active[kept++] = active[a] as number;
      na = kept;
      if (na === 0) break;
      const B = Math.min(opts.maxGradientSamples, Math.round(opts.gradientSamples * Math.sqrt(it)));
      if (probes.length < na * B * M) {
        probes = new Float64Array(na * B * M);
        dirs = new Float64Array(na * B * M);
      }
      // probe b of task a at ((b·na + a)·M); drawn task by task (the draw order does not depend on the layout)
      writeProbes(space, norm, rng, active, na, B, U, dist, taskOrigin, probes, dirs);
      const res = await evaluate(active, na, probes, B);
      if (!res) break;
      // step directions (tasks with a zero estimate stay where they are this iteration)
      let np = stepDirections(norm, M, it, t0, active, na, B, res, dirs, dist, dir, acc, stepDir, xi, landed, pending, pendingPos);
      // geometric step-size search: halve ξ until the step flips the decision
      for (let h = 0; h <= MAX_STEP_HALVINGS && np > 0; h++) {
        for (let q = 0; q < np; q++) {
          const a = pendingPos[q] as number;
          const t = pending[q] as number;
          for (let m = 0; m < M; m++) stepPts[q * M + m] = (U[t * M + m] as number) + (xi[a] as number) * (stepDir[a * M + m] as number);
          clampToFeasible(space, taskOrigin[t] as number, stepPts, q * M);
        }
        const r2 = await evaluate(pending, np, stepPts, 1);
        if (!r2) {
          ok = false;
          break;
        }
        let next = 0;
        for (let q = 0; q < np; q++) {
          const a = pendingPos[q] as number;
          if (r2[q]) {
            landed[a] = 1;
            for (let m = 0; m < M; m++) landedAt[a * M + m] = stepPts[q * M + m] as number;
          } else {
            xi[a] = (xi[a] as number) / 2;
            pendingPos[next] = a;
            pending[next++] = pending[q] as number;
          }
        }
        np = next;
      }
      if (!ok) break;
      let nm = 0;
      for (let a = 0; a < na; a++) {
        if (!landed[a]) continue;
        const t = active[a] as number;
        for (let m = 0; m < M; m++) U[t * M + m] = landedAt[a * M + m] as number;
        moved[nm++] = t;
      }
      ok = await boundary(moved, nm);
      if (ok) ok = await raySearch(active, na);
    }
    // L∞: the sign vector of the ray decides the distance; per round, every sign is tried flipped at a point just
    // inside the current distance (λ = dist·(1 − η)), signs whose flip crosses the boundary are flipped, and the ray
    // is searched again (decisions only; on a linear boundary each round corrects every sign that costs more than η/2)
    if (norm === 'linf' && ok) {
      const tasksWithPoint: number[] = [];
      for (let a = 0; a < nt; a++) if (Number.isFinite(dist[t0 + a] as number) && (dist[t0 + a] as number) > 0) tasksWithPoint.push(t0 + a);
      // groups of tasks bound the memory of the M candidates per task
      const group = Math.max(1, Math.floor(SIGN_POINTS / (M * M)));
      const flipPts = new Float64Array(M <= SIGN_MAX_FEATURES ? Math.min(group, tasksWithPoint.length) * M * M : 0);
      for (let g0 = 0; ok && g0 < tasksWithPoint.length && M <= SIGN_MAX_FEATURES; g0 += group) {
        const all = Int32Array.from(tasksWithPoint.slice(g0, g0 + group));
        const nall = all.length;
        for (const eta of SIGN_ROUNDS) {
          if (!ok || nall === 0 || !oracle.canAfford(nall * M)) break;
          for (let a = 0; a < nall; a++) {
            const t = all[a] as number;
            const off = (t - t0) * M;
            const lam = (dist[t] as number) * (1 - eta);
            for (let p = 0; p < M; p++) {
              const at = (p * nall + a) * M;
              for (let m = 0; m < M; m++) {
                const sg = (acc[off + m] as number) >= 0 ? 1 : -1;
                flipPts[at + m] = lam * (m === p ? -sg : sg);
              }
              clampToFeasible(space, taskOrigin[t] as number, flipPts, at);
            }
          }
          const res = await evaluate(all, nall, flipPts, M);
          if (!res) {
            ok = false;
            break;
          }
          for (let a = 0; a < nall; a++) {
            const off = ((all[a] as number) - t0) * M;
            for (let p = 0; p < M; p++) {
              if (!res[p * nall + a]) continue;
              const v = acc[off + p] as number;
              acc[off + p] = v >= 0 ? -Math.max(Math.abs(v), 1e-12) : Math.max(Math.abs(v), 1e-12);
            }
          }
          ok = await raySearch(all, nall);
        }
      }
    }
  };
  const chunk = Math.max(1, Math.floor((opts.maxStepRows ?? MAX_STEP_ROWS) / Math.max(per0, opts.maxGradientSamples)));
  for (let from = 0; from < T && oracle.stopped() === null; from += chunk) {
    await attackChunk(from, Math.min(T, from + chunk));
  }
  if (noStart > 0) {
    out.notes.push(
      `${noStart} of ${T} rows: no starting point found (nearest rows with the other decision, noise up to 32 std, each feature at its bounds, corners of the feasible box): not flipped, and not shown to be robust either (per-row status no_start)`,
    );
  }

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

/**
 * The loops of the attack live in plain functions like this one, optimized as a whole (inside the long async attack
 * function they ran slower and boxed their numbers). Starting points of tasks [t0, t0 + nt): point p of the a-th task
 * at init[(p·nt + a)·M]: the K nearest opposite-decision rows, R Gaussian points (antithetic pairs at growing
 * scales), and each feature alone at its bounds (when there are few features).
 */
function writeStartingPoints(
  space: AttackSpace,
  inst: AttackInstances,
  norm: AttackNorm,
  rng: Rng,
  taskInst: Int32Array,
  taskOrigin: Uint32Array,
  t0: number,
  nt: number,
  pools: number[][],
  donorValues: Float64Array[],
  K: number,
  R: number,
  per0: number,
  invScale: Float64Array,
  init: Float64Array,
  bestR: Int32Array,
  bestD: Float64Array,
  origValues: Float64Array,
): void {
  const nn = space.numeric.length;
  const mut = space.mutableNumeric;
  const M = mut.length;
  const at = (a: number, p: number): number => (p * nt + a) * M;
  for (let a = 0; a < nt; a++) {
    const t = t0 + a;
    const o = taskOrigin[t] as number;
    const side = inst.d0[taskInst[t] as number] === 1 ? 0 : 1;
    const donors = pools[side] as number[];
    const dv = donorValues[side] as Float64Array;
    // K nearest opposite-decision rows in the mutable features (units), kept sorted by (distance, row)
    bestR.fill(-1);
    bestD.fill(Infinity);
    for (let m = 0; m < M; m++) origValues[m] = space.x0[o * nn + (mut[m] as number)] as number;
    nearestDonors(M, K, norm === 'linf', origValues, donors, dv, invScale, bestD, bestR);
    for (let p = 0; p < per0; p++) {
      const off = at(a, p);
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
      const prev = p > 0 ? at(a, p - 1) : 0;
      for (let m = 0; m < M; m++) {
        const j = mut[m] as number;
        const f = space.numeric[j]!;
        const a0 = space.x0[o * nn + j] as number;
        if (r >= 0) {
          const v = space.x0[r * nn + j] as number;
          init[off + m] = a0 !== a0 || v !== v ? 0 : (v - a0) / f.scale;
        } else if (mirror) init[off + m] = -(init[prev + m] as number);
        else if (p >= K) init[off + m] = (scale * rng.normal() * (f.std > 0 ? f.std : f.scale)) / f.scale;
      }
    }
  }
}

/** Probe b of task active[a] at ((b·na + a)·M) (radius δ = dist·min(0.1, 1/M)); dirs gets the directions probed. */
function writeProbes(
  space: AttackSpace,
  norm: AttackNorm,
  rng: Rng,
  active: Int32Array,
  na: number,
  B: number,
  U: Float64Array,
  dist: Float64Array,
  taskOrigin: Uint32Array,
  probes: Float64Array,
  dirs: Float64Array,
): void {
  const M = space.mutableNumeric.length;
  for (let a = 0; a < na; a++) {
    const t = active[a] as number;
    const delta = (dist[t] as number) * Math.min(0.1, 1 / M);
    for (let b = 0; b < B; b++) {
      const off = (b * na + a) * M;
      let s = 0;
      if (M >= RADEMACHER_FROM) {
        rademacher(rng, dirs, off, M);
        s = Math.sqrt(M);
      } else {
        if (norm === 'l2') fillNormal(rng, dirs, off, M);
        else for (let m = 0; m < M; m++) dirs[off + m] = 2 * rng.next() - 1;
        for (let m = 0; m < M; m++) s += (dirs[off + m] as number) * (dirs[off + m] as number);
        s = Math.sqrt(s) || 1;
      }
      for (let m = 0; m < M; m++) probes[off + m] = (U[t * M + m] as number) + (delta * (dirs[off + m] as number)) / s;
      clampToFeasible(space, taskOrigin[t] as number, probes, off);
      // the direction actually probed (after the feasible clamp)
      for (let m = 0; m < M; m++) dirs[off + m] = ((probes[off + m] as number) - (U[t * M + m] as number)) / delta;
    }
  }
}

/**
 * Per task active[a]: the baseline-corrected Monte Carlo estimate of the boundary normal from its B probes' decisions,
 * added (unit length) to acc; the step direction (L2: the unit vector; L∞: its sign) and size ξ = dist/√it. Returns the
 * number of tasks that step (pending / pendingPos); landed[a] is reset.
 */
function stepDirections(
  norm: AttackNorm,
  M: number,
  it: number,
  t0: number,
  active: Int32Array,
  na: number,
  B: number,
  res: Uint8Array,
  dirs: Float64Array,
  dist: Float64Array,
  dir: Float64Array,
  acc: Float64Array,
  stepDir: Float64Array,
  xi: Float64Array,
  landed: Uint8Array,
  pending: Int32Array,
  pendingPos: Int32Array,
): number {
  let np = 0;
  for (let a = 0; a < na; a++) {
    const t = active[a] as number;
    let mean = 0;
    for (let b = 0; b < B; b++) mean += res[b * na + a] ? 1 : -1;
    mean /= B;
    dir.fill(0);
    const baseline = Math.abs(mean) === 1 ? 0 : mean;
    for (let b = 0; b < B; b++) {
      const phi = (res[b * na + a] ? 1 : -1) - baseline;
      const off = (b * na + a) * M;
      for (let m = 0; m < M; m++) dir[m] = (dir[m] as number) + phi * (dirs[off + m] as number);
    }
    const l2 = vectorNorm(dir, 0, M, 'l2');
    landed[a] = 0;
    if (!(l2 > 0)) continue;
    for (let m = 0, off = (t - t0) * M; m < M; m++) acc[off + m] = (acc[off + m] as number) + (dir[m] as number) / l2;
    for (let m = 0; m < M; m++) stepDir[a * M + m] = norm === 'l2' ? (dir[m] as number) / l2 : Math.sign(dir[m] as number);
    xi[a] = (dist[t] as number) / Math.sqrt(it);
    pendingPos[np] = a;
    pending[np++] = t;
  }
  return np;
}

/** Decisions of candidates p·nt + a (point p of task tasks[a]) into flips; each flip is offered as its row's example. */
function recordFlips(
  space: AttackSpace,
  inst: AttackInstances,
  out: AttackOutcome,
  taskInst: Int32Array,
  tasks: Int32Array,
  nt: number,
  per: number,
  cands: Candidates,
  scores: Float32Array,
  threshold: number,
  norm: AttackNorm,
  flips: Uint8Array,
): void {
  for (let p = 0; p < per; p++) {
    for (let a = 0; a < nt; a++) {
      const k = p * nt + a;
      const i = taskInst[tasks[a] as number] as number;
      const sc = scores[k] as number;
      if (decide(sc, threshold) === inst.d0[i]) {
        flips[k] = 0;
        continue;
      }
      flips[k] = 1;
      const size = perturbationNorm(space, cands, k, norm);
      const cur = out.minPerturbation[i] as number;
      if (!(cur === cur && cur <= size)) offerExample(space, out, i, cands, k, size, sc);
    }
  }
}

/** The K nearest donors (distance over the mutable features in units), sorted by (distance, row), into bestD / bestR. */
function nearestDonors(
  M: number,
  K: number,
  linf: boolean,
  origValues: Float64Array,
  donors: number[],
  dv: Float64Array,
  invScale: Float64Array,
  bestD: Float64Array,
  bestR: Int32Array,
): void {
  for (let q = 0; q < donors.length; q++) {
    const r = donors[q] as number;
    let d = 0;
    for (let m = 0, qm = q * M; m < M; m++) {
      const a0 = origValues[m] as number;
      const v = dv[qm + m] as number;
      if (a0 !== a0 || v !== v) continue;
      const diff = Math.abs((v - a0) * (invScale[m] as number));
      if (!linf) d += diff * diff;
      else if (diff > d) d = diff;
    }
    if (d === 0 || d > (bestD[K - 1] as number) || (d === bestD[K - 1] && r > (bestR[K - 1] as number))) continue;
    let k = K - 1;
    while (k > 0 && ((bestD[k - 1] as number) > d || (bestD[k - 1] === d && (bestR[k - 1] as number) > r))) {
      bestD[k] = bestD[k - 1] as number;
      bestR[k] = bestR[k - 1] as number;
      k--;
    }
    bestD[k] = d;
    bestR[k] = r;
  }
}
