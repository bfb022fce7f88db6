/**
 * Binary labels from the dataset's label column: y_true = 1 where the cell equals the policy's positive_label.
 * Categorical columns compare the cell text with String(positive_label); numeric columns compare numerically
 * (so `1`, `1.0` and positive_label 1 all match).
 */
import type { DatasetSpec, PolicyDocument, PolicyPointer } from '../policy/types.js';
import { didYouMean, listNames } from '../policy/suggest.js';
import { UserError, type SourceLocation } from '../util/errors.js';
import { lineOfRow } from './csv.js';
import type { Column, Dataset, Labels } from './types.js';

/**
 * @param doc when given, mistakes in the policy's `dataset.label` / `dataset.positive_label` are reported at their
 *   policy line; otherwise at the dataset header.
 */
export function makeLabels(dataset: Dataset, spec: DatasetSpec, doc?: PolicyDocument): Labels {
  const policyAt = (pointer: PolicyPointer): SourceLocation => doc?.locate(pointer) ?? { file: dataset.file, line: 1 };
  const column = dataset.byName.get(spec.label);
  if (!column) {
    const names = dataset.columns.map((c) => c.name);
    const hint = didYouMean(spec.label, names);
    throw new UserError(
      `label column \`${spec.label}\` is not in ${dataset.file}; ` +
        (hint ? hint : `its columns are ${listNames(names)}`) +
        ` (set dataset.label to one of them)`,
      policyAt(['dataset', 'label']),
    );
  }
  const missing = new Set(spec.missing_values);
  return column.kind === 'numeric'
    ? numericLabels(dataset, column, spec, policyAt)
    : categoricalLabels(dataset, column, spec, missing, policyAt);
}

function numericLabels(
  dataset: Dataset,
  column: Extract<Column, { kind: 'numeric' }>,
  spec: DatasetSpec,
  policyAt: (p: PolicyPointer) => SourceLocation,
): Labels {
  const positive = Number(spec.positive_label);
  if (typeof spec.positive_label === 'string' && (spec.positive_label.trim() === '' || !Number.isFinite(positive))) {
    throw new UserError(
      `positive_label \`${spec.positive_label}\` is not a number but label column \`${column.name}\` is numeric; ` +
        `set dataset.positive_label to one of its values`,
      policyAt(['dataset', 'positive_label']),
    );
  }
  const { values } = column;
  const n = values.length;
  const yTrue = new Uint8Array(n);
  /** Distinct values in order of first appearance (a few are enough for the messages). */
  const distinct: number[] = [];
  let positives = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (Number.isNaN(v)) {
      throw new UserError(
        `label \`${column.name}\` is missing on this row; every evaluation row needs a label (remove the row or fill it in)`,
        { file: dataset.file, line: lineOfRow(dataset, i) },
      );
    }
    if (distinct.length < 6 && !distinct.includes(v)) distinct.push(v);
    if (v === positive) {
      yTrue[i] = 1;
      positives++;
    }
  }
  const negative = distinct.find((d) => d !== positive);
  checkDistinct(dataset, column.name, distinct.map(String), String(spec.positive_label), positives, policyAt, () =>
    firstRowWhere(n, (i) => values[i] !== positive && values[i] !== negative),
  );
  return withNegativeLabel({ yTrue, positives }, negative === undefined ? undefined : String(negative));
}

function categoricalLabels(
  dataset: Dataset,
  column: Extract<Column, { kind: 'categorical' }>,
  spec: DatasetSpec,
  missing: Set<string>,
  policyAt: (p: PolicyPointer) => SourceLocation,
): Labels {
  const { codes, levels } = column;
  const n = codes.length;
  const missingLevel = levels.findIndex((l) => missing.has(l));
  if (missingLevel !== -1) {
    const row = firstRowWhere(n, (i) => missing.has(levels[codes[i]]));
    throw new UserError(
      `label \`${column.name}\` is missing on this row (\`${levels[missingLevel]}\`); every evaluation row needs a label ` +
        `(remove the row or fill it in)`,
      { file: dataset.file, line: lineOfRow(dataset, row) },
    );
  }
  const positiveText = String(spec.positive_label);
  const positiveCode = levels.indexOf(positiveText);
  const yTrue = new Uint8Array(n);
  let positives = 0;
  if (positiveCode !== -1) {
    for (let i = 0; i < n; i++) {
      if (codes[i] === positiveCode) {
        yTrue[i] = 1;
        positives++;
      }
    }
  }
  // The first level other than the positive one is "the negative class" (a third one is an error below).
  const negative = levels.findIndex((_, k) => k !== positiveCode);
  checkDistinct(dataset, column.name, levels, positiveText, positives, policyAt, () =>
    firstRowWhere(n, (i) => codes[i] !== positiveCode && codes[i] !== negative),
  );
  return withNegativeLabel({ yTrue, positives }, negative === -1 ? undefined : levels[negative]);
}

/** At most two classes, and positive_label is one of them. */
function checkDistinct(
  dataset: Dataset,
  columnName: string,
  distinct: string[],
  positiveText: string,
  positives: number,
  policyAt: (p: PolicyPointer) => SourceLocation,
  firstThirdClassRow: () => number,
): void {
  if (positives === 0) {
    throw new UserError(
      `positive_label \`${positiveText}\` never occurs in label column \`${columnName}\` of ${dataset.file} ` +
        `(values: ${listNames(distinct, 5)}); set dataset.positive_label to the value that marks the positive class` +
        (didYouMean(positiveText, distinct) ? ` — ${didYouMean(positiveText, distinct)}` : ''),
      policyAt(['dataset', 'positive_label']),
    );
  }
  if (distinct.length > 2) {
    const row = firstThirdClassRow();
    throw new UserError(
      `label column \`${columnName}\` has more than two values (${listNames(distinct, 5)}); the gate needs a binary ` +
        `label: \`${positiveText}\` is the positive class, so map every other value to one negative value`,
      { file: dataset.file, line: lineOfRow(dataset, row) },
    );
  }
}

function withNegativeLabel(labels: Labels, negativeLabel: string | undefined): Labels {
  if (negativeLabel !== undefined) labels.negativeLabel = negativeLabel;
  return labels;
}

function firstRowWhere(n: number, test: (i: number) => boolean): number {
  for (let i = 0; i < n; i++) if (test(i)) return i;
  return 0;
}

// ---------------------------------------------------------------------------------------------------------------
// The favourable outcome (dataset.favourable)

/**
 * Which class is the outcome people want: 'positive' (default: the positive class is e.g. "credit granted", ">50K") or
 * 'negative' (the positive class is the adverse outcome: re-offence, default, fraud, denial).
 */
export type FavourableOutcome = 'positive' | 'negative';

/** The policy's dataset.favourable; 'positive' when absent (also for a context built without a dataset section). */
export function favourableOutcome(spec: Pick<DatasetSpec, 'favourable'> | undefined): FavourableOutcome {
  return spec?.favourable === 'negative' ? 'negative' : 'positive';
}

/** The favourable and the adverse class by their label texts, as the report records them. */
export interface FavourableClasses {
  outcome: FavourableOutcome;
  /** Label text of the favourable class ('good'); `not <positive_label>` when the data holds the positive class only. */
  label: string;
  /** Label text of the adverse class ('bad'). */
  adverseLabel: string;
}

export function favourableClasses(spec: Pick<DatasetSpec, 'favourable' | 'positive_label'>, labels: Pick<Labels, 'negativeLabel'>): FavourableClasses {
  const positive = String(spec.positive_label);
  const negative = labels.negativeLabel ?? `not ${positive}`;
  return favourableOutcome(spec) === 'negative'
    ? { outcome: 'negative', label: negative, adverseLabel: positive }
    : { outcome: 'positive', label: positive, adverseLabel: negative };
}

/** Labels, decisions and positive-class scores of every row (what the fairness metrics read). */
export interface OutcomeData {
  yTrue: Uint8Array;
  yPred: Uint8Array;
  scores: Float32Array | null;
}

/**
 * The rows seen from the favourable outcome, for the fairness metrics: unchanged (the same arrays) when the favourable
 * outcome is the positive class; otherwise y_true → 1 − y_true, y_pred → 1 − y_pred (the same decisions, read as
 * "favourable decision or not") and score → 1 − score (in float32, as numpy computes `1 - p` on a float32 array).
 * Every fairness metric on the result is then fairlearn's on the favourable class: selection_rate(..., pos_label=<the
 * favourable label>) is the rate of favourable decisions, true_positive_rate the share of rows whose true outcome is
 * favourable that received it, false_positive_rate the share of the others that received it anyway. Performance
 * metrics keep reading the original rows (the positive class).
 */
export function favourableView<T extends OutcomeData>(data: T, outcome: FavourableOutcome): T {
  if (outcome === 'positive') return data;
  const n = data.yTrue.length;
  const yTrue = new Uint8Array(n);
  const yPred = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    yTrue[i] = data.yTrue[i] === 0 ? 1 : 0;
    yPred[i] = data.yPred[i] === 0 ? 1 : 0;
  }
  let scores: Float32Array | null = null;
  if (data.scores !== null) {
    const s = data.scores;
    scores = new Float32Array(s.length);
    for (let i = 0; i < s.length; i++) scores[i] = 1 - (s[i] as number);
  }
  return { ...data, yTrue, yPred, scores };
}

/**
 * A note when the scores rank the positive class below the other one (ROC AUC < 0.5): the positive label (or the
 * model's positive_index) may name the wrong class. Swapping the positive class with the same scores gives 1 − AUC.
 * undefined when ROC AUC is undefined or at least 0.5.
 */
export function invertedLabelNote(rocAuc: number | null | undefined, positiveLabel: string, otherLabel: string | undefined): string | undefined {
  if (rocAuc === null || rocAuc === undefined || !Number.isFinite(rocAuc) || !(rocAuc < 0.5)) return undefined;
  const fmt = (v: number): string => String(Number(v.toFixed(4)));
  const other = otherLabel === undefined ? 'the other class' : `\`${otherLabel}\``;
  return (
    `ROC AUC ${fmt(rocAuc)} < 0.5: the scores rank the positive class \`${positiveLabel}\` below the other class; ` +
    `is dataset.positive_label right (and model.positive_index the column of that class)? With ${other} as positive ` +
    `it would be ${fmt(1 - rocAuc)}.`
  );
}
