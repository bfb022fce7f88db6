/**
 * The Action's entry point: inputs -> gate -> renderers -> publishers -> exit status.
 * Exit 0 = pass, 1 = the model breached the policy, 2 = the policy, data or model could not be used.
 */
import * as core from '@actions/core';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { runGate } from './gate.js';
import { runMerge } from './shard.js';
import { readdir, realpath, stat } from 'node:fs/promises';
import { actionProgress } from './github/progress.js';
import { timingsLine } from './progress.js';
import { writeReportFiles } from './files.js';
import { actionOutput, publishAnnotations, publishCommentForSavedReport, publishForReviewers, publishOutputs, publishSummary } from './github/publish.js';
import { blobUrlOf } from './github/comment.js';
import { readRunContext } from './github/context.js';
import { renderAnnotations } from './report/annotations.js';
import { renderSummary } from './report/markdown.js';
import { renderErrorSummary } from './report/error-summary.js';
import { renderSarif } from './report/sarif.js';
import { UserError } from './util/errors.js';
import { describeFailure } from './util/failure.js';
import { installStdioGuard, messageLine } from './util/output.js';
import { isInside } from './util/safe-fs.js';

function input(name: string, fallback: string): string {
  const v = core.getInput(name);
  return v === '' ? fallback : v;
}

function booleanInput(name: string, fallback: boolean): boolean {
  const v = core.getInput(name).trim().toLowerCase();
  if (v === '') return fallback;
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off'].includes(v)) return false;
  throw new UserError(`input '${name}' must be true or false, got '${v}'`);
}

function runUrl(): string | undefined {
  const { GITHUB_SERVER_URL: server, GITHUB_REPOSITORY: repo, GITHUB_RUN_ID: run } = process.env;
  return server && repo && run ? `${server}/${repo}/actions/runs/${run}` : undefined;
}

export async function main(): Promise<number> {
  const workspace = resolve(process.env.GITHUB_WORKSPACE ?? process.cwd());
  const policyInput = input('policy', '.github/model-policy.yml');
  const policyFile = isAbsolute(policyInput) ? policyInput : resolve(workspace, policyInput);
  const reportDir = resolve(workspace, input('report-dir', 'model-risk-gate-report'));
  try {
    const comment = booleanInput('comment', true);
    const githubToken = core.getInput('github-token');
    const commentFrom = core.getInput('comment-from');
    if (commentFrom !== '') {
      // workflow_run mode (fork PRs): post the comment for a report made by the untrusted pull_request workflow
      publishOutputs(await publishCommentForSavedReport(resolve(workspace, commentFrom), { comment, githubToken, artifactName: core.getInput('artifact-name') }, workspace));
      return 0;
    }
    const failOnBreach = booleanInput('fail-on-breach', true);
    // the report directory lives in the workspace (written with no-follow semantics there; issue #10)
    if (!isInside(reportDir, workspace)) throw new UserError("input 'report-dir' must be a directory inside the workspace", { file: input('report-dir', '') });
    const minutes = Number(input('time-budget-minutes', '20'));
    const baselineInput = input('baseline', 'auto').trim();
    // one log group per stage, opened when it starts: the log shows what is running and how long each stage took
    const progress = actionProgress();
    // issue #12: the final job of a sharding matrix merges the shards' scores instead of scoring
    const shardFiles = await shardInputFiles(core.getInput('shards'), workspace);
    const gate = shardFiles.length > 0 ? (o: Parameters<typeof runGate>[0]) => runMerge(shardFiles, o) : runGate;
    const { report } = await gate({
      onProgress: progress.onProgress,
      policyFile,
      workspace,
      // 'auto': the pull request's base commit from the event; 'none': no comparison; otherwise a git revision
      ...(baselineInput === 'none' ? {} : { eventPath: process.env.GITHUB_EVENT_PATH }),
      // the policy is compared with its base version even when the model is not
      ...(process.env.GITHUB_EVENT_PATH ? { policyEventPath: process.env.GITHUB_EVENT_PATH } : {}),
      ...(baselineInput !== 'auto' && baselineInput !== 'none' ? { baseline: baselineInput } : {}),
      timeBudgetMs: Number.isFinite(minutes) && minutes > 0 ? minutes * 60_000 : undefined,
    }).finally(progress.done);
    actionOutput.info(timingsLine(report.timings));
    const policyRel = relative(workspace, policyFile) || policyInput;
    const sarif = renderSarif(report, { automationId: `model-risk-gate/${policyRel}/` });
    const files = await writeReportFiles(reportDir, JSON.stringify(report, null, 2) + '\n', JSON.stringify(sarif, null, 2) + '\n', workspace);
    // core.setFailed adds one more error annotation: keep the total within GitHub's 10 errors per step
    publishAnnotations(renderAnnotations(report, { maxPerLevel: 9 }));
    const review = await publishForReviewers(report, { dir: files.dir, sarifPath: files.sarifPath }, {
      comment,
      githubToken,
      artifactName: core.getInput('artifact-name'),
      retentionDays: core.getInput('retention-days'),
    });
    const blobUrl = blobUrlOf(readRunContext()); // policy lines link to the file at the head commit
    await publishSummary(renderSummary(report, { runUrl: runUrl(), artifactUrl: review['artifact-url'], ...(blobUrl ? { blobUrl } : {}) }));
    const failed = report.checks.filter((c) => c.outcome === 'fail');
    publishOutputs({
      ...review,
      verdict: report.verdict,
      'report-path': files.reportPath,
      'sarif-path': files.sarifPath,
      'failed-checks': String(failed.length),
      'failed-check-ids': JSON.stringify(failed.map((c) => c.id)),
    });
    if (report.verdict === 'fail') {
      const msg = `Model risk gate: ${failed.length} check(s) breached the policy (${failed.slice(0, 3).map((c) => c.id).join(', ')}${failed.length > 3 ? ', …' : ''}).`;
      if (failOnBreach) {
        actionOutput.failed(msg);
        return 1;
      }
      actionOutput.annotate('warning', `${msg} fail-on-breach is false, so the step passes.`);
    } else {
      actionOutput.info(`Model risk gate: pass (${report.summary.checks} checks).`);
    }
    return 0;
  } catch (error) {
    const failure = describeFailure(error, workspace);
    for (const line of failure.lines) {
      actionOutput.annotate('error', line.message, { title: 'model-risk-gate: input cannot be used', file: line.file, startLine: line.line, startColumn: line.column });
    }
    if (failure.debug) actionOutput.debug(failure.debug);
    try {
      await publishSummary(renderErrorSummary(failure.lines.map((l) => l.text)));
      publishOutputs({ verdict: 'error', 'failed-checks': '0', 'failed-check-ids': '[]' });
    } catch {
      // the original problem matters more than a failed summary
    }
    actionOutput.failed(failure.lines[0]?.text ?? 'model-risk-gate failed');
    return 2;
  }
}

installStdioGuard();
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // never a stack trace for users; main() already catches everything it can
    actionOutput.annotate('error', `model-risk-gate internal error: ${messageLine(String((error as Error)?.message ?? error).split('\n')[0])}`);
    process.exitCode = 2;
  },
);

/**
 * The `shards` input: a directory (its shard-*.bin files) or whitespace-separated files, inside the workspace.
 * Empty: no merge.
 */
async function shardInputFiles(value: string, workspace: string): Promise<Array<{ path: string; name: string }>> {
  const items = value.split(/\s+/).filter((x) => x !== '');
  const root = await realpath(workspace);
  const out: Array<{ path: string; name: string }> = [];
  for (const item of items) {
    const full = resolve(workspace, item);
    const real = await realpath(full).catch(() => {
      throw new UserError(`shards: ${item} does not exist; give the directory the shard artifacts were downloaded to`);
    });
    if (real !== root && !real.startsWith(root + '/')) throw new UserError(`shards: ${item} is outside the workspace`);
    if ((await stat(real)).isDirectory()) {
      const names = (await readdir(real)).filter((n) => /^shard-.*\.bin$/.test(n)).sort();
      if (names.length === 0) throw new UserError(`shards: ${item} holds no shard-*.bin files`);
      for (const n of names) out.push({ path: join(real, n), name: `${item}/${n}` });
    } else out.push({ path: real, name: item });
  }
  return out;
}
