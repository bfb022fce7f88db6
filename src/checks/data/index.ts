/**
 * The `data` section of the gate (issue #13): runs the pure data checks (compute.ts) on the evaluation dataset and its
 * reference, and gates them like every other check through makeCheckResults (value, limit, interval or test, policy
 * line). Runs before the model is scored; prediction drift is added once scores exist (predictionDriftChecks).
 */
import { lineOfRow } from '../../data/csv.js';
import type { Dataset, Grouping, Labels } from '../../data/types.js';
import type { PolicyDocument, PolicyPointer, Threshold } from '../../policy/types.js';
import type { CheckResult } from '../../report/types.js';
import type { EstimateSpec } from '../../stats/estimate.js';
import { makeCheckResults, formatNumber } from '../result.js';
import {
  columnDrift,
  decideDrift,
  integrity,
  numericDrift,
  representation,
  singleColumnAuc,
  trainingOverlap,
  type DriftSettings,
} from './compute.js';
import { sortedValues } from './columns.js';
import { chiSquareHomogeneity } from './stats.js';
import { DATA_DEFAULTS, type DataPolicy, type DataReport, type DriftColumnResult } from './types.js';

export * from './types.js';

export interface DataInputs {
  doc: PolicyDocument;
  dataset: Dataset;
  labels: Labels;
  groupings: Grouping[];
  reference?: { dataset: Dataset; path: string; labels?: Labels; groupings?: Grouping[] };
  /** Training data for the leakage checks (default: the reference). */
  training?: { dataset: Dataset; path: string; labels?: Labels };
}

export interface DataOutput {
  section: DataReport;
  checks: CheckResult[];
  notes: string[];
}

export function dataPolicy(doc: PolicyDocument): DataPolicy | undefined {
  return (doc.policy as { data?: DataPolicy }).data;
}

export function driftSettings(policy: DataPolicy): DriftSettings {
  const d = policy.drift ?? {};
  return {
    numeric: d.numeric ?? DATA_DEFAULTS.numeric,
    categorical: d.categorical ?? DATA_DEFAULTS.categorical,
    alpha: d.alpha ?? DATA_DEFAULTS.alpha,
    correction: d.correction ?? DATA_DEFAULTS.correction,
    thresholds: { ...DATA_DEFAULTS.thresholds, ...(d.thresholds ?? {}) },
    bins: d.bins ?? DATA_DEFAULTS.bins,
  };
}

const METHOD_NAMES: Record<string, string> = {
  ks: 'KS',
  wasserstein: 'Wasserstein (÷ reference SD)',
  psi: 'PSI',
  jensen_shannon: 'Jensen–Shannon distance',
  chi_square: 'χ²',
};

export function driftMethodName(method: string): string {
  return METHOD_NAMES[method] ?? method;
}

/** A proportion with a Wilson (or policy) interval: successes among trials, re-estimable on resampled rows. */
function proportionSpec(hits: Uint8Array): EstimateSpec {
  let successes = 0;
  for (let i = 0; i < hits.length; i++) successes += hits[i];
  return {
    proportion: { successes, trials: hits.length },
    strata: new Int32Array(hits.length),
    recompute: (rows) => {
      if (rows.length === 0) return null;
      let s = 0;
      for (let i = 0; i < rows.length; i++) s += hits[rows[i]];
      return s / rows.length;
    },
  };
}

/** The compared columns: the policy's list, else every column of both datasets except the label. */
export function comparedColumns(policy: DataPolicy, dataset: Dataset, reference: Dataset | undefined, label: string): string[] {
  if (policy.columns) return policy.columns.filter((c) => dataset.byName.has(c) && (!reference || reference.byName.has(c)));
  return dataset.columns.map((c) => c.name).filter((c) => c !== label && (!reference || reference.byName.has(c)));
}

export function runDataChecks(input: DataInputs): DataOutput {
  const { doc, dataset, labels } = input;
  const policy = dataPolicy(doc) ?? {};
  const missing = new Set(doc.policy.dataset.missing_values);
  const label = doc.policy.dataset.label;
  const ref = input.reference?.dataset;
  const columns = comparedColumns(policy, dataset, ref, label);
  const checks: CheckResult[] = [];
  const notes: string[] = [];
  const gate = (metric: string, title: string, value: number | null, threshold: Threshold | undefined, pointer: PolicyPointer, extra: { scope?: string; details?: Record<string, unknown>; estimate?: EstimateSpec; insufficientReason?: string; context?: string } = {}): void => {
    if (!threshold) return;
    checks.push(...makeCheckResults({ doc, section: 'data', metric, title, value, threshold, pointer, ...extra } as Parameters<typeof makeCheckResults>[0]));
  };
  const section: DataReport = {
    columns,
    integrity: { rows: dataset.rows, duplicateRows: 0, duplicateShare: 0, constantColumns: [], mixedTypeColumns: [], columns: [] },
  };
  if (ref && input.reference) {
    section.reference = { path: input.reference.path, sha256: ref.sha256, rows: ref.rows, columns: ref.columns.length };
    const missingColumns = (policy.columns ?? dataset.columns.map((c) => c.name).filter((c) => c !== label)).filter((c) => !ref.byName.has(c));
    if (missingColumns.length > 0) {
      notes.push(`data: the reference ${input.reference.path} has no column${missingColumns.length === 1 ? '' : 's'} ${missingColumns.slice(0, 10).join(', ')}${missingColumns.length > 10 ? ', …' : ''}: not compared`);
    }
  }

  // ---- drift
  if (ref) {
    const s = driftSettings(policy);
    const results: DriftColumnResult[] = [];
    for (const name of columns) {
      const r = columnDrift(name, ref.byName.get(name)!, dataset.byName.get(name)!, missing, s);
      if (r) results.push(r);
      else notes.push(`data: column ${name} has no values in the reference or in the evaluation data: no drift statistic`);
    }
    const sorted = decideDrift(results, s);
    const drifted = sorted.filter((r) => r.drifted).length;
    const share = sorted.length > 0 ? drifted / sorted.length : 0;
    section.drift = { numericMethod: s.numeric, categoricalMethod: s.categorical, alpha: s.alpha, correction: s.correction, columns: sorted, drifted, share };
    const d = policy.drift ?? {};
    gate('drift_share', 'Share of drifted columns', sorted.length > 0 ? share : null, d.share, ['data', 'drift', 'share'], {
      details: { drifted: sorted.filter((r) => r.drifted).map((r) => r.column), columns: sorted.length },
      context: `${drifted} of ${sorted.length} columns drifted at α = ${formatNumber(s.alpha)}${s.correction !== 'none' ? ` after the ${s.correction === 'holm' ? 'Holm' : 'Benjamini-Hochberg'} correction` : ''}`,
      ...(sorted.length === 0 ? { insufficientReason: 'no column could be compared with the reference' } : {}),
    });
    for (const [name, threshold] of Object.entries(d.columns ?? {})) {
      const r = sorted.find((x) => x.column === name);
      gate('column_drift', `Drift of ${name} (${driftMethodName(r?.method ?? '')})`, r ? r.statistic : null, threshold, ['data', 'drift', 'columns', name], {
        scope: name,
        ...(r
          ? { details: { method: r.method, pValue: r.pValue ?? null, adjustedPValue: r.adjustedPValue ?? null, drifted: r.drifted }, context: r.pValue !== undefined ? `p = ${formatNumber(r.adjustedPValue ?? r.pValue)}` : undefined }
          : { insufficientReason: `column ${name} is not in both the evaluation data and the reference` }),
      });
    }
    // label drift: positive-label rate, reference vs current
    const refLabels = input.reference?.labels;
    if (refLabels && ref.rows > 0 && dataset.rows > 0) {
      const rRate = refLabels.positives / ref.rows;
      const cRate = labels.positives / dataset.rows;
      const test = chiSquareHomogeneity([ref.rows - refLabels.positives, refLabels.positives], [dataset.rows - labels.positives, labels.positives]);
      section.drift.label = { reference: rRate, current: cRate, difference: cRate - rRate, pValue: test.pValue };
      gate('label_drift', 'Change of the positive-label rate', Math.abs(cRate - rRate), d.label, ['data', 'drift', 'label'], {
        details: { reference: rRate, current: cRate, pValue: test.pValue },
        context: `${formatNumber(rRate)} → ${formatNumber(cRate)}, χ² p = ${formatNumber(test.pValue)}`,
      });
    } else if (d.label) {
      gate('label_drift', 'Change of the positive-label rate', null, d.label, ['data', 'drift', 'label'], {
        insufficientReason: `the reference has no label column ${label}`,
      });
    }
  } else if (policy.drift) {
    notes.push('data: `drift` needs `data.reference` (the training data or the base branch\'s data); no drift was measured');
  }

  // ---- integrity
  const integ = integrity(dataset, ref, dataset.columns.map((c) => c.name).filter((c) => columns.includes(c) || c === label || !ref), missing);
  section.integrity = integ;
  const it = policy.integrity ?? {};
  const worst = <K extends 'missingShare' | 'unseenShare' | 'outOfRangeShare'>(key: K): { value: number | null; column?: string } => {
    let best: { value: number | null; column?: string } = { value: null };
    for (const c of integ.columns) {
      const v = c[key];
      if (typeof v === 'number' && (best.value === null || v > best.value)) best = { value: v, column: c.column };
    }
    // name the column only when it has something to show
    if (best.value === 0) return { value: 0 };
    return best;
  };
  const ms = worst('missingShare');
  gate('missing_share', 'Largest missing-value share of a column', ms.value, it.missing_share, ['data', 'integrity', 'missing_share'], {
    ...(ms.column ? { details: { column: ms.column }, context: `column ${ms.column}` } : {}),
  });
  if (it.missing_increase) {
    let inc: { value: number | null; column?: string } = { value: null };
    for (const c of integ.columns) {
      if (c.referenceMissingShare === undefined) continue;
      const v = c.missingShare - c.referenceMissingShare;
      if (inc.value === null || v > inc.value) inc = { value: v, column: c.column };
    }
    gate('missing_increase', 'Largest rise of a column\'s missing-value share vs the reference', inc.value, it.missing_increase, ['data', 'integrity', 'missing_increase'], {
      ...(inc.column ? { details: { column: inc.column }, context: `column ${inc.column}` } : { insufficientReason: 'no reference to compare with (data.reference)' }),
    });
  }
  gate('constant_columns', 'Constant columns', integ.constantColumns.length, it.constant_columns, ['data', 'integrity', 'constant_columns'], {
    details: { columns: integ.constantColumns },
    ...(integ.constantColumns.length ? { context: integ.constantColumns.slice(0, 5).join(', ') } : {}),
  });
  if (it.duplicate_rows) {
    gate('duplicate_rows', 'Share of duplicate rows', integ.duplicateShare, it.duplicate_rows, ['data', 'integrity', 'duplicate_rows'], {
      details: { rows: integ.duplicateRows },
      context: `${integ.duplicateRows} of ${dataset.rows} rows repeat an earlier row`,
    });
  }
  if (it.unseen_categories) {
    const u = worst('unseenShare');
    gate('unseen_categories', 'Largest share of categories unseen in the reference', u.value ?? (ref ? 0 : null), it.unseen_categories, ['data', 'integrity', 'unseen_categories'], {
      ...(u.column ? { details: { column: u.column }, context: `column ${u.column}` } : !ref ? { insufficientReason: 'no reference to compare with (data.reference)' } : {}),
    });
  }
  if (it.out_of_range) {
    const o = worst('outOfRangeShare');
    gate('out_of_range', 'Largest share of values outside the reference range', o.value ?? (ref ? 0 : null), it.out_of_range, ['data', 'integrity', 'out_of_range'], {
      ...(o.column ? { details: { column: o.column }, context: `column ${o.column}` } : !ref ? { insufficientReason: 'no reference to compare with (data.reference)' } : {}),
    });
  }
  gate('mixed_types', 'Columns with mixed types', integ.mixedTypeColumns.length, it.mixed_types, ['data', 'integrity', 'mixed_types'], {
    details: { columns: integ.mixedTypeColumns },
    ...(integ.mixedTypeColumns.length ? { context: integ.mixedTypeColumns.slice(0, 5).join(', ') } : {}),
  });

  // ---- leakage
  const lk = policy.leakage;
  if (lk) {
    const training = input.training ?? (input.reference ? { dataset: input.reference.dataset, path: input.reference.path, labels: input.reference.labels } : undefined);
    const singleColumn: Array<{ column: string; auc: number; fittedOn: 'training' | 'evaluation' }> = [];
    for (const name of dataset.columns.map((c) => c.name)) {
      if (name === label) continue;
      if (lk.training === undefined && policy.columns && !policy.columns.includes(name)) continue;
      const col = dataset.byName.get(name)!;
      const tcol = training?.dataset.byName.get(name);
      const r = singleColumnAuc(col, labels.yTrue, tcol && training?.labels ? { column: tcol, yTrue: training.labels.yTrue } : undefined);
      if (r) singleColumn.push({ column: name, auc: r.auc, fittedOn: r.fittedOn });
    }
    singleColumn.sort((a, b) => b.auc - a.auc || (a.column < b.column ? -1 : 1));
    const best = singleColumn[0];
    if (training) {
      const overlapColumns = columns.filter((c) => training.dataset.byName.has(c));
      const overlap = trainingOverlap(dataset, training.dataset, overlapColumns);
      section.leakage = {
        training: training.path,
        trainingRows: training.dataset.rows,
        overlapRows: overlap.rows.length,
        overlapShare: dataset.rows > 0 ? overlap.rows.length / dataset.rows : 0,
        overlapLines: Array.from(overlap.rows.subarray(0, 10), (r) => lineOfRow(dataset, r)),
        singleColumn: singleColumn.slice(0, 20),
      };
      const hits = new Uint8Array(dataset.rows);
      for (const r of overlap.rows) hits[r] = 1;
      gate('training_overlap', 'Share of evaluation rows found in the training data', section.leakage.overlapShare, lk.overlap, ['data', 'leakage', 'overlap'], {
        estimate: proportionSpec(hits),
        details: { rows: overlap.rows.length, columns: overlapColumns.length },
        context: `${overlap.rows.length} of ${dataset.rows} rows equal a training row on all ${overlapColumns.length} compared columns`,
      });
    } else {
      section.leakage = { training: '', trainingRows: 0, overlapRows: 0, overlapShare: 0, overlapLines: [], singleColumn: singleColumn.slice(0, 20) };
      gate('training_overlap', 'Share of evaluation rows found in the training data', null, lk.overlap, ['data', 'leakage', 'overlap'], {
        insufficientReason: 'no training data to look in: set data.leakage.training or data.reference',
      });
    }
    gate('single_column_auc', 'Best ROC AUC of a single column predicting the label', best ? best.auc : null, lk.single_column, ['data', 'leakage', 'single_column'], {
      ...(best ? { details: { column: best.column, fittedOn: best.fittedOn }, context: `column ${best.column}` } : { insufficientReason: 'the label has a single class, so no column can be scored' }),
    });
  }

  // ---- representation
  const rp = policy.representation;
  if (rp && input.groupings.length === 0) {
    // limits without groups to apply them to: insufficient evidence at their lines, never a silent pass
    for (const [key, metric] of [['min_count', 'group_count'], ['min_share', 'group_share'], ['share_change', 'group_share_change']] as const) {
      gate(metric, `Representation (${key})`, null, rp[key], ['data', 'representation', key], {
        insufficientReason: 'the policy names no sensitive attributes (`sensitive:`), so there are no groups to count',
      });
    }
  }
  if (rp || input.groupings.length > 0) {
    const minCountThreshold: Threshold = rp?.min_count ?? { min: doc.policy.min_group_size };
    const minCount = minCountThreshold.min ?? doc.policy.min_group_size;
    const attributes = input.groupings.map((g) => {
      const rg = input.reference?.groupings?.find((x) => x.name === g.name);
      const groups = representation(g, rg, minCount).filter((x) => x.count > 0 || (x.referenceCount ?? 0) > 0);
      return { name: g.name, groups };
    });
    section.representation = { minCount, attributes };
    for (const a of attributes) {
      const below = a.groups.filter((g) => g.belowMin);
      if (below.length > 0) {
        notes.push(`data: ${a.name}: ${below.length} group(s) below ${minCount} rows: ${below.slice(0, 10).map((g) => `${g.key} (${g.count}${g.referenceCount !== undefined ? `, reference ${g.referenceCount}` : ''})`).join(', ')}${below.length > 10 ? ', …' : ''}`);
      }
      if (!rp) continue;
      const smallest = a.groups.reduce<typeof a.groups[number] | undefined>((m, g) => (m === undefined || g.count < m.count ? g : m), undefined);
      if (smallest) {
        gate('group_count', `Smallest group of ${a.name}`, smallest.count, minCountThreshold, rp.min_count ? ['data', 'representation', 'min_count'] : ['data', 'representation'], {
          scope: a.name,
          details: { group: smallest.key, below: below.map((g) => g.key) },
          context: `group ${smallest.key}${smallest.referenceCount !== undefined ? `, ${smallest.referenceCount} in the reference` : ''}`,
        });
        gate('group_share', `Smallest group share of ${a.name}`, smallest.share, rp.min_share, ['data', 'representation', 'min_share'], {
          scope: a.name,
          details: { group: smallest.key },
          context: `group ${smallest.key}`,
        });
      }
      if (rp.share_change) {
        let change: { value: number | null; key?: string; from?: number; to?: number } = { value: null };
        for (const g of a.groups) {
          if (g.referenceShare === undefined) continue;
          const v = Math.abs(g.share - g.referenceShare);
          if (change.value === null || v > change.value) change = { value: v, key: g.key, from: g.referenceShare, to: g.share };
        }
        gate('group_share_change', `Largest change of a group's share of ${a.name} vs the reference`, change.value, rp.share_change, ['data', 'representation', 'share_change'], {
          scope: a.name,
          ...(change.key !== undefined
            ? { details: { group: change.key, reference: change.from, current: change.to }, context: `group ${change.key}: ${formatNumber(change.from as number)} → ${formatNumber(change.to as number)}` }
            : { insufficientReason: `the reference has no ${a.name} groups (data.reference with the sensitive columns is needed)` }),
        });
      }
    }
  }
  return { section, checks, notes };
}

/** Prediction drift: the model's scores on the reference vs on the evaluation data (numeric drift method). */
export function predictionDriftChecks(doc: PolicyDocument, section: DataReport, referenceScores: Float32Array, scores: Float32Array): CheckResult[] {
  const policy = dataPolicy(doc) ?? {};
  if (!section.drift) return [];
  const s = driftSettings(policy);
  const a = sortedValues(Float64Array.from(referenceScores));
  const b = sortedValues(Float64Array.from(scores));
  if (a.length === 0 || b.length === 0) return [];
  const r = numericDrift('model score', a, b, { reference: referenceScores.length, current: scores.length }, s);
  if (r.pValue !== undefined) {
    r.adjustedPValue = r.pValue;
    r.drifted = r.pValue < s.alpha;
  }
  section.drift.prediction = r;
  const threshold = policy.drift?.prediction;
  if (!threshold) return [];
  return makeCheckResults({
    doc,
    section: 'data',
    metric: 'prediction_drift',
    title: `Drift of the model's scores (${driftMethodName(r.method)})`,
    value: r.statistic,
    threshold,
    pointer: ['data', 'drift', 'prediction'],
    details: { method: r.method, pValue: r.pValue ?? null },
    ...(r.pValue !== undefined ? { context: `p = ${formatNumber(r.pValue)}` } : {}),
  } as Parameters<typeof makeCheckResults>[0]);
}
