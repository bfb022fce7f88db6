/**
 * Where reviewers look (issue #5), end to end through the bundle: `node dist/index.js` with INPUT_* and GITHUB_* as a
 * runner sets them, against real HTTP servers on 127.0.0.1 standing in for GitHub's REST API and the artifact service
 * (test/helpers/fake-github.ts). Every test asserts the exact requests the action made.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeRuntimeToken, pullRequestEvent, readZip, startFakeGitHub, workflowRunEvent, type FakeGitHub } from '../helpers/fake-github.js';
import { renderComment } from '../../src/report/comment.js';
import type { Report } from '../../src/report/types.js';
import { fixtures, lineOf, makeWorkspace, parseAnnotations, repoRoot, runNode, validateSarif, type Workspace } from './harness.js';

const dist = join(repoRoot, 'dist', 'index.js');
const OWNER_REPO = 'octo-org/credit-model';
const API = `/repos/${OWNER_REPO}`;
/** A recognisable token: it must never be printed, except in the ::add-mask:: command that registers it. */
const TOKEN = 'ghs_E2eSecretTokenMustNeverBePrinted42';
const POLICY_PATH = '.github/model-policy.yml';
/** The hidden marker of the comment of this policy path, computed independently of src/report/comment.ts. */
const MARKER = `<!-- model-risk-gate:${createHash('sha256').update(POLICY_PATH).digest('hex').slice(0, 16)} -->`;

/** First `rows` data rows of the Adult test set (plus its header), with extra columns appended per row. */
function adultSlice(rows: number, extra?: { header: string[]; values: (i: number, fields: string[]) => string[] }): string {
  const lines = readFileSync(join(fixtures, 'adult', 'test.csv'), 'utf8').split('\n').filter((l) => l !== '');
  const header = lines[0]!.split(',');
  const out = [[...header, ...(extra?.header ?? [])].join(',')];
  for (let i = 1; i <= Math.min(rows, lines.length - 1); i++) {
    const fields = lines[i]!.split(',');
    out.push([...fields, ...(extra ? extra.values(i - 1, fields) : [])].join(','));
  }
  return `${out.join('\n')}\n`;
}

let tmp: string;
let slicePath: string;
/** Temporary directories made by this file (workspaces, runner temp), removed at the end. */
const madeDirs: string[] = [];
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'mrg-publish-e2e-'));
  madeDirs.push(tmp);
  slicePath = join(tmp, 'adult-3000.csv');
  writeFileSync(slicePath, adultSlice(3000));
});
afterAll(() => {
  for (const d of madeDirs) rmSync(d, { recursive: true, force: true });
});

/** makeWorkspace, remembered for clean-up. */
function tempWorkspace(policyText: string, files: Record<string, string>): Workspace {
  const ws = makeWorkspace(policyText, files);
  madeDirs.push(ws.dir, ws.runnerTemp);
  return ws;
}

const policy = (fairness: string): string => `# credit model policy (UCI Adult, first 3,000 rows)
version: 1
seed: 7
model:
  path: models/credit.onnx
  threshold: 0.5
dataset:
  path: data/eval.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: race
min_group_size: 30
statistics: { resamples: 200 }
checks:
  performance:
    roc_auc: { min: 0.85 }
  fairness:
${fairness}
`;

const FAILING = policy('    demographic_parity_ratio: { min: 0.8, attributes: [sex] }');
const PASSING = policy('    demographic_parity_ratio: { min: 0.2, attributes: [sex] }');

/**
 * A checkout as actions/checkout (fetch-depth: 0) leaves it: the workspace is a git repository whose one commit is the
 * pull request's base, so `baseline: auto` (the default) finds the base model (unchanged here: nothing to re-score).
 */
function workspaceWith(policyText: string, dataPath: string): Workspace & { baseSha: string } {
  const ws = tempWorkspace(policyText, { 'models/credit.onnx': join(fixtures, 'adult', 'logreg_pipeline.onnx'), 'data/eval.csv': dataPath });
  const git = (...args: string[]) => execFileSync('git', ['-c', 'user.name=ci', '-c', 'user.email=ci@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd: ws.dir, encoding: 'utf8' }).trim();
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'base');
  return Object.assign(ws, { baseSha: git('rev-parse', 'HEAD') });
}

/** A pull_request event whose base commit is the workspace's commit. */
function prEvent(ws: { baseSha: string }, o: Parameters<typeof pullRequestEvent>[0]): Record<string, unknown> {
  const event = pullRequestEvent(o) as { pull_request: { base: { sha: string } } };
  event.pull_request.base.sha = ws.baseSha;
  return event;
}

/**
 * The step's environment as a runner gives it: the workspace's GITHUB_* files, the fake servers' URLs and event, and
 * the inputs with action.yml's defaults (github-token is an input, `${{ github.token }}`; no GITHUB_TOKEN variable).
 */
function stepEnv(ws: Workspace, gh: FakeGitHub, event: Record<string, unknown>, extra: Record<string, string> = {}): Record<string, string | undefined> {
  return {
    ...ws.env(),
    ...gh.env({ event, token: '' }),
    INPUT_POLICY: POLICY_PATH,
    'INPUT_REPORT-DIR': 'model-risk-gate-report',
    'INPUT_FAIL-ON-BREACH': 'true',
    'INPUT_TIME-BUDGET-MINUTES': '20',
    INPUT_COMMENT: 'true',
    'INPUT_GITHUB-TOKEN': TOKEN,
    'INPUT_ARTIFACT-NAME': 'model-risk-gate-report',
    'INPUT_RETENTION-DAYS': '0',
    'INPUT_COMMENT-FROM': '',
    INPUT_BASELINE: 'auto',
    ...extra,
  };
}

/** The token appears in no output except the ::add-mask:: command; the artifact service's runtime token not at all. */
function expectTokenNotPrinted(r: { stdout: string; stderr: string }, runtimeToken: string): void {
  expect(r.stdout + r.stderr).not.toContain(runtimeToken);
  expect(r.stdout).toContain(`::add-mask::${TOKEN}`);
  const rest = r.stdout.split('\n').filter((l) => l !== `::add-mask::${TOKEN}`).join('\n');
  expect(rest).not.toContain(TOKEN);
  expect(r.stderr).not.toContain(TOKEN);
}

/** Artifact-service calls of one successful upload: CreateArtifact, the block PUTs, the block list, FinalizeArtifact. */
function expectOneUpload(calls: string[]): void {
  expect(calls[0]).toBe('POST twirp/CreateArtifact');
  expect(calls.at(-1)).toBe('POST twirp/FinalizeArtifact');
  expect(calls.at(-2)).toBe('PUT <blob>?comp=blocklist');
  const blocks = calls.slice(1, -2);
  expect(blocks.length).toBeGreaterThanOrEqual(1);
  expect(new Set(blocks)).toEqual(new Set(['PUT <blob>?comp=block']));
}

function zipEntries(gh: FakeGitHub, index: number): Map<string, Buffer> {
  const a = gh.artifacts[index]!;
  expect(a.finalized).toBe(true);
  return readZip(a.zip);
}

describe('pull_request: sticky comment created, then updated in place; report artifact uploaded', () => {
  let gh: FakeGitHub;
  let ws: Workspace & { baseSha: string };
  beforeAll(async () => {
    gh = await startFakeGitHub();
    ws = workspaceWith(FAILING, slicePath);
  });
  afterAll(async () => gh.close());

  it('first run: uploads the artifact, then creates the comment (GET list, POST), exits 1 on the breach', async () => {
    const r = await runNode([dist], { env: stepEnv(ws, gh, prEvent(ws, { number: 7 }), { 'INPUT_RETENTION-DAYS': '7' }) });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);

    // the exact requests, in order: the upload first (its URL goes into the comment), then the comment
    expect(gh.requests.findIndex((x) => x.server === 'api')).toBeGreaterThan(gh.requests.findLastIndex((x) => x.server === 'results'));
    expectOneUpload(gh.artifactCalls());
    expect(gh.apiCalls()).toEqual([`GET ${API}/issues/7/comments`, `POST ${API}/issues/7/comments`]);
    for (const req of gh.requests.filter((x) => x.server === 'api')) expect(req.headers.authorization).toBe(`token ${TOKEN}`);
    const create = gh.requests.find((x) => x.server === 'results' && x.path.endsWith('CreateArtifact'))!.json as Record<string, unknown>;
    expect(create.name).toBe('model-risk-gate-report');
    // retention-days 7 -> an expiry about 7 days from now
    const days = (Date.parse(String(create.expires_at)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThan(7.1);

    // outputs
    const out = ws.outputs();
    const artifactUrl = `https://github.com/${OWNER_REPO}/actions/runs/${gh.runId}/artifacts/7000`;
    expect(out.verdict).toBe('fail');
    expect(out['artifact-id']).toBe('7000');
    expect(out['artifact-url']).toBe(artifactUrl);
    expect(out['comment-url']).toBe(`https://github.com/${OWNER_REPO}/pull/7#issuecomment-1000`);
    const reportDir = join(ws.dir, 'model-risk-gate-report');
    expect(out['html-path']).toBe(join(reportDir, 'report.html'));
    expect(out['report-path']).toBe(join(reportDir, 'report.json'));

    // the zip: report.json (byte-equal to report-path), report.html, the SARIF file and every chart
    const zip = zipEntries(gh, 0);
    const charts = readdirSync(join(reportDir, 'charts')).filter((f) => f.endsWith('.svg')).sort();
    expect(charts).toEqual(expect.arrayContaining(['roc.svg', 'selection-rate-sex.svg']));
    expect([...zip.keys()].sort()).toEqual(['model-risk-gate.sarif', 'report.html', 'report.json', ...charts.map((c) => `charts/${c}`)].sort());
    expect(zip.get('report.json')!.equals(readFileSync(out['report-path']!))).toBe(true);
    expect(zip.get('report.html')!.equals(readFileSync(out['html-path']!))).toBe(true);
    expect(zip.get('model-risk-gate.sarif')!.equals(readFileSync(out['sarif-path']!))).toBe(true);
    expect(validateSarif(JSON.parse(zip.get('model-risk-gate.sarif')!.toString('utf8'))).valid).toBe(true);
    for (const c of charts) expect(zip.get(`charts/${c}`)!.toString('utf8')).toMatch(/^<svg[\s>]/);
    expect(zip.get('report.html')!.toString('utf8')).toContain('<svg');

    // the comment: marker first, verdict, the breached check with value / threshold / margin, links to run and artifact
    const report = JSON.parse(readFileSync(out['report-path']!, 'utf8')) as Report;
    const breached = report.checks.filter((c) => c.outcome === 'fail');
    expect(breached.map((c) => c.id)).toEqual(['fairness/demographic_parity_ratio/sex']);
    const dp = breached[0]!;
    expect(gh.comments).toHaveLength(1);
    const body = gh.comments[0]!.body;
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain('## ❌ Model risk gate failed');
    expect(body.indexOf('## ❌ Model risk gate failed')).toBeLessThan(body.indexOf('Demographic parity ratio'));
    const row = body.split('\n').find((l) => l.startsWith('|') && l.includes('Demographic parity ratio'))!;
    expect(row, body).toBeDefined();
    // value, threshold, margin (value - threshold) to 4 significant digits, and the policy line it breached
    expect(dp.threshold.value).toBe(0.8);
    expect(dp.margin!).toBeCloseTo(dp.value! - 0.8, 12);
    // the policy line links to the policy file at the pull request's head commit (from the event payload)
    const line = lineOf(FAILING, 'demographic_parity_ratio');
    expect(row).toMatch(
      new RegExp(
        `^\\| ❌ fail \\| Demographic parity ratio \\(sex\\) \\| ${dp.value!.toPrecision(4)} \\| ≥ 0\\.8 \\| ${dp.margin!.toPrecision(4)} \\| ` +
          `\\[line ${line}\\]\\(https://github\\.com/${OWNER_REPO}/blob/[0-9a-f]{40}/\\.github/model-policy\\.yml#L${line}\\) \\|$`,
      ),
    );
    expect(body).toContain(`📋 [Job summary](https://github.com/${OWNER_REPO}/actions/runs/${gh.runId})`);
    expect(body).toContain(`📦 [Report artifact](${artifactUrl})`);
    expect(body.length).toBeLessThanOrEqual(65_536);

    // the job summary links the artifact too; the token is never printed
    expect(ws.summary()).toContain(artifactUrl);
    expectTokenNotPrinted(r, gh.runtimeToken);
  });

  it('second run (a push to the PR, stricter threshold): PATCHes the same comment, no second POST', async () => {
    const requestsBefore = gh.requests.length;
    writeFileSync(ws.outputFile, ''); // this run's outputs only
    writeFileSync(join(ws.dir, POLICY_PATH), FAILING.replace('demographic_parity_ratio: { min: 0.8,', 'demographic_parity_ratio: { min: 0.85,'));
    // a new workflow run: new run id and backend ids (an artifact name is unique per job, as on GitHub)
    const runtimeToken = fakeRuntimeToken('c0ffee00-0000-4000-8000-000000000003', 'c0ffee00-0000-4000-8000-000000000004');
    const r = await runNode([dist], {
      env: stepEnv(ws, gh, prEvent(ws, { number: 7, headSha: 'f'.repeat(40) }), {
        GITHUB_RUN_ID: '4243',
        ACTIONS_RUNTIME_TOKEN: runtimeToken,
      }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    const api = gh.requests.slice(requestsBefore).filter((x) => x.server === 'api').map((x) => `${x.method} ${x.path}`);
    expect(api).toEqual([`GET ${API}/issues/7/comments`, `PATCH ${API}/issues/comments/1000`]);
    const patch = gh.requests.slice(requestsBefore).find((x) => x.method === 'PATCH')!;
    expect(gh.apiCalls().filter((c) => c.startsWith('POST'))).toHaveLength(1);
    expect(gh.comments).toHaveLength(1);
    const body = gh.comments[0]!.body;
    expect(body).toBe((patch.json as { body: string }).body);
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    const report = JSON.parse(readFileSync(ws.outputs()['report-path']!, 'utf8')) as Report;
    const dp = report.checks.find((c) => c.id === 'fairness/demographic_parity_ratio/sex')!;
    expect(dp.threshold.value).toBe(0.85);
    expect(body).toContain(`| ❌ fail | Demographic parity ratio (sex) | ${dp.value!.toPrecision(4)} | ≥ 0.85 | ${dp.margin!.toPrecision(4)} |`);
    expect(body).toContain(`https://github.com/${OWNER_REPO}/actions/runs/4243/artifacts/7001`);
    expect(body).toContain('commit ffffffffffff');
    expect(gh.artifacts.map((a) => [a.id, a.finalized])).toEqual([
      [7000, true],
      [7001, true],
    ]);
    const out = ws.outputs();
    expect(out['comment-url']).toBe(`https://github.com/${OWNER_REPO}/pull/7#issuecomment-1000`);
    expect(out['artifact-id']).toBe('7001');
    expect(gh.requests.slice(requestsBefore).filter((x) => x.server === 'results').map((x) => x.headers.authorization)).toContain(`Bearer ${runtimeToken}`);
    expectTokenNotPrinted(r, runtimeToken);
  });
});

describe('fork pull request: the comment is refused (403), then published by the workflow_run workflow (comment-from)', () => {
  let gh: FakeGitHub;
  let ws: Workspace & { baseSha: string };
  const headSha = '9'.repeat(40);
  beforeAll(async () => {
    gh = await startFakeGitHub();
    ws = workspaceWith(FAILING, slicePath);
    // GitHub refuses the read-only token of a fork pull request
    gh.respond({ server: 'api', method: 'POST', path: /\/issues\/\d+\/comments$/, status: 403, body: { message: 'Resource not accessible by integration' }, times: 1 });
  });
  afterAll(async () => gh.close());

  it('403 on the comments API: still exit 1 (the verdict), summary, SARIF and artifact produced, a warning explains workflow_run', async () => {
    const r = await runNode([dist], { env: stepEnv(ws, gh, prEvent(ws, { number: 9, fork: true, headSha })) });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at /);
    expect(gh.apiCalls()).toEqual([`GET ${API}/issues/9/comments`, `POST ${API}/issues/9/comments`]);
    expectOneUpload(gh.artifactCalls());
    expect(gh.comments).toHaveLength(0);

    const out = ws.outputs();
    expect(out.verdict).toBe('fail');
    expect(JSON.parse(out['failed-check-ids']!)).toEqual(['fairness/demographic_parity_ratio/sex']);
    expect(out['comment-url']).toBeUndefined();
    expect(out['artifact-id']).toBe('7000');

    // the warning names the refusal and the workflow_run pattern; the step fails for the breach, not for publishing
    const annotations = parseAnnotations(r.stdout);
    const warnings = annotations.filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toContain('HTTP 403: Resource not accessible by integration');
    expect(warnings[0]!.message).toContain('comes from a fork (outside-contributor/credit-model)');
    expect(warnings[0]!.message).toMatch(/`workflow_run`.*`comment-from`/);
    const errors = annotations.filter((a) => a.level === 'error');
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringMatching(/^Demographic parity ratio \(sex\) = 0\.2667 /),
      'Model risk gate: 1 check(s) breached the policy (fairness/demographic_parity_ratio/sex).',
    ]);

    // summary, SARIF and artifact are all there
    const summary = ws.summary();
    expect(summary).toContain('❌');
    expect(summary).toContain('Demographic parity ratio');
    const sarif = JSON.parse(readFileSync(out['sarif-path']!, 'utf8'));
    expect(validateSarif(sarif).errors ?? null).toBeNull();
    expect(sarif.runs[0].results.filter((x: { kind?: string; level?: string }) => x.kind !== 'pass' && x.level === 'error').map((x: { ruleId: string }) => x.ruleId)).toEqual([
      'fairness/demographic_parity_ratio',
    ]);
    const zip = zipEntries(gh, 0);
    expect(zip.get('report.json')!.equals(readFileSync(out['report-path']!))).toBe(true);
    expect(zip.has('report.html')).toBe(true);
    expect(zip.has('model-risk-gate.sarif')).toBe(true);
    expectTokenNotPrinted(r, gh.runtimeToken);
  });

  it('comment-from in a workflow_run workflow: posts the saved report\'s comment on the fork PR, runs no checks', async () => {
    expect(gh.artifacts).toHaveLength(1); // made by the pull_request run above
    const refused = gh.requests.find((x) => x.server === 'api' && x.method === 'POST')!;
    const before = gh.requests.length;
    // the fork's pull request, as GitHub lists it (a workflow_run event of a fork carries no pull request numbers)
    gh.pulls.push({
      number: 9,
      state: 'open',
      head: { sha: headSha, ref: 'retrain', label: 'outside-contributor:retrain', repo: { full_name: 'outside-contributor/credit-model' } },
      base: { ref: 'main', repo: { full_name: OWNER_REPO } },
    });
    // the privileged workflow: no checkout of the PR, only report.json from the downloaded artifact
    const wr = tempWorkspace('unused', {});
    rmSync(join(wr.dir, '.github'), { recursive: true });
    mkdirSync(join(wr.dir, 'downloaded'));
    writeFileSync(join(wr.dir, 'downloaded', 'report.json'), zipEntries(gh, 0).get('report.json')!);
    const event = workflowRunEvent({ runId: gh.runId, headSha, headBranch: 'retrain', headRepo: 'outside-contributor/credit-model' });
    const r = await runNode([dist], {
      env: stepEnv(wr, gh, event, { GITHUB_RUN_ID: '5151', 'INPUT_COMMENT-FROM': 'downloaded/report.json' }),
    });
    expect(r.code, r.stdout + r.stderr).toBe(0);

    const calls = gh.requests.slice(before);
    expect(calls.map((x) => `${x.server} ${x.method} ${x.path}`)).toEqual([
      `api GET ${API}/pulls`,
      `api GET ${API}/actions/runs/${gh.runId}/artifacts`,
      `api GET ${API}/issues/9/comments`,
      `api POST ${API}/issues/9/comments`,
    ]);
    expect(calls[0]!.query).toMatchObject({ state: 'open', head: 'outside-contributor:retrain' });
    expect(calls[1]!.query).toMatchObject({ name: 'model-risk-gate-report' });

    expect(gh.comments).toHaveLength(1);
    const body = gh.comments[0]!.body;
    // exactly the comment the pull_request run would have posted (same report, run, artifact and commit), plus the
    // triggering run's conclusion next to the report's verdict (issue #10)
    const conclusion = `\n\nThe report says **failed**; the [workflow run](https://github.com/${OWNER_REPO}/actions/runs/${gh.runId}) that produced it concluded **failure**.`;
    expect(body).toContain(`## ❌ Model risk gate failed`);
    expect(body).toContain(conclusion);
    expect(body.replace(conclusion, '')).toBe((refused.json as { body: string }).body);
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain('## ❌ Model risk gate failed');
    expect(body).toContain(`📋 [Job summary](https://github.com/${OWNER_REPO}/actions/runs/${gh.runId})`);
    expect(body).toContain(`📦 [Report artifact](https://github.com/${OWNER_REPO}/actions/runs/${gh.runId}/artifacts/7000)`);
    expect(body).toContain(`commit ${headSha.slice(0, 12)}`);

    // no checks ran: no model, data or policy here, no new report, no upload; only the comment's URL as output
    expect(existsSync(join(wr.dir, 'model-risk-gate-report'))).toBe(false);
    expect(gh.requests.slice(before).filter((x) => x.server === 'results')).toHaveLength(0);
    expect(wr.outputs()).toEqual({ 'comment-url': `https://github.com/${OWNER_REPO}/pull/9#issuecomment-1000` });
    expect(parseAnnotations(r.stdout).filter((a) => a.level !== 'notice')).toEqual([]);
    expectTokenNotPrinted(r, gh.runtimeToken);
  });
});

describe('a token that may not even read the comments (403 on every comments request)', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
    gh.respond({ server: 'api', path: /\/issues\/\d+\/comments$/, status: 403, body: { message: 'Resource not accessible by integration' } });
  });
  afterAll(async () => gh.close());

  it('a passing model still exits 0: publishing problems change the exit code in neither direction', async () => {
    const ws = workspaceWith(PASSING, slicePath);
    const r = await runNode([dist], { env: stepEnv(ws, gh, prEvent(ws, { number: 12 })) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(gh.apiCalls()).toEqual([`GET ${API}/issues/12/comments`]); // the list was refused: no POST attempted
    expectOneUpload(gh.artifactCalls());
    const warnings = parseAnnotations(r.stdout).filter((a) => a.level === 'warning');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toMatch(/^The PR comment could not be published \(HTTP 403: Resource not accessible by integration\)\./);
    expect(warnings[0]!.message).toContain('`permissions: pull-requests: write`');
    expect(warnings[0]!.message).toContain('`workflow_run`');
    expect(parseAnnotations(r.stdout).filter((a) => a.level === 'error')).toEqual([]);
    expect(ws.outputs().verdict).toBe('pass');
    expect(ws.outputs()['comment-url']).toBeUndefined();
    expect(ws.summary()).toContain('✅');
    expectTokenNotPrinted(r, gh.runtimeToken);
  });
});

describe('a passing model', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
  });
  afterAll(async () => gh.close());

  it('exits 0 and the comment says it passed', async () => {
    const ws = workspaceWith(PASSING, slicePath);
    const r = await runNode([dist], { env: stepEnv(ws, gh, prEvent(ws, { number: 11 })) });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(gh.apiCalls()).toEqual([`GET ${API}/issues/11/comments`, `POST ${API}/issues/11/comments`]);
    expectOneUpload(gh.artifactCalls());
    expect(parseAnnotations(r.stdout).filter((a) => a.level === 'error' || a.level === 'warning')).toEqual([]);
    const out = ws.outputs();
    expect(out.verdict).toBe('pass');
    expect(out['failed-checks']).toBe('0');
    expect(out['comment-url']).toBe(`https://github.com/${OWNER_REPO}/pull/11#issuecomment-1000`);
    const body = gh.comments[0]!.body;
    expect(body.startsWith(`${MARKER}\n`)).toBe(true);
    expect(body).toContain('## ✅ Model risk gate passed');
    expect(body).toContain('**No threshold was breached.**');
    expect(body).not.toContain('❌');
    expect(body).toMatch(/\| ✅ pass \| Demographic parity ratio \(sex\) \| 0\.2667 \| ≥ 0\.2 \| \+0\.0667 \|/);
    expect(body).toContain(`📦 [Report artifact](${out['artifact-url']})`);
    expectTokenNotPrinted(r, gh.runtimeToken);
  });
});

describe('an oversized report', () => {
  let gh: FakeGitHub;
  beforeAll(async () => {
    gh = await startFakeGitHub();
  });
  afterAll(async () => gh.close());

  it('the comment POSTed stays under 65,536 characters and says what was cut', async () => {
    // a synthetic high-cardinality sensitive column (160 branches), fine age and hours bins, and intersections:
    // about 3,000 groups over 19 attributes (each intersection stays under the gate's 1,000 combinations)
    const data = join(tmp, 'adult-branches.csv');
    writeFileSync(data, adultSlice(6000, { header: ['branch'], values: (i) => [`branch-${String((i * 7919) % 160).padStart(3, '0')}`] }));
    const ageEdges = Array.from({ length: 50 }, (_, k) => 20 + k);
    const hourEdges = Array.from({ length: 40 }, (_, k) => 10 + k * 2);
    const text = `version: 1
seed: 7
model:
  path: models/credit.onnx
dataset:
  path: data/eval.csv
  label: income
  positive_label: ">50K"
sensitive:
  - column: sex
  - column: race
  - column: branch
  - column: age
    bins: [${ageEdges.join(', ')}]
  - column: hours_per_week
    bins: [${hourEdges.join(', ')}]
  - column: relationship
  - column: occupation
  - column: education
  - column: native_country
intersections:
  - [sex, branch]
  - [race, branch]
  - [sex, age_bin]
  - [race, age_bin]
  - [branch, relationship]
  - [sex, hours_per_week_bin]
  - [sex, occupation]
  - [race, occupation]
  - [occupation, education]
  - [age_bin, education]
min_group_size: 5
statistics: { resamples: 0 }
checks:
  performance:
    roc_auc: { min: 0.85 }
  fairness:
    demographic_parity_ratio: { min: 0.8 }
    equalized_odds_difference: { max: 0.1 }
    equal_opportunity_difference: { max: 0.1 }
`;
    const ws = workspaceWith(text, data);
    const r = await runNode([dist], { env: stepEnv(ws, gh, prEvent(ws, { number: 13 })) });
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(gh.apiCalls()).toEqual([`GET ${API}/issues/13/comments`, `POST ${API}/issues/13/comments`]);
    const posted = (gh.requests.find((x) => x.method === 'POST' && x.server === 'api')!.json as { body: string }).body;
    const report = JSON.parse(readFileSync(ws.outputs()['report-path']!, 'utf8')) as Report;
    const full = renderComment(report, { marker: MARKER, maxChars: Number.POSITIVE_INFINITY });
    // without a limit the comment would be far over GitHub's: trimming was needed
    expect(full.length).toBeGreaterThan(80_000);
    expect(posted.length).toBeLessThanOrEqual(65_536);
    expect(posted.length).toBeGreaterThan(50_000); // trimmed by section, not truncated to a stub
    expect(gh.comments).toHaveLength(1);
    expect(ws.outputs()['comment-url']).toBe(`https://github.com/${OWNER_REPO}/pull/13#issuecomment-1000`);

    // what matters most survives: marker, verdict, every breached check, the links
    const breached = report.checks.filter((c) => c.outcome !== 'pass');
    expect(breached.length).toBeGreaterThan(50);
    // measured breaches in the table; checks the evidence cannot decide in their own list (issue #15)
    const measured = breached.filter((c) => c.status !== 'insufficient');
    const undecided = breached.filter((c) => c.status === 'insufficient');
    expect(posted.startsWith(`${MARKER}\n`)).toBe(true);
    expect(posted).toContain('## ❌ Model risk gate failed');
    expect(posted).toContain(`### Breached (${measured.length})`);
    if (undecided.length > 0) expect(posted).toContain(`### Not decided (${undecided.length})`);
    const lines = posted.split('\n');
    const tableStart = lines.indexOf(`### Breached (${measured.length})`) + 2;
    const tableEnd = lines.indexOf('', tableStart);
    const rows = lines.slice(tableStart + 2, tableEnd); // after the header and alignment rows
    expect(rows).toHaveLength(measured.length);
    const policyLines = ['demographic_parity_ratio', 'equalized_odds_difference', 'equal_opportunity_difference'].map((k) => lineOf(text, k));
    for (const row of rows) {
      // the policy line, linked to the policy file at the head commit when the run knows it
      expect(row).toMatch(/^\| ❌ fail \| .* \| \[?line \d+(\]\(https:\/\/[^)]+#L\d+\))? \|$/);
      expect(policyLines).toContain(Number(/line (\d+)/.exec(row.split(' | ').at(-1)!)![1]));
    }
    expect(posted).toContain(`📦 [Report artifact](${ws.outputs()['artifact-url']})`);

    // and it says what was cut: the sections it left out, and how many group tables
    const shownTables = new Set([...posted.matchAll(/Groups of <b>([^<(]+?)(?: \([^)]*\))?<\/b>/g)].map((m) => m[1]!));
    const cutTables = report.fairness.filter((a) => !shownTables.has(a.name));
    expect(report.fairness).toHaveLength(19);
    expect(cutTables.length).toBeGreaterThan(3);
    const notice = posted.split('\n').find((l) => l.startsWith("> Trimmed to fit GitHub's 65,536-character comment limit; left out: "));
    expect(notice, posted.slice(-3000)).toBeDefined();
    expect(notice).toContain(`the group tables of ${cutTables.length} attributes`);
    expect(notice).toContain('run details');
    expect(posted).not.toContain('<b>Run details</b>');
    expect(notice).toContain('The job summary and the report artifact have everything.');
  });
});
