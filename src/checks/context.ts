/** What every check receives. Checks are pure functions of this (plus the seeded rng): no printing, no GitHub. */
import type { Dataset, Grouping, Labels } from '../data/types.js';
import type { ModelInput, ScoringModel } from '../model/types.js';
import type { PolicyDocument } from '../policy/types.js';
import type { CheckResult } from '../report/types.js';
import type { Rng } from '../util/rng.js';

export interface CheckContext {
  doc: PolicyDocument;
  dataset: Dataset;
  model: ScoringModel;
  /** The model input for every dataset row (same row order as the dataset). */
  input: ModelInput;
  labels: Labels;
  /** Positive-class score per row (labels 0/1 for a label-only model). */
  scores: Float32Array;
  /** 1 when score >= threshold. */
  yPred: Uint8Array;
  /** Sensitive attributes and intersections, in policy order. */
  groupings: Grouping[];
  /** Seeded; fork it per check with a stable label (rng.fork('robustness/noise')). */
  rng: Rng;
  /** Epoch ms after which long-running checks must stop and report what they have (bounded time on PR content). */
  deadline: number;
  /**
   * Above SAMPLE_ROWS rows (src/gate.ts): the seeded row sample that robustness, explainability and the baseline run
   * on — the same fields restricted to `rows` (ascending indices into the full data); `input` then covers these rows
   * only, on this context and on the full one.
   */
  sample?: CheckContext & { rows: Uint32Array };
}

/** What a section (robustness, explainability, ...) returns to the gate. */
export interface SectionOutput<T> {
  /** The section's data for the Report (plain JSON). */
  section: T;
  checks: CheckResult[];
  notes: string[];
}
