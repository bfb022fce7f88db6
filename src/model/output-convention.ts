/**
 * Which model output holds the score, and how to read the positive-class score from it (pure: signature in, plan out).
 *
 * Conventions:
 * - 'probabilities': float tensor [N, C]; the score is column `positiveIndex` (default 1 when C = 2; required when C > 2).
 * - 'probability': float tensor [N, 1] or [N]: P(positive) itself (positiveIndex 0).
 * - 'label': int or string tensor [N] (or [N, 1]) of predicted classes; the score is 1 where the label is the positive
 *   class, else 0 (threshold metrics only).
 * A ZipMap output (seq(map)) stands for the [N, C] tensor that feeds it (see zipmap.ts).
 */
import { UserError, type SourceLocation } from '../util/errors.js';
import type { ModelInputSignature } from './types.js';

/** An output as the gate can fetch it. */
export interface OutputCandidate {
  /** Name the model file declares (what users see and write in the policy). */
  name: string;
  /** Tensor actually fetched from the session (differs from name for a bypassed ZipMap). */
  fetch: string;
  /** Element type of the fetched tensor ('float32', 'int64', 'string', ...; 'seq(...)' etc. for non-tensors). */
  type: string;
  shape: Array<number | string | null>;
  viaZipMap: boolean;
}

export interface ScorePlan {
  /** Declared output name (ModelInfo.scoreOutput). */
  output: string;
  fetch: string;
  kind: 'probabilities' | 'probability' | 'label';
  positiveIndex: number;
  /** Number of columns of a 'probabilities' output when the signature fixes it, else null (checked at run time). */
  columns: number | null;
  /** For 'label': the label value that counts as positive. */
  positiveLabel: number | string | null;
  notes: string[];
}

export interface PlanRequest {
  candidates: OutputCandidate[];
  /** model.output from the policy. */
  output?: string;
  /** model.positive_index from the policy. */
  positiveIndex?: number;
  /** Class labels in probability-column order, when the graph declares them (classifier / ZipMap attributes). */
  classes?: Array<number | string>;
  /** Where to point errors about model.output / model.positive_index (the policy line, when known). */
  outputLocation?: SourceLocation;
  positiveIndexLocation?: SourceLocation;
  /** The model file, for errors about the model itself. */
  modelLocation: SourceLocation;
}

const FLOAT_TYPES = new Set(['float32', 'float64', 'float16']);
const LABEL_TYPES = new Set(['int64', 'int32', 'string']);

export const LABEL_ONLY_NOTE = 'label-only model: score metrics (ROC AUC, average precision, Brier, log loss, KS) are not available; threshold metrics only';

function describe(c: OutputCandidate): string {
  const shape = c.shape.length ? `[${c.shape.map((d) => (d === null ? '?' : d)).join(',')}]` : '';
  return `${c.name} (${c.viaZipMap ? 'ZipMap over float32 ' + shape : c.type + (shape ? ' ' + shape : '')})`;
}

function listOutputs(cands: OutputCandidate[]): string {
  return cands.map(describe).join(', ');
}

/** Width of the last axis of a rank-2 shape (null when unknown), 1 for rank 1. */
function columnsOf(c: OutputCandidate): number | null {
  if (c.shape.length === 1) return 1;
  const last = c.shape[1];
  return typeof last === 'number' ? last : null;
}

function isScoreShaped(c: OutputCandidate): boolean {
  return FLOAT_TYPES.has(c.type) && (c.shape.length === 1 || c.shape.length === 2 || c.shape.length === 0);
}

function isLabelShaped(c: OutputCandidate): boolean {
  return LABEL_TYPES.has(c.type) && (c.shape.length === 1 || (c.shape.length === 2 && c.shape[1] === 1) || c.shape.length === 0);
}

/** The output picked when the policy names none: probability-named float, then any float [N,C]/[N,1]/[N], then a label. */
export function autoPickOutput(cands: OutputCandidate[]): OutputCandidate | undefined {
  const scoreLike = cands.filter(isScoreShaped);
  return (
    scoreLike.find((c) => /probabilit/i.test(c.name) || /probabilit/i.test(c.fetch)) ??
    scoreLike[0] ??
    cands.filter(isLabelShaped).find((c) => /label/i.test(c.name)) ??
    cands.find(isLabelShaped)
  );
}

/** Decide output, kind and positive index; UserError when the policy's choice does not fit the model. */
export function planScoreOutput(req: PlanRequest): ScorePlan {
  const { candidates } = req;
  let chosen: OutputCandidate | undefined;
  if (req.output !== undefined) {
    chosen = candidates.find((c) => c.name === req.output) ?? candidates.find((c) => c.fetch === req.output);
    if (!chosen) {
      throw new UserError(
        `model.output '${req.output}' is not an output of the model; its outputs are: ${listOutputs(candidates)}`,
        req.outputLocation ?? req.modelLocation,
      );
    }
  } else {
    chosen = autoPickOutput(candidates);
    if (!chosen) {
      throw new UserError(
        `found no output to score with (need a float tensor [N,C], [N,1] or [N], or an int/string label [N]); outputs: ${listOutputs(candidates)}`,
        req.modelLocation,
      );
    }
  }

  const where = req.outputLocation ?? req.modelLocation;
  const notes: string[] = [];
  if (chosen.viaZipMap) {
    notes.push(
      `output '${chosen.name}' is a ZipMap (seq(map)); scores are read from the tensor '${chosen.fetch}' that feeds it (graph rewritten in memory, the file is unchanged)`,
    );
  }

  if (isScoreShaped(chosen)) {
    const columns = columnsOf(chosen);
    if (columns === 1) {
      if (req.positiveIndex !== undefined && req.positiveIndex !== 0) {
        throw new UserError(
          `model.positive_index is ${req.positiveIndex} but output '${chosen.name}' has one column (P(positive)): use 0 or leave it out`,
          req.positiveIndexLocation ?? where,
        );
      }
      return { output: chosen.name, fetch: chosen.fetch, kind: 'probability', positiveIndex: 0, columns: 1, positiveLabel: null, notes };
    }
    const positiveIndex = req.positiveIndex ?? (columns === null || columns === 2 ? 1 : undefined);
    if (positiveIndex === undefined) {
      throw new UserError(
        `output '${chosen.name}' has ${columns} classes: set model.positive_index to the column of the positive class (0..${(columns ?? 2) - 1})`,
        req.positiveIndexLocation ?? where,
      );
    }
    if (!Number.isInteger(positiveIndex) || positiveIndex < 0 || (columns !== null && positiveIndex >= columns)) {
      throw new UserError(
        `model.positive_index ${positiveIndex} is out of range for output '${chosen.name}' with ${columns} columns: use 0..${(columns ?? 2) - 1}`,
        req.positiveIndexLocation ?? where,
      );
    }
    const cls = req.classes?.[positiveIndex];
    if (columns !== null && columns > 2) notes.push(`${columns}-class model: positive class is column ${positiveIndex}${cls !== undefined ? ` (class ${cls})` : ''}, one-vs-rest`);
    return { output: chosen.name, fetch: chosen.fetch, kind: 'probabilities', positiveIndex, columns, positiveLabel: null, notes };
  }

  if (isLabelShaped(chosen)) {
    const classes = req.classes ?? [];
    const positiveIndex = req.positiveIndex ?? (classes.length <= 2 ? 1 : undefined);
    if (positiveIndex === undefined) {
      throw new UserError(
        `output '${chosen.name}' is a label among ${classes.length} classes (${classes.join(', ')}): set model.positive_index to the index of the positive class`,
        req.positiveIndexLocation ?? where,
      );
    }
    let positiveLabel: number | string;
    if (classes.length > 0) {
      if (!Number.isInteger(positiveIndex) || positiveIndex < 0 || positiveIndex >= classes.length) {
        throw new UserError(
          `model.positive_index ${positiveIndex} is out of range: the model's classes are ${classes.join(', ')} (use 0..${classes.length - 1})`,
          req.positiveIndexLocation ?? where,
        );
      }
      positiveLabel = classes[positiveIndex]!;
    } else if (chosen.type === 'string') {
      throw new UserError(
        `output '${chosen.name}' is a string label and the model does not declare its classes, so the positive class is unknown: pick a probability output with model.output`,
        where,
      );
    } else {
      positiveLabel = positiveIndex; // classes 0..C-1 assumed
    }
    if (typeof positiveLabel === 'number' && chosen.type === 'string') positiveLabel = String(positiveLabel);
    if (typeof positiveLabel === 'string' && chosen.type !== 'string') {
      throw new UserError(`output '${chosen.name}' is ${chosen.type} but the model's classes are strings: pick another output with model.output`, where);
    }
    notes.push(LABEL_ONLY_NOTE);
    notes.push(`score = 1 where '${chosen.name}' is ${positiveLabel} (the positive class), else 0`);
    return { output: chosen.name, fetch: chosen.fetch, kind: 'label', positiveIndex, columns: null, positiveLabel, notes };
  }

  throw new UserError(
    `output '${chosen.name}' is ${chosen.type} ${JSON.stringify(chosen.shape)}, which cannot be read as a score: pick a float [N,C]/[N,1] or a label [N] output with model.output (outputs: ${listOutputs(candidates)})`,
    where,
  );
}
