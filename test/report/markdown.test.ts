import { describe, expect, test } from 'vitest';
import type { AttributeResult, GroupResult } from '../../src/metrics/types.js';
import {
  markdownTable,
  policyLineUrl,
  renderBreachedChecks,
  renderChecksTable,
  renderFairnessAttribute,
  renderGroupTable,
  renderPerformance,
  renderProvenance,
  renderSummary,
  renderVerdictHeader,
  safeUrl,
  selectGroups,
} from '../../src/report/markdown.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import { hostileReport, sampleFailingReport, samplePassingReport } from './sample-report.js';

/** Count of cell separators: '|' not escaped by a backslash (an escaped backslash before it does not count). */
function cellSeparators(line: string): number {
  let n = 0;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\') {
      i++;
      continue;
    }
    if (line[i] === '|') n++;
  }
  return n;
}

/** Every GFM table: each row has as many separators as its header. Returns the tables found. */
function checkTables(md: string): string[][] {
  const tables: string[][] = [];
  let current: string[] | undefined;
  for (const line of md.split('\n')) {
    if (line.startsWith('|')) {
      if (!current) {
        current = [];
        tables.push(current);
      }
      current.push(line);
    } else {
      current = undefined;
    }
  }
  for (const t of tables) {
    const width = cellSeparators(t[0]);
    expect(t.length).toBeGreaterThanOrEqual(2);
    expect(t[1]).toMatch(/^\|( :?-+:? \|)+$/);
    for (const row of t) expect(cellSeparators(row), row).toBe(width);
  }
  return tables;
}

function tableRows(md: string, header: string): string[] {
  const lines = md.split('\n');
  const start = lines.findIndex((l) => l.startsWith(header));
  expect(start, `table ${header}`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i]);
  return rows;
}

describe('renderSummary on the failing sample', () => {
  const report = sampleFailingReport();
  const md = renderSummary(report, { artifactUrl: 'https://github.com/o/r/actions/runs/1/artifacts/2', runUrl: 'https://github.com/o/r/actions/runs/1' });

  test('verdict first, with counts', () => {
    const lines = md.split('\n');
    expect(lines[0]).toBe('## ❌ Model risk gate failed');
    expect(lines[2]).toBe(
      '**3 failed** · 3 warned (1 on insufficient data) · 5 passed — 11 checks of `models/credit.onnx` on ' +
        '`data/adult-test.csv` (16,281 rows), policy `.github/model-policy.yml`',
    );
  });

  test('breached checks, worst first, with value, limit, margin and policy line; undecided ones apart', () => {
    // six narrow columns (a PR comment is ~760 px wide): the scope is in the check's name, said once
    const rows = tableRows(md, '|   | Check | Value | Limit | Margin | Policy |');
    expect(rows).toEqual([
      '| ❌ fail | Demographic parity difference (sex\\_x\\_age\\_bin) | 0.3732 | ≤ 0.2 | -0.1732 | line 23 |',
      '| ❌ fail | Demographic parity difference (age\\_bin) | 0.2867 | ≤ 0.2 | -0.0867 | line 23 |',
      '| ❌ fail | Accuracy | 0.8531 | ≥ 0.86 | -0.0069 | line 21 |',
      '| ⚠️ warn | Equalized odds difference (race) | 0.3383 | ≤ 0.3 | -0.0383 | line 24 |',
      '| ⚠️ warn | Equalized odds difference (sex\\_x\\_age\\_bin) | 0.3275 | ≤ 0.3 | -0.0275 | line 24 |',
    ]);
    expect(md).toContain('### Breached (5)');
    // insufficient evidence is not a measured breach: its own list, the reason said once (not the title twice)
    expect(md).toContain('### Not decided (1)');
    expect(md).toContain(
      '- ⚠️ insufficient **ROC AUC, difference between groups (sex\\_x\\_age\\_bin)**: insufficient evidence (group Female\\|&lt;25 has 9 actual positives, fewer than 30); required ≤ 0.1 · line 25',
    );
  });

  test('policy lines link to the policy file at the head commit', () => {
    const linked = renderSummary(report, { blobUrl: 'https://github.com/octo-org/credit/blob/0123456789abcdef0123456789abcdef01234567' });
    expect(linked).toContain(
      '| ❌ fail | Accuracy | 0.8531 | ≥ 0.86 | -0.0069 | [line 21](https://github.com/octo-org/credit/blob/0123456789abcdef0123456789abcdef01234567/.github/model-policy.yml#L21) |',
    );
    expect(policyLineUrl('https://github.com/o/r/blob/abc', 'policies/a b.yml', 7)).toBe('https://github.com/o/r/blob/abc/policies/a%20b.yml#L7');
    expect(policyLineUrl('https://github.com/o/r/blob/abc', '../outside.yml', 7)).toBeUndefined();
    expect(policyLineUrl('https://github.com/o/r/blob/abc', '/etc/passwd', 7)).toBeUndefined();
    expect(policyLineUrl('javascript:alert(1)', 'p.yml', 7)).toBeUndefined();
    expect(policyLineUrl(undefined, 'p.yml', 7)).toBeUndefined();
  });

  test('a row for every check, with interval when present', () => {
    // Worst first (the terminal's order), status first, the margin too.
    const rows = tableRows(md, '| Status | Check | Scope | Value | 95% interval | Threshold | Margin |');
    expect(rows).toHaveLength(report.checks.length);
    expect(rows[0]).toBe('| ❌ fail | Demographic parity difference | sex\\_x\\_age\\_bin | 0.3732 | — | ≤ 0.2 | -0.1732 |');
    expect(rows[2]).toBe('| ❌ fail | Accuracy | — | 0.8531 | [0.8476, 0.8584] wilson | ≥ 0.86 | -0.0069 |');
    expect(rows[3]).toBe('| ⚠️ insufficient | ROC AUC, difference between groups | sex\\_x\\_age\\_bin | 0.1455 | — | ≤ 0.1 | -0.0455 |');
    expect(rows).toContain('| ✅ pass | ROC AUC | — | 0.9054 | [0.8993, 0.9112] bootstrap-percentile | ≥ 0.85 | +0.0554 |');
  });

  test('fingerprints, seed, runtime, notes', () => {
    expect(md).toContain('sha256 `da4eb2e33c04`');
    expect(md).toContain('sha256 `eb6e9f02496b`');
    expect(md).toContain('sha256 `3b8f6a2c9d0e`');
    expect(md).toContain('seed 20240601');
    expect(md).toContain('**Runtime:** 452 ms (policy 3 ms, data 182 ms');
    expect(md).toContain("- race: group '&lt;img src=x onerror=alert(1)&gt;' has 12 rows");
  });

  test('per attribute group tables with the insufficient group marked', () => {
    const race = tableRows(md, '| Group | Rows | Base rate | Selection rate | TPR | FPR | Precision | ROC AUC |');
    expect(race[0]).toBe('| Female | 5,421 | 0.1088 | 0.0764 | 0.5254 | 0.0215 | 0.7488 | 0.9303 |');
    expect(md).toContain(
      '| &lt;img src=x onerror=alert(1)&gt; — _insufficient data (n=12 &lt; 30)_ | 12 | — | — | — | — | — | — |',
    );
    expect(md).toContain('| Female · &lt;25 | 1,311 | 0.0069 | 0.0053 | 0.3333 | 0.0031 | 0.4286 | 0.9750 |');
    expect(md).toContain('| **All rows** | 16,281 | 0.2362 | 0.1938 | 0.5993 | 0.0684 | 0.7304 | 0.9054 |');
    expect(md).toContain('| Attribute | Groups | DP difference / ratio | EO difference / ratio | EOpp difference / ratio | Gate |');
    expect(md).toContain('| race | 6 (1 insufficient) | 0.1914 / 0.2082 | 0.3383 / 0.1709 | 0.3383 / 0.4828 | ⚠️ 1/2 breached |');
    // bins in their declared order, intersections by the order of each part
    const age = tableRows(md.slice(md.indexOf('Groups of <b>age_bin</b>')), '| Group | Rows |').map((r) => r.split(' | ')[0]);
    expect(age).toEqual(['| &lt;25', '| 25-45', '| &gt;45', '| **All rows**']);
    const both = tableRows(md.slice(md.indexOf('Groups of <b>sex_x_age_bin')), '| Group | Rows |').map((r) => r.split(' | ')[0]);
    expect(both).toEqual(['| Female · &lt;25', '| Female · 25-45', '| Female · &gt;45', '| Male · &lt;25', '| Male · 25-45', '| Male · &gt;45', '| **All rows**']);
    // failing attributes are open, passing ones collapsed
    expect(md).toContain('<details>\n<summary>✅ Groups of <b>sex</b> (2 groups)</summary>');
    expect(md).toContain('<details open>\n<summary>❌ Groups of <b>age_bin</b> (3 groups)</summary>');
  });

  test('every performance metric and the confusion matrix', () => {
    const rows = tableRows(md, '| Metric | Value | Gate |');
    expect(rows).toHaveLength(Object.keys(report.performance.metrics).length);
    expect(rows).toContain('| ROC AUC | 0.9054 | ≥ 0.85 ✅ pass |');
    expect(rows).toContain('| Rows | 16,281 |   |');
    expect(md).toContain('| **Actual negative** | 11,584 (TN) | 851 (FP) |');
    expect(md).toContain('| **Actual positive** | 1,541 (FN) | 2,305 (TP) |');
    expect(md).toContain('The KS statistic is reached at score 0.2129.');
  });

  test('links, well-formed tables and details, no NaN', () => {
    expect(md).toContain('[full report (JSON + HTML)](https://github.com/o/r/actions/runs/1/artifacts/2)');
    expect(md).toContain('[workflow run](https://github.com/o/r/actions/runs/1)');
    expect(checkTables(md).length).toBe(9);
    expect((md.match(/<details/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
    expect(md).not.toMatch(/NaN|undefined|\[object/);
  });

  test('deterministic', () => {
    expect(renderSummary(sampleFailingReport())).toBe(renderSummary(sampleFailingReport()));
  });
});

describe('renderSummary on the passing sample', () => {
  const md = renderSummary(samplePassingReport());
  test('verdict pass, no breached section, insufficient shown as not gating', () => {
    expect(md.startsWith('## ✅ Model risk gate passed\n\n10 passed · 1 not gated (insufficient data) — 11 checks')).toBe(true);
    expect(md).not.toContain('### Breached');
    expect(md).toContain('| ❔ insufficient | ROC AUC, difference between groups | sex\\_x\\_age\\_bin | 0.1455 | — | ≤ 0.1 | -0.0455 |');
    checkTables(md);
  });
});

describe('hostile names', () => {
  const md = renderSummary(hostileReport(), { artifactUrl: 'javascript:alert(1)', runUrl: 'https://x.example/a (b)' });
  test('nothing executes, pings, breaks a table or becomes a command', () => {
    expect(md).not.toMatch(/<img|<script/i);
    expect(md).not.toMatch(/@[A-Za-z0-9]/);
    // "&#8203;" is our own entity; inside a ```mermaid block GitHub links nothing, and the colours there are hex ('#0969da')
    const outsideCode = md.replace(/```mermaid\n[\s\S]*?\n```/g, '');
    expect(outsideCode).not.toMatch(/(?<!&)#\d/);
    for (const block of md.match(/```mermaid\n[\s\S]*?\n```/g) ?? []) {
      // the data's text in the labels loses '#', '@', '<', quotes and backticks; only the init line carries '#' colours
      const labels = block.split('\n').slice(1, -1).filter((l) => !l.startsWith('%%{init')).join('\n').match(/"[^"\n]*"/g) ?? [];
      expect(labels.length).toBeGreaterThan(2);
      for (const label of labels) expect(label).not.toMatch(/[#@<>`]/);
    }
    expect(md).not.toMatch(/https?:\/\/evil/);
    expect(md).not.toMatch(/^::/m);
    expect(md).not.toMatch(/[\u001b\u202e\u0000]/);
    expect(md).not.toMatch(/(?<!\\)\]\(javascript/); // only the escaped '\](' of the data text
    expect(md).toContain('\\[click\\](javascript:alert(1))');
    expect(md).toContain('[workflow run](https://x.example/a%20%28b%29)');
    checkTables(md);
  });
  test('the raw-HTML summary line is HTML-escaped, not markdown-escaped', () => {
    expect(md).toContain('<summary>⚠️ Groups of <b>race @&#8203;everyone @&#8203;org/team</b> (6 groups)</summary>');
    for (const line of md.split('\n').filter((l) => l.startsWith('<summary>'))) expect(line).not.toMatch(/\\[_*|`[\]]/);
  });

  test('hostile groups each stay one row', () => {
    const rows = tableRows(md, '| Group | Rows | Base rate | Selection rate | TPR | FPR | Precision | ROC AUC |');
    expect(rows.length).toBeGreaterThan(0);
    expect(md).toContain('| \\| a \\| b \\| | 159 | 0.1195 |');
    expect(md).toContain('| @&#8203;everyone @&#8203;org/team | 480 |');
    expect(md).toContain('| line1 line2 #&#8203;#&#8203; heading | 135 |');
  });
});

function manyGroups(n: number): GroupResult[] {
  return Array.from({ length: n }, (_, i) => ({
    key: `g${String(i).padStart(4, '0')}`,
    group: { big: `g${String(i).padStart(4, '0')}` },
    count: 100 + i,
    sufficient: true,
    confusion: { tn: 50, fp: 10, fn: 10, tp: 30 + i },
    metrics: {
      count: 100 + i,
      base_rate: 0.4,
      selection_rate: i === 777 ? 0.01 : 0.4 + i / 1e5,
      true_positive_rate: 0.75,
      false_positive_rate: 0.16,
      precision: 0.75,
      roc_auc: 0.8,
    },
  }));
}

function bigReport(attributes: number, groups: number, checks: number): Report {
  const report = sampleFailingReport();
  const base = report.fairness[0];
  report.fairness = Array.from({ length: attributes }, (_, a): AttributeResult => ({
    ...structuredClone(base),
    name: `attr${a}`,
    attributes: [`attr${a}`],
    groups: manyGroups(groups),
    insufficientGroups: [],
  }));
  const template = report.checks[2];
  report.checks = Array.from({ length: checks }, (_, i): CheckResult => ({ ...template, id: `${template.ruleId}/x${i}`, scope: `x${i}` }));
  return report;
}

describe('bounds', () => {
  test('at most 50 groups per attribute, the extremes kept, omissions counted', () => {
    const report = bigReport(1, 2000, 5);
    const table = renderGroupTable(report.fairness[0], report);
    const rows = table.split('\n').filter((l) => l.startsWith('| g'));
    expect(rows).toHaveLength(50);
    expect(table).toContain('| g0777 |'); // lowest selection rate
    expect(table).toContain('| g1999 |'); // highest selection rate, largest
    expect(table).toContain('_1,950 more groups not shown');
  });

  test('selectGroups keeps report order and extremes', () => {
    const groups = manyGroups(100);
    const picked = selectGroups(groups, 10).map((g) => g.key);
    expect(picked).toHaveLength(10);
    expect([...picked].sort()).toEqual(picked);
    expect(picked).toContain('g0099');
    expect(selectGroups(groups.slice(0, 5), 10)).toHaveLength(5);
  });

  test('a huge report stays well under 1 MiB', () => {
    const report = bigReport(40, 3000, 2000);
    const md = renderSummary(report);
    const bytes = Buffer.byteLength(md, 'utf8');
    expect(bytes).toBeLessThanOrEqual(512 * 1024);
    expect(md).toContain('more groups not shown');
    expect(md).toContain('more checks not shown');
    checkTables(md);
  });

  test('a tiny budget cuts the text, closes details and says so', () => {
    const md = renderSummary(sampleFailingReport(), { maxBytes: 3000 });
    expect(Buffer.byteLength(md, 'utf8')).toBeLessThanOrEqual(3000);
    expect(md).toContain('The summary was cut to stay within the size limit');
    expect((md.match(/<details/g) ?? []).length).toBe((md.match(/<\/details>/g) ?? []).length);
    expect(md.startsWith('## ❌ Model risk gate failed')).toBe(true);
  });
});

describe('sections', () => {
  const report = sampleFailingReport();
  test('are pure functions usable alone', () => {
    expect(renderVerdictHeader(report).split('\n')[0]).toBe('## ❌ Model risk gate failed');
    expect(renderBreachedChecks(samplePassingReport())).toBe('');
    expect(renderBreachedChecks(report, { maxRows: 2 })).toContain('_3 more breached checks not shown._');
    expect(renderChecksTable(report, { maxRows: 3 })).toContain('_8 more checks not shown; see the JSON report._');
    expect(renderProvenance(report)).toContain('label `income` = `>50K` (3,846 positives, base rate 0.2362)');
    expect(renderPerformance(report)).toContain('<summary><b>Performance on 16,281 rows</b></summary>');
    expect(renderFairnessAttribute(report.fairness[3], report)).toContain('Groups of <b>sex_x_age_bin (sex × age_bin)</b>');
  });

  test('undefined values render as n/a', () => {
    const r = sampleFailingReport();
    r.performance.metrics.roc_auc = null;
    r.performance.metrics.brier = Number.NaN;
    r.checks[0] = { ...r.checks[0], value: null, margin: null, status: 'insufficient', outcome: 'warn' };
    const md = renderSummary(r);
    expect(md).toContain('| ROC AUC | n/a |');
    expect(md).toContain('| Brier score | n/a |');
    expect(md).toContain('- ⚠️ insufficient **ROC AUC**: ROC AUC = 0.9054, required ≥ 0.85 · line 20');
    expect(md).not.toContain('NaN');
  });

  test('markdownTable and safeUrl', () => {
    expect(markdownTable(['a', 'b'], [['1', '']], ['l', 'r'])).toBe('| a | b |\n| --- | ---: |\n| 1 |   |');
    expect(safeUrl('javascript:alert(1)')).toBeUndefined();
    expect(safeUrl('not a url')).toBeUndefined();
    expect(safeUrl('https://github.com/o/r/actions/runs/1?x=(1)')).toBe('https://github.com/o/r/actions/runs/1?x=%281%29');
  });
});
