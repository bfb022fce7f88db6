/**
 * Publishers: the only code that talks to GitHub (workflow commands, job summary, outputs, PR comment, artifact).
 * They receive rendered text and plain data; they never format numbers or build markdown themselves.
 */
import * as core from '@actions/core';
import type { Annotation } from '../report/annotations.js';
import { renderCharts } from '../report/charts/index.js';
import { renderHtml } from '../report/html.js';
import type { Report } from '../report/types.js';
import { DEFAULT_ARTIFACT_NAME, parseRetentionDays, uploadReportArtifact, writeReportBundle } from './artifact.js';
import { publishComment, publishCommentFromReport, readReportFile } from './comment.js';
import { artifactUrl, readRunContext, resolveToken, runUrl, type Log } from './context.js';
import { messageLine, withWorkflowCommands } from '../util/output.js';

/**
 * The Action's side of the one output writer (src/util/output.ts): every log line and annotation message is one
 * sanitised line (no `::`, no line break from the pull request's text), and only these helpers may write workflow
 * commands (the stdout guard lets them through). Never call core.info/warning/error directly.
 */
export const actionOutput = {
  info: (message: unknown): void => void process.stdout.write(`${messageLine(message)}\n`),
  annotate: (level: 'error' | 'warning' | 'notice', message: unknown, props: core.AnnotationProperties = {}): void => {
    const clean: core.AnnotationProperties = {};
    if (props.title !== undefined) clean.title = messageLine(props.title, 200);
    if (props.file !== undefined) clean.file = messageLine(props.file, 500);
    for (const k of ['startLine', 'endLine', 'startColumn', 'endColumn'] as const) {
      const v = props[k];
      if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) clean[k] = v;
    }
    // line breaks stay (core escapes them as %0A inside the command); each line is sanitised
    const text = String(message ?? '').split(/\r\n|[\r\n\u2028\u2029\u0085]/).slice(0, 20).map((l) => messageLine(l)).join('\n');
    withWorkflowCommands(() => core[level](text, clean));
  },
  debug: (message: unknown): void => withWorkflowCommands(() => core.debug(String(message ?? '').split(/\r\n|[\r\n\u2028\u2029\u0085]/).map((l) => messageLine(l)).join('\n'))),
  failed: (message: unknown): void => {
    process.exitCode = 1;
    actionOutput.annotate('error', message);
  },
  setSecret: (secret: string): void => withWorkflowCommands(() => core.setSecret(secret)),
};

export async function publishSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) {
    actionOutput.info('GITHUB_STEP_SUMMARY is not set: the job summary is not written (local run).');
    return;
  }
  try {
    await core.summary.addRaw(markdown, true).write({ overwrite: false });
  } catch (e) {
    // The runner creates this file; if it is missing or read-only the verdict still stands, so say so and go on.
    core.summary.emptyBuffer();
    actionOutput.annotate('warning', `The job summary could not be written to GITHUB_STEP_SUMMARY (${String((e as Error)?.message ?? e).split('\n')[0]}); the verdict, annotations and outputs are unaffected.`);
  }
}

export function publishAnnotations(annotations: Annotation[]): void {
  for (const a of annotations) {
    const props: core.AnnotationProperties = { title: a.title };
    if (a.file) props.file = a.file;
    if (a.line) props.startLine = a.line;
    if (a.column) props.startColumn = a.column;
    actionOutput.annotate(a.level === 'error' || a.level === 'warning' ? a.level : 'notice', a.message, props);
  }
}

export function publishOutputs(outputs: Record<string, string>): void {
  // GITHUB_OUTPUT file (random delimiter); the `::set-output` fallback of old runners is escaped by core
  for (const [name, value] of Object.entries(outputs)) withWorkflowCommands(() => core.setOutput(name, value));
}

/** The publishers' log: @actions/core (annotations for warnings and notices). */
export const coreLog: Log = {
  info: (m) => actionOutput.info(m),
  notice: (m) => actionOutput.annotate('notice', m),
  warning: (m) => actionOutput.annotate('warning', m),
};

export interface ReviewerInputs {
  /** `comment` input. */
  comment: boolean;
  /** `github-token` input (may be empty: GITHUB_TOKEN from the environment is used then). */
  githubToken: string;
  /** `artifact-name` input; empty skips the upload. */
  artifactName: string;
  /** `retention-days` input (text). */
  retentionDays: string;
}

/**
 * What reviewers see beyond the summary (issue #5): report.html and charts/*.svg written next to report.json and the
 * SARIF file, the report artifact uploaded (report.json, report.html, SARIF, charts), then the sticky PR comment
 * linking the run and the artifact. Never throws and never changes the verdict: problems are warnings. Returns the
 * step outputs it produced (artifact-id, artifact-url, comment-url, html-path).
 */
export async function publishForReviewers(report: Report, files: { dir: string; sarifPath: string }, inputs: ReviewerInputs): Promise<Record<string, string>> {
  const outputs: Record<string, string> = {};
  const ctx = readRunContext(process.env);
  const run = runUrl(ctx);
  let artifactLink: string | undefined;
  try {
    const charts = renderCharts(report);
    const bundle = writeReportBundle(files.dir, { html: renderHtml(report, charts, run ? { runUrl: run } : {}), charts, sarifPath: files.sarifPath });
    outputs['html-path'] = bundle.files.find((f) => f.endsWith('report.html')) ?? '';
    const name = inputs.artifactName.trim();
    if (name === '') coreLog.info('Report artifact not uploaded: the `artifact-name` input is empty.');
    else {
      const retentionDays = parseRetentionDays(inputs.retentionDays, coreLog);
      const uploaded = await uploadReportArtifact({
        name: name || DEFAULT_ARTIFACT_NAME,
        bundle,
        ...(retentionDays !== undefined ? { retentionDays } : {}),
        log: coreLog,
        urlFor: (id) => artifactUrl(ctx, id),
      });
      if (uploaded.status === 'uploaded') {
        outputs['artifact-id'] = String(uploaded.id);
        if (uploaded.url) outputs['artifact-url'] = artifactLink = uploaded.url;
      }
    }
  } catch (error) {
    coreLog.warning(`Report files not written: ${error instanceof Error ? error.message : String(error)}. The verdict is unaffected.`);
  }
  const token = resolveToken(inputs.githubToken, process.env, (t) => actionOutput.setSecret(t));
  const comment = await publishComment({
    report,
    enabled: inputs.comment,
    token,
    context: ctx,
    log: coreLog,
    ...(run ? { runUrl: run } : {}),
    ...(artifactLink ? { artifactUrl: artifactLink } : {}),
  });
  if (comment.status === 'created' || comment.status === 'updated' || comment.status === 'unchanged') outputs['comment-url'] = comment.url;
  return outputs;
}

/**
 * The `workflow_run` half of fork-safe publishing (`comment-from` input): post the comment for a report.json
 * downloaded from the pull request run's artifact. Never throws. Returns the step outputs (comment-url).
 */
export async function publishCommentForSavedReport(
  reportPath: string,
  inputs: Pick<ReviewerInputs, 'comment' | 'githubToken' | 'artifactName'>,
  workspace: string = process.env.GITHUB_WORKSPACE ?? process.cwd(),
): Promise<Record<string, string>> {
  // The artifact is untrusted: confined, bounded and schema-validated before anything renders it; a report that is not
  // one is a UserError naming the file (exit 2), not a warning and not an internal error (issue #10).
  const report = readReportFile(reportPath, workspace);
  const context = readRunContext(process.env);
  const conclusion = context.workflowRun ? (context.workflowRun.conclusion ?? 'unknown') : undefined;
  actionOutput.info(
    `comment-from: the report says ${report.verdict}` +
      (conclusion !== undefined ? `; the workflow run that produced it concluded ${conclusion}.` : ' (not a workflow_run event: no triggering run to check).'),
  );
  if (report.verdict === 'pass' && conclusion !== undefined && conclusion !== 'success') {
    actionOutput.annotate('warning', `The report says pass, but the workflow run that produced it concluded ${conclusion}: the comment says "not verified", not "passed".`);
  }
  const token = resolveToken(inputs.githubToken, process.env, (t) => actionOutput.setSecret(t));
  const result = await publishCommentFromReport({
    reportPath,
    report,
    token,
    context,
    log: coreLog,
    enabled: inputs.comment,
    ...(inputs.artifactName.trim() ? { artifactName: inputs.artifactName.trim() } : {}),
  });
  return result.status === 'created' || result.status === 'updated' || result.status === 'unchanged' ? { 'comment-url': result.url } : {};
}
