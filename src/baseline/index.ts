/**
 * The baseline stage for the gate (issue #6), in one call: find the base model (pull request base commit or
 * --baseline), and either report it unchanged, or load and score it on the same rows and compare. Temporary files are
 * removed and the base model's session released before returning.
 */
import type { CheckContext, SectionOutput } from '../checks/context.js';
import type { ModelInput, ScoringModel } from '../model/types.js';
import { incompatibleBaseline, runBaseline, unchangedBaseline } from './compare.js';
import { resolveBaselineSettings } from './policy.js';
import { resolveBaselineModel } from './resolve.js';
import type { BaselineReport } from './types.js';

export { incompatibleBaseline, runBaseline, unchangedBaseline, type BaselineModel } from './compare.js';
export { resolveBaselineModel, baseShaFromEvent, type BaselineRequest, type ResolvedBaseline } from './resolve.js';
export type { BaselineReport, BaselineMetricChange } from './types.js';

export interface BaselineStageOptions {
  /** Repository checkout the policy's paths are relative to. */
  workspace: string;
  /** `--baseline <file-or-git-rev>` (CLI). */
  baseline?: string;
  /** GITHUB_EVENT_PATH (Action): the pull request's base sha comes from it. */
  eventPath?: string;
  /** Loads a model file exactly as the gate loads the PR's model (same policy model spec). */
  loadModel(file: string, displayPath: string): Promise<ScoringModel>;
  /** The base model's input for ctx's rows, when its inputs differ from the PR model's (default: ctx.input). */
  inputFor?(model: ScoringModel, ctx: CheckContext): ModelInput;
  /**
   * A context for the PR's model on another dataset file (for `baseline.dataset: base` when the PR changed the
   * dataset). Without it both models are scored on the PR's dataset.
   */
  contextFor?(datasetFile: string): Promise<CheckContext>;
}

/** The section output, or null when there is nothing to compare with (then `notes` of the result say why). */
export type BaselineStage = (SectionOutput<BaselineReport> & { compared: true }) | { compared: false; notes: string[] };

export async function baselineStage(ctx: CheckContext, opts: BaselineStageOptions): Promise<BaselineStage> {
  const { policy } = ctx.doc;
  const settings = resolveBaselineSettings(policy);
  if (!settings.enabled) return { compared: false, notes: [] };
  const request = {
    workspace: opts.workspace,
    modelPath: policy.model.path,
    datasetPath: policy.dataset.path,
    maxBytes: settings.maxModelBytes,
    location: ctx.doc.locate(policy.baseline !== undefined ? ['baseline'] : ['model', 'path']),
    ...(opts.baseline !== undefined ? { explicit: opts.baseline } : {}),
    ...(opts.eventPath !== undefined ? { eventPath: opts.eventPath } : {}),
  };
  const resolved = await resolveBaselineModel(request);
  if (resolved.kind === 'none') {
    const notes = settings.limits.length > 0 || opts.baseline !== undefined ? [`Baseline: ${resolved.reason}; max_regression limits were not checked.`] : [];
    return { compared: false, notes };
  }
  if (resolved.kind === 'unchanged') return { compared: true, ...unchangedBaseline(ctx, { sourceDescription: resolved.source }) };

  let base: ScoringModel | undefined;
  const firstLine = (e: unknown): string => String((e as Error)?.message ?? e).split('\n')[0];
  const baseRef = { source: resolved.source, sha256: resolved.sha256, bytes: resolved.bytes };
  try {
    try {
      base = await opts.loadModel(resolved.file, `${policy.model.path} (${resolved.source})`);
    } catch (e) {
      return { compared: true, ...incompatibleBaseline(ctx, baseRef, `the base model cannot be loaded (${firstLine(e)})`) };
    }
    let target = ctx;
    let datasetNote: string | undefined;
    if (resolved.datasetFile) {
      if (settings.dataset === 'base' && opts.contextFor) {
        target = await opts.contextFor(resolved.datasetFile);
        datasetNote = `the pull request changed ${policy.dataset.path}; both models were scored on the base version (baseline.dataset: base)`;
      } else {
        datasetNote = `the pull request changed ${policy.dataset.path}; both models were scored on the pull request's version`;
      }
    }
    let input: ModelInput;
    try {
      input = opts.inputFor ? opts.inputFor(base, target) : target.input;
    } catch (e) {
      return { compared: true, ...incompatibleBaseline(target, baseRef, `the base model's inputs cannot be built from the dataset (${firstLine(e)})`) };
    }
    const out = await runBaseline(target, { model: base, sourceDescription: resolved.source, input, ...(datasetNote ? { datasetNote } : {}) });
    if (datasetNote) out.notes.push(`Baseline: ${datasetNote}.`);
    return { compared: true, ...out };
  } finally {
    await base?.dispose();
    await resolved.cleanup();
  }
}
