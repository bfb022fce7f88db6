/** Links from the PR comment and the job summary to the policy lines, at the commit the report is about. */
import { describe, expect, it } from 'vitest';
import { blobUrlOf } from '../../src/github/comment.js';
import { readRunContext } from '../../src/github/context.js';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import { sampleFailingReport } from './sample-report.js';

const HEAD = 'a'.repeat(40);
const MERGE = 'b'.repeat(40);

describe('links to the policy at the head commit', () => {
  it('uses the pull request head sha from the event payload, GITHUB_SHA on push', () => {
    const env = { GITHUB_REPOSITORY: 'octo-org/credit', GITHUB_SERVER_URL: 'https://github.com', GITHUB_SHA: MERGE, GITHUB_EVENT_NAME: 'pull_request' };
    const pr = readRunContext(env, { pull_request: { number: 7, head: { sha: HEAD, ref: 'x', repo: { full_name: 'octo-org/credit' } }, base: { sha: 'c'.repeat(40) } } });
    expect(blobUrlOf(pr)).toBe(`https://github.com/octo-org/credit/blob/${HEAD}`);
    const push = readRunContext({ ...env, GITHUB_EVENT_NAME: 'push' }, {});
    expect(blobUrlOf(push)).toBe(`https://github.com/octo-org/credit/blob/${MERGE}`);
    expect(blobUrlOf(push, 'not-a-sha')).toBeUndefined();
    expect(blobUrlOf(readRunContext({ GITHUB_SHA: MERGE }, {}))).toBeUndefined();
  });

  it('the comment links "line 21" to the policy file at that commit', () => {
    const report = sampleFailingReport();
    const body = renderComment(report, { marker: commentMarker(report.policy.path), blobUrl: `https://github.com/octo-org/credit/blob/${HEAD}` });
    expect(body).toContain(`| ❌ fail | Accuracy | 0.8531 | ≥ 0.86 | -0.0069 | [line 21](https://github.com/octo-org/credit/blob/${HEAD}/.github/model-policy.yml#L21) |`);
    const plain = renderComment(report, { marker: commentMarker(report.policy.path) });
    expect(plain).toContain('| ❌ fail | Accuracy | 0.8531 | ≥ 0.86 | -0.0069 | line 21 |');
  });
});
