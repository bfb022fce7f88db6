/**
 * Real HTTP servers on 127.0.0.1 standing in for GitHub: the REST API (GITHUB_API_URL: issue comments, pulls, run
 * artifacts) and the Actions artifact service (ACTIONS_RESULTS_URL + ACTIONS_RUNTIME_TOKEN: Twirp CreateArtifact /
 * FinalizeArtifact and Azure block-blob PUTs). They keep state like GitHub does (comments get ids, uploads are
 * assembled into zips), record every request, and can be told to answer with canned responses (403, 500, ...).
 *
 * Reusable from in-process tests and from tests that spawn `node dist/index.js` (use async `spawn`, never
 * `spawnSync`: the server lives in the test's own event loop).
 *
 *   const gh = await startFakeGitHub();
 *   const env = gh.env({ event: pullRequestEvent({ number: 7 }) });
 *   ... run the action with env ...
 *   gh.requests            // every request, in order
 *   gh.comments            // current comments
 *   gh.artifacts           // finalized uploads, with their zip
 *   await gh.close();
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateRawSync } from 'node:zlib';

export interface RecordedRequest {
  /** 'api' or 'results' (artifact service and blob storage). */
  server: 'api' | 'results';
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** Body as text (utf8). */
  body: string;
  /** Raw body bytes. */
  raw: Buffer;
  /** Parsed JSON body, when the body is JSON. */
  json: unknown;
}

export interface CannedResponse {
  server?: 'api' | 'results';
  method?: string;
  /** Exact path or a pattern tested against the path. */
  path: string | RegExp;
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests it answers (default: all). */
  times?: number;
}

export interface FakeComment {
  id: number;
  issue_number: number;
  body: string;
  user: { login: string; type: 'Bot' | 'User' };
  author_association: string;
  html_url: string;
  created_at: string;
  updated_at: string;
}

export interface FakePull {
  number: number;
  state: 'open' | 'closed';
  head: { sha: string; ref: string; label: string; repo: { full_name: string } };
  base: { ref: string; repo: { full_name: string } };
}

export interface FakeArtifact {
  id: number;
  name: string;
  workflowRunBackendId: string;
  workflowJobRunBackendId: string;
  /** Expiry asked for in CreateArtifact (retention-days), ISO string, when given. */
  expiresAt: string | undefined;
  version: number | undefined;
  /** Assembled blob (the zip). */
  zip: Buffer;
  size: string | undefined;
  hash: string | undefined;
  finalized: boolean;
}

export interface EnvOptions {
  /** Event payload written to a temp file for GITHUB_EVENT_PATH. */
  event?: Record<string, unknown>;
  eventName?: string;
  /** Leave out ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL (a local run). */
  withoutArtifactService?: boolean;
  /** Set GITHUB_TOKEN in the environment (default: the fake token). '' leaves it out. */
  token?: string;
}

export interface FakeGitHub {
  apiUrl: string;
  resultsUrl: string;
  /** The token the fake accepts (any token is accepted; this is the one env() hands out). */
  token: string;
  /** A JWT with the Actions.Results scope @actions/artifact reads its backend ids from. */
  runtimeToken: string;
  owner: string;
  repo: string;
  runId: number;
  requests: RecordedRequest[];
  comments: FakeComment[];
  pulls: FakePull[];
  artifacts: FakeArtifact[];
  /** Answer matching requests with a canned response (checked before the normal behaviour, newest first). */
  respond(canned: CannedResponse): void;
  /** Seed a comment as if written earlier. */
  addComment(issueNumber: number, body: string, user?: { login: string; type: 'Bot' | 'User' }, association?: string): FakeComment;
  /** Requests to the REST API only, as 'METHOD /path' (query dropped), for asserting exact sequences. */
  apiCalls(): string[];
  /** Requests to the artifact service and blob storage, as 'METHOD /path[?comp=...]'. */
  artifactCalls(): string[];
  /** Environment for a run against the fakes (GITHUB_*, ACTIONS_*), plus the event file. */
  env(options?: EnvOptions): Record<string, string>;
  close(): Promise<void>;
}

const TWIRP = '/twirp/github.actions.results.api.v1.ArtifactService/';

function base64url(s: string): string {
  return Buffer.from(s).toString('base64url');
}

/** An unsigned JWT whose `scp` claim carries the run and job backend ids (all @actions/artifact decodes). */
export function fakeRuntimeToken(runBackendId: string, jobBackendId: string): string {
  const header = base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = base64url(JSON.stringify({ scp: `Actions.ExampleScope Actions.Results:${runBackendId}:${jobBackendId}`, exp: 4102444800 }));
  return `${header}.${payload}.${base64url('fake-signature')}`;
}

/** A pull_request event payload (same-repository unless fork). */
export function pullRequestEvent(o: { number: number; owner?: string; repo?: string; headSha?: string; fork?: boolean; headRef?: string }): Record<string, unknown> {
  const owner = o.owner ?? 'octo-org';
  const repo = o.repo ?? 'credit-model';
  const headOwner = o.fork ? 'outside-contributor' : owner;
  return {
    action: 'synchronize',
    number: o.number,
    pull_request: {
      number: o.number,
      head: { sha: o.headSha ?? 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678', ref: o.headRef ?? 'retrain', repo: { full_name: `${headOwner}/${repo}`, fork: !!o.fork } },
      base: { sha: '0'.repeat(40), ref: 'main', repo: { full_name: `${owner}/${repo}`, fork: false } },
    },
    repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
  };
}

/** A workflow_run event payload for the completed gate run of a (fork) pull request. */
export function workflowRunEvent(o: { runId: number; headSha: string; headBranch: string; headRepo: string; pullNumbers?: number[]; owner?: string; repo?: string }): Record<string, unknown> {
  const owner = o.owner ?? 'octo-org';
  const repo = o.repo ?? 'credit-model';
  return {
    action: 'completed',
    workflow_run: {
      id: o.runId,
      event: 'pull_request',
      conclusion: 'failure',
      head_sha: o.headSha,
      head_branch: o.headBranch,
      head_repository: { full_name: o.headRepo },
      pull_requests: (o.pullNumbers ?? []).map((n) => ({ number: n })),
      html_url: `https://github.com/${owner}/${repo}/actions/runs/${o.runId}`,
    },
    repository: { name: repo, full_name: `${owner}/${repo}`, owner: { login: owner } },
  };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

function send(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, { 'content-type': typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8', ...headers });
  res.end(text);
}

export async function startFakeGitHub(options: { owner?: string; repo?: string; runId?: number; perPageCap?: number } = {}): Promise<FakeGitHub> {
  const owner = options.owner ?? 'octo-org';
  const repo = options.repo ?? 'credit-model';
  const runId = options.runId ?? 4242;
  const runBackendId = 'c0ffee00-0000-4000-8000-000000000001';
  const jobBackendId = 'c0ffee00-0000-4000-8000-000000000002';
  const requests: RecordedRequest[] = [];
  const comments: FakeComment[] = [];
  const pulls: FakePull[] = [];
  const artifacts: FakeArtifact[] = [];
  const canned: CannedResponse[] = [];
  const blobs = new Map<string, { blocks: Map<string, Buffer>; data: Buffer | undefined }>();
  const tmpDirs: string[] = [];
  let nextCommentId = 1000;
  let nextArtifactId = 7000;
  let clock = Date.parse('2025-01-01T00:00:00Z');
  const now = () => new Date((clock += 1000)).toISOString();
  const perPageCap = options.perPageCap ?? 100;

  const record = async (server: 'api' | 'results', req: IncomingMessage): Promise<RecordedRequest> => {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const body = raw.toString('utf8');
    let json: unknown;
    if (body && /json/.test(headers['content-type'] ?? '')) {
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
    }
    const r: RecordedRequest = { server, method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body, raw, json };
    requests.push(r);
    return r;
  };

  const cannedFor = (server: 'api' | 'results', r: RecordedRequest): CannedResponse | undefined => {
    for (let i = canned.length - 1; i >= 0; i--) {
      const c = canned[i]!;
      if (c.server && c.server !== server) continue;
      if (c.method && c.method !== r.method) continue;
      if (typeof c.path === 'string' ? c.path !== r.path : !c.path.test(r.path)) continue;
      if (c.times !== undefined) {
        c.times--;
        if (c.times <= 0) canned.splice(i, 1);
      }
      return c;
    }
    return undefined;
  };

  const commentJson = (c: FakeComment) => ({ ...c, url: `${apiUrl}/repos/${owner}/${repo}/issues/comments/${c.id}` });

  const apiServer = createServer(async (req, res) => {
    const r = await record('api', req);
    const c = cannedFor('api', r);
    if (c) return send(res, c.status, c.body ?? { message: `canned ${c.status}` }, c.headers);
    const prefix = `/repos/${owner}/${repo}`;
    let m: RegExpMatchArray | null;
    if (!r.path.startsWith(prefix)) return send(res, 404, { message: 'Not Found' });
    const rest = r.path.slice(prefix.length);
    if ((m = rest.match(/^\/issues\/(\d+)\/comments$/))) {
      const issue = Number(m[1]);
      if (r.method === 'GET') {
        const perPage = Math.min(perPageCap, Number(r.query.per_page ?? 30));
        const page = Number(r.query.page ?? 1);
        const all = comments.filter((x) => x.issue_number === issue);
        const slice = all.slice((page - 1) * perPage, page * perPage);
        const headers: Record<string, string> = {};
        if (page * perPage < all.length) {
          const next = `${apiUrl}${r.path}?per_page=${perPage}&page=${page + 1}`;
          const last = `${apiUrl}${r.path}?per_page=${perPage}&page=${Math.ceil(all.length / perPage)}`;
          headers.link = `<${next}>; rel="next", <${last}>; rel="last"`;
        }
        return send(res, 200, slice.map(commentJson), headers);
      }
      if (r.method === 'POST') {
        const body = (r.json as { body?: string } | undefined)?.body;
        if (typeof body !== 'string') return send(res, 422, { message: 'Invalid request: body is missing' });
        if (body.length > 65536) return send(res, 422, { message: 'Validation Failed', errors: [{ resource: 'IssueComment', code: 'custom', field: 'body', message: 'body is too long (maximum is 65536 characters)' }] });
        const t = now();
        const created: FakeComment = {
          id: nextCommentId++,
          issue_number: issue,
          body,
          user: { login: 'github-actions[bot]', type: 'Bot' },
          author_association: 'NONE',
          html_url: `https://github.com/${owner}/${repo}/pull/${issue}#issuecomment-${nextCommentId - 1}`,
          created_at: t,
          updated_at: t,
        };
        comments.push(created);
        return send(res, 201, commentJson(created));
      }
    }
    if ((m = rest.match(/^\/issues\/comments\/(\d+)$/)) && r.method === 'PATCH') {
      const found = comments.find((x) => x.id === Number(m![1]));
      if (!found) return send(res, 404, { message: 'Not Found' });
      const body = (r.json as { body?: string } | undefined)?.body;
      if (typeof body !== 'string') return send(res, 422, { message: 'Invalid request: body is missing' });
      if (body.length > 65536) return send(res, 422, { message: 'Validation Failed', errors: [{ field: 'body', message: 'body is too long (maximum is 65536 characters)' }] });
      found.body = body;
      found.updated_at = now();
      return send(res, 200, commentJson(found));
    }
    if (rest === '/pulls' && r.method === 'GET') {
      const head = r.query.head;
      const state = r.query.state ?? 'open';
      const list = pulls.filter((p) => (state === 'all' || p.state === state) && (!head || p.head.label === head));
      return send(res, 200, list);
    }
    if ((m = rest.match(/^\/actions\/runs\/(\d+)\/artifacts$/)) && r.method === 'GET') {
      const list = artifacts.filter((a) => a.finalized && Number(m![1]) === runId && (!r.query.name || a.name === r.query.name));
      return send(res, 200, { total_count: list.length, artifacts: list.map((a) => ({ id: a.id, name: a.name, size_in_bytes: a.zip.length })) });
    }
    return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' });
  });

  const resultsServer = createServer(async (req, res) => {
    const r = await record('results', req);
    const c = cannedFor('results', r);
    if (c) return send(res, c.status, c.body ?? { msg: `canned ${c.status}` }, c.headers);
    if (r.method === 'POST' && r.path === `${TWIRP}CreateArtifact`) {
      const j = r.json as { name: string; workflow_run_backend_id: string; workflow_job_run_backend_id: string; expires_at?: string; version?: number };
      if (artifacts.some((a) => a.name === j.name && a.workflowJobRunBackendId === j.workflow_job_run_backend_id)) {
        return send(res, 409, { code: 'already_exists', msg: 'an artifact with this name already exists on the workflow run' });
      }
      const blobPath = `/devstoreaccount1/actions-results/${j.workflow_run_backend_id}/${encodeURIComponent(j.name)}.zip`;
      artifacts.push({
        id: 0,
        name: j.name,
        workflowRunBackendId: j.workflow_run_backend_id,
        workflowJobRunBackendId: j.workflow_job_run_backend_id,
        expiresAt: j.expires_at,
        version: j.version,
        zip: Buffer.alloc(0),
        size: undefined,
        hash: undefined,
        finalized: false,
      });
      blobs.set(blobPath, { blocks: new Map(), data: undefined });
      return send(res, 200, { ok: true, signed_upload_url: `${resultsUrl}${blobPath}?sv=2023-11-03&se=2099-01-01&sr=b&sp=cw&sig=fakesignature` });
    }
    if (r.method === 'POST' && r.path === `${TWIRP}FinalizeArtifact`) {
      const j = r.json as { name: string; workflow_run_backend_id: string; size?: string; hash?: string };
      const a = artifacts.find((x) => x.name === j.name && x.workflowRunBackendId === j.workflow_run_backend_id && !x.finalized);
      if (!a) return send(res, 404, { code: 'not_found', msg: 'artifact not found' });
      const blob = blobs.get(`/devstoreaccount1/actions-results/${j.workflow_run_backend_id}/${encodeURIComponent(j.name)}.zip`);
      a.zip = blob?.data ?? Buffer.alloc(0);
      a.size = j.size;
      a.hash = j.hash;
      a.finalized = true;
      a.id = nextArtifactId++;
      return send(res, 200, { ok: true, artifact_id: String(a.id) });
    }
    if (r.method === 'PUT' && r.path.startsWith('/devstoreaccount1/')) {
      const blob = blobs.get(r.path);
      if (!blob) return send(res, 404, '<Error><Code>BlobNotFound</Code></Error>');
      const headers = { 'x-ms-request-id': `req-${requests.length}`, 'x-ms-version': '2023-11-03', 'x-ms-request-server-encrypted': 'true' };
      if (r.query.comp === 'block') {
        blob.blocks.set(r.query.blockid ?? '', r.raw);
        return send(res, 201, '', headers);
      }
      if (r.query.comp === 'blocklist') {
        const ids = [...r.body.matchAll(/<(?:Latest|Uncommitted|Committed)>([^<]*)<\/(?:Latest|Uncommitted|Committed)>/g)].map((x) => x[1]!);
        blob.data = Buffer.concat(ids.map((id) => blob.blocks.get(id) ?? Buffer.alloc(0)));
        return send(res, 201, '', { ...headers, etag: '"0x1"', 'last-modified': new Date(clock).toUTCString() });
      }
      blob.data = r.raw;
      return send(res, 201, '', { ...headers, etag: '"0x1"', 'last-modified': new Date(clock).toUTCString() });
    }
    return send(res, 404, { code: 'not_found', msg: `no route for ${r.method} ${r.path}` });
  });

  const apiUrl = await listen(apiServer);
  const resultsUrl = await listen(resultsServer);
  const runtimeToken = fakeRuntimeToken(runBackendId, jobBackendId);
  const token = 'ghs_FAKEfakeFAKEfakeFAKEfakeFAKEfake0123';

  return {
    apiUrl,
    resultsUrl,
    token,
    runtimeToken,
    owner,
    repo,
    runId,
    requests,
    comments,
    pulls,
    artifacts,
    respond: (c) => void canned.push({ ...c }),
    addComment(issueNumber, body, user = { login: 'github-actions[bot]', type: 'Bot' }, association = 'NONE') {
      const t = now();
      const c: FakeComment = {
        id: nextCommentId++,
        issue_number: issueNumber,
        body,
        user,
        author_association: association,
        html_url: `https://github.com/${owner}/${repo}/pull/${issueNumber}#issuecomment-${nextCommentId - 1}`,
        created_at: t,
        updated_at: t,
      };
      comments.push(c);
      return c;
    },
    apiCalls: () => requests.filter((r) => r.server === 'api').map((r) => `${r.method} ${r.path}`),
    artifactCalls: () =>
      requests
        .filter((r) => r.server === 'results')
        .map((r) => `${r.method} ${r.path.startsWith('/devstoreaccount1/') ? '<blob>' : r.path.replace(TWIRP, 'twirp/')}${r.query.comp ? `?comp=${r.query.comp}` : ''}`),
    env(o: EnvOptions = {}) {
      const env: Record<string, string> = {
        GITHUB_ACTIONS: 'true',
        GITHUB_API_URL: apiUrl,
        GITHUB_SERVER_URL: 'https://github.com',
        GITHUB_REPOSITORY: `${owner}/${repo}`,
        GITHUB_REPOSITORY_OWNER: owner,
        GITHUB_RUN_ID: String(runId),
        GITHUB_RUN_ATTEMPT: '1',
        GITHUB_SHA: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
        GITHUB_EVENT_NAME: o.eventName ?? (o.event && 'workflow_run' in o.event ? 'workflow_run' : o.event ? 'pull_request' : 'push'),
      };
      if (!o.withoutArtifactService) {
        env.ACTIONS_RESULTS_URL = `${resultsUrl}/`;
        env.ACTIONS_RUNTIME_TOKEN = runtimeToken;
      }
      const t = o.token ?? token;
      if (t) env.GITHUB_TOKEN = t;
      if (o.event) {
        const dir = mkdtempSync(join(tmpdir(), 'fake-github-event-'));
        tmpDirs.push(dir);
        const path = join(dir, 'event.json');
        writeFileSync(path, JSON.stringify(o.event));
        env.GITHUB_EVENT_PATH = path;
      }
      return env;
    },
    async close() {
      for (const s of [apiServer, resultsServer]) {
        s.closeAllConnections();
        await new Promise<void>((resolve) => s.close(() => resolve()));
      }
      for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
    },
  };
}

/** Entries of a zip archive (stored or deflated; no zip64), by name. For asserting what was uploaded. */
export function readZip(zip: Buffer): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  let eocd = -1;
  for (let i = zip.length - 22; i >= Math.max(0, zip.length - 65557); i--) {
    if (zip.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('not a zip: no end-of-central-directory record');
  const count = zip.readUInt16LE(eocd + 10);
  let p = zip.readUInt32LE(eocd + 16);
  for (let n = 0; n < count; n++) {
    if (zip.readUInt32LE(p) !== 0x02014b50) throw new Error('bad central directory entry');
    const method = zip.readUInt16LE(p + 10);
    const compressedSize = zip.readUInt32LE(p + 20);
    const nameLength = zip.readUInt16LE(p + 28);
    const extraLength = zip.readUInt16LE(p + 30);
    const commentLength = zip.readUInt16LE(p + 32);
    const localOffset = zip.readUInt32LE(p + 42);
    const name = zip.subarray(p + 46, p + 46 + nameLength).toString('utf8');
    const localNameLength = zip.readUInt16LE(localOffset + 26);
    const localExtraLength = zip.readUInt16LE(localOffset + 28);
    const start = localOffset + 30 + localNameLength + localExtraLength;
    const data = zip.subarray(start, start + compressedSize);
    if (!name.endsWith('/')) out.set(name, method === 0 ? Buffer.from(data) : method === 8 ? inflateRawSync(data) : Buffer.alloc(0));
    p += 46 + nameLength + extraLength + commentLength;
  }
  return out;
}
