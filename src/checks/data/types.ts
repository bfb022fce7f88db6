/**
 * The `data` section of the policy (issue #13) and of the Report. Checks on the data themselves, run before any model
 * check: drift against a reference dataset, integrity, leakage of training rows, representation of sensitive groups.
 */
import type { Threshold } from '../../policy/types.js';

export type NumericDriftMethod = 'ks' | 'wasserstein' | 'psi' | 'jensen_shannon';
export type CategoricalDriftMethod = 'chi_square' | 'psi' | 'jensen_shannon';
export type DriftMethod = NumericDriftMethod | CategoricalDriftMethod;

/** policy `data:` as written (after schema validation). */
export interface DataPolicy {
  /** Reference dataset (training data, or the base branch's evaluation data), relative to the workspace. */
  reference?: string;
  /** Columns compared; default every column of the evaluation dataset that the reference has too, except the label. */
  columns?: string[];
  drift?: {
    numeric?: NumericDriftMethod;
    categorical?: CategoricalDriftMethod;
    /** Significance level of the per-column tests (ks, chi_square), after the correction. Default 0.05. */
    alpha?: number;
    /** Multiple-testing correction over the per-column p-values. Default holm. */
    correction?: 'holm' | 'benjamini-hochberg' | 'none';
    /** Drift thresholds of the distance methods (a column drifted when its statistic exceeds it). */
    thresholds?: { wasserstein?: number; psi?: number; jensen_shannon?: number };
    /** Quantile bins of the reference for psi / jensen_shannon on numeric columns. Default 10. */
    bins?: number;
    /** Gate on the share of drifted columns. */
    share?: Threshold;
    /** Gate on the drift statistic of named columns. */
    columns?: Record<string, Threshold>;
    /** Gate on the drift statistic of the model's scores (reference scored with the same model). */
    prediction?: Threshold;
    /** Gate on the change of the positive-label rate (absolute difference). */
    label?: Threshold;
  };
  integrity?: {
    missing_share?: Threshold;
    missing_increase?: Threshold;
    constant_columns?: Threshold;
    duplicate_rows?: Threshold;
    unseen_categories?: Threshold;
    out_of_range?: Threshold;
    mixed_types?: Threshold;
  };
  leakage?: {
    /** Training data to look for evaluation rows in; default `reference`. */
    training?: string;
    /** Share of evaluation rows that also occur in the training data (all compared columns equal). */
    overlap?: Threshold;
    /** Best ROC AUC of one column alone as a predictor of the label (symmetrized: max(AUC, 1 − AUC)). */
    single_column?: Threshold;
  };
  representation?: {
    /** Smallest group count per sensitive attribute; default `{ min: min_group_size }`. */
    min_count?: Threshold;
    /** Smallest group share per sensitive attribute. */
    min_share?: Threshold;
    /** Largest absolute change of a group's share versus the reference, per sensitive attribute. */
    share_change?: Threshold;
  };
}

export const DATA_DEFAULTS = {
  numeric: 'ks' as NumericDriftMethod,
  categorical: 'chi_square' as CategoricalDriftMethod,
  alpha: 0.05,
  correction: 'holm' as const,
  thresholds: { wasserstein: 0.1, psi: 0.2, jensen_shannon: 0.1 },
  bins: 10,
};

/** A distribution as the renderers draw it: shares per bin (numeric) or per category, reference vs current. */
export interface DistributionOverlay {
  kind: 'numeric' | 'categorical';
  /** Numeric: bin edges (bins + 1 values). */
  edges?: number[];
  /** Categorical: category texts (the most frequent ones, then 'other' when more). */
  categories?: string[];
  reference: number[];
  current: number[];
}

export interface ColumnSummary {
  rows: number;
  missing: number;
  /** Numeric: mean, min, max of the non-missing values. */
  mean?: number;
  min?: number;
  max?: number;
  /** Categorical: distinct non-missing values and the most frequent one with its share. */
  distinct?: number;
  top?: string;
  topShare?: number;
}

export interface DriftColumnResult {
  column: string;
  kind: 'numeric' | 'categorical';
  method: DriftMethod;
  /** KS D, Wasserstein distance (divided by the reference's standard deviation), χ², PSI or JS distance. */
  statistic: number;
  /** Raw Wasserstein distance (data units), for method wasserstein. */
  distance?: number;
  pValue?: number;
  adjustedPValue?: number;
  /** 'exact' | 'asymptotic' (KS), 'chi2'. */
  pMethod?: string;
  /** Distance methods: the threshold the statistic is compared with. */
  threshold?: number;
  drifted: boolean;
  reference: ColumnSummary;
  current: ColumnSummary;
  overlay: DistributionOverlay;
}

export interface IntegrityColumnResult {
  column: string;
  kind: 'numeric' | 'categorical';
  missingShare: number;
  referenceMissingShare?: number;
  constant: boolean;
  mixedTypes: boolean;
  /** Share of rows whose category the reference never has (categorical). */
  unseenShare?: number;
  unseen?: string[];
  /** Share of values outside the reference's [min, max] (numeric). */
  outOfRangeShare?: number;
}

export interface RepresentationGroup {
  key: string;
  count: number;
  share: number;
  referenceCount?: number;
  referenceShare?: number;
  /** count < min_group_size (or data.representation.min_count). */
  belowMin: boolean;
}

export interface DataReport {
  reference?: { path: string; sha256: string; rows: number; columns: number };
  columns: string[];
  drift?: {
    numericMethod: NumericDriftMethod;
    categoricalMethod: CategoricalDriftMethod;
    alpha: number;
    correction: 'holm' | 'benjamini-hochberg' | 'none';
    /** Drifted columns first, then by statistic (p-value ascending for tests). */
    columns: DriftColumnResult[];
    drifted: number;
    share: number;
    prediction?: DriftColumnResult;
    label?: { reference: number; current: number; difference: number; pValue: number };
  };
  integrity: {
    rows: number;
    duplicateRows: number;
    duplicateShare: number;
    constantColumns: string[];
    mixedTypeColumns: string[];
    columns: IntegrityColumnResult[];
  };
  leakage?: {
    training: string;
    trainingRows: number;
    overlapRows: number;
    overlapShare: number;
    /** File lines of the first overlapping evaluation rows (line numbers only, never the values). */
    overlapLines: number[];
    singleColumn: Array<{ column: string; auc: number; fittedOn: 'training' | 'evaluation' }>;
  };
  representation?: {
    minCount: number;
    attributes: Array<{ name: string; groups: RepresentationGroup[] }>;
  };
}
