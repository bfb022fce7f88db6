/** Compact mermaid xychart-beta charts for the job summary and the PR comment. */
import { describe, expect, it } from 'vitest';
import { mermaidCharts, mermaidLabel, mermaidRoc, mermaidSelectionRate } from '../../src/report/mermaid.js';
import { publishingSampleReport } from './fixtures-publishing.js';

describe('mermaid charts', () => {
  const report = publishingSampleReport();

  it('draws selection rate by group as bars with the overall rate as a line', () => {
    const sex = report.fairness.find((a) => a.name === 'sex')!;
    expect(mermaidSelectionRate(sex)).toBe(
      [
        '```mermaid',
        'xychart-beta',
        '  title "Selection rate by sex"',
        '  x-axis ["Female", "Male"]',
        '  y-axis "Selection rate" 0 --> 0.3',
        '  bar [0.0736, 0.2358]',
        '  line [0.1818, 0.1818]',
        '```',
      ].join('\n'),
    );
    const race = mermaidSelectionRate(report.fairness.find((a) => a.name === 'race')!)!;
    expect(race).toContain('"Other (too few rows)"');
    const age = mermaidSelectionRate(report.fairness.find((a) => a.name === 'age_bin')!)!;
    expect(age).toContain('x-axis ["25-45", "＜25", "＞45"]');
  });

  it('resamples the ROC curve on an even FPR grid, from (0,0) to (1,1), monotone', () => {
    const block = mermaidRoc(report)!;
    const lines = block.split('\n');
    expect(lines.slice(0, 6)).toEqual([
      '```mermaid',
      'xychart-beta',
      '  title "ROC curve (AUC 0.9212); diagonal = chance"',
      '  x-axis "False positive rate" 0 --> 1',
      '  y-axis "True positive rate" 0 --> 1',
      expect.stringMatching(/^ {2}line \[/),
    ]);
    const tpr = JSON.parse(lines[5]!.trim().slice('line '.length)) as number[];
    expect(tpr).toHaveLength(21);
    expect(tpr[0]).toBe(0);
    expect(tpr[20]).toBe(1);
    for (let i = 1; i < tpr.length; i++) expect(tpr[i]!).toBeGreaterThanOrEqual(tpr[i - 1]!);
    // At FPR 0.05 the model's TPR is just above the operating point (FPR 0.0487, TPR 0.6123).
    expect(tpr[1]).toBeGreaterThan(0.6123);
    expect(tpr[1]).toBeLessThan(0.65);
    expect(lines[6]).toBe('  line [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 1]');
  });

  it('makes labels unable to break out of the string or the code fence', () => {
    expect(mermaidLabel('a"b`c```')).toBe("a'b'c'''");
    expect(mermaidLabel('x]\ny; click A call evil() %%{init}%%', 60)).toBe('x) y click A call evil() (init)');
    expect(mermaidLabel('<img src=x>')).toBe('＜img src=x＞');
    expect(mermaidLabel('')).toBe('?');
    expect(mermaidLabel('x'.repeat(40))).toBe(`${'x'.repeat(23)}…`);
  });

  it('lists ROC then single attributes (not intersections), and nothing without data', () => {
    expect(mermaidCharts(report).map((c) => c.name)).toEqual(['roc', 'selection-rate-sex', 'selection-rate-race', 'selection-rate-age_bin']);
    expect(mermaidCharts(report, { intersections: true })).toHaveLength(5);
    const bare = publishingSampleReport();
    bare.performance.curves = null;
    bare.fairness = [];
    expect(mermaidCharts(bare)).toEqual([]);
  });
});
