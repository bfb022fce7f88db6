/**
 * Help of the data rules (issue #13): every `metric` that src/checks/data/index.ts passes to makeCheckResults.
 * Static, trusted text; used by rule-help.ts for SARIF rules and the "how to fix" notes.
 */
export interface DataRuleText {
  title: string;
  definition: string;
  why: string;
  fix: string;
}

const DRIFT_FIX =
  'Look at the drifted columns in the report (reference vs current values and the distribution overlays): a changed ' +
  'pipeline, a new data source, a unit or encoding change, or a real change of the population. Fix the pipeline, or ' +
  'retrain on data that represents the population the model will score; if the change is intended, update ' +
  'data.reference with a reviewer who owns the model risk.';

export const DATA_RULES: Record<string, DataRuleText> = {
  drift_share: {
    title: 'Share of drifted columns',
    definition:
      'Share of the compared input columns whose distribution differs from the reference: for tests (KS for numbers, ' +
      'χ² test of homogeneity for categories) a p-value below data.drift.alpha after the multiple-testing correction ' +
      'over the columns; for distances (Wasserstein / σ, PSI, Jensen–Shannon) a statistic above its threshold.',
    why: 'A model is only as good as the match between the data it learned from and the data it scores.',
    fix: DRIFT_FIX,
  },
  column_drift: {
    title: 'Drift of a named column',
    definition: "The drift statistic of one column against the reference, by the column's method (KS distance D, Wasserstein / σ, PSI, Jensen–Shannon distance or χ²).",
    why: 'Some inputs matter more than others: the policy names the ones whose distribution must stay close to the training data.',
    fix: DRIFT_FIX,
  },
  prediction_drift: {
    title: "Drift of the model's scores",
    definition: "The numeric drift statistic (KS distance by default) between the model's scores on the reference data and on the evaluation data.",
    why: 'A shift of the score distribution changes how many people get each decision, even when every input passes its own test.',
    fix: DRIFT_FIX,
  },
  label_drift: {
    title: 'Change of the positive-label rate',
    definition: 'Absolute difference between the share of positive labels in the evaluation data and in the reference.',
    why: 'A different base rate changes precision, calibration and every rate-based fairness metric.',
    fix: 'Check how the evaluation data was sampled and labelled; re-weight or re-sample it to the population, or update the reference.',
  },
  missing_share: {
    title: 'Largest missing-value share of a column',
    definition: 'Largest share of missing values (a missing-value text, or an empty numeric cell) over the columns.',
    why: 'Models handle missing values the way they saw them in training; many more of them change the scores silently.',
    fix: 'Find the step of the data pipeline that loses values (a join, a renamed source field, a parse error) and fix it.',
  },
  missing_increase: {
    title: "Largest rise of a column's missing-value share",
    definition: "Largest increase of a column's missing-value share versus the reference.",
    why: 'A column that suddenly has more gaps than in training points to a broken upstream source.',
    fix: 'Find the step of the data pipeline that loses values (a join, a renamed source field, a parse error) and fix it.',
  },
  constant_columns: {
    title: 'Constant columns',
    definition: 'Number of columns with at most one distinct non-missing value.',
    why: 'A constant input carries no information: often a default value filled in by a broken pipeline.',
    fix: 'Check the source of the named columns; drop them from the model and the data only if they are constant by design.',
  },
  duplicate_rows: {
    title: 'Share of duplicate rows',
    definition: 'Share of rows equal (on every column) to an earlier row of the evaluation data.',
    why: 'Duplicates give some rows more weight and narrow every interval wrongly.',
    fix: 'Remove the duplicates, or find the join or export that repeats rows.',
  },
  unseen_categories: {
    title: 'Share of categories unseen in the reference',
    definition: "Largest share, over the text columns, of values the reference never has.",
    why: 'The model has never seen these categories: its scores for them are extrapolations (one-hot encoders map them to all zeros).',
    fix: 'Map new spellings to known categories in the pipeline, or retrain with data that has them.',
  },
  out_of_range: {
    title: 'Share of values outside the reference range',
    definition: "Largest share, over the numeric columns, of values below the reference's minimum or above its maximum.",
    why: 'Outside the training range the model extrapolates; a unit change (cents for euros) shows up here first.',
    fix: 'Check units and scaling of the named column; clip or retrain if such values are real.',
  },
  mixed_types: {
    title: 'Columns with mixed types',
    definition: 'Number of columns that hold both numbers and texts, or are numeric in one file and text in the other.',
    why: 'A stray text in a numeric column turns the whole column into categories and changes how the model reads it.',
    fix: 'Find the non-numeric values (a unit suffix, a comma as decimal separator, a placeholder) and clean them.',
  },
  training_overlap: {
    title: 'Share of evaluation rows found in the training data',
    definition: 'Share of evaluation rows equal on every compared input column to a row of the training data (rows hashed with two 32-bit hashes).',
    why: 'Rows the model was trained on make every metric optimistic: the evaluation no longer measures generalisation.',
    fix: 'Remove the training rows from the evaluation data (split by entity or time), then run the gate again.',
  },
  single_column_auc: {
    title: 'Best ROC AUC of a single column',
    definition:
      'Largest max(AUC, 1 − AUC) of one input column alone as a score for the label: numbers as they are, categories ' +
      'by their positive rate in the training data (or the evaluation data when the training data has no labels).',
    why: 'A column that predicts the label almost perfectly is usually the label in disguise (target leakage).',
    fix: 'Check how the named column is produced: it may be recorded after the outcome. Remove it from the features.',
  },
  group_count: {
    title: 'Smallest group of a sensitive attribute',
    definition: 'Row count of the smallest group of the attribute in the evaluation data (groups present in it or in the reference).',
    why: 'A group with few rows cannot be evaluated for fairness: it must be a finding, not a silent exclusion.',
    fix: 'Collect or sample more evaluation data for the named group (stratified sampling), or merge groups with a documented reason.',
  },
  group_share: {
    title: 'Smallest group share of a sensitive attribute',
    definition: "Share of the evaluation rows in the attribute's smallest group.",
    why: 'Groups that almost vanish from the evaluation data are not represented in any aggregate metric.',
    fix: 'Collect or sample more evaluation data for the named group.',
  },
  group_share_change: {
    title: "Largest change of a group's share",
    definition: "Largest absolute difference between a group's share in the evaluation data and in the reference.",
    why: 'A population whose make-up changed is scored by a model calibrated for another one.',
    fix: 'Check the sampling of the evaluation data; re-weight it to the population, or update the reference.',
  },
};
