/**
 * The data section in every renderer, on a real gate report (policies/example-adult-data.yml): the markdown summary and
 * the PR comment carry the drift table (drifted first, statistic, test, reference vs current), the HTML report its
 * overlay charts, SARIF a result per breached data check with rule help; column names from the data are escaped.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { runGate } from '../../src/gate.js';
import { renderCharts } from '../../src/report/charts/index.js';
import { commentMarker, renderComment } from '../../src/report/comment.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSummary } from '../../src/report/markdown.js';
import { renderDataMarkdown } from '../../src/report/data-section.js';
import { ruleHelp } from '../../src/report/rule-help.js';
import { renderSarif } from '../../src/report/sarif.js';
import type { Report } from '../../src/report/types.js';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';

let report: Report;
beforeAll(async () => {
  report = (await runGate({ policyFile: 'policies/example-adult-data.yml', workspace: process.cwd() })).report;
}, 60_000);

describe('data section renderers', () => {
  it('markdown: the drift table with one row per column, test, statistic and reference vs current', () => {
    const md = renderSummary(report);
    expect(md).toContain('### Data');
    expect(md).toContain('**Drift:** 0 of 14 columns drifted (α = 0.05, Holm-adjusted p).');
    const age = report.data!.drift!.columns.find((c) => c.column === 'age')!;
    const row = md.split('\n').find((l) => l.startsWith('| ok | age |'))!;
    expect(row).toContain('| KS |');
    expect(row).toContain(age.statistic.toFixed(4));
    expect(row).toContain(`mean ${age.reference.mean!.toFixed(4)}`);
    expect(md).toMatch(/- \*\*Leakage:\*\* 26 of 16,281 evaluation rows are training rows/);
    expect(md).toMatch(/- \*\*Prediction drift:\*\* KS /);
  });

  it('a drifted column is listed first and marked; a hostile column name is escaped', () => {
    const copy: Report = structuredClone(report);
    const cols = copy.data!.drift!.columns;
    const last = cols[cols.length - 1];
    last.column = '<img src=x>|`x`';
    last.drifted = true;
    cols.unshift(cols.pop()!);
    const md = renderDataMarkdown(copy);
    const firstRow = md.split('\n').find((l) => l.startsWith('| ⚠️ drifted |'))!;
    expect(firstRow).toBeDefined();
    expect(firstRow).not.toContain('<img');
    expect(md.indexOf('⚠️ drifted')).toBeLessThan(md.indexOf('| ok |'));
    const html = renderHtml(copy, renderCharts(copy));
    expect(html).not.toContain('<img src=x>');
  });

  it('comment: a Data block with the breached overlap check first', () => {
    const body = renderComment(report, { marker: commentMarker(report.policy.path) });
    expect(body).toMatch(/<b>Data<\/b> \(17 checks, 1 breached\)/);
    expect(body).toContain('Share of evaluation rows found in the training data');
  });

  it('HTML and charts: one overlay per column (reference vs current) and one of the scores, in the data section', () => {
    const charts = renderCharts(report);
    const overlays = charts.filter((c) => c.name.startsWith('drift-'));
    expect(overlays.map((c) => c.name)).toContain('drift-age');
    expect(overlays.map((c) => c.name)).toContain('drift-model-score');
    expect(overlays).toHaveLength(13); // 12 columns (the cap) + the model's scores
    const html = renderHtml(report, charts);
    const section = html.slice(html.indexOf('<section id="data">'), html.indexOf('</section>', html.indexOf('<section id="data">')));
    expect(section).toContain('Distribution of age');
    expect(section.match(/<svg /g)?.length).toBe(13);
  });

  it('SARIF: the breached data check is a result with its rule help', () => {
    const log = renderSarif(report, { automationId: 'model-risk-gate/policies/example-adult-data.yml' });
    const results = log.runs[0].results.filter((r) => r.ruleId?.startsWith('data/'));
    expect(results.map((r) => r.ruleId)).toEqual(['data/training_overlap']);
    const help = ruleHelp('data/training_overlap');
    expect(help.short).toBe('Share of evaluation rows found in the training data is outside the policy threshold.');
    for (const c of report.checks.filter((x) => x.section === 'data')) expect(ruleHelp(c.ruleId).tags).toEqual(['model-risk', 'data']);
  });

  it('the report with its data section validates against policies/report.schema.json (strict)', () => {
    const schema = JSON.parse(readFileSync('policies/report.schema.json', 'utf8')) as Record<string, unknown>;
    const validate = new Ajv({ strict: true, allErrors: true, strictTypes: false }).compile(schema);
    const ok = validate(JSON.parse(JSON.stringify(report)));
    expect(validate.errors?.filter((e) => e.instancePath.startsWith('/data')) ?? []).toEqual([]);
    // a wrong type inside the data section is caught
    const bad = JSON.parse(JSON.stringify(report)) as Report;
    (bad.data!.drift!.columns[0] as unknown as { statistic: string }).statistic = 'high';
    expect(validate(bad)).toBe(false);
    expect(validate.errors?.some((e) => e.instancePath === '/data/drift/columns/0/statistic')).toBe(true);
    void ok;
  });
});
