/**
 * The HTML report: ONE self-contained file (inline CSS and SVG; no scripts, no external resources, no network
 * requests) with every table of the Report and every chart. A Content-Security-Policy meta tag forbids everything but
 * inline styles and data: images, so even a hostile group name cannot load or run anything. Light and dark themes
 * follow the reader's system preference. Pure: Report + charts in, HTML text out.
 */
import type { AttributeResult, GroupResult, MetricName, MetricValues } from '../metrics/types.js';
import { rankedBreaches, rankedChecks } from './breaches.js';
import { attributeChartNames, type Chart } from './charts/index.js';
import { permutationImportance, shapImportance } from './charts/sections.js';
import { escapeHtml } from './escape.js';
import {
  formatBytes,
  formatCompact,
  formatCount,
  formatDuration,
  formatInterval,
  formatMetric,
  formatPercent,
  formatSigned,
  formatThreshold,
  formatValue,
  plural,
  shortSha,
} from './format.js';
import type { CheckResult, CheckSection, Report } from './types.js';

export const HTML_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const SECTION_TITLES: Record<CheckSection, string> = {
  performance: 'Performance',
  fairness: 'Fairness',
  robustness: 'Robustness',
  explainability: 'Explainability',
  baseline: 'Baseline comparison',
};

const METRIC_LABELS: Partial<Record<MetricName, string>> = {
  count: 'Rows',
  base_rate: 'Base rate',
  selection_rate: 'Selection rate',
  accuracy: 'Accuracy',
  balanced_accuracy: 'Balanced accuracy',
  precision: 'Precision',
  recall: 'Recall',
  f1: 'F1',
  true_positive_rate: 'TPR',
  false_positive_rate: 'FPR',
  true_negative_rate: 'TNR',
  false_negative_rate: 'FNR',
  mean_score: 'Mean score',
  roc_auc: 'ROC AUC',
  average_precision: 'Average precision',
  brier: 'Brier score',
  log_loss: 'Log loss',
  ks: 'KS statistic',
};

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
tr.fail td:first-child{box-shadow:inset 3px 0 var(--fail)}tr.warn td:first-child{box-shadow:inset 3px 0 var(--warn)}
tr.insufficient td{color:var(--muted)}
.charts{display:flex;flex-wrap:wrap;gap:16px;margin:8px 0 16px}
figure{margin:0;border:1px solid var(--border);border-radius:8px;overflow:hidden;flex:1 1 520px;max-width:660px}
figure svg{display:block;width:100%;height:auto}
nav ul{display:flex;flex-wrap:wrap;gap:4px 16px;list-style:none;padding:0;margin:8px 0}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:8px 0}dl.facts dt{color:var(--muted)}dl.facts dd{margin:0}
ul.notes li{margin:2px 0}
footer{margin-top:40px;color:var(--muted);font-size:12px}
`;

function statusLabel(c: CheckResult): string {
  if (c.status === 'insufficient') return 'insufficient data';
  if (c.outcome === 'warn') return 'warning';
  return c.outcome === 'pass' ? 'pass' : 'fail';
}

function statusCell(c: CheckResult): string {
  const cls = c.outcome === 'pass' ? 'pass' : c.outcome === 'fail' ? 'fail' : 'warn';
  const icon = c.outcome === 'pass' ? '✔' : c.outcome === 'fail' ? '✖' : '▲';
  return `<td><span class="st ${cls}">${icon} ${e(statusLabel(c))}</span></td>`;
}

function rowClass(c: CheckResult): string {
  return c.status === 'insufficient' ? 'insufficient' : c.outcome;
}

function table(head: string[], rows: string[], numeric: boolean[] = []): string {
  const th = head.map((h, i) => `<th${numeric[i] ? ' class="num"' : ''}>${h}</th>`).join('');
  return `<table><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function num(v: string): string {
  return `<td class="num">${e(v)}</td>`;
}

/** Title of a check, with its scope when the title does not already name it. */
export function checkTitle(c: CheckResult): string {
  return c.scope !== undefined && !c.title.includes(c.scope) ? `${c.title} (${c.scope})` : c.title;
}

function checkRow(c: CheckResult, withSection: boolean, withInterval: boolean): string {
  const cells = [
    statusCell(c),
    `<td>${e(checkTitle(c))}</td>`,
    ...(withSection ? [`<td>${e(SECTION_TITLES[c.section] ?? c.section)}</td>`] : []),
    num(formatValue(c.value)),
    ...(withInterval ? [`<td class="num">${e(c.interval ? formatInterval(c.interval) : '')}</td>`] : []),
    num(formatThreshold(c.threshold)),
    num(formatSigned(c.margin)),
    `<td><code>${e(`${c.location.file}:${c.location.line}`)}</code></td>`,
    `<td>${e(c.message)}</td>`,
  ];
  return `<tr class="${rowClass(c)}" id="check-${e(c.id.replace(/[^A-Za-z0-9_-]/g, '-'))}">${cells.join('')}</tr>`;
}

function checksTable(checks: CheckResult[], withSection: boolean): string {
  if (checks.length === 0) return '<p class="muted">No checks in this section.</p>';
  const withInterval = checks.some((c) => c.interval !== undefined);
  const head = ['Status', 'Check', ...(withSection ? ['Section'] : []), 'Value', ...(withInterval ? ['Interval'] : []), 'Threshold', 'Margin', 'Policy line', 'Message'];
  return table(
    head,
    checks.map((c) => checkRow(c, withSection, withInterval)),
    head.map((h) => ['Value', 'Interval', 'Threshold', 'Margin'].includes(h)),
  );
}

function chartFigures(charts: Chart[]): string {
  if (charts.length === 0) return '';
  return `<div class="charts">${charts
    .map((c) => `<figure id="chart-${e(c.name)}" data-chart="${e(c.name)}">${c.svg}</figure>`)
    .join('')}</div>`;
}

function factsList(items: Array<[string, string]>): string {
  return `<dl class="facts">${items.map(([k, v]) => `<dt>${e(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

function fingerprint(f: { path: string; sha256: string; bytes: number }): string {
  return `<code>${e(f.path)}</code> <span class="muted">sha256 <code title="${e(f.sha256)}">${e(shortSha(f.sha256))}</code> · ${e(formatBytes(f.bytes))}</span>`;
}

const PERFORMANCE_METRICS: MetricName[] = [
  'roc_auc',
  'average_precision',
  'ks',
  'accuracy',
  'balanced_accuracy',
  'precision',
  'recall',
  'f1',
  'true_positive_rate',
  'false_positive_rate',
  'true_negative_rate',
  'false_negative_rate',
  'selection_rate',
  'base_rate',
  'brier',
  'log_loss',
  'mean_score',
];

function metricsTable(values: MetricValues): string {
  const rows = PERFORMANCE_METRICS.filter((m) => values[m] !== undefined).map(
    (m) => `<tr><td>${e(METRIC_LABELS[m] ?? m)} <span class="muted"><code>${e(m)}</code></span></td>${num(formatMetric(m, values[m]))}</tr>`,
  );
  return table(['Metric', 'Value'], rows, [false, true]);
}

function confusionTable(report: Report): string {
  const c = report.performance.confusion;
  return table(
    ['', 'Predicted negative', 'Predicted positive'],
    [
      `<tr><th>Actual negative</th>${num(formatCount(c.tn))}${num(formatCount(c.fp))}</tr>`,
      `<tr><th>Actual positive</th>${num(formatCount(c.fn))}${num(formatCount(c.tp))}</tr>`,
    ],
    [false, true, true],
  );
}

const GROUP_METRICS: MetricName[] = [
  'base_rate',
  'selection_rate',
  'true_positive_rate',
  'false_positive_rate',
  'precision',
  'recall',
  'accuracy',
  'f1',
];

function groupRow(g: GroupResult, metrics: MetricName[]): string {
  const cls = g.sufficient ? '' : ' class="insufficient"';
  const cells = [
    `<td>${e(g.key)}</td>`,
    num(formatCount(g.count)),
    ...metrics.map((m) => num(formatMetric(m, g.metrics[m]))),
    `<td>${g.sufficient ? 'yes' : `no <span class="muted">(${e(g.insufficientReason ?? 'too few rows')})</span>`}</td>`,
  ];
  return `<tr${cls}>${cells.join('')}</tr>`;
}

function fairnessAttribute(report: Report, attr: AttributeResult, charts: Chart[]): string {
  const metrics = GROUP_METRICS.filter((m) => attr.groups.some((g) => g.metrics[m] !== undefined));
  const head = ['Group', 'Rows', ...metrics.map((m) => e(METRIC_LABELS[m] ?? m)), 'Used in aggregates'];
  const overall = `<tr><th>overall</th>${num(formatCount(attr.overall.count ?? report.dataset.rows))}${metrics.map((m) => num(formatMetric(m, attr.overall[m]))).join('')}<td></td></tr>`;
  const groups = table(head, [...attr.groups.map((g) => groupRow(g, metrics)), overall], head.map((_, i) => i > 0 && i <= metrics.length + 1));
  const f = attr.fairlearn;
  const summaryRows = (
    [
      ['Demographic parity difference', f.demographic_parity_difference],
      ['Demographic parity ratio', f.demographic_parity_ratio],
      ['Equalized odds difference', f.equalized_odds_difference],
      ['Equalized odds ratio', f.equalized_odds_ratio],
      ['Equal opportunity difference', f.equal_opportunity_difference],
      ['Equal opportunity ratio', f.equal_opportunity_ratio],
    ] as Array<[string, number | null]>
  ).map(([k, v]) => `<tr><td>${e(k)}</td>${num(formatValue(v))}</tr>`);
  const checks = report.checks.filter((c) => c.section === 'fairness' && c.scope === attr.name);
  const suffix = chartSuffix(attr, report);
  const mine = charts.filter((c) => c.name === `selection-rate-${suffix}` || c.name === `count-${suffix}`);
  const insufficient = attr.insufficientGroups.length
    ? `<p class="muted">Left out of the aggregates (fewer than ${e(formatCount(report.minGroupSize))} rows or a missing class): ${attr.insufficientGroups.map((k) => `<code>${e(k)}</code>`).join(', ')}.</p>`
    : '';
  return (
    `<h3 id="fairness-${e(chartSuffix(attr, report))}">${e(attr.name)}${attr.attributes.length > 1 ? ` <span class="muted">(${e(attr.attributes.join(' × '))})</span>` : ''}</h3>` +
    (checks.length ? checksTable(checks, false) : '') +
    groups +
    insufficient +
    `<details><summary>Fairness summary (fairlearn definitions, between groups)</summary>${table(['Metric', 'Value'], summaryRows, [false, true])}</details>` +
    chartFigures(mine)
  );
}

/** The chart-name suffix of an attribute (as renderCharts names them). */
function chartSuffix(attr: AttributeResult, report: Report): string {
  return attributeChartNames(report)[report.fairness.indexOf(attr)] ?? 'attribute';
}

function sensitiveNames(report: Report): Set<string> {
  const names = new Set<string>();
  for (const a of report.fairness) for (const x of a.attributes) names.add(x);
  return names;
}

function importanceTables(report: Report): string {
  const names = sensitiveNames(report);
  let out = '';
  const shap = shapImportance(report.explainability, names);
  if (shap) {
    const rows = shap.features.map((f, i) => {
      const tags = [f.sensitive ? '<span class="st warn">sensitive</span>' : '', f.proxyOf.length ? `<span class="st warn">proxy of ${e(f.proxyOf.join(', '))}</span>` : '']
        .filter(Boolean)
        .join(' ');
      return `<tr><td class="num">${i + 1}</td><td>${e(f.feature)}${tags ? ` ${tags}` : ''}</td>${num(formatValue(f.importance))}${num(f.share !== undefined ? formatPercent(f.share) : '')}</tr>`;
    });
    out += `<h3>Global importance <span class="muted">(${e(shap.measure)})</span></h3>${table(['Rank', 'Feature', 'Mean |SHAP|', 'Share'], rows, [true, false, true, true])}`;
  }
  const perm = permutationImportance(report.explainability, names);
  if (perm) {
    const rows = perm.features.map(
      (f, i) =>
        `<tr><td class="num">${i + 1}</td><td>${e(f.feature)}${f.sensitive ? ' <span class="st warn">sensitive</span>' : ''}</td>${num(formatValue(f.importance))}${num(
          f.spread !== undefined ? formatValue(f.spread) : '',
        )}</tr>`,
    );
    out += `<h3>${e(perm.measure.replace(/^p/, 'P'))}</h3>${table(['Rank', 'Feature', 'Mean', 'Std over repeats'], rows, [true, false, true, true])}`;
  }
  return out;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Per attack and budget: success rate, accuracy drop, flip rate, KS; then the counterfactual test per attribute. */
function robustnessTables(report: Report): string {
  const r = report.robustness;
  if (!isObj(r)) return '';
  let out = '';
  const attackRows: string[] = [];
  for (const a of Array.isArray(r.attacks) ? r.attacks : []) {
    if (!isObj(a)) continue;
    const budgets = Array.isArray(a.budgets) ? a.budgets.filter(isObj) : [];
    for (const b of budgets) {
      const ks = isObj(b.ks) ? numOrNull(b.ks.statistic) : null;
      attackRows.push(
        `<tr><td>${e(a.title ?? a.key)}</td>${num(formatValue(numOrNull(b.budget), 3))}${num(formatCount(numOrNull(b.rows)))}${num(formatValue(numOrNull(b.successRate)))}` +
          `${num(formatValue(numOrNull(b.accuracyDrop)))}${num(formatValue(numOrNull(b.flipRate)))}${num(formatValue(numOrNull(b.meanAbsScoreChange)))}${num(formatValue(ks))}</tr>`,
      );
    }
  }
  if (attackRows.length) {
    out += `<h3>Attacks <span class="muted">(perturbations in ${e(typeof r.units === 'string' ? r.units : 'std')} units)</span></h3>`;
    out += table(
      ['Attack', 'Budget', 'Rows', 'Success rate', 'Accuracy drop', 'Flip rate', 'Mean |Δscore|', 'KS original vs adversarial'],
      attackRows,
      [false, true, true, true, true, true, true, true],
    );
  }
  const cfRows: string[] = [];
  for (const c of Array.isArray(r.counterfactual) ? r.counterfactual : []) {
    if (!isObj(c)) continue;
    cfRows.push(
      `<tr><td>${e(c.attribute)}</td><td>${e(c.method)}</td>${num(formatCount(numOrNull(c.rows)))}${num(formatValue(numOrNull(c.flipRate)))}${num(formatValue(numOrNull(c.meanAbsScoreChange)))}${num(
        formatValue(numOrNull(c.maxAbsScoreChange)),
      )}</tr>`,
    );
  }
  if (cfRows.length) {
    out += '<h3>Counterfactual test <span class="muted">(only the sensitive attribute changed)</span></h3>';
    out += table(['Attribute', 'Method', 'Rows', 'Flip rate', 'Mean |Δscore|', 'Max |Δscore|'], cfRows, [false, false, true, true, true, true]);
  }
  return out;
}

function listNotes(notes: string[]): string {
  if (notes.length === 0) return '';
  return `<ul class="notes">${notes.map((n) => `<li>${e(n)}</li>`).join('')}</ul>`;
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
  const robustnessCharts = byName('ks-adversarial');
  const importanceCharts = ['feature-importance', 'permutation-importance'].flatMap((n) => charts.filter((c) => c.name === n));
  const placed = new Set([...performanceCharts, ...robustnessCharts, ...importanceCharts].map((c) => c.name));
  for (const attr of report.fairness) {
    const suffix = chartSuffix(attr, report);
    for (const c of charts) if (c.name === `selection-rate-${suffix}` || c.name === `count-${suffix}`) placed.add(c.name);
  }
  const otherCharts = charts.filter((c) => !placed.has(c.name));
  const breached = rankedBreaches(report.checks);
  const sections: CheckSection[] = ['performance', 'fairness', 'robustness', 'explainability', 'baseline'];
  const present = sections.filter(
    (sec) =>
      report.checks.some((c) => c.section === sec) ||
      (sec === 'performance') ||
      (sec === 'fairness' && report.fairness.length > 0) ||
      (sec === 'robustness' && report.robustness !== undefined) ||
      (sec === 'explainability' && report.explainability !== undefined) ||
      (sec === 'baseline' && report.baseline !== undefined),
  );

  const parts: string[] = [];
  parts.push(
    `<header><h1><span class="verdict ${report.verdict}">${verdict}</span>Model risk gate: ${e(policyName)}</h1>` +
      `<p>${e(plural(s.checks, 'check'))}: <span class="st pass">${e(formatCount(s.passed))} passed</span>, ` +
      `<span class="st fail">${e(formatCount(s.failed))} failed</span>, <span class="st warn">${e(formatCount(s.warned))} warned</span>` +
      `${s.insufficient ? ` (${e(formatCount(s.insufficient))} with insufficient data)` : ''}.` +
      `${options.runUrl ? ` <a href="${e(options.runUrl)}">Workflow run</a>` : ''}</p>` +
      factsList([
        ['Model', fingerprint(report.model)],
        ['Dataset', `${fingerprint(report.dataset)} · ${e(formatCount(report.dataset.rows))} rows, ${e(formatCount(report.dataset.positives))} positive (<code>${e(report.dataset.label)}</code> = <code>${e(report.dataset.positiveLabel)}</code>)`],
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
      breached.length ? checksTable(breached, true) : '<p>No threshold was breached.</p>'
    }</section>`,
  );
  if (report.notes.length) parts.push(`<section id="notes"><h2>Notes</h2>${listNotes(report.notes)}</section>`);
  parts.push(`<section id="checks"><h2>All checks</h2>${checksTable(rankedChecks(report.checks), true)}</section>`);

  for (const sec of present) {
    const checks = report.checks.filter((c) => c.section === sec);
    let body = '';
    if (sec === 'performance') {
      body += checksTable(checks, false);
      body += `<div class="charts"><div><h3>Metrics</h3>${metricsTable(report.performance.metrics)}</div><div><h3>Confusion matrix <span class="muted">(threshold ${e(formatCompact(report.threshold))})</span></h3>${confusionTable(report)}</div></div>`;
      body += chartFigures(performanceCharts);
    } else if (sec === 'fairness') {
      const unscoped = checks.filter((c) => !report.fairness.some((a) => a.name === c.scope));
      if (unscoped.length) body += checksTable(unscoped, false);
      for (const attr of report.fairness) body += fairnessAttribute(report, attr, charts);
    } else if (sec === 'robustness') {
      body += checksTable(checks, false) + robustnessTables(report) + chartFigures(robustnessCharts);
    } else if (sec === 'explainability') {
      body += checksTable(checks, false) + importanceTables(report) + chartFigures(importanceCharts);
    } else {
      body += checksTable(checks, false);
    }
    parts.push(`<section id="${sec}"><h2>${e(SECTION_TITLES[sec])}</h2>${body}</section>`);
  }
  if (otherCharts.length) parts.push(`<section id="charts"><h2>Other charts</h2>${chartFigures(otherCharts)}</section>`);

  const info = report.model.info;
  const io = (xs: Array<{ name: string; type: string; shape: Array<number | string | null> }>) =>
    xs.map((x) => `<code>${e(x.name)}</code> ${e(x.type)} [${e(x.shape.map((d) => (d === null ? '?' : String(d))).join(', '))}]`).join('<br>');
  parts.push(
    `<section id="run"><h2>Run details</h2>` +
      factsList([
        ['Tool', e(`${report.tool.name} ${report.tool.version}`)],
        ['Created', e(report.createdAt)],
        ['Report schema', e(String(report.schemaVersion))],
        ['Runtime', e(`${info.runtime} ${info.runtimeVersion}`)],
        ['Model producer', e(info.producer)],
        ['Score output', `<code>${e(info.scoreOutput)}</code> (${e(info.outputKind)}, positive index ${e(String(info.positiveIndex))})${info.zipMapBypassed ? ' · ZipMap bypassed' : ''}`],
        ['Model inputs', io(info.inputs)],
        ['Model outputs', io(info.outputs)],
        ['Timings', e(Object.entries(report.timings).map(([k, v]) => `${k} ${formatDuration(v)}`).join(' · '))],
      ]) +
      listNotes(info.notes) +
      `</section>`,
  );
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
