/** Compact mermaid xychart-beta charts for the job summary and the PR comment. */
import { describe, expect, it } from 'vitest';
import { fairnessLimit, MERMAID_COLORS, mermaidCharts, mermaidGroupChart, mermaidLabel, mermaidRoc, mermaidSelectionRate } from '../../src/report/mermaid.js';
import { renderComment, commentMarker } from '../../src/report/comment.js';
import type { CheckResult } from '../../src/report/types.js';
import { publishingSampleReport } from './fixtures-publishing.js';

/** The init directive's config of a block. */
function initOf(block: string): { theme: string; themeVariables: { xyChart: Record<string, string> } } {
  const line = block.split('\n').find((l) => l.startsWith('%%{init: '))!;
  expect(line, block).toBeDefined();
  return JSON.parse(line.slice('%%{init: '.length, -'}%%'.length));
}

/** The quoted labels of a block (title, axis titles, x-axis categories). */
function labelsOf(block: string): string[] {
  return block
    .split('\n')
    .slice(1, -1)
    .filter((l) => !l.startsWith('%%{init'))
    .flatMap((l) => l.match(/"[^"\n]*"/g) ?? [])
    .map((q) => q.slice(1, -1));
}

describe('mermaid charts', () => {
  const report = publishingSampleReport();

  it('sets explicit colours (theme base, white card, dark text, one palette entry per plot), the same in light and dark', () => {
    for (const c of mermaidCharts(report)) {
      const init = initOf(c.block);
      expect(init.theme).toBe('base');
      const xy = init.themeVariables.xyChart;
      expect(xy.backgroundColor).toBe('#ffffff');
      for (const k of ['titleColor', 'xAxisLabelColor', 'yAxisLabelColor', 'xAxisTitleColor', 'yAxisTitleColor']) expect(xy[k]).toBe('#1f2328');
      const plots = c.block.split('\n').filter((l) => /^ {2}(bar|line) \[/.test(l));
      expect(xy.plotColorPalette!.split(', ')).toHaveLength(plots.length);
    }
  });

  it('draws the ROC curve as the strong blue line and the chance diagonal as the secondary grey one', () => {
    const block = mermaidRoc(report)!;
    const lines = block.split('\n');
    expect(initOf(block).themeVariables.xyChart.plotColorPalette).toBe(`${MERMAID_COLORS.series}, ${MERMAID_COLORS.secondary}`);
    expect(lines.slice(2, 6)).toEqual([
      'xychart-beta',
      '  title "ROC curve (AUC 0.9212); blue = model, grey = chance"',
      '  x-axis "False positive rate" 0 --> 1',
      '  y-axis "True positive rate" 0 --> 1',
    ]);
    const tpr = JSON.parse(lines[6]!.trim().slice('line '.length)) as number[];
    expect(tpr).toHaveLength(21);
    expect(tpr[0]).toBe(0);
    expect(tpr[20]).toBe(1);
    for (let i = 1; i < tpr.length; i++) expect(tpr[i]!).toBeGreaterThanOrEqual(tpr[i - 1]!);
    // At FPR 0.05 the model's TPR is just above the operating point (FPR 0.0487, TPR 0.6123).
    expect(tpr[1]).toBeGreaterThan(0.6123);
    expect(tpr[1]).toBeLessThan(0.65);
    // the diagonal comes second: drawn in the second palette colour (grey)
    expect(lines[7]).toBe('  line [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1]');
  });

  it('without a breach: selection rate by group as blue bars, the overall rate as a grey line', () => {
    const sex = report.fairness.find((a) => a.name === 'sex')!;
    expect(mermaidSelectionRate(sex)!.split('\n').slice(2)).toEqual([
      'xychart-beta',
      '  title "Selection rate by sex - grey line = overall"',
      '  x-axis ["Female", "Male"]',
      '  y-axis "Selection rate" 0 --> 0.3',
      '  bar [0.0736, 0.2358]',
      '  line [0.1818, 0.1818]',
      '```',
    ]);
  });

  it('a breached demographic-parity ratio: the limit 0.8 × highest as a red line, the failing group orange and labelled', () => {
    const sex = report.fairness.find((a) => a.name === 'sex')!;
    const check = report.checks.find((c) => c.section === 'fairness' && c.scope === 'sex' && c.metric === 'demographic_parity_ratio' && c.outcome === 'fail')!;
    expect(check.threshold).toEqual({ kind: 'min', value: 0.8 });
    const chart = mermaidGroupChart(sex, report, check)!;
    const limit = 0.8 * 0.2358195211786372;
    expect(chart.block.split('\n').slice(2)).toEqual([
      'xychart-beta',
      '  title "Selection rate by sex - red line = limit"',
      '  x-axis ["Female (fails)", "Male"]',
      '  y-axis "Selection rate" 0 --> 0.3',
      '  bar [0.0736, 0]',
      '  bar [0, 0.2358]',
      `  line [${Math.round(limit * 1e4) / 1e4}, ${Math.round(limit * 1e4) / 1e4}]`,
      '```',
    ]);
    expect(initOf(chart.block).themeVariables.xyChart.plotColorPalette).toBe(`${MERMAID_COLORS.failing}, ${MERMAID_COLORS.series}, ${MERMAID_COLORS.limit}`);
    expect(chart.caption).toBe(
      'Red line: lowest allowed 0.1887 = 0.8 × highest group (Male 0.2358); policy: Demographic parity ratio (sex) ≥ 0.8. Orange: **Female** (0.0736), below the limit.',
    );
    // the charts of the report use it for the breached attribute
    expect(mermaidCharts(report).find((c) => c.attribute === 'sex')!.block).toBe(chart.block);
  });

  it('draws the limit of a difference and of a group minimum on that metric', () => {
    const sex = report.fairness.find((a) => a.name === 'sex')!;
    const base: CheckResult = report.checks.find((c) => c.section === 'fairness' && c.scope === 'sex')!;
    const dpd = fairnessLimit({ ...base, metric: 'demographic_parity_difference', threshold: { kind: 'max', value: 0.1 } }, sex)!;
    expect(dpd.base).toBe('selection_rate');
    expect(dpd.low).toBeCloseTo(0.2358195211786372 - 0.1, 12);
    const acc = { ...base, metric: 'accuracy_group_min', title: 'Accuracy, lowest group (sex)', threshold: { kind: 'min' as const, value: 0.9 } };
    const chart = mermaidGroupChart(sex, report, acc)!;
    expect(chart.name).toBe('accuracy-sex');
    expect(chart.block).toContain('  y-axis "Accuracy" 0 --> 1');
    expect(chart.block).toContain('  line [0.9, 0.9]');
    const fails = sex.groups.filter((g) => (g.metrics.accuracy as number) < 0.9).map((g) => `"${g.key} (fails)"`);
    expect(fails.length).toBeGreaterThan(0);
    for (const f of fails) expect(chart.block).toContain(f);
    // equalized odds has two base metrics: no single line, the plain chart
    expect(fairnessLimit({ ...base, metric: 'equalized_odds_difference', threshold: { kind: 'max', value: 0.1 } }, sex)).toBeUndefined();
  });

  it('shows bins in their declared order with ASCII labels', () => {
    const age = mermaidSelectionRate(report.fairness.find((a) => a.name === 'age_bin')!)!;
    expect(age).toContain('x-axis ["under 25", "25-45", "over 45"]');
    const both = mermaidCharts(report, { intersections: true }).find((c) => c.attribute === 'sex_x_age_bin')!;
    expect(labelsOf(both.block).filter((l) => l.includes(' / ')).map((l) => l.replace(/ \((fails|too few rows)\)/g, ''))).toEqual([
      'Female / under 25', 'Female / 25-45', 'Female / over 45', 'Male / under 25', 'Male / 25-45', 'Male / over 45',
    ]);
    for (const c of mermaidCharts(report, { intersections: true })) {
      // every byte of a block built from ASCII names is ASCII: no full-width '＜' that renders as an empty box
      expect(c.block).toMatch(/^[\x20-\x7e\n]*$/);
    }
  });

  it('makes labels unable to break out of the string or the code fence, in ASCII', () => {
    expect(mermaidLabel('a"b`c```')).toBe("a'b'c'''");
    expect(mermaidLabel('x]\ny; click A call evil() %%{init}%%', 60)).toBe('x) y click A call evil() (init)');
    expect(mermaidLabel('<img src=x>')).toBe('lt img src=x gt');
    expect(mermaidLabel('<25')).toBe('under 25');
    expect(mermaidLabel('>45')).toBe('over 45');
    expect(mermaidLabel('>=45')).toBe('45 or more');
    expect(mermaidLabel('Côte d’Ivoire')).toBe('Cote d?Ivoire');
    expect(mermaidLabel('@team #1')).toBe('team 1');
    expect(mermaidLabel('')).toBe('?');
    expect(mermaidLabel('x'.repeat(40))).toBe(`${'x'.repeat(23)}~`);
  });

  it('lists ROC then single attributes (not intersections), and nothing without data', () => {
    expect(mermaidCharts(report).map((c) => c.name)).toEqual(['roc', 'selection-rate-sex', 'selection-rate-race', 'selection-rate-age_bin']);
    expect(mermaidCharts(report, { intersections: true })).toHaveLength(5);
    const bare = publishingSampleReport();
    bare.performance.curves = null;
    bare.fairness = [];
    expect(mermaidCharts(bare)).toEqual([]);
  });

  it('the PR comment opens the breach chart with its caption; the job summary has the same charts', async () => {
    const body = renderComment(report, { marker: commentMarker('p.yml') });
    const open = body.slice(body.indexOf('Charts of the breaches'));
    expect(open).toContain('"Female (fails)"');
    expect(open).toContain('Red line: lowest allowed 0.1887');
    const { renderSummary } = await import('../../src/report/markdown.js');
    const summary = renderSummary(report);
    expect(summary).toContain('### Charts');
    for (const c of mermaidCharts(report)) expect(summary).toContain(c.block);
  });
});
