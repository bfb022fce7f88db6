/**
 * A pull request that loosens its own policy is said right under the verdict in every format (summary, comment,
 * terminal, HTML); tightening only is not alarmed; values from an untrusted report are shown as code, never as markup.
 */
import { describe, expect, it } from 'vitest';
import { renderComment } from '../../src/report/comment.js';
import { renderHtml } from '../../src/report/html.js';
import { renderSummary } from '../../src/report/markdown.js';
import { renderText } from '../../src/report/text.js';
import type { Report } from '../../src/report/types.js';
import { samplePassingReport } from './sample-report.js';

function withChanges(changes: unknown[]): Report {
  const r = samplePassingReport();
  (r as { policyChanges?: unknown }).policyChanges = { base: 'base commit 3f9c2ab', newFile: false, changes };
  return r;
}

const LOOSENED = [
  { path: 'checks.performance.accuracy.min', kind: 'loosened', before: '0.95', after: '0.5', line: 7 },
  { path: 'checks.fairness.equal_opportunity_difference', kind: 'removed', before: '{"max":0.1}', line: 9 },
  { path: 'checks.performance.roc_auc.min', kind: 'tightened', before: '0.7', after: '0.8', line: 8 },
];

describe('policy changes under the verdict', () => {
  it('summary and comment: a warning naming each loosened value with its line, before the checks', () => {
    const r = withChanges(LOOSENED);
    const expected =
      '> [!WARNING]\n> **This pull request loosens the policy** against base commit 3f9c2ab: `checks.performance.accuracy.min` `0.95` → `0.5` (line 7); removed `checks.fairness.equal_opportunity_difference` (line 9). The checks below use the loosened policy.';
    const summary = renderSummary(r);
    expect(summary).toContain(expected);
    expect(summary.indexOf(expected)).toBeLessThan(summary.indexOf('Accuracy'));
    const comment = renderComment(r, { marker: '<!-- model-risk-gate -->' });
    expect(comment).toContain(expected);
    expect(comment.indexOf('## ✅ Model risk gate passed')).toBeLessThan(comment.indexOf('> [!WARNING]'));
  });

  it('terminal and HTML say it too', () => {
    const r = withChanges(LOOSENED);
    expect(renderText(r)).toContain('Warning: This pull request loosens the policy against base commit 3f9c2ab: checks.performance.accuracy.min 0.95 → 0.5 (line 7); removed checks.fairness.equal_opportunity_difference (line 9).');
    expect(renderHtml(r, [])).toContain('<p class="st warn"><strong>This pull request loosens the policy</strong> against base commit 3f9c2ab: <code>checks.performance.accuracy.min</code> <code>0.95</code> → <code>0.5</code> (line 7)');
  });

  it('a policy file that is new in the pull request: a warning to review all of it', () => {
    const r = samplePassingReport();
    (r as { policyChanges?: unknown }).policyChanges = { base: 'base commit 3f9c2ab', newFile: true, changes: [] };
    expect(renderSummary(r)).toContain('> [!WARNING]\n> **The policy file is new in this pull request** (it does not exist at base commit 3f9c2ab): every limit in it is new; review it before trusting the verdict.');
  });

  it('tightening only, no comparison, or a malformed section: no warning', () => {
    for (const r of [withChanges([LOOSENED[2]]), samplePassingReport(), withChanges('nonsense' as unknown as unknown[])]) {
      expect(renderSummary(r)).not.toContain('loosens the policy');
      expect(renderText(r)).not.toContain('loosens the policy');
    }
  });

  it('hostile values stay code: no HTML, no mention, no link, no workflow command', () => {
    const r = withChanges([{ path: 'checks.x.<img src=x onerror=alert(1)>', kind: 'loosened', before: '"@admin [x](https://evil)"', after: '"::error::PWN`"', line: 3 }]);
    const md = renderSummary(r);
    const warning = md.split('\n').find((l) => l.startsWith('> **This pull request loosens'))!;
    // each value inside one code span: no mention, no link, no HTML
    expect(warning).toContain('`"@admin [x](https://evil)"`');
    expect(warning).toContain('`checks.x.<img src=x onerror=alert(1)>`');
    expect(warning.replace(/`[^`]*`/g, '')).not.toMatch(/@admin|<img|\]\(/);
    expect(md).not.toMatch(/^::error::PWN/m);
    const html = renderHtml(r, []);
    expect(html).not.toContain('<img src=x');
    expect(renderText(r)).not.toMatch(/^::/m);
  });
});
