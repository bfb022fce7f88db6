/**
 * The sticky PR comment end to end over real HTTP: @actions/github's Octokit talks to a fake REST API on 127.0.0.1,
 * and the tests assert the exact request sequence and the stored comment.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishComment, publishCommentFromReport, type PublishCommentInput } from '../../src/github/comment.js';
import { memoryLog, readRunContext } from '../../src/github/context.js';
import { commentMarker, GITHUB_COMMENT_MAX_CHARS } from '../../src/report/comment.js';
import type { Report } from '../../src/report/types.js';
import { oversizedReport, publishingPassingReport, publishingSampleReport } from '../report/fixtures-publishing.js';
import { pullRequestEvent, startFakeGitHub, workflowRunEvent, type FakeGitHub } from '../helpers/fake-github.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let gh: FakeGitHub;
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.close();
});

const PR = 7;
const REPO = '/repos/octo-org/credit-model';

function input(report: Report, over: Partial<PublishCommentInput> & { env?: Record<string, string> } = {}) {
  const env = over.env ?? gh.env({ event: pullRequestEvent({ number: PR }) });
  const log = memoryLog();
  const context = readRunContext(env);
  const i: PublishCommentInput = {
    report,
    enabled: true,
    token: env.GITHUB_TOKEN,
    context,
    log,
    runUrl: `https://github.com/octo-org/credit-model/actions/runs/${gh.runId}`,
    artifactUrl: `https://github.com/octo-org/credit-model/actions/runs/${gh.runId}/artifacts/7000`,
    ...over,
  };
  return { input: i, log };
}

describe('sticky PR comment', () => {
  it('creates the comment on the first run and updates the same comment on the second', async () => {
    const first = input(publishingSampleReport());
    const r1 = await publishComment(first.input);
    expect(r1).toMatchObject({ status: 'created', id: 1000, issueNumber: PR });
    expect(gh.apiCalls()).toEqual([`GET ${REPO}/issues/${PR}/comments`, `POST ${REPO}/issues/${PR}/comments`]);
    expect(gh.requests[0]!.query).toEqual({ per_page: '100' });
    expect(gh.requests[1]!.headers.authorization).toBe(`token ${gh.token}`);
    const marker = commentMarker('.github/model-policy.yml');
    expect(gh.comments).toHaveLength(1);
    const body1 = gh.comments[0]!.body;
    expect(body1.startsWith(marker)).toBe(true);
    expect(body1).toContain('## ❌ Model risk gate failed');
    expect(body1.indexOf('Model risk gate failed')).toBeLessThan(body1.indexOf('### Breached'));
    // the policy line links to the policy file at the pull request's head commit
    expect(body1).toMatch(/\| ❌ fail \| Demographic parity ratio \(sex\) \| 0\.3121 \| ≥ 0\.8 \| -0\.4879 \| \[line 14\]\(https:\/\/github\.com\/octo-org\/credit-model\/blob\/[0-9a-f]{40}\/\.github\/model-policy\.yml#L14\) \|/);
    expect(body1).toContain(`📋 [Job summary](https://github.com/octo-org/credit-model/actions/runs/${gh.runId})`);
    expect(body1).toContain(`📦 [Report artifact](https://github.com/octo-org/credit-model/actions/runs/${gh.runId}/artifacts/7000)`);
    expect(body1).toContain('commit a1b2c3d4e5f6');

    // Second push: the model now passes; the same comment is edited in place.
    const second = input(publishingPassingReport());
    const r2 = await publishComment(second.input);
    expect(r2).toMatchObject({ status: 'updated', id: 1000 });
    expect(gh.apiCalls().slice(2)).toEqual([`GET ${REPO}/issues/${PR}/comments`, `PATCH ${REPO}/issues/comments/1000`]);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toContain('## ✅ Model risk gate passed');
    expect(gh.comments[0]!.body.startsWith(marker)).toBe(true);

    // Third run with the same report: nothing to change, no write.
    const r3 = await publishComment(input(publishingPassingReport()).input);
    expect(r3).toMatchObject({ status: 'unchanged', id: 1000 });
    expect(gh.apiCalls().slice(4)).toEqual([`GET ${REPO}/issues/${PR}/comments`]);
    expect(first.log.lines.map((l) => l.level)).toEqual(['info']);
  });

  it('finds its comment on a later page and keeps one comment per policy', async () => {
    for (let i = 0; i < 230; i++) gh.addComment(PR, `LGTM ${i}`, { login: `reviewer${i % 7}`, type: 'User' }, 'MEMBER');
    const marker = commentMarker('.github/model-policy.yml');
    const ours = gh.addComment(PR, `${marker}\nold body`);
    // Another policy's comment on the same PR is left alone.
    const other = gh.addComment(PR, `${commentMarker('policies/other.yml')}\nother policy`);
    for (let i = 0; i < 5; i++) gh.addComment(PR, `later ${i}`);
    const r = await publishComment(input(publishingSampleReport()).input);
    expect(r).toMatchObject({ status: 'updated', id: ours.id });
    expect(gh.apiCalls()).toEqual([
      `GET ${REPO}/issues/${PR}/comments`,
      `GET ${REPO}/issues/${PR}/comments`,
      `GET ${REPO}/issues/${PR}/comments`,
      `PATCH ${REPO}/issues/comments/${ours.id}`,
    ]);
    expect(gh.requests.map((q) => q.query.page)).toEqual([undefined, '2', '3', undefined]);
    expect(other.body).toBe(`${commentMarker('policies/other.yml')}\nother policy`);
    expect(ours.body).toContain('Model risk gate failed');
  });

  it('does not overwrite a marker planted by someone without write access', async () => {
    const marker = commentMarker('.github/model-policy.yml');
    const planted = gh.addComment(PR, `${marker}\nplanted`, { login: 'drive-by', type: 'User' }, 'CONTRIBUTOR');
    const r = await publishComment(input(publishingSampleReport()).input);
    expect(r.status).toBe('created');
    expect(planted.body).toBe(`${marker}\nplanted`);
    expect(gh.apiCalls()).toEqual([`GET ${REPO}/issues/${PR}/comments`, `POST ${REPO}/issues/${PR}/comments`]);
  });

  it('turns a 403 (read-only token of a fork PR) into a warning with the workflow_run advice', async () => {
    gh.respond({ method: 'POST', path: `${REPO}/issues/${PR}/comments`, status: 403, body: { message: 'Resource not accessible by integration', documentation_url: 'https://docs.github.com/rest' } });
    const env = gh.env({ event: pullRequestEvent({ number: PR, fork: true }) });
    const { input: i, log } = input(publishingSampleReport(), { env });
    const r = await publishComment(i);
    expect(r).toMatchObject({ status: 'forbidden', httpStatus: 403 });
    expect(gh.apiCalls()).toEqual([`GET ${REPO}/issues/${PR}/comments`, `POST ${REPO}/issues/${PR}/comments`]);
    expect(gh.comments).toHaveLength(0);
    expect(log.lines).toHaveLength(1);
    const warning = log.lines[0]!;
    expect(warning.level).toBe('warning');
    expect(warning.message).toContain('HTTP 403: Resource not accessible by integration');
    expect(warning.message).toContain('comes from a fork (outside-contributor/credit-model)');
    expect(warning.message).toContain('workflow_run');
    expect(warning.message).toContain('comment-from');
    expect(JSON.stringify(log.lines)).not.toContain(gh.token);
  });

  it('treats a 404 on listing comments as missing permission, and a 500 as a failure, never throwing', async () => {
    gh.respond({ method: 'GET', path: `${REPO}/issues/${PR}/comments`, status: 404, body: { message: 'Not Found' }, times: 1 });
    const a = input(publishingSampleReport());
    expect(await publishComment(a.input)).toMatchObject({ status: 'forbidden', httpStatus: 404 });
    expect(a.log.lines[0]!.message).toContain('pull-requests: write');

    gh.respond({ method: 'POST', path: `${REPO}/issues/${PR}/comments`, status: 500, body: { message: 'Server Error' }, times: 1 });
    const b = input(publishingSampleReport());
    const r = await publishComment(b.input);
    expect(r).toMatchObject({ status: 'failed', httpStatus: 500 });
    expect(b.log.lines[0]).toEqual({ level: 'warning', message: expect.stringContaining("verdict is unaffected") });
    expect(gh.apiCalls()).toEqual([
      `GET ${REPO}/issues/${PR}/comments`,
      `GET ${REPO}/issues/${PR}/comments`,
      `POST ${REPO}/issues/${PR}/comments`,
    ]);
  });

  it('skips without any request on push events, when disabled, and without a token', async () => {
    const push = input(publishingSampleReport(), { env: gh.env() });
    expect(await publishComment(push.input)).toEqual({ status: 'skipped', reason: "no pull request to comment on (event 'push')" });
    expect(push.log.lines).toEqual([{ level: 'info', message: "PR comment skipped: no pull request to comment on (event 'push')." }]);
    expect(await publishComment(input(publishingSampleReport(), { enabled: false }).input)).toMatchObject({ status: 'skipped' });
    const noToken = input(publishingSampleReport(), { token: undefined });
    expect(await publishComment(noToken.input)).toMatchObject({ status: 'skipped', reason: expect.stringContaining('no token') });
    expect(noToken.log.lines[0]!.level).toBe('warning');
    expect(gh.requests).toHaveLength(0);
  });

  it('trims an oversized report under 65,536 characters and says what was cut', async () => {
    const report = oversizedReport();
    const r = await publishComment(input(report).input);
    expect(r.status).toBe('created');
    const body = gh.comments[0]!.body;
    expect(body.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    expect(body.length).toBeGreaterThan(40_000);
    expect(r).toMatchObject({ chars: body.length });
    expect(body).toContain("Trimmed to fit GitHub's 65,536-character comment limit; left out: run details, notes");
    expect(body).toMatch(/the group tables of \d+ attributes/);
    // What matters survives: the verdict, the breached table, the links.
    expect(body).toContain('## ❌ Model risk gate failed');
    expect(body).toContain('### Breached (');
    expect(body).toContain('📦 [Report artifact]');
    expect(gh.requests.find((q) => q.method === 'POST')!.json).toEqual({ body });
  });
});

describe('publishing from a workflow_run workflow (fork pull requests)', () => {
  it('comments on the pull request found by head branch and sha, linking the triggering run and its artifact', async () => {
    const headSha = '9f8e7d6c5b4a39281706f5e4d3c2b1a098765432';
    gh.pulls.push({
      number: 12,
      state: 'open',
      head: { sha: headSha, ref: 'retrain', label: 'outside-contributor:retrain', repo: { full_name: 'outside-contributor/credit-model' } },
      base: { ref: 'main', repo: { full_name: 'octo-org/credit-model' } },
    });
    gh.pulls.push({
      number: 11,
      state: 'open',
      head: { sha: '1'.repeat(40), ref: 'retrain', label: 'someone-else:retrain', repo: { full_name: 'someone-else/credit-model' } },
      base: { ref: 'main', repo: { full_name: 'octo-org/credit-model' } },
    });
    gh.artifacts.push({ id: 9001, name: 'model-risk-gate-report', workflowRunBackendId: 'x', workflowJobRunBackendId: 'y', expiresAt: undefined, version: 7, zip: Buffer.alloc(10), size: '10', hash: undefined, finalized: true });
    const dir = mkdtempSync(join(tmpdir(), 'mrg-wr-'));
    const reportPath = join(dir, 'report.json');
    writeFileSync(reportPath, JSON.stringify(publishingSampleReport()));
    const env = gh.env({ event: workflowRunEvent({ runId: gh.runId, headSha, headBranch: 'retrain', headRepo: 'outside-contributor/credit-model' }) });
    const log = memoryLog();
    const r = await publishCommentFromReport({ reportPath, token: env.GITHUB_TOKEN, context: readRunContext(env), log, artifactName: 'model-risk-gate-report' });
    expect(r).toMatchObject({ status: 'created', issueNumber: 12 });
    expect(gh.apiCalls()).toEqual([
      `GET ${REPO}/pulls`,
      `GET ${REPO}/actions/runs/${gh.runId}/artifacts`,
      `GET ${REPO}/issues/12/comments`,
      `POST ${REPO}/issues/12/comments`,
    ]);
    expect(gh.requests[0]!.query).toEqual({ state: 'open', head: 'outside-contributor:retrain', per_page: '100' });
    const body = gh.comments[0]!.body;
    expect(body.startsWith(commentMarker('.github/model-policy.yml'))).toBe(true);
    expect(body).toContain(`[Job summary](https://github.com/octo-org/credit-model/actions/runs/${gh.runId})`);
    expect(body).toContain(`[Report artifact](https://github.com/octo-org/credit-model/actions/runs/${gh.runId}/artifacts/9001)`);
    expect(body).toContain('commit 9f8e7d6c5b4a');
  });

  it('refuses a report.json that is not a report, without calling the API', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mrg-wr-'));
    const reportPath = join(dir, 'report.json');
    writeFileSync(reportPath, JSON.stringify({ ...publishingSampleReport(), checks: [{ id: 'x', title: 't', section: 'fairness', value: '0.5' }] }));
    const env = gh.env({ event: workflowRunEvent({ runId: 1, headSha: 'a'.repeat(40), headBranch: 'b', headRepo: 'f/credit-model', pullNumbers: [3] }) });
    const log = memoryLog();
    const r = await publishCommentFromReport({ reportPath, token: env.GITHUB_TOKEN, context: readRunContext(env), log });
    // validated against policies/report.schema.json first (issue #10): the first schema problem is named
    expect(r).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not a model-risk-gate report: it does not match policies\/report\.schema\.json \(\/checks\/0 /) });
    expect(gh.requests).toHaveLength(0);
  });
});
