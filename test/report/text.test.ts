import { describe, expect, test } from 'vitest';
import { renderText, renderTextTable } from '../../src/report/text.js';
import { hostileReport, sampleFailingReport, samplePassingReport } from './sample-report.js';

describe('renderText', () => {
  test('failing report: verdict, aligned table with breaches first, file:line:col lines, notes', () => {
    const out = renderText(sampleFailingReport());
    const lines = out.split('\n');
    expect(lines[0]).toBe('✖ FAIL  model-risk-gate: 3 failed, 3 warned (1 on insufficient data), 5 passed (11 checks)');
    expect(lines[1]).toBe(
      '  model models/credit.onnx (sha256 da4eb2e33c04) · data data/adult-test.csv (16,281 rows) · policy .github/model-policy.yml · seed 20240601',
    );
    const table = lines.slice(3, 15);
    expect(table).toEqual([
      '  STATUS        CHECK                               SCOPE           VALUE  THRESHOLD   MARGIN',
      '  FAIL          Demographic parity difference       sex_x_age_bin  0.3732  <= 0.2     -0.1732',
      '  FAIL          Demographic parity difference       age_bin        0.2867  <= 0.2     -0.0867',
      '  FAIL          Accuracy                                           0.8531  >= 0.86    -0.0069',
      '  INSUFFICIENT  ROC AUC, difference between groups  sex_x_age_bin  0.1455  <= 0.1     -0.0455',
      '  WARN          Equalized odds difference           race           0.3383  <= 0.3     -0.0383',
      '  WARN          Equalized odds difference           sex_x_age_bin  0.3275  <= 0.3     -0.0275',
      '  PASS          Equalized odds difference           age_bin        0.2990  <= 0.3     +0.0010',
      '  PASS          Demographic parity difference       race           0.1914  <= 0.2     +0.0086',
      '  PASS          ROC AUC                                            0.9054  >= 0.85    +0.0554',
      '  PASS          Demographic parity difference       sex            0.1761  <= 0.2     +0.0239',
      '  PASS          Equalized odds difference           sex            0.0873  <= 0.3     +0.2127',
    ]);
    expect(out).toContain('\n.github/model-policy.yml:21:22: error: Accuracy = 0.8531 breaches min 0.86 by 0.0069\n');
    expect(out).toContain('\n.github/model-policy.yml:24:39: warning: Equalized odds difference (race) = 0.3383 breaches max 0.3 by 0.0383\n');
    expect(out).toContain("Notes:\n  - race: group '<img src=x onerror=alert(1)>' has 12 rows");
    expect(out).not.toMatch(/\u001b/);
  });

  test('passing report', () => {
    const out = renderText(samplePassingReport());
    expect(out.split('\n')[0]).toBe('✔ PASS  model-risk-gate: 10 passed, 1 not gated (insufficient data) (11 checks)');
    expect(out).not.toMatch(/: error: |: warning: /);
  });

  test('colour only when asked', () => {
    const out = renderText(sampleFailingReport(), { color: true });
    expect(out.split('\n')[0]).toBe(
      '\u001b[1m\u001b[31m✖ FAIL\u001b[0m  model-risk-gate: \u001b[31m3 failed\u001b[0m, \u001b[33m3 warned\u001b[0m (1 on insufficient data), 5 passed (11 checks)',
    );
    expect(out).toContain('\u001b[31mFAIL        \u001b[0m');
    expect(out.replace(/\u001b\[[0-9;]*m/g, '')).toBe(renderText(sampleFailingReport()));
  });

  test('fits the width, wrapping long names onto continuation lines (nothing cut), very long ones cut with …', () => {
    const table = renderTextTable(sampleFailingReport(), { width: 70 });
    const lines = table.split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(70);
    expect(table).not.toContain('…');
    // The first breach wraps: name and scope continue under their columns, the numbers stay on the first line.
    expect(lines.slice(1, 4)).toEqual([
      '  FAIL          Demographic      sex_x_age  0.3732  <= 0.2     -0.1732',
      '                parity           _bin',
      '                difference',
    ]);
    // Every word of every check name is there, in order, once the continuation lines are joined.
    const joined = lines.map((l) => l.slice(16, 31).trim()).join(' ');
    expect(joined).toContain('Demographic parity difference Demographic parity difference Accuracy ROC AUC, difference between groups');

    const r = sampleFailingReport();
    r.checks[0]!.title = `Demographic parity difference ${'of a very long policy-defined group name '.repeat(4)}`;
    const cut = renderTextTable(r, { width: 70 }).split('\n');
    for (const line of cut) expect([...line].length).toBeLessThanOrEqual(70);
    // At most three lines per cell, the last one cut with '…'.
    const at = cut.indexOf('  PASS          Demographic                 0.9054  >= 0.85    +0.0554');
    expect(at).toBeGreaterThan(0);
    expect(cut.slice(at + 1, at + 4)).toEqual(['                parity', '                difference of …', '  PASS          Demographic      sex        0.1761  <= 0.2     +0.0239']);
  });

  test('hostile names cannot move the cursor, recolour, or start a workflow command', () => {
    const r = hostileReport();
    r.checks[1].location = { ...r.checks[1].location, file: '::error::x.yml' };
    const out = renderText(r, { width: 90 });
    expect(out).not.toMatch(/[\u001b\u202e\u0000\u0007]/);
    expect(out).not.toMatch(/^::/m);
    // `::` is broken up wherever it occurs in terminal text (issue #10), not only at a line start
    expect(out).toContain('./: :error: :x.yml:21:22: error:');
    expect(out).not.toContain('::');
    expect(out).toContain('  - line1 line2 ## heading');
    for (const line of out.split('\n').slice(3, 15)) expect([...line].length).toBeLessThanOrEqual(90);
  });
});
