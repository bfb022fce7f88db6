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
  checkDistinct(dataset, column.name, distinct.map(String), String(spec.positive_label), positives, policyAt, () => {
    const negative = distinct.find((d) => d !== positive);
    return firstRowWhere(n, (i) => values[i] !== positive && values[i] !== negative);
  });
  return { yTrue, positives };
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
  checkDistinct(dataset, column.name, levels, positiveText, positives, policyAt, () => {
    // First row whose value is a third class: the first level other than the positive one is "the negative class".
    const negative = levels.findIndex((_, k) => k !== positiveCode);
    return firstRowWhere(n, (i) => codes[i] !== positiveCode && codes[i] !== negative);
  });
  return { yTrue, positives };
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

function firstRowWhere(n: number, test: (i: number) => boolean): number {
  for (let i = 0; i < n; i++) if (test(i)) return i;
  return 0;
}
