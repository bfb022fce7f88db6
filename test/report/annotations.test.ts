import { describe, expect, test } from 'vitest';
import { formatWorkflowCommand, renderAnnotations, toAnnotationProperties } from '../../src/report/annotations.js';
import type { CheckResult, Report } from '../../src/report/types.js';
import { hostileReport, sampleFailingReport, samplePassingReport } from './sample-report.js';

describe('renderAnnotations', () => {
  test('one per breached check at its policy line, failures first, worst relative margin first', () => {
    const a = renderAnnotations(sampleFailingReport());
    expect(a.map((x) => [x.level, x.line, x.column, x.title])).toEqual([
      ['error', 23, 43, 'Demographic parity difference (sex_x_age_bin) above 0.2'],
      ['error', 23, 43, 'Demographic parity difference (age_bin) above 0.2'],
      ['error', 21, 22, 'Accuracy below 0.86'],
      ['warning', 25, 32, 'ROC AUC, difference between groups (sex_x_age_bin): insufficient evidence'],
      ['warning', 24, 39, 'Equalized odds difference (race) above 0.3'],
      ['warning', 24, 39, 'Equalized odds difference (sex_x_age_bin) above 0.3'],
    ]);
    expect(a.every((x) => x.file === '.github/model-policy.yml')).toBe(true);
    // the message says the value, limit and margin once ('by 0.0069'); only the interval it lacks is added, no internal id
    expect(a[2].message).toBe('Accuracy = 0.8531 breaches min 0.86 by 0.0069\n95% CI [0.8476, 0.8584] (wilson)');
    // an interval the check's message already gives is not repeated: one line
    const r = sampleFailingReport();
    r.checks[1].message = 'Accuracy = 0.8531 [0.8476, 0.8584] 95% CI breaches min 0.86 by 0.0069';
    expect(renderAnnotations(r)[2].message).toBe('Accuracy = 0.8531 [0.8476, 0.8584] 95% CI breaches min 0.86 by 0.0069');
    // a message that does not give the margin gets it
    r.checks[1].message = 'Accuracy = 0.8531 [0.8476, 0.8584] 95% CI is too low';
    expect(renderAnnotations(r)[2].message).toBe('Accuracy = 0.8531 [0.8476, 0.8584] 95% CI is too low\nmargin -0.0069');
    for (const x of renderAnnotations(sampleFailingReport())) {
      expect(x.message).not.toMatch(/check [a-z_]+\//);
      expect(x.message.match(/0\.0069/g)?.length ?? 0).toBeLessThanOrEqual(1);
    }
  });

  test('nothing for a passing report (insufficient allowed by policy included)', () => {
    expect(renderAnnotations(samplePassingReport())).toEqual([]);
  });

  test('insufficient evidence counted by outcome', () => {
    const r = sampleFailingReport();
    const insufficient = r.checks.find((c) => c.status === 'insufficient') as CheckResult;
    insufficient.outcome = 'fail';
    const a = renderAnnotations(r);
    expect(a.filter((x) => x.level === 'error')).toHaveLength(4);
    // ranked among the failures by its relative margin (-0.0455 / 0.1)
    expect(a[1].title).toBe('ROC AUC, difference between groups (sex_x_age_bin): insufficient evidence');
  });

  test('at most 10 errors and 10 warnings, then one notice counting the rest', () => {
    const r: Report = sampleFailingReport();
    const fail = r.checks.find((c) => c.outcome === 'fail' && c.status === 'fail') as CheckResult;
    const warn = r.checks.find((c) => c.outcome === 'warn' && c.status === 'fail') as CheckResult;
    r.checks = [
      ...Array.from({ length: 15 }, (_, i) => ({ ...fail, id: `f${i}`, margin: -0.01 * (i + 1) })),
      ...Array.from({ length: 13 }, (_, i) => ({ ...warn, id: `w${i}`, margin: -0.01 * (i + 1) })),
    ];
    const a = renderAnnotations(r);
    expect(a.filter((x) => x.level === 'error')).toHaveLength(10);
    expect(a.filter((x) => x.level === 'warning')).toHaveLength(10);
    const notice = a[a.length - 1];
    expect(notice.level).toBe('notice');
    expect(notice.message).toBe('8 more breached checks (5 failures, 3 warnings): see the job summary for every check.');
    expect(notice.title).toBe('8 more breached checks');
    expect(notice.line).toBe(1);
    // the worst ones are kept: margins -0.15 .. -0.06 for failures
    expect(a[0].message).toContain('margin -0.1500 ·');
    expect(a[9].message).toContain('margin -0.0600 ·');
  });
});

describe('formatWorkflowCommand', () => {
  test('escapes properties and data', () => {
    const a = renderAnnotations(hostileReport());
    const lines = a.map(formatWorkflowCommand);
    expect(lines[0]).toBe(
      '::error file=.github/policy%2C v2%3A final.yml,line=23,col=43,title=Demographic parity difference (sex_x_age_bin) above 0.2::' +
        'Demographic parity difference (sex_x_age_bin) = 0.3732 breaches max 0.2 by 0.1732',
    );
    for (const line of lines) {
      expect(line.split('\n')).toHaveLength(1);
      // exactly one '::' pair ends the properties: nothing from data adds another
      const props = line.slice(line.indexOf(' ') + 1, line.indexOf('::', 2));
      expect(props).not.toMatch(/[\r\n]/);
      expect(props.split(',').every((p) => /^(file|line|col|title)=/.test(p))).toBe(true);
    }
  });

  test('a hostile title cannot inject properties', () => {
    const line = formatWorkflowCommand({
      level: 'warning',
      title: 'x,line=999::boom\nnext',
      message: '100% sure\r\n::error::nested',
      file: 'a,b:c',
      line: 3,
      column: 7,
    });
    expect(line).toBe('::warning file=a%2Cb%3Ac,line=3,col=7,title=x%2Cline=999%3A%3Aboom%0Anext::100%25 sure%0D%0A::error::nested');
  });

  test('core properties', () => {
    const [a] = renderAnnotations(sampleFailingReport());
    expect(toAnnotationProperties(a)).toEqual({
      title: 'Demographic parity difference (sex_x_age_bin) above 0.2',
      file: '.github/model-policy.yml',
      startLine: 23,
      startColumn: 43,
    });
  });
});
