/**
 * Every shipped example policy (policies/example-*.yml) run through the committed CLI (node dist/cli.js), the way the
 * README tells a user to: each file's header states its outcome in one line,
 *   # Outcome (checked by test/e2e/examples.test.ts): exit <code>, `<the CLI's verdict line>`
 * and this test holds the file to it (exit code, verdict line, every breach reported at its policy line), so the
 * examples' comments cannot drift from what the gate does. The full example (every section) is checked in more detail.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runNode, type RunResult } from './harness.js';
import type { Report } from '../../src/report/types.js';

const cli = join(repoRoot, 'dist', 'cli.js');
const OUTCOME = /^# Outcome \(checked by test\/e2e\/examples\.test\.ts\): exit (\d), `(.+)`$/m;

interface Example {
  file: string;
  exit: number;
  headline: string;
}

const examples: Example[] = readdirSync(join(repoRoot, 'policies'))
  .filter((name) => /^example-.*\.ya?ml$/.test(name))
  .sort()
  .map((name) => {
    const file = `policies/${name}`;
    const match = OUTCOME.exec(readFileSync(join(repoRoot, file), 'utf8'));
    if (!match) throw new Error(`${file} does not state its outcome ("# Outcome (checked by test/e2e/examples.test.ts): exit N, \`...\`")`);
    return { file, exit: Number(match[1]), headline: match[2] as string };
  });

interface Run extends RunResult {
  report: Report;
}

/** One run per example file, shared by the tests that look at it. */
const runs = new Map<string, Promise<Run>>();
function runExample(file: string): Promise<Run> {
  if (!runs.has(file)) runs.set(file, runExampleOnce(file));
  return runs.get(file) as Promise<Run>;
}

async function runExampleOnce(file: string): Promise<Run> {
  const out = mkdtempSync(join(tmpdir(), 'mrg-example-'));
  const r = await runNode([cli, 'check', '--policy', file, '--out', out, '--no-color'], { cwd: repoRoot, timeoutMs: 120_000 });
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
  return { ...r, report };
}

/** The CLI's verdict line ('✖ FAIL  model-risk-gate: ...'); the lines before it name the files written by --out. */
function verdictLine(stdout: string): string | undefined {
  return stdout.split('\n').find((l) => l.startsWith('✔ ') || l.startsWith('✖ '));
}

describe(`the ${examples.length} example policies, through node dist/cli.js`, () => {
  it('are all found, the full example among them', () => {
    expect(examples.map((x) => x.file)).toEqual(
      expect.arrayContaining(['policies/example-adult.yml', 'policies/example-adult-full.yml', 'policies/example-adult-pass.yml']),
    );
    expect(examples.length).toBeGreaterThanOrEqual(5);
  });

  for (const ex of examples) {
    it(`${ex.file}: exit ${ex.exit}, "${ex.headline}"`, async () => {
      const r = await runExample(ex.file);
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(ex.exit);
      expect(verdictLine(r.stdout)).toBe(ex.headline);
      expect(r.stderr).not.toMatch(/\n\s+at |internal error/);
      expect(r.report.verdict).toBe(ex.exit === 0 ? 'pass' : 'fail');
      // Every breach is reported at its threshold's policy line, as editors and terminals link it.
      for (const c of r.report.checks.filter((x) => x.outcome !== 'pass')) {
        const level = c.outcome === 'fail' ? 'error' : 'warning';
        expect(r.stdout, c.id).toContain(`${ex.file}:${c.location.line}:${c.location.column}: ${level}: ${c.title}`);
      }
    }, 120_000);
  }

  it('policies/example-adult.yml: the breach is where the README says it is', async () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const where = /breach is reported at `(policies\/example-adult\.yml:\d+:\d+)`/.exec(readme)?.[1];
    expect(where).toBeDefined();
    const r = await runExample('policies/example-adult.yml');
    expect(r.stdout).toContain(`${where}: error: Demographic parity ratio (sex) = 0.3025`);
  }, 120_000);

  it('policies/example-adult-full.yml: every section runs within budget; the breaches its header names; ranks and counts as integers; the baseline skipped with a note', async () => {
    const r = await runExample('policies/example-adult-full.yml');
    expect(r.code, r.stderr).toBe(1);
    const rep = r.report;
    expect(rep.robustness?.sample.rows).toBe(500);
    expect(rep.robustness?.attacks.map((a) => a.key)).toEqual(['noise', 'score_attack/linf', 'decision_attack/l2', 'categorical_attack']);
    expect(rep.explainability?.method).toBe('tree_shap');
    expect(rep.explainability?.importance[0]?.feature).toBe('marital_status');
    expect(rep.checks.filter((c) => c.outcome === 'fail').map((c) => c.id).sort()).toEqual([
      'explainability/proxies_in_top_k/age_bin',
      'explainability/proxies_in_top_k/sex',
      'explainability/sensitive_rank/age_bin',
      'fairness/demographic_parity_ratio/sex',
      'robustness/counterfactual_flip_rate/counterfactual/age_bin',
    ]);
    expect(rep.checks.filter((c) => c.outcome === 'warn').map((c) => c.id)).toEqual(['robustness/attack_success_rate/categorical_attack@2']);
    // The header's numbers.
    const value = (id: string) => rep.checks.find((c) => c.id === id)?.value as number;
    expect(value('fairness/demographic_parity_ratio/sex')).toBeCloseTo(0.31, 2);
    expect(value('robustness/counterfactual_flip_rate/counterfactual/age_bin')).toBeCloseTo(0.15, 2);
    expect(value('robustness/attack_success_rate/categorical_attack@2')).toBeGreaterThan(0.3);
    expect(value('explainability/sensitive_rank/age_bin')).toBe(4);
    // Ranks and counts read as integers in the table: value, threshold, margin.
    expect(r.stdout).toMatch(/\n {2}FAIL +Importance rank of age \(1 = top\) +age_bin +4 {2}>= 6 +-2\n/);
    expect(r.stdout).toMatch(/\n {2}PASS +Proxies of race in the top 5 +race +0 {2}<= 0 +0\n/);
    // No base model outside a pull request: max_regression is not checked, and the report says so.
    expect(rep.baseline).toBeUndefined();
    expect(rep.notes.some((n) => /^Baseline: no base model: .*max_regression limits were not checked/.test(n))).toBe(true);
    expect(r.stdout).toContain('Notes:\n');
  }, 120_000);
});
