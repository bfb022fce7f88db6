/**
 * Golden outputs: every renderer (job summary, PR comment, a trimmed PR comment, HTML with its charts, terminal text
 * plain and coloured) on the report of every example policy (test/fixtures/reports/*.report.json, made by
 * test/report/make-report-fixtures.mjs), on the three baseline reports of sections-fixture.ts (stored the same way)
 * and on the synthetic sample, hostile and publishing reports. The output must equal the stored golden byte for byte,
 * so that refactoring a renderer changes nothing by accident.
 *
 * When a change of the output is intended: `UPDATE_GOLDENS=1 npx vitest run test/report/golden.test.ts`, then read
 * `git diff test/fixtures/reports/golden` and say in the commit what changed and why.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderCharts } from '../../src/report/charts/index.js';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSummary } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import type { Report } from '../../src/report/types.js';
import { publishingSampleReport } from './fixtures-publishing.js';
import { hostileReport, sampleFailingReport, samplePassingReport } from './sample-report.js';

const FIXTURES = 'test/fixtures/reports';
const GOLDEN = join(FIXTURES, 'golden');
const UPDATE = process.env.UPDATE_GOLDENS === '1';

const RUN = 'https://github.com/octo-org/credit-model/actions/runs/4242';
const ARTIFACT = 'https://github.com/octo-org/credit-model/actions/runs/4242/artifacts/17';
const BLOB = `https://github.com/octo-org/credit-model/blob/${'c0ffee'.repeat(6)}abcd`;

/** Every output of one report, by file name. */
export function renderAll(report: Report): Record<string, string> {
  const marker = commentMarker(report.policy.path);
  const comment = { marker, runUrl: RUN, artifactUrl: ARTIFACT, sha: '0123456789abcdef0123', blobUrl: BLOB };
  return {
    'summary.md': renderSummary(report, { runUrl: RUN, artifactUrl: ARTIFACT, blobUrl: BLOB }),
    'comment.md': renderComment(report, comment),
    // Small enough that every example is trimmed: the trimming order and notice are part of the output.
    'comment-12k.md': renderComment(report, { ...comment, maxChars: 12_000 }),
    'report.html': renderHtml(report, renderCharts(report), { runUrl: RUN }),
    'text.txt': renderText(report, { color: false, width: 100 }),
    'text-color-80.txt': renderText(report, { color: true, width: 80 }),
  };
}

const reports: Array<[string, () => Report]> = [
  ...readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.report.json'))
    .sort()
    .map((f): [string, () => Report] => [f.replace(/\.report\.json$/, ''), () => JSON.parse(readFileSync(join(FIXTURES, f), 'utf8')) as Report]),
  ['sample-failing', sampleFailingReport],
  ['sample-passing', samplePassingReport],
  ['hostile', hostileReport],
  ['publishing', () => publishingSampleReport()],
];

describe('golden outputs of every renderer', () => {
  // The compared / unchanged / incompatible baseline reports of sections-fixture.ts, stored like the examples.
  it.runIf(process.env.MAKE_REPORT_FIXTURES === '1')('writes the baseline reports of sections-fixture.ts', async () => {
    const { sectionReports } = await import('./sections-fixture.js'); // runs the gate: only when asked
    const r = await sectionReports();
    for (const [name, report] of Object.entries(r)) {
      const copy = JSON.parse(JSON.stringify(report)) as Report & { robustness?: { rowOutcomes?: unknown } };
      if (copy.robustness) delete copy.robustness.rowOutcomes; // read by no renderer
      writeFileSync(join(FIXTURES, `sections-${name}.report.json`), `${JSON.stringify(copy)}\n`);
    }
    expect(Object.keys(r)).toEqual(['compared', 'unchanged', 'incompatible']);
  }, 120_000);

  it('has the report of every example policy', () => {
    const examples = readdirSync('policies').filter((f) => /^example-.*\.yml$/.test(f)).map((f) => f.replace(/\.yml$/, ''));
    expect(examples.length).toBeGreaterThanOrEqual(8);
    for (const name of examples) expect(existsSync(join(FIXTURES, `${name}.report.json`)), name).toBe(true);
  });

  for (const [name, make] of reports) {
    it(`${name}: summary, comment, trimmed comment, HTML and text are unchanged`, () => {
      const outputs = renderAll(make());
      const dir = join(GOLDEN, name);
      if (UPDATE) mkdirSync(dir, { recursive: true });
      for (const [file, text] of Object.entries(outputs)) {
        const path = join(dir, file);
        if (UPDATE) {
          writeFileSync(path, text);
          continue;
        }
        expect(existsSync(path), `${path} missing: run with UPDATE_GOLDENS=1`).toBe(true);
        const golden = readFileSync(path, 'utf8');
        // Compare as strings (a mismatch shows the first differing lines), and by length so an empty file never passes.
        expect(text.length, `${name}/${file} length`).toBe(golden.length);
        expect(text, `${name}/${file}`).toBe(golden);
      }
      expect(outputs['comment-12k.md']!.length).toBeLessThanOrEqual(12_000);
    });
  }
});
