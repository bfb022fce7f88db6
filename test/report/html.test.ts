/** The self-contained HTML report: structure, CSP, no scripts or external resources, every table and chart, escaping. */
import { describe, expect, it } from 'vitest';
import { renderCharts } from '../../src/report/charts/index.js';
import { HTML_CSP, renderHtml } from '../../src/report/html.js';
import { publishingSampleReport } from './fixtures-publishing.js';

describe('renderHtml', () => {
  const report = publishingSampleReport();
  const charts = renderCharts(report);
  const html = renderHtml(report, charts, { runUrl: 'https://github.com/octo-org/credit-model/actions/runs/4242' });

  it('is one self-contained document with a Content-Security-Policy and no scripts or remote resources', () => {
    expect(HTML_CSP).toBe("default-src 'none'; style-src 'unsafe-inline'; img-src data:");
    expect(html.startsWith('<!doctype html>\n<html lang="en"><head><meta charset="utf-8">')).toBe(true);
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">`);
    expect(html).not.toMatch(/<script|<link|<iframe|<object|<embed|<img|@import|url\(http|src=/i);
    // The only absolute URLs: SVG namespaces and the link back to the run.
    const urls = [...html.matchAll(/https?:\/\/[^"'\s<)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'https://github.com/octo-org/credit-model/actions/runs/4242']));
    expect(html).toContain('<title>FAIL: Adult income model — model risk gate</title>');
  });

  it('holds every chart once, inline, placed in its section', () => {
    for (const c of charts) {
      expect(html.split(`<figure id="chart-${c.name}" data-chart="${c.name}">`).length - 1, c.name).toBe(1);
      expect(html).toContain(c.svg);
    }
    const section = (id: string) => html.slice(html.indexOf(`<section id="${id}">`), html.indexOf('</section>', html.indexOf(`<section id="${id}">`)));
    expect(section('performance')).toContain('data-chart="roc"');
    expect(section('performance')).toContain('data-chart="ks"');
    expect(section('fairness')).toContain('data-chart="selection-rate-sex"');
    expect(section('fairness')).toContain('data-chart="count-sex-x-age-bin"');
    expect(section('robustness')).toContain('data-chart="ks-adversarial-noise"');
    expect(section('explainability')).toContain('data-chart="feature-importance"');
  });

  it('has every table: breaches, all checks, metrics, confusion matrix, groups of every attribute, importance, run details', () => {
    for (const c of report.checks) expect(html, c.id).toContain(`id="check-${c.id.replace(/[^A-Za-z0-9_-]/g, '-')}"`);
    // an anchor is unique on the page (the check rows carry it in the All checks table only)
    const ids = [...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
    const breaches = html.slice(html.indexOf('<section id="breaches">'), html.indexOf('<section id="notes">'));
    expect((breaches.match(/<tr class="(fail|warn|insufficient)"/g) ?? []).length).toBe(report.checks.filter((c) => c.outcome !== 'pass').length);
    // Worst first: the largest relative breach (demographic parity ratio of sex × age_bin, margin -0.79 / 0.8).
    expect(breaches.indexOf('Demographic parity ratio (sex_x_age_bin)')).toBeLessThan(breaches.indexOf('Recall'));
    // The summary's performance tables: metric (with its id), value, gate; the confusion matrix with TN/FP/FN/TP.
    expect(html).toContain('<tr><td><strong>Actual negative</strong></td><td class="num">11,830 (TN)</td><td class="num">605 (FP)</td></tr>');
    expect(html).toMatch(/<td>ROC AUC <code>roc_auc<\/code><\/td><td class="num">0\.9212<\/td><td>≥ 0\.85 <span class="st pass">✔ pass<\/span><\/td>/);
    // Every group, intersections as 'Female · 25-45' (the summary's labels).
    const esc = (t: string) => t.replace(/</g, '&lt;').replace(/>/g, '&gt;');
    for (const attr of report.fairness)
      for (const g of attr.groups) expect(html).toContain(`<td>${attr.attributes.length > 1 ? attr.attributes.map((a) => esc(g.group[a]!)).join(' · ') : esc(g.key)}</td>`);
    expect(html).toContain('<td>no (135 rows &lt; min_group_size 150)</td>');
    expect(html).toContain('<td>marital_status</td>');
    // Sensitive attributes: bold, flagged in the Sensitive / proxy column (the same table as the job summary's).
    expect(html).toMatch(/<td><strong>sex<\/strong><\/td>(<td class="num">[^<]*<\/td>)+<td><span class="st warn">sensitive attribute<\/span><\/td>/);
    expect(html).toContain('<dt>Seed</dt><dd>42</dd>');
  });

  it('check tables: the policy line, the interval with its level in the header, no restated message; ranks as integers; why a result is insufficient', () => {
    const breaches = html.slice(html.indexOf('<section id="breaches">'), html.indexOf('<section id="notes">'));
    expect(breaches).toContain('<th>Policy</th><th>Why insufficient</th></tr>');
    // One line per check: the message restates value, threshold and interval, so only an insufficient result shows it.
    const recall = report.checks.find((c) => c.id === 'performance/recall')!;
    expect(breaches).not.toContain(recall.message);
    const insufficient = report.checks.find((c) => c.status === 'insufficient')!;
    expect(breaches).toContain(`<td>${insufficient.message.replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/'/g, '&#39;')}</td></tr>`);
    expect(breaches).toContain(`<td>line ${recall.location.line}</td>`);

    const r = publishingSampleReport();
    const rank = r.checks.find((c) => c.section === 'explainability')!;
    Object.assign(rank, { metric: 'sensitive_rank', value: 4, margin: -2, threshold: { kind: 'min', value: 6 }, status: 'fail', outcome: 'fail' });
    r.checks = r.checks.filter((c) => c.status !== 'insufficient');
    r.checks.find((c) => c.id === 'performance/roc_auc')!.interval = { low: 0.9171, high: 0.9257, level: 0.95, method: 'bootstrap-percentile' };
    const out = renderHtml(r, renderCharts(r));
    const section = out.slice(out.indexOf('<section id="explainability">'), out.indexOf('</table>', out.indexOf('<section id="explainability">')));
    expect(section).toContain('<td class="num">4</td><td>≥ 6</td><td class="num">-2</td>');
    // Without an insufficient result there is no empty 'why' column; a shared level goes to the header.
    const all = out.slice(out.indexOf('<section id="checks">'), out.indexOf('</section>', out.indexOf('<section id="checks">')));
    expect(all).not.toContain('Why insufficient');
    expect(all).toContain('<th>95% interval</th>');
    expect(all).toContain('<td>[0.9171, 0.9257] bootstrap-percentile</td>');
  });

  it('escapes every name from the data', () => {
    const hostile = publishingSampleReport({ renameGroups: { Female: '<script>alert("x")</script>', White: "O'Brien & <b>Sons</b>" } });
    hostile.policy.name = '</title><script>1</script>';
    hostile.notes.push('<iframe src=https://evil.example>');
    const out = renderHtml(hostile, renderCharts(hostile));
    expect(out).not.toMatch(/<script|<iframe|<b>Sons/);
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain('O&#39;Brien &amp; &lt;b&gt;Sons&lt;/b&gt;');
    expect(out).toContain('<title>FAIL: &lt;/title&gt;&lt;script&gt;1&lt;/script&gt; — model risk gate</title>');
  });

  it('works without optional sections or curves, and is deterministic', () => {
    const bare = publishingSampleReport({ sections: false });
    bare.performance.curves = null;
    const out = renderHtml(bare, renderCharts(bare));
    expect(out).not.toContain('<section id="robustness">');
    expect(out).not.toContain('<section id="explainability">');
    expect(out).not.toContain('data-chart="roc"');
    expect(out).toContain('data-chart="selection-rate-sex"');
    expect(renderHtml(report, charts, { runUrl: 'https://github.com/octo-org/credit-model/actions/runs/4242' })).toBe(html);
  });
});
