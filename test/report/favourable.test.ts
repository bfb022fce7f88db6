/**
 * Renderers with an adverse positive class (issue #9): German credit with `bad` as the positive class and
 * `favourable: negative`. The fairness section is on the favourable class `good`, and every renderer says so — the
 * markdown summary, the PR comment, the terminal text, the HTML report, the SVG and mermaid charts and the SARIF rule
 * help — while the default (`favourable: positive`) reads as before.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runGate } from '../../src/gate.js';
import { renderCharts } from '../../src/report/charts/index.js';
import { renderComment } from '../../src/report/comment.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSummary } from '../../src/report/markdown.js';
import { mermaidCharts } from '../../src/report/mermaid.js';
import { renderSarif } from '../../src/report/sarif.js';
import { renderText } from '../../src/report/text.js';
import { fairnessMetricTitle, fairnessShortTitle, labelWords } from '../../src/metrics/names.js';
import { repoRoot } from '../e2e/harness.js';

function policy(dataset: string, modelExtra = ''): string {
  return `version: 1
seed: 1
model:
  path: test/fixtures/german-credit/logreg_pipeline_nozipmap.onnx
${modelExtra}dataset:
  path: test/fixtures/german-credit/test.csv
  label: credit_risk
${dataset}sensitive:
  - column: sex
min_group_size: 30
statistics: { resamples: 0 }
checks:
  performance:
    recall: { min: 0.4 }
  fairness:
    demographic_parity_ratio: { min: 0.9 }
    selection_rate_group_min: { min: 0.7 }
    equal_opportunity_difference: { max: 0.2 }
`;
}

async function reportFor(text: string) {
  const dir = mkdtempSync(join(tmpdir(), 'mrg-fav-report-'));
  writeFileSync(join(dir, 'policy.yml'), text);
  return (await runGate({ policyFile: join(dir, 'policy.yml'), workspace: repoRoot })).report;
}

describe('renderers with `bad` as the positive class and `favourable: negative`', async () => {
  const report = await reportFor(policy('  positive_label: bad\n  favourable: negative\n', '  positive_index: 0\n'));

  it('the gate: fairness checks named for `good`, DP ratio of good decisions breached (female 0.677 / male 0.789)', () => {
    const titles = report.checks.map((c) => c.title);
    expect(titles).toEqual([
      'Recall',
      'Demographic parity ratio of good decisions (sex)',
      'Rate of good decisions, lowest group (sex)',
      'Equal opportunity difference (TPR of good) (sex)',
    ]);
    const dpr = report.checks.find((c) => c.metric === 'demographic_parity_ratio')!;
    expect(dpr.value).toBeCloseTo(0.6770833333333334 / 0.7892156862745098, 12);
    expect(dpr.outcome).toBe('fail');
    expect(report.checks.find((c) => c.metric === 'selection_rate_group_min')!.outcome).toBe('fail');
  });

  it('markdown summary: the favourable outcome in the data row, the sentence in the fairness section, group columns for `good`', () => {
    const md = renderSummary(report);
    expect(md).toContain('favourable outcome `good` (the negative class; fairness is measured on it)');
    expect(md).toContain(
      '**Fairness is measured on the favourable outcome `good` (the negative class; the positive class `bad` is the adverse outcome): ' +
        'selection rate = rate of `good` decisions (1 − the adverse-outcome rate, the rate of `bad` decisions), ' +
        'TPR = share of actual `good` rows decided `good`, FPR = share of actual `bad` rows decided `good`. ' +
        'The group with the lowest selection rate is the group flagged `bad` most. Performance metrics stay on the positive class `bad`.**',
    );
    expect(md).toContain('| Group | Rows | Actually good | Decided good | TPR (good) | FPR (good) | Precision (good) | ROC AUC |');
    expect(md).toContain('Rate of good decisions, lowest group');
    // female: 65/96 decided good
    expect(md).toMatch(/\| female \| 96 \| 0\.65\d* \| 0\.677\d* \|/);
  });

  it('PR comment: the same fairness sentence and chart names', () => {
    const body = renderComment(report, { marker: '<!-- model-risk-gate:test -->' });
    expect(body).toContain('the group flagged `bad` most');
    expect(body).toContain('rate of favourable decisions (good) by group');
    expect(body).not.toContain('selection rate by group');
  });

  it('terminal text: a line naming the favourable outcome under the verdict', () => {
    const text = renderText(report);
    expect(text.split('\n')[2]).toBe(
      '  fairness on the favourable outcome good (the positive class bad is adverse): selection rate = rate of good decisions; the lowest group is the one flagged bad most',
    );
    expect(text).toContain('Demographic parity ratio of good decisions');
  });

  it('HTML: the sentence, the favourable class in the dataset facts, group columns and the fairlearn summary named for `good`', () => {
    const html = renderHtml(report, renderCharts(report));
    expect(html).toContain('<p><strong>Fairness is measured on the favourable outcome <code>good</code>');
    expect(html).toContain('the group flagged <code>bad</code> most');
    expect(html).toContain('favourable outcome <code>good</code> (the negative class; fairness is measured on it)');
    expect(html).toContain('<th class="num">Decided good</th>');
    // The fairness overview (the summary's table): fairlearn's difference / ratio per criterion and the gate.
    expect(html).toContain('<th class="num">EOpp difference / ratio</th><th>Gate</th>');
  });

  it('SVG charts: the rate of `good` decisions by group, lowest = flagged `bad` most; counts split into actual bad and good', () => {
    const charts = renderCharts(report);
    const rate = charts.find((c) => c.name.startsWith('selection-rate-'))!;
    expect(rate.title).toBe('Rate of favourable decisions (good) by sex');
    expect(rate.svg).toContain('lowest = flagged bad most');
    expect(rate.svg).toContain('the lowest bar is the group flagged bad most');
    expect(rate.svg).toContain('rate of good decisions');
    expect(rate.svg).toContain('rate of good decisions ≥ 0.7 (policy)');
    expect(rate.svg).not.toContain('predicted positive');
    const count = charts.find((c) => c.name.startsWith('count-'))!;
    expect(count.svg).toContain('actual bad (positive class)');
    expect(count.svg).toContain('actual good (favourable)');
  });

  it('mermaid: the chart title and axis say rate of favourable decisions', () => {
    const m = mermaidCharts(report).find((c) => c.name === 'selection-rate-sex')!;
    expect(m.title).toBe('Rate of favourable decisions (good) by sex');
    expect(m.block).toContain('y-axis "Rate of favourable decisions (good)"');
  });

  it('report.json: dataset.favourable validates against policies/report.schema.json; a wrong outcome does not', async () => {
    const { Ajv } = await import('ajv');
    const schema = JSON.parse(readFileSync(join(repoRoot, 'policies', 'report.schema.json'), 'utf8'));
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const datasetErrors = (r: unknown) => {
      validate(r);
      return (validate.errors ?? []).filter((e) => e.instancePath.startsWith('/dataset'));
    };
    const json = JSON.parse(JSON.stringify(report));
    expect(datasetErrors(json)).toEqual([]);
    json.dataset.favourable.outcome = 'good';
    expect(datasetErrors(json).length).toBeGreaterThan(0);
  });

  it('SARIF: fairness rule help explains the favourable (negative) class; performance rules do not', () => {
    const sarif = renderSarif(report, { automationId: 'model-risk-gate/policy.yml' });
    const rules = sarif.runs[0]!.tool.driver.rules!;
    const dpr = rules.find((r) => r.id === 'fairness/demographic_parity_ratio')!;
    expect(dpr.fullDescription.text).toContain('dataset.favourable: negative');
    expect(dpr.help.text).toContain('the group with the lowest selection rate is the group flagged adverse most');
    expect(rules.find((r) => r.id === 'performance/recall')!.fullDescription.text).not.toContain('favourable');
  });
});

describe('the default (`favourable: positive`) reads as before', async () => {
  const report = await reportFor(policy('  positive_label: good\n'));

  it('no favourable sentence, the usual names', () => {
    expect(report.checks.map((c) => c.title)).toEqual([
      'Recall',
      'Demographic parity ratio (sex)',
      'Selection rate, lowest group (sex)',
      'Equal opportunity difference (sex)',
    ]);
    const md = renderSummary(report);
    expect(md).not.toContain('favourable');
    expect(md).toContain('| Group | Rows | Base rate | Selection rate | TPR | FPR | Precision | ROC AUC |');
    expect(renderText(report)).not.toContain('favourable');
    const charts = renderCharts(report);
    expect(charts.find((c) => c.name.startsWith('selection-rate-'))!.title).toBe('Selection rate by sex');
    expect(charts.find((c) => c.name.startsWith('count-'))!.svg).toContain('actual positives (good)');
  });
});

describe('fairness metric titles', () => {
  const bad = { outcome: 'negative' as const, label: 'good', adverseLabel: 'bad' };
  it('name the favourable class for class-dependent metrics only', () => {
    expect(fairnessMetricTitle('selection_rate_group_min', bad)).toBe('Rate of good decisions, lowest group');
    expect(fairnessMetricTitle('false_positive_rate_difference', bad)).toBe('False positive rate of good, difference between groups');
    expect(fairnessMetricTitle('equalized_odds_ratio', bad)).toBe('Equalized odds ratio (TPR and FPR of good)');
    expect(fairnessMetricTitle('accuracy_group_min', bad)).toBe('Accuracy, lowest group');
    expect(fairnessMetricTitle('roc_auc_difference', bad)).toBe('ROC AUC, difference between groups');
    expect(fairnessMetricTitle('selection_rate_group_min')).toBe('Selection rate, lowest group');
    expect(fairnessShortTitle('selection_rate', bad)).toBe('Decided good');
    expect(fairnessShortTitle('true_positive_rate')).toBe('TPR');
  });
  it('quote labels that are not words', () => {
    expect(labelWords('0')).toBe('"0"');
    expect(labelWords('<=50K')).toBe('"<=50K"');
    expect(labelWords('no default')).toBe('no default');
    expect(fairnessMetricTitle('selection_rate', { outcome: 'negative', label: '0', adverseLabel: '1' })).toBe('Rate of "0" decisions');
  });
});
