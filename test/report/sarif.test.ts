import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import {
  checkFingerprint,
  normalizeAutomationId,
  renderSarif,
  sarifByteLength,
  sarifLimitProblems,
  sarifText,
  SARIF_LIMITS,
  toSarifUri,
} from '../../src/report/sarif.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import { sarifValidator } from '../helpers/sarif-schema.js';
import { hostileReport, sampleFailingReport, samplePassingReport } from './sample-report.js';

const validate = sarifValidator();

function expectValid(log: unknown): void {
  const ok = validate(log);
  expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
  expect(ok).toBe(true);
}

describe('the validator itself', () => {
  test('rejects invalid SARIF', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: {} }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
    const log = renderSarif(sampleFailingReport(), { automationId: 'x' }) as unknown as { runs: Array<{ results: Array<{ level: string }> }> };
    log.runs[0].results[0].level = 'fatal';
    expect(validate(log)).toBe(false);
  });
});

describe('renderSarif on the failing sample', () => {
  const report = sampleFailingReport();
  const log = renderSarif(report, { automationId: 'model-risk-gate/.github/model-policy.yml/' });
  const run = log.runs[0];

  test('valid SARIF 2.1.0 within GitHub limits', () => {
    expectValid(log);
    expectValid(JSON.parse(JSON.stringify(log)));
    expect(sarifLimitProblems(log)).toEqual([]);
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.runs).toHaveLength(1);
  });

  test('tool and one rule per rule id, with help', () => {
    expect(run.tool.driver.name).toBe('model-risk-gate');
    expect(run.tool.driver.version).toBe('0.1.0');
    expect(run.tool.driver.semanticVersion).toBe('0.1.0');
    expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
    expect(run.tool.driver.rules.map((r) => r.id)).toEqual([
      'performance/roc_auc',
      'performance/accuracy',
      'fairness/demographic_parity_difference',
      'fairness/equalized_odds_difference',
      'fairness/roc_auc_difference',
    ]);
    for (const rule of run.tool.driver.rules) {
      expect(rule.shortDescription.text.length).toBeGreaterThan(10);
      expect(rule.fullDescription.text.length).toBeGreaterThan(10);
      expect(rule.help.text).toContain('Why it matters');
      expect(rule.help.markdown).toContain('**How to fix.**');
      expect(rule.defaultConfiguration.level).toBe('error');
    }
    expect(run.tool.driver.rules[4].fullDescription.text).toContain('Largest minus smallest ROC AUC across the groups');
  });

  test('results only for breached checks, worst first, levels by outcome', () => {
    expect(run.results.map((r) => [r.ruleId, r.level, r.properties.scope ?? null])).toEqual([
      ['fairness/demographic_parity_difference', 'error', 'sex_x_age_bin'],
      ['fairness/demographic_parity_difference', 'error', 'age_bin'],
      ['performance/accuracy', 'error', null],
      ['fairness/roc_auc_difference', 'warning', 'sex_x_age_bin'],
      ['fairness/equalized_odds_difference', 'warning', 'race'],
      ['fairness/equalized_odds_difference', 'warning', 'sex_x_age_bin'],
    ]);
    for (const r of run.results) expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
    expect(run.results[2].message.text).toBe(
      'Accuracy = 0.8531 breaches min 0.86 by 0.0069 (95% CI \\[0.8476, 0.8584\\] (wilson)).',
    );
    expect(run.results[3].properties.status).toBe('insufficient');
    expect(run.results[2].properties).toMatchObject({ value: report.checks[1].value, threshold: { kind: 'min', value: 0.86 }, outcome: 'fail' });
  });

  test('anchored to the policy line, relative to %SRCROOT%', () => {
    const loc = run.results[2].locations[0].physicalLocation;
    expect(loc.artifactLocation).toEqual({ uri: '.github/model-policy.yml', uriBaseId: '%SRCROOT%' });
    expect(loc.region).toEqual({ startLine: 21, startColumn: 22, endLine: 21, endColumn: 26 });
  });

  test('automation category and run properties', () => {
    expect(run.automationDetails.id).toBe('model-risk-gate/.github/model-policy.yml/');
    expect(run.properties).toMatchObject({ verdict: 'fail', breachedChecks: 6, resultsWritten: 6, resultsOmitted: 0, seed: 20240601 });
  });

  test('stable fingerprints: independent of value, line and other results; distinct per scope', () => {
    const fps = run.results.map((r) => r.partialFingerprints.primaryLocationLineHash);
    expect(new Set(fps).size).toBe(fps.length);
    for (const fp of fps) expect(fp).toMatch(/^[0-9a-f]{16}:1$/);

    const moved = sampleFailingReport();
    for (const c of moved.checks) {
      c.location = { ...c.location, line: c.location.line + 7 };
      if (c.value !== null) c.value -= 0.01;
      if (c.margin !== null) c.margin -= 0.01;
    }
    moved.checks = moved.checks.filter((c) => c.scope !== 'age_bin');
    const again = renderSarif(moved, { automationId: 'model-risk-gate/.github/model-policy.yml/' }).runs[0];
    const byId = (results: typeof run.results) =>
      new Map(results.map((r) => [r.properties.checkId as string, r.partialFingerprints.primaryLocationLineHash]));
    const before = byId(run.results);
    for (const [id, fp] of byId(again.results)) if (before.has(id)) expect(fp).toBe(before.get(id));

    const other = { ...report.checks[1], location: { ...report.checks[1].location, file: 'other-policy.yml' } };
    expect(checkFingerprint(other)).not.toBe(checkFingerprint(report.checks[1]));
  });

  test('deterministic', () => {
    expect(JSON.stringify(renderSarif(sampleFailingReport(), { automationId: 'a' }))).toBe(
      JSON.stringify(renderSarif(sampleFailingReport(), { automationId: 'a' })),
    );
  });
});

describe('renderSarif on the passing sample', () => {
  test('valid, with rules and no results', () => {
    const log = renderSarif(samplePassingReport(), { automationId: 'model-risk-gate', srcRoot: 'file:///github/workspace' });
    expectValid(log);
    expect(log.runs[0].results).toEqual([]);
    expect(log.runs[0].tool.driver.rules).toHaveLength(5);
    expect(log.runs[0].automationDetails.id).toBe('model-risk-gate/');
    expect(log.runs[0].originalUriBaseIds).toEqual({
      '%SRCROOT%': { uri: 'file:///github/workspace/', description: { text: 'The workspace (repository root).' } },
    });
    expect(log.runs[0].properties).toMatchObject({ verdict: 'pass', breachedChecks: 0, resultsWritten: 0 });
  });
});

describe('hostile input', () => {
  test('valid, sanitised text, encoded URI', () => {
    const log = renderSarif(hostileReport(), { automationId: 'x\ny' });
    expectValid(log);
    const run = log.runs[0];
    expect(run.automationDetails.id).toBe('x y/');
    const race = run.results.find((r) => String(r.properties.scope).startsWith('race')) as (typeof run.results)[number];
    expect(race.message.text).toBe(
      'Equalized odds difference (race @everyone @org/team) = 0.3383 breaches max 0.3 by 0.0383.',
    );
    expect(race.locations[0].physicalLocation.artifactLocation.uri).toBe('.github/policy,%20v2%3A%20final.yml');
    const text = JSON.stringify(log);
    expect(text).not.toMatch(/\\u001b|\\u202e/i);
  });

  test('an embedded link or placeholder in data stays text', () => {
    expect(sarifText('see [here](1) {0}')).toBe('see \\[here\\](1) {{0}}');
    const r = sampleFailingReport();
    const c = r.checks[1];
    c.title = 'Accuracy [x](1)';
    c.message = 'Accuracy [x](1) = 0.8531 breaches min 0.86 by 0.0069';
    const log = renderSarif(r, { automationId: 'a' });
    expectValid(log);
    expect(log.runs[0].results.find((x) => x.ruleId === 'performance/accuracy')?.message.text).toContain('Accuracy \\[x\\](1) =');
  });
});

describe('limits', () => {
  function manyBreaches(n: number): Report {
    const r = sampleFailingReport();
    const fail = r.checks[1];
    r.checks = Array.from({ length: n }, (_, i): CheckResult => ({
      ...fail,
      id: `performance/m${i}`,
      ruleId: `performance/m${i % 300}`,
      metric: `m${i % 300}`,
      title: `Metric ${'x'.repeat(3000)} ${i}`,
      message: `Metric ${'[y]'.repeat(2000)} ${i}`,
      margin: -i / n,
    }));
    return r;
  }

  test('results capped (worst kept), long texts bounded, still valid', () => {
    const log = renderSarif(manyBreaches(3000), { automationId: 'a' });
    const run = log.runs[0];
    expect(run.results).toHaveLength(1000);
    expect(run.properties).toMatchObject({ breachedChecks: 3000, resultsWritten: 1000, resultsOmitted: 2000 });
    expect(run.results[0].properties.checkId).toBe('performance/m2999');
    expect(run.tool.driver.rules).toHaveLength(300);
    for (const r of run.results) expect(r.message.text.length).toBeLessThanOrEqual(SARIF_LIMITS.messageChars);
    expect(sarifLimitProblems(log)).toEqual([]);
    expectValid(log);
  });

  test('maxResults never exceeds what GitHub displays; the file stays under 10 MB', () => {
    const short = manyBreaches(6000);
    for (const c of short.checks) c.message = c.message.slice(0, 40);
    expect(renderSarif(short, { automationId: 'a', maxResults: 100_000 }).runs[0].results).toHaveLength(SARIF_LIMITS.resultsDisplayed);

    const log = renderSarif(manyBreaches(6000), { automationId: 'a', maxResults: 100_000 });
    const n = log.runs[0].results.length;
    expect(n).toBeGreaterThan(3000);
    expect(n).toBeLessThan(SARIF_LIMITS.resultsDisplayed);
    expect(sarifByteLength(log)).toBeLessThanOrEqual(SARIF_LIMITS.fileBytes);
    expect(log.runs[0].properties).toMatchObject({ resultsWritten: n, resultsOmitted: 6000 - n });
  });

  test('sarifLimitProblems reports breaches of the limits', () => {
    const log = renderSarif(sampleFailingReport(), { automationId: 'a' });
    log.runs[0].tool.driver.rules[0].name = 'n'.repeat(300);
    log.runs[0].results[0].message.text = '';
    expect(sarifLimitProblems(log)).toEqual([
      'rule performance/roc_auc: name longer than 255',
      'result fairness/demographic_parity_difference: message length 0',
    ]);
  });
});

describe('helpers', () => {
  test('URIs and automation ids', () => {
    expect(toSarifUri('./.github/model-policy.yml')).toEqual({ uri: '.github/model-policy.yml', relative: true });
    expect(toSarifUri('policies\\a b.yml')).toEqual({ uri: 'policies/a%20b.yml', relative: true });
    expect(toSarifUri('/abs/p.yml')).toEqual({ uri: 'file:///abs/p.yml', relative: false });
    expect(toSarifUri('C:/x/p.yml')).toEqual({ uri: 'file:///C:/x/p.yml', relative: false });
    expect(normalizeAutomationId('model-risk-gate/policy.yml')).toBe('model-risk-gate/policy.yml/');
    expect(normalizeAutomationId('cat//')).toBe('cat/');
    expect(normalizeAutomationId('')).toBe('model-risk-gate/');
  });
});
