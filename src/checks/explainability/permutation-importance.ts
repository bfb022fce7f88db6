/**
 * Permutation importance (Breiman 2001; scikit-learn's permutation_importance): for each raw column (player) and each
 * seeded repeat, shuffle the column's values across rows (all slots of a one-hot group or of a column's tensors with
 * the same permutation), re-score, and record the drop of the metric: baseline - shuffled (for a loss,
 * shuffled - baseline), so that a larger value always means a more important column. Mean and population standard
 * deviation over repeats, as scikit-learn reports them. All repeats of one column are scored in one call when the
 * rows fit the per-call bound.
 */
import { averagePrecision, brierScore, confusionCounts, accuracy, logLoss, rocAuc, scoresToPredictions } from '../../metrics/index.js';
import type { ModelInput, ScoringModel } from '../../model/types.js';
import { shuffledIndices, type Rng } from '../../util/rng.js';
import { HybridRowWriter, cellsPerRow } from './input-rows.js';
import type { Players } from './players.js';
import type { PermutationMetric } from './policy.js';
import { rankDescending } from './rank.js';
import type { PermutationImportanceResult } from './types.js';

export interface PermutationImportanceInput {
  model: Pick<ScoringModel, 'score'>;
  /** Rows to use (already the sample). */
  input: ModelInput;
  yTrue: Uint8Array;
  players: Players;
  metric: PermutationMetric;
  /** Decision threshold (accuracy). */
  threshold: number;
  repeats: number;
  rng: Rng;
  /** Scores of the unshuffled rows, when already known. */
  baselineScores?: Float32Array;
  maxRowsPerCall?: number;
  deadline?: number;
}

/** Metric value, oriented so that larger is better (losses negated). null when undefined (one class only). */
export function orientedMetric(metric: PermutationMetric, yTrue: Uint8Array, scores: Float32Array, threshold: number): number | null {
  switch (metric) {
    case 'roc_auc':
      return rocAuc(yTrue, scores);
    case 'average_precision':
      return averagePrecision(yTrue, scores);
    case 'accuracy':
      return accuracy(confusionCounts(yTrue, scoresToPredictions(scores, threshold)));
    case 'brier': {
      const v = brierScore(yTrue, scores);
      return v === null ? null : -v;
    }
    case 'log_loss': {
      const v = logLoss(yTrue, scores);
      return v === null ? null : -v;
    }
  }
}

export function isLossMetric(metric: PermutationMetric): boolean {
  return metric === 'brier' || metric === 'log_loss';
}

export async function permutationImportance(args: PermutationImportanceInput): Promise<PermutationImportanceResult | null> {
  const { model, input, yTrue, players, metric, repeats, rng } = args;
  const n = input.rows;
  let modelCalls = 0;
  let modelRows = 0;
  const score = async (rows: ModelInput): Promise<Float32Array> => {
    modelCalls++;
    modelRows += rows.rows;
    return model.score(rows);
  };
  const baseScores = args.baselineScores ?? (await score(input));
  const baseline = orientedMetric(metric, yTrue, baseScores, args.threshold);
  if (baseline === null) return null;

  const maxRows = Math.max(n, args.maxRowsPerCall ?? Math.min(524_288, Math.floor((1 << 25) / Math.max(1, cellsPerRow(input)))));
  const repeatsPerCall = Math.max(1, Math.min(repeats, Math.floor(maxRows / n)));
  const writer = new HybridRowWriter(input, input, repeatsPerCall * n);
  const flag = new Uint8Array(cellsPerRow(input));
  const P = players.names.length;
  const values: number[][] = players.names.map(() => []);

  for (let p = 0; p < P; p++) {
    const slots = players.slots[p];
    flag.fill(0);
    for (const s of slots) flag[s] = 1;
    const prng = rng.fork(`permutation/${players.names[p]}`);
    for (let r0 = 0; r0 < repeats; r0 += repeatsPerCall) {
      if (args.deadline !== undefined && Date.now() > args.deadline) return null;
      const count = Math.min(repeatsPerCall, repeats - r0);
      writer.reset();
      for (let r = 0; r < count; r++) {
        const perm = shuffledIndices(n, prng);
        for (let i = 0; i < n; i++) writer.write(perm[i], i, slots, slots.length, flag);
      }
      const f = await score(writer.input());
      for (let r = 0; r < count; r++) {
        const m = orientedMetric(metric, yTrue, f.subarray(r * n, (r + 1) * n), args.threshold);
        values[p].push(m === null ? NaN : baseline - m);
      }
    }
  }
  const stats = values.map((v) => {
    const mean = v.reduce((a, b) => a + b, 0) / v.length;
    const variance = v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length;
    return { mean, std: Math.sqrt(variance) };
  });
  const order = rankDescending(
    stats.map((s) => s.mean),
    players.names,
  );
  return {
    metric,
    baseline: isLossMetric(metric) ? -baseline : baseline,
    repeats,
    rows: n,
    features: order.map((p, k) => ({ feature: players.names[p], rank: k + 1, mean: stats[p].mean, std: stats[p].std, values: values[p] })),
    modelCalls,
    modelRows,
  };
}
