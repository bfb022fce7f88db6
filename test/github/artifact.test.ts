/**
 * The report artifact end to end over real HTTP: @actions/artifact's DefaultArtifactClient uploads to a fake artifact
 * service on 127.0.0.1 (Twirp CreateArtifact, Azure block-blob PUTs, FinalizeArtifact); the test unzips what arrived.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseRetentionDays, uploadReportArtifact, writeReportBundle } from '../../src/github/artifact.js';
import { artifactUrl, memoryLog, readRunContext } from '../../src/github/context.js';
import { renderCharts } from '../../src/report/charts/index.js';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import { renderHtml } from '../../src/report/html.js';
import { publishingSampleReport } from '../report/fixtures-publishing.js';
import { readZip, startFakeGitHub, type FakeGitHub } from '../helpers/fake-github.js';

let gh: FakeGitHub;
const saved = { ...process.env };
beforeEach(async () => {
  gh = await startFakeGitHub();
});
afterEach(async () => {
  await gh.close();
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

function bundle() {
  const report = publishingSampleReport();
  const charts = renderCharts(report);
  const dir = mkdtempSync(join(tmpdir(), 'mrg-artifact-'));
  const sarifDir = mkdtempSync(join(tmpdir(), 'mrg-sarif-'));
  const sarifPath = join(sarifDir, 'model-risk-gate.sarif');
  writeFileSync(sarifPath, JSON.stringify({ version: '2.1.0', runs: [] }));
  const b = writeReportBundle(join(dir, 'report'), {
    reportJson: JSON.stringify(report, null, 2),
    html: renderHtml(report, charts),
    charts,
    sarifPath,
    commentMarkdown: renderComment(report, { marker: commentMarker(report.policy.path) }),
  });
  return { report, charts, bundle: b };
}

describe('report artifact', () => {
  it('uploads report.json, report.html, the SARIF file and every chart, with retention, and returns id and URL', async () => {
    const { report, charts, bundle: b } = bundle();
    // The artifact client reads its configuration from process.env at call time.
    Object.assign(process.env, gh.env());
    const ctx = readRunContext(process.env);
    const log = memoryLog();
    const r = await uploadReportArtifact({ name: 'model-risk-gate-report', bundle: b, retentionDays: 14, log, urlFor: (id) => artifactUrl(ctx, id) });
    expect(r).toMatchObject({ status: 'uploaded', name: 'model-risk-gate-report', id: 7000, url: `https://github.com/octo-org/credit-model/actions/runs/${gh.runId}/artifacts/7000` });

    // Exact calls: create, blob upload (block + block list), finalize. No REST API calls.
    expect(gh.artifactCalls()).toEqual([
      'POST twirp/CreateArtifact',
      'PUT <blob>?comp=block',
      'PUT <blob>?comp=blocklist',
      'POST twirp/FinalizeArtifact',
    ]);
    expect(gh.apiCalls()).toEqual([]);
    const create = gh.requests[0]!;
    expect(create.headers.authorization).toBe(`Bearer ${gh.runtimeToken}`);
    expect(create.json).toMatchObject({
      workflow_run_backend_id: 'c0ffee00-0000-4000-8000-000000000001',
      workflow_job_run_backend_id: 'c0ffee00-0000-4000-8000-000000000002',
      name: 'model-risk-gate-report',
      mime_type: 'application/zip',
      version: 7,
    });
    const expires = Date.parse((create.json as { expires_at: string }).expires_at);
    expect(Math.round((expires - Date.now()) / 86_400_000)).toBe(14);
    const finalize = gh.requests[3]!.json as { size: string; hash: string };
    const artifact = gh.artifacts[0]!;
    expect(finalize.size).toBe(String(artifact.zip.length));
    expect(r.status === 'uploaded' && r.size).toBe(artifact.zip.length);
    expect(finalize.hash).toMatch(/^sha256:[0-9a-f]{64}$/);

    const files = readZip(artifact.zip);
    expect([...files.keys()].sort()).toEqual(
      ['comment.md', 'model-risk-gate.sarif', 'report.html', 'report.json', ...charts.map((c) => `charts/${c.name}.svg`)].sort(),
    );
    expect(JSON.parse(files.get('report.json')!.toString('utf8'))).toEqual(report);
    expect(files.get('report.html')!.toString('utf8')).toContain('Content-Security-Policy');
    expect(files.get('charts/roc.svg')!.toString('utf8')).toBe(charts.find((c) => c.name === 'roc')!.svg);
    expect(files.get('model-risk-gate.sarif')!.toString('utf8')).toBe('{"version":"2.1.0","runs":[]}');
    expect(charts.map((c) => c.name)).toEqual(expect.arrayContaining(['selection-rate-sex', 'count-age-bin', 'roc', 'precision-recall', 'precision-threshold', 'ks', 'ks-adversarial-score-attack-linf', 'feature-importance', 'permutation-importance']));
    expect(readFileSync(join(b.dir, 'report.json'), 'utf8')).toBe(JSON.stringify(report, null, 2));
  });

  it('skips with a notice outside Actions (no ACTIONS_RUNTIME_TOKEN) and makes no request', async () => {
    const { bundle: b } = bundle();
    const log = memoryLog();
    const r = await uploadReportArtifact({ name: 'x', bundle: b, log, env: gh.env({ withoutArtifactService: true }) });
    expect(r).toEqual({ status: 'skipped', reason: 'not running in GitHub Actions (ACTIONS_RUNTIME_TOKEN / ACTIONS_RESULTS_URL not set)' });
    expect(log.lines).toEqual([{ level: 'notice', message: expect.stringContaining(`The report files are in ${b.dir}`) }]);
    expect(gh.requests).toHaveLength(0);
  });

  it('reports a refused upload (name already used) as a failure, without throwing', async () => {
    const { bundle: b } = bundle();
    Object.assign(process.env, gh.env());
    const log = memoryLog();
    expect(await uploadReportArtifact({ name: 'dup', bundle: b, log })).toMatchObject({ status: 'uploaded' });
    const second = await uploadReportArtifact({ name: 'dup', bundle: b, log });
    expect(second).toMatchObject({ status: 'failed', reason: expect.stringContaining('409') });
    expect(log.lines.at(-1)).toEqual({ level: 'warning', message: expect.stringContaining("The gate's verdict is unaffected") });
    expect(gh.artifactCalls().slice(4)).toEqual(['POST twirp/CreateArtifact']);
  });

  it('refuses names the artifact service rejects, and parses retention-days', async () => {
    const { bundle: b } = bundle();
    const log = memoryLog();
    expect(await uploadReportArtifact({ name: 'a/b', bundle: b, log, env: gh.env() })).toMatchObject({ status: 'failed' });
    expect(gh.requests).toHaveLength(0);
    expect(parseRetentionDays('30')).toBe(30);
    expect(parseRetentionDays('')).toBeUndefined();
    expect(parseRetentionDays(' 0 ')).toBeUndefined();
    const warn = memoryLog();
    expect(parseRetentionDays('400', warn)).toBeUndefined();
    expect(parseRetentionDays('1.5', warn)).toBeUndefined();
    expect(warn.lines.map((l) => l.level)).toEqual(['warning', 'warning']);
  });
});
