/**
 * KernelSHAP for any model, with the dataset's raw columns as players (players.ts), against a (weighted) background.
 * The value of a coalition S for explained row x is v(S) = Σ_b w_b f(x_S, b_rest), the interventional game that
 * TreeSHAP and the reference files use. f is the positive-class score, and optionally its log-odds.
 *
 * - Players whose values in x equal those of every background row cannot change f: they get 0 and leave the game.
 * - Exact mode enumerates all 2^m coalitions and applies the Shapley formula (exact values of the game).
 * - Sampled mode: complete coalition sizes while the budget allows, then paired sampling (coalitions.ts), and the
 *   constrained weighted regression (least-squares.ts), so the values add up to f(x) - E[f] exactly.
 * - Every batch of coalitions x background rows is one ctx.model.score call (bounded in rows for memory).
 */
import type { ModelInput, ScoringModel } from '../../model/types.js';
import type { Rng } from '../../util/rng.js';
import { kernelCoalitions, properCoalitions } from './coalitions.js';
import { shapleyFromCoalitionValues } from './exact-shapley.js';
import { HybridRowWriter, cellsPerRow } from './input-rows.js';
import { constrainedKernelRegression, constrainedKernelRegressionMany } from './least-squares.js';
import type { Players } from './players.js';
import type { ShapValues } from './tree-shap.js';

export interface KernelShapInput {
  model: Pick<ScoringModel, 'score'>;
  players: Players;
  /** Rows to explain. */
  explain: ModelInput;
  /** Background rows (same layout). */
  background: ModelInput;
  /** Background weights (normalised internally); uniform when omitted. */
  backgroundWeights?: ArrayLike<number>;
  /** Also compute log-odds values (logit of the score; meaningless for label-only models). */
  logOdds: boolean;
  /** Coalitions per explained row in sampled mode. */
  samples: number;
  /** Enumerate all coalitions (exact Shapley values). */
  exact: boolean;
  rng: Rng;
  /** Upper bound on model rows per score call (memory). Default: about 16M input cells, at most 262,144 rows. */
  maxRowsPerCall?: number;
  /** Epoch ms after which no new batch starts; rows finished so far are returned. */
  deadline?: number;
  /**
   * Also keep the values against each background row alone (issue #9: the gates' ranges resample the background's
   * weights without scoring again; the values are linear in them). Memory: 4 bytes per model row scored.
   */
  perBackground?: boolean;
}

/** Values against each background row alone: Σ_b weights[b] · values[(i K + b) P + p] is the reported value (i, p). */
export interface PerBackgroundValues {
  backgroundRows: number;
  /** Normalised background weights. */
  weights: Float64Array;
  /** [rows x backgroundRows x players]. */
  probability: Float64Array;
  logOdds: Float64Array | null;
}

export interface KernelShapResult {
  rows: number;
  players: number;
  probability: ShapValues;
  logOdds: ShapValues | null;
  additivityError: { probability: number; logOdds: number | null };
  /** Number of model.score calls and rows scored. */
  modelCalls: number;
  modelRows: number;
  /** Largest number of coalitions evaluated for one row. */
  coalitions: number;
  exact: boolean;
  completeSizes: number[];
  truncated: boolean;
  perBackground?: PerBackgroundValues;
}

const LOGIT_EPS = 1e-15;

export function logit(p: number): number {
  const q = p < LOGIT_EPS ? LOGIT_EPS : p > 1 - LOGIT_EPS ? 1 - LOGIT_EPS : p;
  return Math.log(q / (1 - q));
}

/** Slots of player p equal in row xRow of `a` and row bRow of `b`. */
function sameSlots(a: ModelInput, xRow: number, b: ModelInput, bRow: number, slots: Int32Array, names: string[]): boolean {
  if (a.kind === 'matrix' && b.kind === 'matrix') {
    const w = a.width;
    for (const s of slots) if (!Object.is(a.data[xRow * w + s], b.data[bRow * w + s])) return false;
    return true;
  }
  if (a.kind === 'columns' && b.kind === 'columns') {
    for (const s of slots) {
      const name = names[s];
      if (!Object.is(a.tensors[name].data[xRow], b.tensors[name].data[bRow])) return false;
    }
    return true;
  }
  return false;
}

interface RowPlan {
  /** Varying players (indices into players). */
  varying: Int32Array;
  masks: Uint8Array;
  weights: Float64Array;
  count: number;
  exact: boolean;
  completeSizes: number[];
  vProb: Float64Array;
  vLogit: Float64Array | null;
  /** f per coalition and background row, [count x K] (perBackground only). */
  raw: Float32Array | null;
  /** Coalitions evaluated so far. */
  done: number;
}

export async function kernelShap(input: KernelShapInput): Promise<KernelShapResult> {
  const { model, players, explain, background } = input;
  const P = players.names.length;
  const n = explain.rows;
  const K = background.rows;
  if (K < 1) throw new Error('KernelSHAP needs at least one background row');
  const names = explain.kind === 'columns' ? Object.keys(explain.tensors) : [];
  const slotCount = cellsPerRow(explain);
  const w = new Float64Array(K);
  let wsum = 0;
  for (let b = 0; b < K; b++) {
    w[b] = input.backgroundWeights ? input.backgroundWeights[b] : 1;
    wsum += w[b];
  }
  for (let b = 0; b < K; b++) w[b] /= wsum;

  const maxRows = Math.max(K, input.maxRowsPerCall ?? Math.min(262_144, Math.floor((1 << 24) / Math.max(1, slotCount))));
  const capacity = Math.max(K, Math.floor(maxRows / K) * K);
  let modelCalls = 0;
  let modelRows = 0;
  const score = async (rows: ModelInput): Promise<Float32Array> => {
    modelCalls++;
    modelRows += rows.rows;
    return model.score(rows);
  };

  // f(x) for the explained rows and f(b) for the background: one call.
  const allSlots = Int32Array.from({ length: slotCount }, (_, i) => i);
  const allOn = new Uint8Array(slotCount).fill(1);
  const noneOn = new Uint8Array(slotCount);
  const head = new HybridRowWriter(explain, background, n + K);
  for (let i = 0; i < n; i++) head.write(i, 0, allSlots, slotCount, allOn);
  for (let b = 0; b < K; b++) head.write(0, b, allSlots, 0, noneOn);
  const headScores = await score(head.input());
  const fx = Float64Array.from(headScores.subarray(0, n));
  let expectedProb = 0;
  let expectedLogit = 0;
  for (let b = 0; b < K; b++) {
    expectedProb += w[b] * headScores[n + b];
    if (input.logOdds) expectedLogit += w[b] * logit(headScores[n + b]);
  }

  // Plan every row: its varying players and coalitions.
  const plans: RowPlan[] = [];
  for (let i = 0; i < n; i++) {
    const varying: number[] = [];
    for (let p = 0; p < P; p++) {
      let differs = false;
      for (let b = 0; b < K && !differs; b++) differs = !sameSlots(explain, i, background, b, players.slots[p], names);
      if (differs) varying.push(p);
    }
    const m = varying.length;
    let masks: Uint8Array = new Uint8Array(0);
    let weights: Float64Array = new Float64Array(0);
    let count = 0;
    let completeSizes: number[] = [];
    const exact = m >= 2 && (input.exact || properCoalitions(m) <= input.samples);
    if (m >= 2 && exact) {
      count = properCoalitions(m);
      masks = new Uint8Array(count * m);
      for (let c = 0; c < count; c++) {
        const bits = c + 1;
        for (let j = 0; j < m; j++) masks[c * m + j] = (bits >>> j) & 1;
      }
      weights = new Float64Array(count);
      completeSizes = Array.from({ length: m - 1 }, (_, k) => k + 1);
    } else if (m >= 2) {
      const set = kernelCoalitions(m, input.samples, input.rng);
      masks = set.masks;
      weights = set.weights;
      count = set.count;
      completeSizes = set.completeSizes;
    }
    plans.push({
      varying: Int32Array.from(varying),
      masks,
      weights,
      count,
      exact,
      completeSizes,
      vProb: new Float64Array(count),
      vLogit: input.logOdds ? new Float64Array(count) : null,
      raw: input.perBackground ? new Float32Array(count * K) : null,
      done: 0,
    });
  }

  // Evaluate coalitions in batches: one score call per batch.
  const writer = new HybridRowWriter(explain, background, capacity);
  const pendingRow: number[] = [];
  const pendingCoalition: number[] = [];
  const onSlots = new Int32Array(slotCount);
  const onFlag = new Uint8Array(slotCount);
  let truncated = false;
  const flush = async (): Promise<void> => {
    if (writer.rows === 0) return;
    const f = await score(writer.input());
    for (let k = 0; k < pendingRow.length; k++) {
      const plan = plans[pendingRow[k]];
      const c = pendingCoalition[k];
      let vp = 0;
      let vl = 0;
      const base = k * K;
      if (plan.raw) plan.raw.set(f.subarray(base, base + K), c * K);
      for (let b = 0; b < K; b++) {
        const y = f[base + b];
        vp += w[b] * y;
        if (plan.vLogit) vl += w[b] * logit(y);
      }
      plan.vProb[c] = vp;
      if (plan.vLogit) plan.vLogit[c] = vl;
      plan.done++;
    }
    writer.reset();
    pendingRow.length = 0;
    pendingCoalition.length = 0;
  };
  outer: for (let i = 0; i < n; i++) {
    const plan = plans[i];
    const m = plan.varying.length;
    for (let c = 0; c < plan.count; c++) {
      if (writer.rows + K > capacity) {
        await flush();
        if (input.deadline !== undefined && Date.now() > input.deadline) {
          truncated = true;
          break outer;
        }
      }
      let on = 0;
      onFlag.fill(0);
      for (let j = 0; j < m; j++) {
        if (!plan.masks[c * m + j]) continue;
        for (const s of players.slots[plan.varying[j]]) {
          onSlots[on++] = s;
          onFlag[s] = 1;
        }
      }
      for (let b = 0; b < K; b++) writer.write(i, b, onSlots, on, onFlag);
      pendingRow.push(i);
      pendingCoalition.push(c);
    }
  }
  if (!truncated) await flush();

  // Rows whose coalitions were all evaluated (a prefix, since rows are queued in order).
  let rows = 0;
  while (rows < n && plans[rows].done === plans[rows].count) rows++;

  const prob = new Float64Array(rows * P);
  const lo = input.logOdds ? new Float64Array(rows * P) : null;
  const fxLogit = new Float64Array(rows);
  const perBg: PerBackgroundValues | null = input.perBackground
    ? { backgroundRows: K, weights: w, probability: new Float64Array(rows * K * P), logOdds: input.logOdds ? new Float64Array(rows * K * P) : null }
    : null;
  let errProb = 0;
  let errLogit = 0;
  let maxCoalitions = 0;
  let allExact = rows > 0;
  let completeSizes: number[] | null = null;
  for (let i = 0; i < rows; i++) {
    const plan = plans[i];
    const m = plan.varying.length;
    maxCoalitions = Math.max(maxCoalitions, plan.count);
    if (m >= 2 && !plan.exact) allExact = false;
    if (m >= 2 && (completeSizes === null || plan.completeSizes.length < completeSizes.length)) completeSizes = plan.completeSizes;
    fxLogit[i] = logit(fx[i]);
    const solve = (v: Float64Array, expected: number, output: number): Float64Array => {
      if (m === 0) return new Float64Array(0);
      if (m === 1) return Float64Array.of(output - expected);
      if (plan.exact) {
        const table = new Float64Array(2 ** m);
        table[0] = expected;
        table[table.length - 1] = output;
        for (let c = 0; c < plan.count; c++) table[c + 1] = v[c];
        return shapleyFromCoalitionValues(table, m);
      }
      return constrainedKernelRegression(plan.masks, v, plan.weights, plan.count, m, expected, output);
    };
    const place = (target: Float64Array, phi: Float64Array, expected: number, output: number): number => {
      let sum = expected;
      for (let j = 0; j < m; j++) {
        target[i * P + plan.varying[j]] = phi[j];
        sum += phi[j];
      }
      return Math.abs(sum - output);
    };
    errProb = Math.max(errProb, place(prob, solve(plan.vProb, expectedProb, fx[i]), expectedProb, fx[i]));
    if (lo && plan.vLogit) {
      errLogit = Math.max(errLogit, place(lo, solve(plan.vLogit, expectedLogit, fxLogit[i]), expectedLogit, fxLogit[i]));
    }
    if (perBg) {
      perRowBackground(plan, i, headScores.subarray(n, n + K), fx[i], K, P, perBg.probability, (v) => v);
      if (perBg.logOdds) perRowBackground(plan, i, headScores.subarray(n, n + K), fxLogit[i], K, P, perBg.logOdds, logit);
      plan.raw = null;
    }
  }
  return {
    rows,
    players: P,
    probability: { values: prob, expected: expectedProb, output: fx.slice(0, rows) },
    logOdds: lo ? { values: lo, expected: expectedLogit, output: fxLogit } : null,
    additivityError: { probability: errProb, logOdds: lo ? errLogit : null },
    modelCalls,
    modelRows,
    coalitions: maxCoalitions,
    exact: allExact,
    completeSizes: completeSizes ?? [],
    truncated,
    ...(perBg ? { perBackground: perBg } : {}),
  };
}

/**
 * Row i's values against each background row alone (v(S) = f(x_S, b), v(∅) = f(b)), into target[(i K + b) P + p]: the
 * same linear solve as the weighted game, so Σ_b w_b of them is the row's reported value.
 */
function perRowBackground(
  plan: RowPlan,
  i: number,
  fb: Float32Array,
  output: number,
  K: number,
  P: number,
  target: Float64Array,
  transform: (v: number) => number,
): void {
  const m = plan.varying.length;
  if (m === 0) return;
  let phi: Float64Array;
  if (m === 1) {
    phi = Float64Array.from(fb, (e) => output - transform(e));
  } else if (plan.exact) {
    phi = new Float64Array(K * m);
    const table = new Float64Array(2 ** m);
    for (let b = 0; b < K; b++) {
      table[0] = transform(fb[b]);
      table[table.length - 1] = output;
      for (let c = 0; c < plan.count; c++) table[c + 1] = transform((plan.raw as Float32Array)[c * K + b]);
      phi.set(shapleyFromCoalitionValues(table, m), b * m);
    }
  } else {
    // values per background row: [K x count]
    const raw = plan.raw as Float32Array;
    const byRow = new Float64Array(K * plan.count);
    for (let c = 0; c < plan.count; c++) for (let b = 0; b < K; b++) byRow[b * plan.count + c] = raw[c * K + b];
    phi = constrainedKernelRegressionMany(plan.masks, byRow, K, plan.weights, plan.count, m, fb, output, transform);
  }
  for (let b = 0; b < K; b++) {
    const base = (i * K + b) * P;
    for (let j = 0; j < m; j++) target[base + plan.varying[j]] = phi[b * m + j];
  }
}
