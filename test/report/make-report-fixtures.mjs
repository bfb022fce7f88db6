#!/usr/bin/env node
/**
 * Regenerates test/fixtures/reports/<name>.report.json: the report of every policies/example-*.yml (and one baseline
 * comparison), from the built CLI (dist/cli.js). Run from the repository root after `node .ci/build.mjs`:
 *   node test/report/make-report-fixtures.mjs
 * robustness.rowOutcomes (per-row attack outcomes, 60% of the largest reports) is dropped: no renderer reads it.
 * The baseline reports of sections-fixture.ts: `MAKE_REPORT_FIXTURES=1 npx vitest run test/report/golden.test.ts`.
 * The golden outputs are then rebuilt with `UPDATE_GOLDENS=1 npx vitest run test/report/golden.test.ts`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const OUT = 'test/fixtures/reports';
const runs = readdirSync('policies')
  .filter((f) => /^example-.*\.yml$/.test(f))
  .map((f) => ({ name: f.replace(/\.yml$/, ''), args: ['--policy', `policies/${f}`] }));
runs.push({
  name: 'example-adult-baseline',
  args: ['--policy', 'policies/example-adult.yml', '--baseline', 'test/fixtures/adult/logreg_pipeline_nozipmap.onnx'],
});
for (const { name, args } of runs) {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-golden-'));
  try {
    try {
      execFileSync('node', ['dist/cli.js', 'check', ...args, '--out', dir, '--no-color'], { stdio: 'ignore' });
    } catch (err) {
      if (err.status !== 1) throw err; // 1: the model breaches its policy (by design for some examples)
    }
    const report = JSON.parse(readFileSync(join(dir, 'report.json'), 'utf8'));
    if (report.robustness) delete report.robustness.rowOutcomes;
    writeFileSync(join(OUT, `${name}.report.json`), `${JSON.stringify(report)}\n`);
    console.log(name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
