/** The PR comment body (src/report/comment.ts): order, marker, links, escaping and trimming by section. */
import { describe, expect, it } from 'vitest';
import { commentMarker, GITHUB_COMMENT_MAX_CHARS, hasMarker, normalizePolicyPath, renderComment } from '../../src/report/comment.js';
import { oversizedReport, publishingPassingReport, publishingSampleReport } from '../report/fixtures-publishing.js';

const marker = commentMarker('.github/model-policy.yml');
const links = {
  runUrl: 'https://github.com/octo-org/credit-model/actions/runs/4242',
  artifactUrl: 'https://github.com/octo-org/credit-model/actions/runs/4242/artifacts/7000',
};

describe('comment marker', () => {
  it('is a hidden HTML comment keyed by the normalised policy path', () => {
    expect(marker).toMatch(/^<!-- model-risk-gate:[0-9a-f]{16} -->$/);
    expect(commentMarker('./.github/model-policy.yml')).toBe(marker);
    expect(commentMarker('.github\\model-policy.yml')).toBe(marker);
    expect(commentMarker('policies/other.yml')).not.toBe(marker);
    expect(normalizePolicyPath('./a//b\\c.yml')).toBe('a/b/c.yml');
    expect(hasMarker(`\n${marker}\nbody`, marker)).toBe(true);
    expect(hasMarker(`quoted: ${marker}`, marker)).toBe(false);
    expect(hasMarker(null, marker)).toBe(false);
  });
});

describe('renderComment', () => {
  const report = publishingSampleReport();
  const body = renderComment(report, { marker, ...links, sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' });

  it('puts the verdict first, then breaches, charts, sections, links', () => {
    expect(body.startsWith(`${marker}\n\n## ❌ Model risk gate failed\n\n**8 failed**`)).toBe(true);
    const order = [
      '## ❌ Model risk gate failed',
      '### Breached (9)',
      '### Not decided (1)',
      '📈 <b>Charts of the breaches</b>',
      '❌ <b>Performance</b> (4 checks, 1 breached)',
      '❌ <b>Fairness</b> (9 checks, 8 breached)',
      '❌ <b>Robustness</b> (1 check, 1 breached)',
      '✅ <b>Explainability</b> (1 check, all passed)',
      '<b>Notes</b>',
      '<b>Run details</b>',
      '📋 [Job summary]',
    ].map((s) => body.indexOf(s));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(body).toContain('| ❌ fail | Recall | 0.6123 | ≥ 0.65 | -0.0377 | line 12 |');
    expect(body).toContain('<details open>\n<summary>📈 <b>Charts of the breaches</b></summary>');
    expect(body).toMatch(/```mermaid\n%%\{init: \{"theme":"base",[^\n]*\}%%\nxychart-beta\n {2}title "Selection rate by sex - red line = limit"/);
    expect(body).toContain(`📋 [Job summary](${links.runUrl}) · 📦 [Report artifact](${links.artifactUrl}) (HTML report with every chart, JSON, SARIF, SVG charts)`);
    expect(body).toMatch(/<sub>model-risk-gate 0\\?\.1\.0 · commit a1b2c3d4e5f6 · seed 42 · 2025-01-01T00:00:00\.000Z<\/sub>/);
    expect(body.length).toBeLessThan(GITHUB_COMMENT_MAX_CHARS);
    expect(body).not.toContain('Trimmed');
  });

  it('says so plainly when everything passed, with no breach charts', () => {
    const pass = renderComment(publishingPassingReport(), { marker });
    expect(pass).toContain('## ✅ Model risk gate passed');
    expect(pass).toContain('⚠️ insufficient | Selection rate (race=Other)');
    expect(pass).not.toContain('Charts of the breaches');
    expect(pass).toContain('📈 <b>Charts</b> (ROC curve, selection rate by group)');
    expect(pass).not.toContain('[Job summary]');
  });

  it('escapes names from the data and drops unsafe links', () => {
    const hostile = publishingSampleReport({ renameGroups: { Female: '@everyone <img src=x onerror=alert(1)> [click](javascript:alert(1))', Black: '```\n</details>' } });
    const out = renderComment(hostile, { marker, runUrl: 'javascript:alert(1)', artifactUrl: 'https://x.example/a b' });
    expect(out).not.toContain('<img');
    // Outside code blocks (mermaid), a mention cannot ping anyone.
    expect(out.replace(/```mermaid[\s\S]*?```/g, '')).not.toContain('@everyone');
    expect(out).toContain('@&#8203;everyone &lt;img src=x onerror=alert(1)&gt; \\[click\\](javascript:alert(1))');
    expect(out).not.toContain('[Job summary]');
    expect(out).toContain('[Report artifact](https://x.example/a%20b)');
    // The mermaid label cannot close the code fence.
    const fences = out.match(/^```/gm) ?? [];
    expect(fences.length % 2).toBe(0);
    expect(out).toContain(`"''' lt /details gt`);
  });

  it('trims the least important sections first and names what it cut', () => {
    const full = renderComment(report, { marker, ...links });
    const limit = 9000;
    const trimmed = renderComment(report, { marker, ...links, maxChars: limit });
    expect(full.length).toBeGreaterThan(limit);
    expect(trimmed.length).toBeLessThanOrEqual(limit);
    expect(trimmed).toMatch(/Trimmed to fit GitHub's 9,000-character comment limit; left out: run details, notes, (other charts, )?explainability details/);
    expect(trimmed).not.toContain('<b>Run details</b>');
    expect(trimmed).not.toContain('<b>Notes</b>');
    // Absent sections are not claimed as cut.
    expect(trimmed).not.toContain('baseline');
    // Kept: verdict, breaches, links.
    expect(trimmed).toContain('## ❌ Model risk gate failed');
    expect(trimmed).toContain('### Breached (9)');
    expect(trimmed).toContain(`[Report artifact](${links.artifactUrl})`);
    expect(trimmed.startsWith(marker)).toBe(true);
  });

  it('keeps an oversized report under 65,536 characters, shortening the breached table as a last resort', () => {
    const big = oversizedReport();
    const out = renderComment(big, { marker, ...links });
    expect(out.length).toBeLessThanOrEqual(GITHUB_COMMENT_MAX_CHARS);
    expect(out).toContain('left out:');
    const tiny = renderComment(big, { marker, ...links, maxChars: 5000 });
    expect(tiny.length).toBeLessThanOrEqual(5000);
    expect(tiny).toContain('the group tables of 40 attributes, rows of the breached-checks table');
    expect(tiny).toMatch(/_\d+ more breached checks not shown\._/);
    expect(tiny).toContain('## ❌ Model risk gate failed');
    const absurd = renderComment(big, { marker, maxChars: 300 });
    expect(absurd.length).toBeLessThanOrEqual(300);
    expect(absurd.startsWith(marker)).toBe(true);
  });

  it('is deterministic', () => {
    expect(renderComment(publishingSampleReport(), { marker, ...links, sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678' })).toBe(body);
  });
});
