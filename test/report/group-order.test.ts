/**
 * Display order of groups (bins as declared, values unchanged) and scopes in words, across the renderers: the job
 * summary's tables, the SVG charts, the HTML report.
 */
import { describe, expect, it } from 'vitest';
import { binOrder, binPosition, groupsInDisplayOrder } from '../../src/report/group-order.js';
import { readableScope } from '../../src/report/scope-words.js';
import { renderCharts } from '../../src/report/charts/index.js';
import { renderHtml } from '../../src/report/html.js';
import { publishingSampleReport } from './fixtures-publishing.js';

function inOrder(text: string, parts: string[]): boolean {
  let at = -1;
  for (const p of parts) {
    const i = text.indexOf(p, at + 1);
    if (i < 0 || i < at) return false;
    at = i;
  }
  return true;
}

describe('group display order', () => {
  it('orders default bin labels by their edges, missing last; anything else keeps the report order', () => {
    expect(binOrder(['25-45', '<25', '>45'])).toEqual(['<25', '25-45', '>45']);
    expect(binOrder(['25-45', '45-65', '<25', '>65', 'missing'])).toEqual(['<25', '25-45', '45-65', '>65', 'missing']);
    expect(binOrder(['<0.5', '>=0.5'])).toEqual(['<0.5', '>=0.5']);
    expect(binOrder(['-10-0', '<-10', '>0'])).toEqual(['<-10', '-10-0', '>0']);
    expect(binOrder(['Female', 'Male'])).toBeNull();
    expect(binOrder(['young', 'old'])).toBeNull();
    expect(binPosition('1e3-2e3')).toEqual([1000, 1]);
    expect(binPosition('45-25')).toBeNull();
  });

  it('reorders only the display: same group objects, same values as the report (fairlearn order there)', () => {
    const report = publishingSampleReport();
    const age = report.fairness.find((a) => a.name === 'age_bin')!;
    expect(age.groups.map((g) => g.key)).toEqual(['25-45', '<25', '>45']);
    const shown = groupsInDisplayOrder(age, report.fairness);
    expect(shown.map((g) => g.key)).toEqual(['<25', '25-45', '>45']);
    for (const g of shown) expect(age.groups).toContain(g);
    const both = report.fairness.find((a) => a.name === 'sex_x_age_bin')!;
    expect(groupsInDisplayOrder(both, report.fairness).map((g) => g.key)).toEqual([
      'Female|<25', 'Female|25-45', 'Female|>45', 'Male|<25', 'Male|25-45', 'Male|>45',
    ]);
    const sex = report.fairness.find((a) => a.name === 'sex')!;
    expect(groupsInDisplayOrder(sex, report.fairness)).toBe(sex.groups);
  });

  it('the SVG charts and the HTML report show bins in declared order', () => {
    const report = publishingSampleReport();
    const charts = renderCharts(report);
    const svg = charts.find((c) => c.name === 'selection-rate-age-bin')!.svg;
    expect(inOrder(svg, ['>&lt;25<', '>25-45<', '>&gt;45<'])).toBe(true);
    const html = renderHtml(report, charts, {});
    const table = html.slice(html.indexOf('<td>&lt;25</td>') - 2000);
    expect(inOrder(table, ['<td>&lt;25</td>', '<td>25-45</td>', '<td>&gt;45</td>'])).toBe(true);
  });
});

describe('scopes in words', () => {
  it('turns the checks’ ids into words and leaves other scopes alone', () => {
    expect(readableScope('categorical_attack@2')).toBe('categorical attack, ≤ 2 changes');
    expect(readableScope('categorical_attack@1')).toBe('categorical attack, ≤ 1 change');
    expect(readableScope('counterfactual/age_bin')).toBe('counterfactual, age_bin');
    expect(readableScope('noise@0.1')).toBe('noise, strength 0.1');
    expect(readableScope('score_attack/linf@0.1')).toBe('score attack L∞, ε 0.1');
    expect(readableScope('score_attack/linf@0.1/sex')).toBe('score attack L∞, ε 0.1, across sex');
    expect(readableScope('decision_attack/l2')).toBe('decision attack L2');
    expect(readableScope('worst_case/l2@0.25')).toBe('worst case L2, ε 0.25');
    expect(readableScope('sex')).toBe('sex');
    expect(readableScope('sex_x_age_bin')).toBe('sex_x_age_bin');
    expect(readableScope('unknown_thing@2')).toBe('unknown_thing@2');
  });
});
