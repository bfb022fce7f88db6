/**
 * Score-based attack: projected gradient descent on the log-odds margin, with gradients estimated from scores only.
 *
 * For every correctly classified row and every budget ε of the norm (all rows and budgets advance together; each
 * step scores every candidate of every active (row, ε) task in ONE model call):
 *   u ← Π_ε( u − α·ε·dir(ĝ) ),  dir = sign (L∞) or ĝ/‖ĝ‖₂ (L2),  Π_ε = clip to the ε-ball, then to the feasible box;
 * ĝ is the gradient of m(u) = signed log-odds distance to the threshold, estimated by
 *   - central finite differences along each mutable feature (probe h = smoothing·ε, at least one step of an integer
 *     feature), 2·d queries per step; or
 *   - SPSA (antithetic Rademacher ±1 probes of radius σ = smoothing·ε) or NES (the same with Gaussian probes),
 *     2·samples queries per step ('auto': finite differences when d <= samples, else SPSA).
 * The candidate actually scored is the projected one (integers, bounds, float32 towards the original), so every
 * success is a valid example inside the ball. Probes that flip the decision inside the ball count as successes too.
 * A success at ε is a success at every larger ε. Each row's smallest example is then shrunk towards the original row
 * by bisection on the segment between them (`refine_steps` batched steps).
 */
import type { Rng } from '../../../util/rng.js';
import { BALL_SLACK, fillNormal, MAX_STEP_ROWS, rademacher } from './common.js';
import { emptyOutcome, offerExample, type AttackInstances, type AttackOutcome } from '../outcome.js';
import { decide, margin, type Oracle } from '../oracle.js';
import { clipToBall, perturbationNorm, placeCandidate, vectorNorm } from '../norms.js';
import { allocCandidates, CandidatePool, clampToFeasible, projectValue, type Candidates } from '../project.js';
import type { AttackSpace } from '../space.js';
import type { AttackNorm } from '../types.js';

export interface ScoreAttackOptions {
  norm: AttackNorm;
  epsilons: number[];
  steps: number;
  gradient: 'auto' | 'finite_differences' | 'nes' | 'spsa';
  samples: number;
  smoothing: number;
  /** Step size as a fraction of ε (default 2.5 / steps). */
  stepSize?: number;
  refineSteps: number;
  /** Most candidates per model call (default MAX_STEP_ROWS). */
  maxStepRows?: number;
}

const NORM_TITLE: Record<AttackNorm, string> = { linf: 'L∞', l2: 'L2' };
const ESTIMATOR_TITLE = { finite_differences: 'finite-difference', nes: 'NES', spsa: 'SPSA' } as const;

export async function scoreAttack(space: AttackSpace, oracle: Oracle, inst: AttackInstances, opts: ScoreAttackOptions, rng: Rng): Promise<AttackOutcome> {
  const M = space.mutableNumeric.length;
  const estimator = opts.gradient === 'auto' ? (M <= opts.samples ? 'finite_differences' : 'spsa') : opts.gradient;
  const random = estimator !== 'finite_differences';
  // 'auto' with many features: one finite-difference gradient at the original row (shared by every budget of the row)
  // starts each task at the full-ε step along it, and stays as a prior blended into every SPSA estimate
  const warm = opts.gradient === 'auto' && random;
  const out = emptyOutcome(
    space,
    {
      key: `score_attack/${opts.norm}`,
      kind: 'score_attack',
      title: `Score-based attack (${NORM_TITLE[opts.norm]}, ${warm ? 'finite-difference start, ' : ''}${ESTIMATOR_TITLE[estimator]} gradient)`,
      measure: opts.norm,
      units: space.units,
    },
    inst,
    opts.epsilons,
  );
  const alpha = opts.stepSize ?? 2.5 / opts.steps;
  out.parameters = { steps: opts.steps, gradient: estimator, samples: random ? opts.samples : M, smoothing: opts.smoothing, step_size: alpha, refine_steps: opts.refineSteps };
  if (warm) out.parameters.warm_start = 'finite_differences';
  const startQueries = oracle.queries;
  const startCalls = oracle.calls;
  const n = inst.rows.length;
  const nb = opts.epsilons.length;
  if (M === 0) {
    out.notes.push('no mutable numeric feature: nothing for a score-based attack to change');
    return out;
  }

  // tasks: (correct instance, budget)
  let T = 0;
  for (let i = 0; i < n; i++) if (inst.correct[i]) T += nb;
  const taskInst = new Int32Array(T);
  const taskBudget = new Int32Array(T);
  for (let i = 0, t = 0; i < n; i++) {
    if (!inst.correct[i]) continue;
    for (let b = 0; b < nb; b++, t++) {
      taskInst[t] = i;
      taskBudget[t] = b;
    }
  }
  const taskOf = new Int32Array(n * nb).fill(-1);
  for (let t = 0; t < T; t++) taskOf[(taskBudget[t] as number) * n + (taskInst[t] as number)] = t;
  const z = new Float64Array(T * M);
  const done = new Uint8Array(T);
  const success = new Uint8Array(T);
  const taskScore = new Float32Array(T);
  const bestMargin = new Float64Array(T).fill(Infinity);
  for (let t = 0; t < T; t++) taskScore[t] = inst.s0[taskInst[t] as number] as number;

  const probes = random ? 2 * opts.samples : 2 * M;
  // written only by placeCandidate / writeFiniteDifferenceProbes: immutable values and levels always the original ones
  const pool = new CandidatePool(space);
  const per = 1 + probes;
  const dir = new Float64Array(M);
  const g = new Float64Array(M);

  /**
   * Task t's candidate k flipped the decision: record it for the smallest budget (from task t's on) that holds its
   * size (a relation may have moved it) and for every larger budget of the same row.
   */
  const prior = warm ? new Float64Array(n * M) : new Float64Array(0);
  const st: ScoreState = { space, inst, out, opts, estimator, warm, alpha, n, nb, M, probes, per, taskInst, taskBudget, taskOf, z, done, success, taskScore, bestMargin, prior, g };
  const succeed = (t: number, cands: Candidates, k: number, size: number, score: number): void => succeedTask(st, t, cands, k, size, score);
  const perFd = 1 + 2 * M;
  /**
   * Warm start of the tasks [from, to): a finite-difference gradient at each row's original values (one candidate set
   * per row, probe radius from its smallest budget), then every task of the row starts at −ε·dir(gradient), clipped to
   * the ball and the feasible box. False when the budget or the time is spent.
   */
  const warmStart = async (from: number, to: number): Promise<boolean> => {
    const first: number[] = [];
    for (let t = from; t < to; t++) if (t === from || taskInst[t] !== taskInst[t - 1]) first.push(t);
    const slots = Int32Array.from(first);
    const nr = slots.length;
    if (nr === 0) return true;
    if (!oracle.canAfford(nr * perFd)) return false;
    const cands = pool.take(nr * perFd);
    writeFiniteDifferenceProbes(space, cands, slots, nr, taskInst, taskBudget, inst.rows, z, opts.epsilons, opts.smoothing);
    const scores = await oracle.score(cands);
    const threshold = oracle.threshold;
    const nn = space.numeric.length;
    const cx = cands.x;
    const scale = space.limits.scale;
    const mut = space.mutableNumeric;
    for (let a = 0; a < nr; a++) {
      const t = slots[a] as number;
      const i = taskInst[t] as number;
      const d0 = inst.d0[i] as number;
      const base = a * perFd;
      let bestProbe = -1;
      let bestSize = Infinity;
      for (let p = 1; p < perFd; p++) {
        if (decide(scores[base + p] as number, threshold) === d0) continue;
        const size = perturbationNorm(space, cands, base + p, opts.norm);
        if (size < bestSize) {
          bestSize = size;
          bestProbe = base + p;
        }
      }
      if (bestProbe >= 0) succeed(t, cands, bestProbe, bestSize, scores[bestProbe] as number);
      const pr = i * M;
      for (let m = 0; m < M; m++) {
        const j = mut[m] as number;
        const kp = base + 1 + 2 * m;
        const dx = ((cx[kp * nn + j] as number) - (cx[(kp + 1) * nn + j] as number)) / (scale[j] as number);
        prior[pr + m] = dx === 0 ? 0 : (margin(scores[kp] as number, threshold, d0) - margin(scores[kp + 1] as number, threshold, d0)) / dx;
      }
      const l2 = vectorNorm(prior, pr, M, 'l2');
      if (!(l2 > 0)) continue;
      for (let m = 0; m < M; m++) prior[pr + m] = (prior[pr + m] as number) / l2;
      const gn = vectorNorm(prior, pr, M, opts.norm === 'linf' ? 'linf' : 'l2');
      for (let b = 0; b < nb; b++) {
        const u = taskOf[b * n + i] as number;
        if (u < 0 || done[u]) continue;
        const eps = opts.epsilons[b] as number;
        for (let m = 0; m < M; m++) {
          const gm = prior[pr + m] as number;
          z[u * M + m] = -eps * (opts.norm === 'linf' ? Math.sign(gm) : gm / gn);
        }
        clipToBall(z, u * M, M, opts.norm, eps);
        clampToFeasible(space, inst.rows[i] as number, z, u * M);
      }
    }
    return true;
  };

  // tasks advance in lockstep, in chunks that bound the rows of one step (all budgets of a row in the same chunk)
  const maxRows = opts.maxStepRows ?? MAX_STEP_ROWS;
  const chunk = Math.max(nb, Math.floor(maxRows / (warm ? Math.max(per * nb, perFd) : per * nb)) * nb);
  for (let from = 0; from < T && oracle.stopped() === null; from += chunk) {
    const to = Math.min(T, from + chunk);
    // active tasks keep their slot from one step to the next (a finished task's slot goes to the last active task),
    // so the model input rows of most candidates are only patched, not rebuilt (see MatrixEncoder)
    const slots = new Int32Array(to - from);
    for (let t = from; t < to; t++) slots[t - from] = t;
    let na = to - from;
    const noise = random ? new Float64Array((to - from) * opts.samples * M) : new Float64Array(0);
    if (warm && !(await warmStart(from, to))) break;
    for (let step = 0; step <= opts.steps; step++) {
      for (let a = 0; a < na; ) {
        if (done[slots[a] as number]) slots[a] = slots[--na] as number;
        else a++;
      }
      if (na === 0) break;
      const last = step === opts.steps; // the final iterate is only scored
      const count = na * (last ? 1 : per);
      if (!oracle.canAfford(count)) break;
      const cands = pool.take(count);
      if (random && !last) {
        // probe directions, drawn in task order (the same draws whatever the slots)
        const sm = opts.samples * M;
        for (let t = from; t < to; t++) {
          if (done[t]) continue;
          const nz = (t - from) * sm;
          if (estimator === 'nes') fillNormal(rng, noise, nz, sm);
          else rademacher(rng, noise, nz, sm);
        }
      }
      if (last) {
        for (let a = 0; a < na; a++) {
          const t = slots[a] as number;
          placeCandidate(space, cands, a, inst.rows[taskInst[t] as number] as number, z, t * M, 'toward', true);
        }
      } else if (estimator === 'finite_differences') writeFiniteDifferenceProbes(space, cands, slots, na, taskInst, taskBudget, inst.rows, z, opts.epsilons, opts.smoothing);
      else {
        for (let a = 0; a < na; a++) {
          const t = slots[a] as number;
          const o = inst.rows[taskInst[t] as number] as number;
          const h = opts.smoothing * (opts.epsilons[taskBudget[t] as number] as number);
          let k = a * per;
          placeCandidate(space, cands, k++, o, z, t * M, 'toward', true);
          const nz = (t - from) * opts.samples * M;
          for (let s = 0; s < opts.samples; s++) {
            for (let side = 0; side < 2; side++) {
              const sgn = side === 0 ? 1 : -1;
              for (let m = 0; m < M; m++) dir[m] = (z[t * M + m] as number) + sgn * h * (noise[nz + s * M + m] as number);
              placeCandidate(space, cands, k++, o, dir, 0, 'toward', true);
            }
          }
        }
      }
      const scores = await oracle.score(cands);

      stepResults(st, slots, na, last, from, cands, scores, oracle.threshold, noise);
    }
  }

  // shrink each example towards its original row
  await refineExamples(space, oracle, inst, out, opts.norm, opts.refineSteps);

  // per budget
  for (let b = 0; b < nb; b++) {
    const eps = opts.epsilons[b] as number;
    for (let i = 0; i < n; i++) {
      const t = taskOf[b * n + i] as number;
      if (t < 0) continue;
      const mp = out.minPerturbation[i] as number;
      if (success[t]) {
        out.flipped[b * n + i] = 1;
        out.attackedScore[b * n + i] = taskScore[t] as number;
      } else if (mp === mp && mp <= eps * (1 + BALL_SLACK)) {
        out.flipped[b * n + i] = 1;
        out.attackedScore[b * n + i] = out.exampleScore[i] as number;
      } else out.attackedScore[b * n + i] = taskScore[t] as number;
    }
  }
  out.queries = oracle.queries - startQueries;
  out.calls = oracle.calls - startCalls;
  out.stopped = oracle.stopped();
  return out;
}

/** What the steps of the score attack share (the loops below are plain functions: optimized as a whole). */
interface ScoreState {
  space: AttackSpace;
  inst: AttackInstances;
  out: AttackOutcome;
  opts: ScoreAttackOptions;
  estimator: 'finite_differences' | 'nes' | 'spsa';
  warm: boolean;
  alpha: number;
  n: number;
  nb: number;
  M: number;
  probes: number;
  per: number;
  taskInst: Int32Array;
  taskBudget: Int32Array;
  taskOf: Int32Array;
  z: Float64Array;
  done: Uint8Array;
  success: Uint8Array;
  taskScore: Float32Array;
  bestMargin: Float64Array;
  prior: Float64Array;
  g: Float64Array;
}

/**
 * Task t's candidate k flipped the decision: record it for the smallest budget (from task t's on) that holds its
 * size (a relation may have moved it) and for every larger budget of the same row.
 */
function succeedTask(st: ScoreState, t: number, cands: Candidates, k: number, size: number, score: number): void {
  const { space, out, opts, nb, n, taskInst, taskBudget, taskOf, success, done, taskScore } = st;
  const i = taskInst[t] as number;
  offerExample(space, out, i, cands, k, size, score);
  let first = taskBudget[t] as number;
  while (first < nb && size > (opts.epsilons[first] as number) * (1 + BALL_SLACK)) first++;
  for (let b = first; b < nb; b++) {
    const u = taskOf[b * n + i] as number;
    if (u < 0 || success[u]) continue;
    success[u] = 1;
    done[u] = 1;
    taskScore[u] = score;
  }
}

/**
 * One step's scores of the tasks in slots [0, na): the best margin and score so far, successes (the center, or the
 * smallest flipping probe inside the ball), else the gradient estimate and the projected step.
 */
function stepResults(
  st: ScoreState,
  slots: Int32Array,
  na: number,
  last: boolean,
  from: number,
  cands: Candidates,
  scores: Float32Array,
  threshold: number,
  noise: Float64Array,
): void {
  const { space, inst, opts, estimator, warm, alpha, M, probes, per, taskInst, taskBudget, z, bestMargin, taskScore, prior, g } = st;
  const succeed = (t: number, c: Candidates, k: number, size: number, score: number): void => succeedTask(st, t, c, k, size, score);
  for (let a = 0; a < na; a++) {
    const t = slots[a] as number;
    const i = taskInst[t] as number;
    const d0 = inst.d0[i] as number;
    const eps = opts.epsilons[taskBudget[t] as number] as number;
    const base = last ? a : a * per;
    const sc = scores[base] as number;
    const mc = margin(sc, threshold, d0);
    if (mc < (bestMargin[t] as number)) {
      bestMargin[t] = mc;
      taskScore[t] = sc;
    }
    if (decide(sc, threshold) !== d0) {
      succeed(t, cands, base, perturbationNorm(space, cands, base, opts.norm), sc);
      continue;
    }
    if (last) continue;
    // a probe that flips inside the ball is a success too (the smallest one)
    let bestProbe = -1;
    let bestSize = Infinity;
    for (let p = 1; p <= probes; p++) {
      const s = scores[base + p] as number;
      if (decide(s, threshold) === d0) continue;
      const size = perturbationNorm(space, cands, base + p, opts.norm);
      if (size <= eps * (1 + BALL_SLACK) && size < bestSize) {
        bestSize = size;
        bestProbe = base + p;
      }
    }
    if (bestProbe >= 0) {
      succeed(t, cands, bestProbe, bestSize, scores[bestProbe] as number);
      continue;
    }
    // gradient estimate
    g.fill(0);
    if (estimator === 'finite_differences') {
      const nn = space.numeric.length;
      const cx = cands.x;
      const scale = space.limits.scale;
      const mut = space.mutableNumeric;
      for (let m = 0; m < M; m++) {
        const j = mut[m] as number;
        const kp = base + 1 + 2 * m;
        const dx = ((cx[kp * nn + j] as number) - (cx[(kp + 1) * nn + j] as number)) / (scale[j] as number);
        if (dx === 0) continue;
        g[m] = (margin(scores[kp] as number, threshold, d0) - margin(scores[kp + 1] as number, threshold, d0)) / dx;
      }
    } else {
      const nz = (t - from) * opts.samples * M;
      const h = opts.smoothing * eps;
      for (let s = 0; s < opts.samples; s++) {
        const kp = base + 1 + 2 * s;
        const diff = margin(scores[kp] as number, threshold, d0) - margin(scores[kp + 1] as number, threshold, d0);
        if (diff === 0 || !Number.isFinite(diff)) continue;
        for (let m = 0; m < M; m++) g[m] = (g[m] as number) + (diff * (noise[nz + s * M + m] as number)) / (2 * h * opts.samples);
      }
    }
    if (warm) {
      // blend the SPSA estimate with the row's finite-difference gradient (both unit length)
      const gs = vectorNorm(g, 0, M, 'l2');
      const pr = i * M;
      for (let m = 0; m < M; m++) g[m] = (gs > 0 ? (g[m] as number) / gs : 0) + (prior[pr + m] as number);
    }
    const gn = vectorNorm(g, 0, M, opts.norm === 'linf' ? 'linf' : 'l2');
    if (!(gn > 0)) continue; // flat here: stay (NES draws new probes next step)
    const o = inst.rows[i] as number;
    for (let m = 0; m < M; m++) {
      const gm = g[m] as number;
      const d = opts.norm === 'linf' ? Math.sign(gm) : gm / gn;
      z[t * M + m] = (z[t * M + m] as number) - alpha * eps * d;
    }
    clipToBall(z, t * M, M, opts.norm, eps);
    clampToFeasible(space, o, z, t * M);
  }
}

/**
 * Finite-difference candidates of the tasks in slots [0, na): per task, its center (the projected iterate) then, per
 * mutable feature, the center with that feature moved by +h and −h (h = smoothing·ε in units, at least one step of an
 * integer feature), only that feature re-projected. Slot a's candidates start at a·(1 + 2·M).
 */
function writeFiniteDifferenceProbes(
  space: AttackSpace,
  cands: Candidates,
  slots: Int32Array,
  na: number,
  taskInst: Int32Array,
  taskBudget: Int32Array,
  rows: Uint32Array,
  z: Float64Array,
  epsilons: number[],
  smoothing: number,
): void {
  const nn = space.numeric.length;
  const nc = space.categorical.length;
  const mut = space.mutableNumeric;
  const M = mut.length;
  const per = 1 + 2 * M;
  const { scale, integer } = space.limits;
  const x0 = space.x0;
  const { origin, x, c } = cands;
  for (let a = 0; a < na; a++) {
    const t = slots[a] as number;
    const o = rows[taskInst[t] as number] as number;
    const h = smoothing * (epsilons[taskBudget[t] as number] as number);
    const center = a * per;
    placeCandidate(space, cands, center, o, z, t * M, 'toward', true);
    const cx = center * nn;
    const ccat = center * nc;
    let k = center + 1;
    for (let m = 0; m < M; m++) {
      const j = mut[m] as number;
      const sj = scale[j] as number;
      const hm = integer[j] === 1 ? Math.max(h, 1 / sj) : h;
      const xa = x0[o * nn + j] as number;
      const zm = z[t * M + m] as number;
      for (let side = 0; side < 2; side++, k++) {
        // the center with feature j moved: copy the center (only its mutable features when the slot already holds a
        // candidate of row o: the pool only holds original immutable values and levels), re-project feature j only
        const kx = k * nn;
        if (origin[k] === o) for (let q = 0; q < M; q++) x[kx + (mut[q] as number)] = x[cx + (mut[q] as number)] as number;
        else {
          origin[k] = o;
          if (nn > 32) x.copyWithin(kx, cx, cx + nn);
          else for (let q = 0; q < nn; q++) x[kx + q] = x[cx + q] as number;
          const kc = k * nc;
          for (let q = 0; q < nc; q++) c[kc + q] = c[ccat + q] as number;
        }
        x[kx + j] = projectValue(space, j, xa + (zm + (side === 0 ? hm : -hm)) * sj, xa, 'toward');
      }
    }
  }
}

/**
 * Bisection on the segment between each instance's original row and its example: the point λ of the way along it
 * (projected) replaces the example whenever it still flips the decision. One model call per bisection step.
 */
export async function refineExamples(space: AttackSpace, oracle: Oracle, inst: AttackInstances, out: AttackOutcome, norm: AttackNorm, steps: number): Promise<void> {
  const n = inst.rows.length;
  const targets: number[] = [];
  for (let i = 0; i < n; i++) if (out.minPerturbation[i] === out.minPerturbation[i]) targets.push(i);
  if (targets.length === 0 || steps === 0) return;
  const nn = space.numeric.length;
  const lo = new Float64Array(targets.length);
  const hi = new Float64Array(targets.length).fill(1);
  // the segment's far end stays the example found by the attack
  const ends = allocCandidates(space, targets.length);
  targets.forEach((i, q) => {
    ends.origin[q] = inst.rows[i] as number;
    ends.x.set(out.examples.x.subarray(i * nn, i * nn + nn), q * nn);
    const nc = space.categorical.length;
    if (nc > 0) ends.c.set(out.examples.c.subarray(i * nc, i * nc + nc), q * nc);
  });
  const mut = space.mutableNumeric;
  // every slot is rewritten each step (same target in the same slot: the encoder patches the rows)
  const cands = allocCandidates(space, targets.length);
  cands.c.set(ends.c);
  for (let s = 0; s < steps; s++) {
    if (!oracle.canAfford(targets.length)) break;
    for (let q = 0; q < targets.length; q++) {
      const o = ends.origin[q] as number;
      cands.origin[q] = o;
      const lam = ((lo[q] as number) + (hi[q] as number)) / 2;
      cands.x.set(space.x0.subarray(o * nn, o * nn + nn), q * nn);
      for (let m = 0; m < mut.length; m++) {
        const j = mut[m] as number;
        const a = space.x0[o * nn + j] as number;
        const e = ends.x[q * nn + j] as number;
        cands.x[q * nn + j] = projectValue(space, j, a + lam * (e - a), a, 'toward');
      }
    }
    const scores = await oracle.score(cands);
    for (let q = 0; q < targets.length; q++) {
      const i = targets[q] as number;
      const lam = ((lo[q] as number) + (hi[q] as number)) / 2;
      const sc = scores[q] as number;
      if (decide(sc, oracle.threshold) !== inst.d0[i]) {
        hi[q] = lam;
        offerExample(space, out, i, cands, q, perturbationNorm(space, cands, q, norm), sc);
      } else lo[q] = lam;
    }
  }
}
