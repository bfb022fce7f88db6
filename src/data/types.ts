/** A dataset held by column in typed arrays. No per-row objects. */

export interface NumericColumn {
  kind: 'numeric';
  name: string;
  /** Values as float64; NaN marks a missing value. */
  values: Float64Array;
  /** Count of missing values. */
  missing: number;
  /** True when every non-missing value is an integer. */
  integer: boolean;
}

export interface CategoricalColumn {
  kind: 'categorical';
  name: string;
  /** Index into `levels` per row. Missing-value texts are kept as their own level (e.g. '?'), as models saw them. */
  codes: Int32Array;
  /** Distinct texts in order of first appearance. */
  levels: string[];
  missing: number;
}

export type Column = NumericColumn | CategoricalColumn;

export interface Dataset {
  /** Path as the user gave it (for messages). */
  file: string;
  sha256: string;
  rows: number;
  /** Column order as in the header. */
  columns: Column[];
  byName: Map<string, Column>;
}

/** Binary labels and the grouping derived from a dataset by the policy. */
export interface Labels {
  /** 1 when the label column equals positive_label. */
  yTrue: Uint8Array;
  positives: number;
  /** The label text of the other (negative) class; undefined when the data holds the positive class only. */
  negativeLabel?: string;
}

/** One sensitive attribute (or intersection) as integer group codes per row. */
export interface Grouping {
  /** 'sex', 'age_bin', 'sex_x_age_bin' */
  name: string;
  /** The sensitive attribute names it is made of (one for a plain attribute). */
  attributes: string[];
  /** Group key per code: 'Female', 'Female|<25'. Sorted as fairlearn sorts (by value, lexicographically per part). */
  keys: string[];
  /** Per group: attribute -> value. */
  values: Array<Record<string, string>>;
  /** Group code per row (index into keys). */
  codes: Int32Array;
}
