/**
 * The data stage of the gate (issue #13), run right after the evaluation dataset is read and before the model: reads
 * the reference (and training) datasets the policy names, runs the data checks, and — once the model is loaded —
 * scores the reference for prediction drift. gate.ts only calls these two functions.
 */
import { resolvePolicyPath } from '../../policy/load.js';
import type { PolicyDocument } from '../../policy/types.js';
import { buildGroupings } from '../../data/groups.js';
import { makeLabels } from '../../data/labels.js';
import { readDataset } from '../../data/read.js';
import type { Dataset, Grouping, Labels } from '../../data/types.js';
import { encodeModelInput } from '../../model/encode.js';
import type { ScoringModel } from '../../model/types.js';
import type { CheckResult } from '../../report/types.js';
import { isUserError } from '../../util/errors.js';
import { makeCheckResults } from '../result.js';
import { dataPolicy, predictionDriftChecks, runDataChecks } from './index.js';
import type { DataReport } from './types.js';

export interface DataStage {
  section: DataReport;
  checks: CheckResult[];
  notes: string[];
  /** Scores the reference with the model and adds the prediction-drift result (and its check, when gated). */
  scorePrediction(model: ScoringModel, scores: Float32Array, workspace: string): Promise<void>;
}

/** Reads another dataset the way the evaluation dataset is read (same missing values, renames, row bound). */
export async function readCompanionDataset(doc: PolicyDocument, path: string, pointer: string[]): Promise<Dataset> {
  const { dataset } = doc.policy;
  return readDataset(resolvePolicyPath(doc, path, pointer), {
    displayPath: path,
    missingValues: dataset.missing_values,
    maxRows: dataset.max_rows,
    ...(dataset.columns ? { columns: dataset.columns } : {}),
  });
}

function optional<T>(f: () => T, notes: string[], what: string): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!isUserError(e)) throw e;
    notes.push(`data: ${what}: ${e.message}`);
    return undefined;
  }
}

export async function runDataStage(
  doc: PolicyDocument,
  evaluation: { dataset: Dataset; labels: Labels; groupings: Grouping[] },
): Promise<DataStage | undefined> {
  const policy = dataPolicy(doc);
  if (policy === undefined) return undefined;
  const notes: string[] = [];
  let reference: { dataset: Dataset; path: string; labels?: Labels; groupings?: Grouping[] } | undefined;
  if (policy.reference !== undefined) {
    const dataset = await readCompanionDataset(doc, policy.reference, ['data', 'reference']);
    const labels = dataset.byName.has(doc.policy.dataset.label) ? optional(() => makeLabels(dataset, doc.policy.dataset), notes, 'no label drift') : undefined;
    const groupings = optional(() => buildGroupings(dataset, doc.policy), notes, 'the reference has no sensitive groups to compare');
    reference = { dataset, path: policy.reference, ...(labels ? { labels } : {}), ...(groupings ? { groupings } : {}) };
  }
  let training: { dataset: Dataset; path: string; labels?: Labels } | undefined;
  const trainingPath = policy.leakage?.training;
  if (trainingPath !== undefined && trainingPath !== policy.reference) {
    const dataset = await readCompanionDataset(doc, trainingPath, ['data', 'leakage', 'training']);
    const labels = dataset.byName.has(doc.policy.dataset.label) ? optional(() => makeLabels(dataset, doc.policy.dataset), notes, 'single-column leakage fitted on the evaluation rows') : undefined;
    training = { dataset, path: trainingPath, ...(labels ? { labels } : {}) };
  }
  const out = runDataChecks({ doc, ...evaluation, ...(reference ? { reference } : {}), ...(training ? { training } : {}) });
  const checks = out.checks;
  const allNotes = [...notes, ...out.notes];
  return {
    section: out.section,
    checks,
    notes: allNotes,
    async scorePrediction(model, scores, workspace) {
      if (!reference || !out.section.drift) return;
      let referenceScores: Float32Array;
      try {
        const input = encodeModelInput(reference.dataset, model.info.inputs, doc.policy.model.features, { workspace, policyFile: doc.file, locate: doc.locate });
        referenceScores = await model.score(input);
      } catch (e) {
        if (!isUserError(e)) throw e;
        allNotes.push(`data: no prediction drift: the model cannot score the reference (${e.message})`);
        // a gated check that could not run never passes silently
        const threshold = policy.drift?.prediction;
        if (threshold) {
          checks.push(
            ...makeCheckResults({
              doc,
              section: 'data',
              metric: 'prediction_drift',
              title: "Drift of the model's scores",
              value: null,
              threshold,
              pointer: ['data', 'drift', 'prediction'],
              insufficientReason: `the model cannot score the reference ${policy.reference}: ${e.message}`,
            }),
          );
        }
        return;
      }
      checks.push(...predictionDriftChecks(doc, out.section, referenceScores, scores));
    },
  };
}
