/**
 * The HTML report: ONE self-contained file (inline CSS and SVG; no scripts, no external resources, no network
 * requests) with every table of the Report and every chart. A Content-Security-Policy meta tag forbids everything but
 * inline styles and data: images, so even a hostile group name cannot load or run anything. Light and dark themes
 * follow the reader's system preference. Pure: Report + charts in, HTML text out; the sections are the summary's
 * documents (src/report/sections/*) written by doc/html.ts, which escapes every text.
 */
import type { AttributeResult } from '../metrics/types.js';
import { rankedBreaches, rankedChecks } from './breaches.js';
import { attributeChartNames, type Chart } from './charts/index.js';
import { renderDataHtml } from './data-section.js';
import { chartFigures, htmlBlocks, htmlSection } from './doc/html.js';
import { explainabilitySection } from './sections/explainability.js';
import { baselineSection } from './sections/baseline.js';
import { robustnessSection } from './sections/robustness.js';
import { performanceBlocks } from './sections/performance.js';
import { runSection } from './sections/run.js';
import { checksOfAttribute, fairnessOverviewBlocks, groupTableBlock } from './sections/fairness.js';
import { notesSection } from './sections/notes.js';
import { policyChangesBlocks } from './sections/policy-changes.js';
import { checksTableBlock, SECTION_TITLES } from './sections/checks.js';
import { escapeHtml } from './escape.js';
import { formatBytes, formatCompact, formatCount, plural, shortSha } from './format.js';
import type { CheckResult, CheckSection, Report } from './types.js';

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const e = (t: unknown) => escapeHtml(t);

const STYLE = `
:root{color-scheme:light dark;--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--border:#d1d9e0;--subtle:#f6f8fa;--pass:#1a7f37;--fail:#cf222e;--warn:#9a6700;--pass-bg:#dafbe1;--fail-bg:#ffebe9;--warn-bg:#fff8c5;--link:#0969da}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--border:#3d444d;--subtle:#151b23;--pass:#3fb950;--fail:#f85149;--warn:#d29922;--pass-bg:#12261e;--fail-bg:#25171c;--warn-bg:#272115;--link:#4493f8}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI","Noto Sans",Helvetica,Arial,sans-serif}
main{max-width:1240px;margin:0 auto;padding:24px}
h1{font-size:24px;margin:0 0 8px}h2{font-size:20px;margin:32px 0 12px;padding-bottom:6px;border-bottom:1px solid var(--border)}h3{font-size:16px;margin:20px 0 8px}
a{color:var(--link)}
code{font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:var(--subtle);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
td code{white-space:nowrap}
.muted{color:var(--muted)}
.verdict{display:inline-block;font-weight:700;padding:4px 12px;border-radius:999px;font-size:16px;margin-right:8px}
.verdict.pass{background:var(--pass-bg);color:var(--pass)}.verdict.fail{background:var(--fail-bg);color:var(--fail)}
.st{font-weight:600;white-space:nowrap}.st.pass{color:var(--pass)}.st.fail{color:var(--fail)}.st.warn{color:var(--warn)}
table{border-collapse:collapse;margin:8px 0 16px;font-size:13px;display:block;overflow-x:auto;max-width:100%}
th,td{border:1px solid var(--border);padding:4px 8px;text-align:left;vertical-align:top}
th{background:var(--subtle);font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.nowrap{white-space:nowrap}
.tnum{font-variant-numeric:tabular-nums}
tr.fail td:first-child{box-shadow:inset 3px 0 var(--fail)}tr.warn td:first-child{box-shadow:inset 3px 0 var(--warn)}
tr.insufficient td{color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin:8px 0 16px}
figure{margin:0;border:1px solid var(--border);border-radius:8px;overflow:hidden;flex:1 1 520px;max-width:660px}
figure svg{display:block;width:100%;height:auto}
nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;margin:8px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
#notes li{margin:2px 0}
footer{margin-top:40px;color:var(--muted);font-size:12px}
`;

function checksTable(checks: CheckResult[], withSection: boolean, policyPath: string, anchors = false): string {
  if (checks.length === 0) return '<p class="muted">No checks in this section.</p>';
  return htmlBlocks([checksTableBlock(checks, { policyPath, section: withSection, anchors })]);
}

function factsList(items: Array<[string, string]>): string {
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function fingerprint(f: { path: string; sha256: string; bytes: number }): string {
  return `<code>${e(f.path)}</code> <span class="muted">sha256 <code title="${e(f.sha256)}">${e(shortSha(f.sha256))}</code> · ${e(formatBytes(f.bytes))}</span>`;
}

function fairnessAttribute(report: Report, attr: AttributeResult, charts: Chart[]): string {
  const checks = checksOfAttribute(report, attr);
  const suffix = chartSuffix(attr, report);
  const insufficient = attr.insufficientGroups.length
    ? `<p class="muted">Left out of the aggregates (fewer than ${e(formatCount(report.minGroupSize))} rows or a missing class): ${attr.insufficientGroups.map((k) => `<code>${e(k)}</code>`).join(', ')}.</p>`
    : '';
  return (
    `<h3 id="fairness-${e(suffix)}">${e(attr.name)}${attr.attributes.length > 1 ? ` <span class="muted">(${e(attr.attributes.join(' × '))})</span>` : ''}</h3>` +
    (checks.length ? checksTable(checks, false, report.policy.path) : '') +
    htmlBlocks([groupTableBlock(attr, report)]) +
    insufficient +
    htmlBlocks([{ k: 'charts', names: [`selection-rate-${suffix}`, `count-${suffix}`] }], { charts })
  );
}

/** The chart-name suffix of an attribute (as renderCharts names them). */
function chartSuffix(attr: AttributeResult, report: Report): string {
  return attributeChartNames(report)[report.fairness.indexOf(attr)] ?? 'attribute';
}

export interface HtmlOptions {
  /** Link back to the workflow run (job summary), shown in the header. */
  runUrl?: string;
}

export function renderHtml(report: Report, charts: Chart[], options: HtmlOptions = {}): string {
  const s = report.summary;
  const verdict = report.verdict === 'pass' ? 'PASS' : 'FAIL';
  const policyName = report.policy.name ?? report.policy.path;
  const byName = (prefix: string) => charts.filter((c) => c.name === prefix || c.name.startsWith(`${prefix}-`));
  const performanceCharts = ['roc', 'precision-recall', 'precision-threshold', 'ks'].flatMap((n) => charts.filter((c) => c.name === n));
  const robustnessCharts = [...byName('ks-adversarial'), ...byName('robustness-feature-changes')];
  const importanceCharts = ['feature-importance', 'permutation-importance'].flatMap((n) => charts.filter((c) => c.name === n));
  const placed = new Set([...performanceCharts, ...robustnessCharts, ...importanceCharts].map((c) => c.name));
  if (report.data !== undefined) for (const c of byName('drift')) placed.add(c.name); // issue #13: in the data section
  for (const attr of report.fairness) {
    const suffix = chartSuffix(attr, report);
    for (const c of charts) if (c.name === `selection-rate-${suffix}` || c.name === `count-${suffix}`) placed.add(c.name);
  }
  const otherCharts = charts.filter((c) => !placed.has(c.name));
  const breached = rankedBreaches(report.checks);
  const sections: CheckSection[] = ['data', 'performance', 'fairness', 'robustness', 'explainability', 'baseline'];
  const present = sections.filter(
    (sec) =>
      report.checks.some((c) => c.section === sec) ||
      (sec === 'performance') ||
      (sec === 'fairness' && report.fairness.length > 0) ||
      (sec === 'robustness' && report.robustness !== undefined) ||
      (sec === 'explainability' && report.explainability !== undefined) ||
      (sec === 'baseline' && report.baseline !== undefined) ||
      (sec === 'data' && report.data !== undefined),
  );

  const parts: string[] = [];
  parts.push(
    `<header><h1><span class="verdict ${report.verdict}">${verdict}</span>Model risk gate: ${e(policyName)}</h1>` +
      `<p>${e(plural(s.checks, 'check'))}: <span class="st pass">${e(formatCount(s.passed))} passed</span>, ` +
      `<span class="st fail">${e(formatCount(s.failed))} failed</span>, <span class="st warn">${e(formatCount(s.warned))} warned</span>` +
      `${s.insufficient ? ` (${e(formatCount(s.insufficient))} with insufficient data)` : ''}.` +
      `${options.runUrl ? ` <a href="${e(options.runUrl)}">Workflow run</a>` : ''}</p>` +
      htmlBlocks(policyChangesBlocks(report)) +
      factsList([
        ['Model', fingerprint(report.model)],
        ['Dataset', `${fingerprint(report.dataset)} · ${e(formatCount(report.dataset.rows))} rows, ${e(formatCount(report.dataset.positives))} positive (<code>${e(report.dataset.label)}</code> = <code>${e(report.dataset.positiveLabel)}</code>)${report.dataset.favourable?.outcome === 'negative' ? ` · favourable outcome <code>${e(report.dataset.favourable.label)}</code> (the negative class; fairness is measured on it)` : ''}`],
        ['Policy', fingerprint(report.policy)],
        ['Decision threshold', e(formatCompact(report.threshold))],
        ['Minimum group size', e(formatCount(report.minGroupSize))],
        ['Seed', e(String(report.seed))],
      ]) +
      `</header>`,
  );
  parts.push(
    `<nav><ul>${['breaches', 'checks', ...present, ...(otherCharts.length ? ['charts'] : []), 'run']
      .map((id) => `<li><a href="#${id}">${e(id === 'breaches' ? 'Breached thresholds' : id === 'checks' ? 'All checks' : id === 'run' ? 'Run details' : id === 'charts' ? 'Other charts' : SECTION_TITLES[id as CheckSection])}</a></li>`)
      .join('')}</ul></nav>`,
  );
  parts.push(
    `<section id="breaches"><h2>Breached thresholds</h2>${
      breached.length ? checksTable(breached, true, report.policy.path) : '<p>No threshold was breached.</p>'
    }</section>`,
  );
  const notes = notesSection(report);
  if (notes) parts.push(htmlSection(notes));
  parts.push(`<section id="checks"><h2>All checks</h2>${checksTable(rankedChecks(report.checks), true, report.policy.path, true)}</section>`);

  for (const sec of present) {
    const checks = report.checks.filter((c) => c.section === sec);
    let body = '';
    if (sec === 'performance') {
      body += checksTable(checks, false, report.policy.path);
      body += htmlBlocks(performanceBlocks(report), { charts });
    } else if (sec === 'fairness') {
      const unscoped = checks.filter((c) => !report.fairness.some((a) => a.name === c.scope));
      if (unscoped.length) body += checksTable(unscoped, false, report.policy.path);
      body += htmlBlocks(fairnessOverviewBlocks(report));
      for (const attr of report.fairness) body += fairnessAttribute(report, attr, charts);
    } else if (sec === 'robustness') {
      const rob = robustnessSection(report);
      body += checksTable(checks, false, report.policy.path) + (rob ? htmlBlocks(rob.blocks, { charts }) : '');
    } else if (sec === 'data') {
      body += checksTable(checks, false, report.policy.path) + renderDataHtml(report, charts);
    } else if (sec === 'explainability') {
      const ex = explainabilitySection(report);
      body += checksTable(checks, false, report.policy.path) + (ex ? htmlBlocks(ex.blocks, { charts }) : '');
    } else {
      const base = baselineSection(report);
      body += (base ? htmlBlocks(base.blocks, { charts }) : '') + checksTable(checks, false, report.policy.path);
    }
    parts.push(`<section id="${sec}"><h2>${e(SECTION_TITLES[sec])}</h2>${body}</section>`);
  }
  if (otherCharts.length) parts.push(`<section id="charts"><h2>Other charts</h2>${chartFigures(otherCharts)}</section>`);

  parts.push(`<section id="run"><h2>Run details</h2>${htmlBlocks(runSection(report).blocks)}</section>`);
  parts.push(`<footer>Generated by ${e(report.tool.name)} ${e(report.tool.version)} at ${e(report.createdAt)}. Self-contained: no scripts, no network requests.</footer>`);

  return (
    `<!doctype html>\n<html lang="en"><head><meta charset="utf-8">` +
    `<meta http-equiv="Content-Security-Policy" content="${HTML_CSP}">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1">` +
    `<meta name="color-scheme" content="light dark">` +
    `<meta name="referrer" content="no-referrer">` +
    `<title>${e(`${verdict}: ${policyName} — model risk gate`)}</title>` +
    `<style>${STYLE.trim()}</style></head>` +
    `<body><main>${parts.join('\n')}</main></body></html>\n`
  );
}
