/**
 * The sticky PR comment, over GitHub's REST API (@actions/github / Octokit): one comment per policy, found by its
 * hidden marker among the pull request's comments (paginated), created the first time and updated in place after.
 *
 * Publishing never fails the gate: a read-only token (fork pull requests), a 403/404 or any other API problem becomes
 * a warning that explains how to publish from a `workflow_run` workflow, and the result says what happened. The token
 * is masked and never printed (Octokit redacts it from its errors; messages are scrubbed again here).
 */
import { readSavedReport } from '../util/saved-report.js';
import { UserError } from '../util/errors.js';
import { getOctokit } from '@actions/github';
import { commentMarker, hasMarker, renderComment } from '../report/comment.js';
import type { Report } from '../report/types.js';
import {
  artifactUrl as artifactPageUrl,
  classifyApiError,
  forkPublishingAdvice,
  isPullRequestEvent,
  type Log,
  type RunContext,
} from './context.js';

export type Octokit = ReturnType<typeof getOctokit>;

export interface CommentTarget {
  owner: string;
  repo: string;
  /** Pull request (= issue) number. */
  issueNumber: number;
}

export interface ExistingComment {
  id: number;
  url: string;
  body: string;
}

/** Most pages of 100 comments read while looking for the marker. */
export const MAX_COMMENT_PAGES = 30;

/** Authors whose marked comment we update: bots (the workflow token) and people with write access (a PAT). */
const TRUSTED_ASSOCIATIONS = new Set(['OWNER', 'MEMBER', 'COLLABORATOR']);

/** An Octokit for the API at `apiUrl` (passed explicitly: @actions/github reads GITHUB_API_URL only at import). */
export function createOctokit(token: string, apiUrl: string): Octokit {
  return getOctokit(token, { baseUrl: apiUrl.replace(/\/+$/, '') });
}

interface ApiComment {
  id: number;
  html_url: string;
  body?: string | null;
  user?: { type?: string; login?: string } | null;
  author_association?: string;
}

/**
 * The comment of this marker on the pull request: the first comment whose body starts with the marker and whose author
 * is a bot or has write access (so nobody else can plant a marker and have their comment overwritten).
 */
export async function findMarkedComment(octokit: Octokit, target: CommentTarget, marker: string): Promise<ExistingComment | undefined> {
  let pages = 0;
  for await (const page of octokit.paginate.iterator(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.issueNumber,
    per_page: 100,
  })) {
    for (const c of page.data as ApiComment[]) {
      const trusted = c.user?.type === 'Bot' || TRUSTED_ASSOCIATIONS.has(c.author_association ?? '');
      if (trusted && hasMarker(c.body, marker)) return { id: c.id, url: c.html_url, body: c.body ?? '' };
    }
    if (++pages >= MAX_COMMENT_PAGES) break;
  }
  return undefined;
}

export interface UpsertResult {
  action: 'created' | 'updated' | 'unchanged';
  id: number;
  url: string;
}

/** Creates the marked comment, or updates it when it exists (no request when the body is already the same). */
export async function upsertComment(octokit: Octokit, target: CommentTarget, marker: string, body: string): Promise<UpsertResult> {
  const existing = await findMarkedComment(octokit, target, marker);
  if (existing) {
    if (existing.body === body) return { action: 'unchanged', id: existing.id, url: existing.url };
    const { data } = await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body });
    return { action: 'updated', id: data.id, url: data.html_url };
  }
  const { data } = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.issueNumber, body });
  return { action: 'created', id: data.id, url: data.html_url };
}

export type PublishCommentResult =
  | { status: 'created' | 'updated' | 'unchanged'; id: number; url: string; issueNumber: number; chars: number }
  | { status: 'skipped'; reason: string }
  | { status: 'forbidden'; reason: string; httpStatus: number | undefined }
  | { status: 'failed'; reason: string; httpStatus: number | undefined };

export interface PublishCommentInput {
  report: Report;
  /** The `comment` input. */
  enabled: boolean;
  /** From resolveToken (already masked). */
  token: string | undefined;
  context: RunContext;
  log: Log;
  /** Link to the job summary (the run page). */
  runUrl?: string;
  /** Link to the report artifact. */
  artifactUrl?: string;
  /** Body limit (default GitHub's 65,536). */
  maxChars?: number;
  /** Pull request to comment on when already known (the workflow_run path resolves it itself). */
  issueNumber?: number;
  /** workflow_run path: the run that produced the report, whose conclusion is shown next to the report's verdict. */
  triggeringRun?: { conclusion: string | null; url?: string };
}

/**
 * `https://github.com/OWNER/REPO/blob/<sha>`: the base of links to files at the commit the report is about (the
 * policy line of each breached check). The head sha of a pull_request event is in its payload (GITHUB_SHA is the
 * merge commit there); on push it is GITHUB_SHA. undefined without a repository or a full 40-hex sha.
 */
export function blobUrlOf(ctx: Pick<RunContext, 'serverUrl' | 'owner' | 'repo' | 'sha' | 'pullRequest'>, sha?: string): string | undefined {
  const commit = sha ?? ctx.pullRequest?.headSha ?? ctx.sha;
  if (!commit || !/^[0-9a-f]{40}$/i.test(commit) || !ctx.owner || !ctx.repo) return undefined;
  if (!/^[A-Za-z0-9_.-]+$/.test(ctx.owner) || !/^[A-Za-z0-9_.-]+$/.test(ctx.repo)) return undefined;
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/blob/${commit.toLowerCase()}`;
}

async function postComment(input: PublishCommentInput, octokit: Octokit, issueNumber: number, sha: string | undefined): Promise<PublishCommentResult> {
  const { report, context: ctx, log } = input;
  const marker = commentMarker(report.policy.path);
  const opts: Parameters<typeof renderComment>[1] = { marker };
  if (input.runUrl) opts.runUrl = input.runUrl;
  if (input.artifactUrl) opts.artifactUrl = input.artifactUrl;
  if (input.maxChars !== undefined) opts.maxChars = input.maxChars;
  if (sha) opts.sha = sha;
  const blobUrl = blobUrlOf(ctx, sha);
  if (blobUrl) opts.blobUrl = blobUrl;
  if (input.triggeringRun) opts.triggeringRun = input.triggeringRun;
  let body: string;
  try {
    body = renderComment(report, opts);
  } catch (error) {
    // a report that validated but still cannot be rendered: say so, never an internal error (issue #10)
    const reason = `The PR comment could not be rendered from the report (${String(error instanceof Error ? error.message : error).split('\n')[0]}).`;
    log.warning(reason);
    return { status: 'failed', reason, httpStatus: undefined };
  }
  try {
    const r = await upsertComment(octokit, { owner: ctx.owner, repo: ctx.repo, issueNumber }, marker, body);
    log.info(`PR comment ${r.action} on #${issueNumber}: ${r.url}`);
    return { status: r.action, id: r.id, url: r.url, issueNumber, chars: body.length };
  } catch (error) {
    return apiFailure(error, input);
  }
}

function apiFailure(error: unknown, input: PublishCommentInput): PublishCommentResult {
  const problem = classifyApiError(error, input.token);
  if (problem.kind === 'permission' || problem.kind === 'not-found') {
    const reason = `The PR comment could not be published (${problem.message}).`;
    input.log.warning(`${reason} ${forkPublishingAdvice(input.context)}`);
    return { status: 'forbidden', reason, httpStatus: problem.status };
  }
  const reason = `The PR comment could not be published (${problem.message}); the gate's verdict is unaffected.`;
  input.log.warning(reason);
  return { status: 'failed', reason, httpStatus: problem.status };
}

/**
 * Publishes (creates or updates) the PR comment for a report. Never throws: every problem is a warning and a result
 * with status 'skipped' | 'forbidden' | 'failed'. Comments only on pull_request / pull_request_target events (or on
 * an explicit issueNumber).
 */
export async function publishComment(input: PublishCommentInput): Promise<PublishCommentResult> {
  const { context: ctx, log } = input;
  if (!input.enabled) return { status: 'skipped', reason: 'the `comment` input is false' };
  const pr = ctx.pullRequest;
  const issueNumber = input.issueNumber ?? (isPullRequestEvent(ctx.eventName) ? pr?.number : undefined);
  if (issueNumber === undefined) {
    const reason = `no pull request to comment on (event '${ctx.eventName || 'none'}')`;
    log.info(`PR comment skipped: ${reason}.`);
    return { status: 'skipped', reason };
  }
  if (!ctx.owner || !ctx.repo) {
    const reason = 'GITHUB_REPOSITORY is not set';
    log.warning(`PR comment skipped: ${reason}.`);
    return { status: 'skipped', reason };
  }
  if (!input.token) {
    const reason = 'no token (set the `github-token` input or GITHUB_TOKEN)';
    log.warning(`PR comment skipped: ${reason}. ${forkPublishingAdvice(ctx)}`);
    return { status: 'skipped', reason };
  }
  const octokit = createOctokit(input.token, ctx.apiUrl);
  return postComment(input, octokit, issueNumber, input.issueNumber === undefined ? pr?.headSha : undefined);
}

// ---------------------------------------------------------------------------------------------------------------
// The workflow_run path: publish the comment of a report produced by an earlier (unprivileged) run.

/** Largest report.json read from a downloaded artifact. */
export const MAX_REPORT_BYTES = 64 * 1024 * 1024;

/**
 * Reads a report.json written by the gate (e.g. downloaded from the pull request run's artifact). The file comes from
 * an untrusted run, so it is size-bounded and checked for the fields the comment renders; the renderers escape all
 * text. Throws an Error with a one-line message when it is not a report.
 */
export function readReportFile(path: string, workspace: string = process.env.GITHUB_WORKSPACE ?? process.cwd()): Report {
  // confined, bounded (bytes, depth) and validated against policies/report.schema.json (src/util/saved-report.ts)
  const data: unknown = readSavedReport(path, { workspace });
  const problem = reportShapeProblem(data);
  if (problem) throw new UserError(`not a model-risk-gate report (${problem})`, { file: path });
  return data as Report;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumOrNull = (v: unknown) => v === null || v === undefined || typeof v === 'number';

function reportShapeProblem(d: unknown): string | undefined {
  if (!isObj(d)) return 'not an object';
  if (d.schemaVersion !== 1) return 'schemaVersion is not 1';
  if (!isObj(d.tool) || d.tool.name !== 'model-risk-gate') return 'tool.name is not model-risk-gate';
  if (d.verdict !== 'pass' && d.verdict !== 'fail') return 'verdict is not pass or fail';
  if (!isObj(d.summary) || !['checks', 'passed', 'failed', 'warned', 'insufficient'].every((k) => typeof (d.summary as Record<string, unknown>)[k] === 'number'))
    return 'summary counts missing';
  for (const k of ['policy', 'model', 'dataset'] as const) {
    const f = d[k];
    if (!isObj(f) || typeof f.path !== 'string' || typeof f.sha256 !== 'string' || typeof f.bytes !== 'number') return `${k} fingerprint missing`;
  }
  if (!isObj((d.model as Record<string, unknown>).info)) return 'model.info missing';
  if (!Array.isArray(d.checks)) return 'checks is not an array';
  for (const c of d.checks) {
    if (!isObj(c) || typeof c.id !== 'string' || typeof c.title !== 'string' || typeof c.section !== 'string') return 'a check lacks id/title/section';
    if (!isNumOrNull(c.value) || !isNumOrNull(c.margin) || !isObj(c.threshold) || typeof c.threshold.value !== 'number') return `check ${c.id} has non-numeric values`;
    if (!['pass', 'warn', 'fail'].includes(String(c.outcome)) || !['pass', 'fail', 'insufficient', 'not-run'].includes(String(c.status))) return `check ${c.id} has an unknown status`;
    if (!isObj(c.location) || typeof c.location.line !== 'number') return `check ${c.id} has no policy location`;
  }
  if (!isObj(d.performance) || !isObj(d.performance.metrics) || !isObj(d.performance.confusion)) return 'performance missing';
  if (!Array.isArray(d.fairness)) return 'fairness is not an array';
  for (const a of d.fairness) if (!isObj(a) || typeof a.name !== 'string' || !Array.isArray(a.groups) || !Array.isArray(a.attributes)) return 'a fairness attribute is malformed';
  if (!Array.isArray(d.notes) || !isObj(d.timings)) return 'notes or timings missing';
  return undefined;
}

/**
 * The pull request a `workflow_run` event is about: the number GitHub attached to the run, or (fork pull requests,
 * where GitHub attaches none) the open pull request whose head is the run's head branch and commit. Never a number
 * taken from the artifact, which the pull request's author controls.
 */
export async function resolveWorkflowRunPullRequest(octokit: Octokit, ctx: RunContext): Promise<number | undefined> {
  const run = ctx.workflowRun;
  if (!run) return undefined;
  if (run.pullNumbers.length > 0) return run.pullNumbers[0];
  const headOwner = run.headRepo.split('/')[0];
  if (!headOwner || !run.headBranch) return undefined;
  const { data } = await octokit.rest.pulls.list({
    owner: ctx.owner,
    repo: ctx.repo,
    state: 'open',
    head: `${headOwner}:${run.headBranch}`,
    per_page: 100,
  });
  return data.find((p) => p.head.sha === run.headSha)?.number;
}

export interface PublishFromReportInput {
  /** report.json from the pull request run's artifact. */
  reportPath: string;
  token: string | undefined;
  context: RunContext;
  log: Log;
  enabled?: boolean;
  /** Name of the report artifact in the triggering run, to link it from the comment. */
  artifactName?: string;
  /** The report, when the caller has already read and validated it (readReportFile). */
  report?: Report;
  maxChars?: number;
}

/**
 * The second half of the fork-safe pattern: in a `workflow_run` workflow (privileged token, no pull request code
 * checked out), render the comment from the downloaded report.json and publish it on the pull request of the
 * triggering run. Never throws.
 */
export async function publishCommentFromReport(input: PublishFromReportInput): Promise<PublishCommentResult> {
  const { context: ctx, log } = input;
  if (input.enabled === false) return { status: 'skipped', reason: 'the `comment` input is false' };
  let report: Report;
  try {
    report = input.report ?? readReportFile(input.reportPath);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    log.warning(`PR comment skipped: ${reason}`);
    return { status: 'failed', reason, httpStatus: undefined };
  }
  if (!input.token) {
    const reason = 'no token (set the `github-token` input or GITHUB_TOKEN)';
    log.warning(`PR comment skipped: ${reason}.`);
    return { status: 'skipped', reason };
  }
  const octokit = createOctokit(input.token, ctx.apiUrl);
  const base: PublishCommentInput = { report, enabled: true, token: input.token, context: ctx, log };
  if (input.maxChars !== undefined) base.maxChars = input.maxChars;
  let issueNumber: number | undefined;
  try {
    issueNumber = ctx.workflowRun ? await resolveWorkflowRunPullRequest(octokit, ctx) : isPullRequestEvent(ctx.eventName) ? ctx.pullRequest?.number : undefined;
  } catch (error) {
    return apiFailure(error, base);
  }
  if (issueNumber === undefined) {
    const reason = ctx.workflowRun
      ? `no open pull request has head ${ctx.workflowRun.headRepo}:${ctx.workflowRun.headBranch} at ${ctx.workflowRun.headSha.slice(0, 12)}`
      : `no pull request to comment on (event '${ctx.eventName || 'none'}')`;
    log.info(`PR comment skipped: ${reason}.`);
    return { status: 'skipped', reason };
  }
  if (ctx.workflowRun?.htmlUrl) base.runUrl = ctx.workflowRun.htmlUrl;
  // the verdict is shown with the triggering run's conclusion: a "pass" from a failed run is never a plain pass
  if (ctx.workflowRun) base.triggeringRun = { conclusion: ctx.workflowRun.conclusion, ...(ctx.workflowRun.htmlUrl ? { url: ctx.workflowRun.htmlUrl } : {}) };
  if (ctx.workflowRun && input.artifactName) {
    try {
      const { data } = await octokit.rest.actions.listWorkflowRunArtifacts({
        owner: ctx.owner,
        repo: ctx.repo,
        run_id: ctx.workflowRun.id,
        name: input.artifactName,
        per_page: 10,
      });
      const artifact = data.artifacts.find((a) => a.name === input.artifactName);
      const url = artifact ? artifactPageUrl(ctx, artifact.id, ctx.workflowRun.id) : undefined;
      if (url) base.artifactUrl = url;
    } catch {
      // The link is a convenience: without `actions: read` the comment simply has no artifact link.
    }
  }
  return postComment(base, octokit, issueNumber, ctx.workflowRun?.headSha);
}
