/**
 * What the publishers need to know about the workflow run: the event, the repository, the pull request (number, head
 * sha, whether it comes from a fork), the run's URLs, and the token. Read from the runner's environment and event
 * payload at call time (not at import, unlike @actions/github's `context`), so tests and the CLI can set them freely.
 * Also: how to tell a permission problem from a real failure, and the advice for fork pull requests.
 */
import { readFileSync } from 'node:fs';

export type Env = Record<string, string | undefined>;

export interface PullRequestInfo {
  number: number;
  /** Head commit of the pull request. */
  headSha: string;
  /** 'owner/repo' the head branch lives in. */
  headRepo: string;
  /** 'owner/repo' the pull request targets. */
  baseRepo: string;
  /** Head branch name. */
  headRef: string;
  /** The head lives in another repository: the workflow token is read-only on `pull_request` events. */
  isFork: boolean;
}

export interface WorkflowRunInfo {
  /** Id of the run that triggered this `workflow_run` workflow (the gate's run). */
  id: number;
  /** Event of that run ('pull_request'). */
  event: string;
  conclusion: string | null;
  headSha: string;
  headBranch: string;
  /** 'owner/repo' of the head (a fork for fork pull requests). */
  headRepo: string;
  /** Pull request numbers GitHub attached to the run (empty for fork pull requests). */
  pullNumbers: number[];
  htmlUrl: string;
}

export interface RunContext {
  eventName: string;
  owner: string;
  repo: string;
  /** https://github.com (or the GHES URL). */
  serverUrl: string;
  /** https://api.github.com (or GITHUB_API_URL). */
  apiUrl: string;
  runId: number | undefined;
  runAttempt: number | undefined;
  sha: string | undefined;
  pullRequest: PullRequestInfo | undefined;
  workflowRun: WorkflowRunInfo | undefined;
}

/** Events whose payload is a pull request the gate can comment on. */
export const PULL_REQUEST_EVENTS = ['pull_request', 'pull_request_target'] as const;

export function isPullRequestEvent(eventName: string): boolean {
  return (PULL_REQUEST_EVENTS as readonly string[]).includes(eventName);
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const int = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN;
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/** The event payload (GITHUB_EVENT_PATH), or {} when absent or unreadable. Bounded to 25 MB. */
export function readEventPayload(env: Env = process.env): Json {
  const path = env.GITHUB_EVENT_PATH;
  if (!path) return {};
  try {
    const text = readFileSync(path, 'utf8');
    if (text.length > 25 * 1024 * 1024) return {};
    return obj(JSON.parse(text));
  } catch {
    return {};
  }
}

function pullRequestOf(payload: Json): PullRequestInfo | undefined {
  const pr = obj(payload.pull_request);
  const number = int(pr.number);
  if (number === undefined) return undefined;
  const head = obj(pr.head);
  const base = obj(pr.base);
  const headRepo = str(obj(head.repo).full_name);
  const baseRepo = str(obj(base.repo).full_name);
  return {
    number,
    headSha: str(head.sha),
    headRepo,
    baseRepo,
    headRef: str(head.ref),
    // A deleted fork has head.repo = null: treat as a fork (its token is read-only too).
    isFork: headRepo === '' || (baseRepo !== '' && headRepo.toLowerCase() !== baseRepo.toLowerCase()) || obj(head.repo).fork === true,
  };
}

function workflowRunOf(payload: Json): WorkflowRunInfo | undefined {
  const run = obj(payload.workflow_run);
  const id = int(run.id);
  if (id === undefined) return undefined;
  const pulls = Array.isArray(run.pull_requests) ? run.pull_requests : [];
  return {
    id,
    event: str(run.event),
    conclusion: typeof run.conclusion === 'string' ? run.conclusion : null,
    headSha: str(run.head_sha),
    headBranch: str(run.head_branch),
    headRepo: str(obj(run.head_repository).full_name),
    pullNumbers: pulls.map((p) => int(obj(p).number)).filter((n): n is number => n !== undefined),
    htmlUrl: str(run.html_url),
  };
}

/** The run's context from the environment variables a runner sets and the event payload. */
export function readRunContext(env: Env = process.env, payload: Json = readEventPayload(env)): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '').split('/');
  const repository = obj(payload.repository);
  return {
    eventName: env.GITHUB_EVENT_NAME ?? '',
    owner: owner || str(obj(repository.owner).login),
    repo: repo || str(repository.name),
    serverUrl: (env.GITHUB_SERVER_URL || 'https://github.com').replace(/\/+$/, ''),
    apiUrl: (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, ''),
    runId: int(env.GITHUB_RUN_ID),
    runAttempt: int(env.GITHUB_RUN_ATTEMPT),
    sha: env.GITHUB_SHA || undefined,
    pullRequest: pullRequestOf(payload),
    workflowRun: workflowRunOf(payload),
  };
}

/** The workflow run's page (it shows the job summary), or undefined outside Actions. */
export function runUrl(ctx: RunContext): string | undefined {
  if (!ctx.owner || !ctx.repo || ctx.runId === undefined) return undefined;
  const attempt = ctx.runAttempt !== undefined && ctx.runAttempt > 1 ? `/attempts/${ctx.runAttempt}` : '';
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${ctx.runId}${attempt}`;
}

/** Download page of an uploaded artifact (as actions/upload-artifact reports it). */
export function artifactUrl(ctx: RunContext, artifactId: number, runId: number | undefined = ctx.runId): string | undefined {
  if (!ctx.owner || !ctx.repo || runId === undefined) return undefined;
  return `${ctx.serverUrl}/${ctx.owner}/${ctx.repo}/actions/runs/${runId}/artifacts/${artifactId}`;
}

/**
 * The token to call the API with: the `github-token` input, else GITHUB_TOKEN from the environment. Registered as a
 * secret (masked in every log line) before it is returned. Never printed.
 */
export function resolveToken(input: string | undefined, env: Env = process.env, mask: (secret: string) => void = () => {}): string | undefined {
  const token = (input ?? '').trim() || (env.GITHUB_TOKEN ?? '').trim();
  if (!token) return undefined;
  mask(token);
  return token;
}

export type ApiErrorKind = 'permission' | 'not-found' | 'rate-limited' | 'invalid' | 'unavailable' | 'network' | 'other';

export interface ApiProblem {
  kind: ApiErrorKind;
  status: number | undefined;
  /** One line, safe to print: the HTTP status and GitHub's message, never headers or the token. */
  message: string;
}

/**
 * Classifies an error thrown by Octokit (RequestError: status + message) or by fetch. 401/403 are permission
 * problems unless the rate limit is exhausted; 404 on a pull request means the token cannot see it (or it is gone).
 */
export function classifyApiError(error: unknown, token?: string): ApiProblem {
  const e = obj(error);
  const status = typeof e.status === 'number' ? e.status : undefined;
  let message = error instanceof Error ? error.message : String(error);
  if (token) message = message.split(token).join('***');
  message = message.replace(/\s+/g, ' ').slice(0, 300);
  const headers = obj(obj(e.response).headers);
  const remaining = headers['x-ratelimit-remaining'];
  let kind: ApiErrorKind;
  if (status === 403 && (remaining === '0' || remaining === 0 || /rate limit/i.test(message))) kind = 'rate-limited';
  else if (status === 429) kind = 'rate-limited';
  else if (status === 401 || status === 403) kind = 'permission';
  else if (status === 404) kind = 'not-found';
  else if (status === 422 || status === 400) kind = 'invalid';
  else if (status !== undefined && status >= 500) kind = 'unavailable';
  else if (status === undefined && /ECONNREFUSED|ENOTFOUND|ETIMEDOUT|ECONNRESET|fetch failed|socket/i.test(message)) kind = 'network';
  else kind = 'other';
  return { kind, status, message: status !== undefined && !message.startsWith(String(status)) ? `HTTP ${status}: ${message}` : message };
}

/** The advice shown when the token may not comment (fork pull requests, missing `pull-requests: write`). */
export function forkPublishingAdvice(ctx: RunContext): string {
  const fork = ctx.pullRequest?.isFork
    ? `This pull request comes from a fork (${ctx.pullRequest.headRepo || 'a deleted fork'}), so the workflow token is read-only. `
    : '';
  return (
    `${fork}The verdict, job summary, SARIF file and report artifact are unaffected. To get the PR comment, either grant ` +
    '`permissions: pull-requests: write` to this job (same-repository pull requests), or publish from a second workflow ' +
    'triggered by `workflow_run` that downloads the report artifact and runs this action with `comment-from` pointing ' +
    'at its report.json (see "Fork pull requests" in the README).'
  );
}

/** Where publishers report what they did (the Action: @actions/core; tests: an array). */
export interface Log {
  info(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/** A Log that collects messages, for tests and for callers that print them later. */
export function memoryLog(): Log & { lines: Array<{ level: 'info' | 'notice' | 'warning'; message: string }> } {
  const lines: Array<{ level: 'info' | 'notice' | 'warning'; message: string }> = [];
  return {
    lines,
    info: (message) => lines.push({ level: 'info', message }),
    notice: (message) => lines.push({ level: 'notice', message }),
    warning: (message) => lines.push({ level: 'warning', message }),
  };
}
