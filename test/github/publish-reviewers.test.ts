/**
 * The publishers wired together (src/github/publish.ts): HTML and charts written next to report.json and the SARIF
 * file, the artifact uploaded, then the comment linking run and artifact; and the `comment-from` mode. In-process,
 * against the fake GitHub servers, with the environment a runner sets.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { publishCommentForSavedReport, publishForReviewers } from '../../src/github/publish.js';
import { publishingSampleReport } from '../report/fixtures-publishing.js';
import { pullRequestEvent, readZip, startFakeGitHub, workflowRunEvent, type FakeGitHub } from '../helpers/fake-github.js';

let gh: FakeGitHub;
let stdout: string[];
const saved = { ...process.env };
beforeEach(async () => {
  gh = await startFakeGitHub();
  stdout = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    stdout.push(String(chunk));
    return true;
  });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await gh.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

function reportDir() {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-publish-'));
  const report = publishingSampleReport();
  writeFileSync(join(dir, 'report.json'), JSON.stringify(report, null, 2));
  writeFileSync(join(dir, 'model-risk-gate.sarif'), '{"version":"2.1.0","runs":[]}');
  return { dir, report, sarifPath: join(dir, 'model-risk-gate.sarif') };
}

const inputs = { comment: true, githubToken: '', artifactName: 'model-risk-gate-report', retentionDays: '30' };

describe('publishForReviewers', () => {
  it('writes the HTML and charts, uploads the artifact, then comments with links to the run and the artifact', async () => {
    Object.assign(process.env, gh.env({ event: pullRequestEvent({ number: 7 }) }));
    const { dir, report, sarifPath } = reportDir();
    const outputs = await publishForReviewers(report, { dir, sarifPath }, inputs);
    const artifactUrl = `https://github.com/octo-org/credit-model/actions/runs/${gh.runId}/artifacts/7000`;
    expect(outputs).toEqual({
      'html-path': join(dir, 'report.html'),
      'artifact-id': '7000',
      'artifact-url': artifactUrl,
      'comment-url': 'https://github.com/octo-org/credit-model/pull/7#issuecomment-1000',
    });
    expect(existsSync(join(dir, 'charts', 'roc.svg'))).toBe(true);
    expect(readFileSync(join(dir, 'report.html'), 'utf8')).toContain(`https://github.com/octo-org/credit-model/actions/runs/${gh.runId}`);
    // Upload first (its URL goes into the comment), then the comment.
    expect(gh.requests.map((r) => `${r.server} ${r.method}`)).toEqual([
      'results POST',
      'results PUT',
      'results PUT',
      'results POST',
      'api GET',
      'api POST',
    ]);
    const files = [...readZip(gh.artifacts[0]!.zip).keys()];
    expect(files).toEqual(expect.arrayContaining(['report.json', 'report.html', 'model-risk-gate.sarif', 'charts/ks.svg', 'charts/selection-rate-sex.svg']));
    expect(files).not.toContain('comment.md');
    expect(gh.comments[0]!.body).toContain(`📦 [Report artifact](${artifactUrl})`);
    expect(gh.comments[0]!.body).toContain(`📋 [Job summary](https://github.com/octo-org/credit-model/actions/runs/${gh.runId})`);
    // The token is masked for the runner and never printed otherwise.
    const printed = stdout.join('');
    expect(printed).toContain(`::add-mask::${gh.token}`);
    expect(printed.split(`::add-mask::${gh.token}`).join('')).not.toContain(gh.token);
  });

  it('keeps going on a fork PR: artifact uploaded, comment refused with a warning, no throw', async () => {
    gh.respond({ method: 'POST', path: /\/issues\/\d+\/comments$/, status: 403, body: { message: 'Resource not accessible by integration' } });
    Object.assign(process.env, gh.env({ event: pullRequestEvent({ number: 9, fork: true }) }));
    const { dir, report, sarifPath } = reportDir();
    const outputs = await publishForReviewers(report, { dir, sarifPath }, inputs);
    expect(outputs['artifact-id']).toBe('7000');
    expect(outputs['comment-url']).toBeUndefined();
    const warnings = stdout.filter((l) => l.startsWith('::warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('HTTP 403: Resource not accessible by integration');
    expect(warnings[0]).toContain('workflow_run');
  });

  it('outside Actions: files written, upload skipped with a notice, no comment on a push', async () => {
    Object.assign(process.env, gh.env({ withoutArtifactService: true }));
    const { dir, report, sarifPath } = reportDir();
    const outputs = await publishForReviewers(report, { dir, sarifPath }, inputs);
    expect(outputs).toEqual({ 'html-path': join(dir, 'report.html') });
    expect(gh.requests).toHaveLength(0);
    expect(stdout.some((l) => l.startsWith('::notice::Report artifact not uploaded: not running in GitHub Actions'))).toBe(true);
  });
});

describe('publishCommentForSavedReport (comment-from)', () => {
  it('posts the comment of a downloaded report on the pull request of the triggering run', async () => {
    Object.assign(process.env, gh.env({ event: workflowRunEvent({ runId: gh.runId, headSha: 'b'.repeat(40), headBranch: 'retrain', headRepo: 'octo-org/credit-model', pullNumbers: [5] }) }));
    const { dir } = reportDir();
    const outputs = await publishCommentForSavedReport(join(dir, 'report.json'), { comment: true, githubToken: '', artifactName: '' });
    expect(outputs).toEqual({ 'comment-url': 'https://github.com/octo-org/credit-model/pull/5#issuecomment-1000' });
    expect(gh.apiCalls()).toEqual(['GET /repos/octo-org/credit-model/issues/5/comments', 'POST /repos/octo-org/credit-model/issues/5/comments']);
  });
});
