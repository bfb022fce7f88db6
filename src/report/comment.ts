/**
 * The sticky pull-request comment: what a reviewer sees without clicking further. Verdict first, then the breached
 * checks (value, threshold, margin), the before/after table against the base branch's model, compact charts, then one
 * collapsible section per check section (robustness: the attack battery and the counterfactual test; explainability:
 * the ranked importance with sensitive attributes and proxies), then links to the job summary and the report artifact. A hidden marker (`<!-- model-risk-gate:<hash of the policy path> -->`)
 * identifies the comment of one policy so that later runs update it in place.
 *
 * GitHub rejects comment bodies over 65,536 characters. The body is built from sections ranked by importance and,
 * when too long, sections are dropped least important first (then the breached table is shortened), and the comment
 * says what was cut. Pure: Report in, markdown out; the section renderers are shared with the job summary.
 */
import { renderDataMarkdown } from './data-section.js';
import { createHash } from 'node:crypto';
import { isBreached, rankedBreaches } from './breaches.js';
import { escapeMarkdown } from './escape.js';
import { selectionRateName } from './favourable-words.js';
import { formatCount, plural } from './format.js';
import {
  details,
  renderBaseline,
  renderBreachedChecks,
  renderExplainability,
  renderFairnessAttribute,
  renderFairnessOverview,
  renderNotes,
  renderPerformance,
  renderProvenance,
  renderRobustness,
  renderVerdictHeader,
  safeUrl,
} from './markdown.js';
import { mermaidCharts } from './mermaid.js';
import { mdBlocks } from './doc/markdown.js';
import { em } from './doc/model.js';
import { checksTableBlock } from './sections/checks.js';
import { COMMENT_BASELINE_ROWS } from './section-views.js';
import type { CheckResult, CheckSection, Report } from './types.js';

/** GitHub's limit on an issue/PR comment body. */
export const GITHUB_COMMENT_MAX_CHARS = 65_536;

const MARKER_PREFIX = '<!-- model-risk-gate:';

/** Normalised policy path (forward slashes, no leading './'), so that one policy always maps to one comment. */
export function normalizePolicyPath(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '').replace(/\/{2,}/g, '/');
}

/** The hidden marker of the comment for one policy: `<!-- model-risk-gate:<first 16 hex of sha256(path)> -->`. */
export function commentMarker(policyPath: string): string {
  const hash = createHash('sha256').update(normalizePolicyPath(policyPath)).digest('hex').slice(0, 16);
  return `${MARKER_PREFIX}${hash} -->`;
}

/** True when a comment body was written by this tool for this marker (the marker opens the body). */
export function hasMarker(body: string | null | undefined, marker: string): boolean {
  return typeof body === 'string' && body.trimStart().startsWith(marker);
}

export interface CommentOptions {
  /** From commentMarker(policy path). */
  marker: string;
  /** The workflow run (its page shows the job summary). */
  runUrl?: string;
  /** The uploaded report artifact. */
  artifactUrl?: string;
  /** Body limit in characters (UTF-16 code units: never fewer than GitHub counts). Default 65,536. */
  maxChars?: number;
  /** Commit the report is about, shown in the footer. */
  sha?: string;
  /**
   * `https://github.com/OWNER/REPO/blob/<head sha>`: the policy lines of the breached checks link to the policy
   * file at the commit the report is about.
   */
  blobUrl?: string;
  /**
   * `comment-from` (workflow_run) only: the run that produced the report. Its conclusion is shown next to the report's
   * verdict, and a passing report from a run that did not succeed is never shown as a plain pass (issue #10).
   */
  triggeringRun?: { conclusion: string | null; url?: string };
}

/** The verdict header, with the producing run's conclusion when the report comes from another run's artifact. */
export function verdictHeaderWithRun(report: Report, run: CommentOptions['triggeringRun']): string {
  const header = renderVerdictHeader(report);
  if (!run) return header;
  const conclusion = typeof run.conclusion === 'string' && /^[a-z_]{1,40}$/.test(run.conclusion) ? run.conclusion : 'unknown';
  const runLink = run.url && /^https?:\/\/[^\s()<>]+$/.test(run.url) ? `[workflow run](${run.url})` : 'workflow run';
  const verdict = report.verdict === 'pass' ? 'passed' : 'failed';
  const line = `The report says **${verdict}**; the ${runLink} that produced it concluded **${escapeMarkdown(conclusion)}**.`;
  if (report.verdict === 'pass' && conclusion !== 'success') {
    const rest = header.replace(/^## [^\n]*/, '');
    return `## ⚠️ Model risk gate: not verified (the run that produced this report concluded ${escapeMarkdown(conclusion)})${rest}\n\n> [!WARNING]\n> ${line} A report from a run that did not succeed is not a pass; see the run.`;
  }
  return `${header}\n\n${line}`;
}

const SECTION_TITLES: Record<CheckSection, string> = {
  performance: 'Performance',
  fairness: 'Fairness',
  robustness: 'Robustness',
  explainability: 'Explainability',
  baseline: 'Baseline comparison',
  data: 'Data',
};

function sectionEmoji(checks: CheckResult[]): string {
  if (checks.some((c) => c.outcome === 'fail')) return '❌';
  if (checks.some((c) => c.outcome === 'warn')) return '⚠️';
  return '✅';
}

function sectionSummary(section: CheckSection, checks: CheckResult[]): string {
  const breached = checks.filter(isBreached).length;
  const count = checks.length
    ? `${plural(checks.length, 'check')}${breached ? `, ${formatCount(breached)} breached` : ', all passed'}`
    : 'no checks';
  return `${checks.length ? `${sectionEmoji(checks)} ` : ''}<b>${SECTION_TITLES[section]}</b> (${count})`;
}

/** Most rows in a section's table of checks (breaches first); the rest are counted. */
export const SECTION_MAX_ROWS = 100;

/** Table of a section's checks, worst first: status, check (its scope in words), value, threshold, margin. */
export function renderSectionChecks(checks: CheckResult[], policyPath = ''): string {
  if (checks.length === 0) return '';
  return mdBlocks([
    checksTableBlock(checks, {
      policyPath,
      scope: false,
      interval: false,
      maxRows: SECTION_MAX_ROWS,
      more: (n) => [em(`${plural(n, 'more check')} not shown; see the job summary.`)],
    }),
  ]);
}

/** Rows of the attack table in the comment (the job summary shows more, and the per-group tables). */
const COMMENT_ATTACK_ROWS = 16;
const COMMENT_IMPORTANCE_ROWS = 10;
/** Rows of the drift table in the comment (drifted columns first). */
const COMMENT_DATA_ROWS = 15;

function robustnessBody(report: Report, checks: CheckResult[]): string {
  const parts = [renderSectionChecks(checks, report.policy.path), renderRobustness(report, { heading: false, details: false, maxRows: COMMENT_ATTACK_ROWS })];
  return parts.filter((p) => p !== '').join('\n\n');
}

function explainabilityBody(report: Report, checks: CheckResult[]): string {
  const parts = [renderSectionChecks(checks, report.policy.path), renderExplainability(report, { heading: false, maxRows: COMMENT_IMPORTANCE_ROWS })];
  return parts.filter((p) => p !== '').join('\n\n');
}

/** Most charts in the open block of the breaches; the others join the collapsed block. */
export const COMMENT_BREACH_CHARTS = 4;

/** Charts about what breached (shown open), and the other compact charts (collapsed). */
function chartBlocks(report: Report): { breached: string[]; other: string[] } {
  const breachedAttrs = new Set(report.checks.filter((c) => c.section === 'fairness' && isBreached(c)).map((c) => c.scope));
  const perfBreached = report.checks.some((c) => c.section === 'performance' && isBreached(c));
  const out = { breached: [] as string[], other: [] as string[] };
  for (const c of mermaidCharts(report)) {
    const hot = c.name === 'roc' ? perfBreached : c.attribute !== undefined && breachedAttrs.has(c.attribute);
    (hot ? out.breached : out.other).push(c.caption ? `${c.block}\n\n${c.caption}` : c.block);
  }
  // Each chart is about 1.5 KB: past a few, the breach charts go with the other charts (trimmed early), so that many
  // breached attributes do not crowd the group tables out of the comment.
  if (out.breached.length > COMMENT_BREACH_CHARTS) out.other.unshift(...out.breached.splice(COMMENT_BREACH_CHARTS));
  return out;
}

function footer(report: Report, opts: CommentOptions): string {
  const links: string[] = [];
  const run = safeUrl(opts.runUrl);
  const artifact = safeUrl(opts.artifactUrl);
  if (run) links.push(`📋 [Job summary](${run})`);
  if (artifact) links.push(`📦 [Report artifact](${artifact}) (HTML report with every chart, JSON, SARIF, SVG charts)`);
  const meta = [
    `${escapeMarkdown(report.tool.name)} ${escapeMarkdown(report.tool.version)}`,
    opts.sha ? `commit ${escapeMarkdown(opts.sha.slice(0, 12))}` : '',
    `seed ${escapeMarkdown(String(report.seed))}`,
    escapeMarkdown(report.createdAt),
  ].filter((x) => x !== '');
  return `${links.length ? `${links.join(' · ')}\n\n` : ''}<sub>${meta.join(' · ')}</sub>`;
}

/** A droppable piece of the comment, least important first (the order in which trimming removes them). */
interface Droppable {
  key: string;
  /** What the trimming notice calls it. */
  label: string;
}

function dropOrder(report: Report): Droppable[] {
  const breachedIn = (s: CheckSection) => report.checks.some((c) => c.section === s && isBreached(c));
  const attrBreached = (name: string) => report.checks.some((c) => c.section === 'fairness' && c.scope === name && isBreached(c));
  const order: Array<Droppable & { weight: number }> = [
    { key: 'provenance', label: 'run details', weight: 10 },
    { key: 'notes', label: 'notes', weight: 15 },
    { key: 'charts-other', label: 'other charts', weight: 18 },
    // "Is it worse than the base branch?" is what reviewers ask first: the before/after table goes late.
    { key: 'baseline', label: 'before/after table of the base model', weight: breachedIn('baseline') ? 58 : 47 },
    { key: 'explainability', label: 'explainability details', weight: breachedIn('explainability') ? 44 : 31 },
    { key: 'robustness', label: 'robustness details', weight: breachedIn('robustness') ? 45 : 32 },
    { key: 'performance-metrics', label: 'table of performance metrics', weight: 36 },
    { key: 'data', label: 'data checks', weight: breachedIn('data') ? 53 : 37 },
    { key: 'performance', label: 'performance checks', weight: breachedIn('performance') ? 52 : 38 },
    { key: 'fairness-checks', label: 'fairness checks', weight: breachedIn('fairness') ? 54 : 39 },
    { key: 'fairness', label: 'fairness overview', weight: breachedIn('fairness') ? 56 : 41 },
    { key: 'charts-breached', label: 'charts of the breaches', weight: 60 },
  ];
  report.fairness.forEach((attr, i) =>
    order.push({ key: `groups-${i}`, label: `group table of ${attr.name}`, weight: (attrBreached(attr.name) ? 42 : 25) - i * 0.01 }),
  );
  return order.sort((a, b) => a.weight - b.weight).map(({ key, label }) => ({ key, label }));
}

/** The comment without the parts in `dropped`; `breachedRows` caps the breached table. */
type Memo = (key: string, make: () => string) => string;

function memoizer(): Memo {
  const cache = new Map<string, string>();
  return (key, make) => {
    let v = cache.get(key);
    if (v === undefined) {
      v = make();
      cache.set(key, v);
    }
    return v;
  };
}

function compose(
  report: Report,
  opts: CommentOptions,
  dropped: ReadonlySet<string>,
  memo: Memo,
  breachedRows?: number,
  notice?: string,
): string {
  const has = (key: string) => !dropped.has(key);
  const parts: string[] = [opts.marker, verdictHeaderWithRun(report, opts.triggeringRun)];
  const breached = memo(`breached-${breachedRows ?? 'all'}`, () =>
    renderBreachedChecks(report, { ...(breachedRows !== undefined ? { maxRows: breachedRows } : {}), ...(opts.blobUrl ? { blobUrl: opts.blobUrl } : {}) }),
  );
  parts.push(breached || '**No threshold was breached.**');
  if (has('baseline') && report.baseline !== undefined) {
    const table = memo('baseline', () => renderBaseline(report, { maxRows: COMMENT_BASELINE_ROWS }));
    if (table) parts.push(table);
  }

  const charts = JSON.parse(memo('charts', () => JSON.stringify(chartBlocks(report)))) as ReturnType<typeof chartBlocks>;
  if (has('charts-breached') && charts.breached.length) parts.push(details('📈 <b>Charts of the breaches</b>', charts.breached.join('\n\n'), true));
  if (has('charts-other') && charts.other.length)
    parts.push(details(`📈 <b>${charts.breached.length ? 'More charts' : 'Charts'}</b> (ROC curve, ${escapeMarkdown(selectionRateName(report).toLowerCase(), { maxLength: 80 })} by group)`, charts.other.join('\n\n'), false));

  const bySection = (s: CheckSection) => report.checks.filter((c) => c.section === s);
  const dataChecks = bySection('data'); // issue #13: the data checks come before the model's
  if (has('data') && (dataChecks.length || report.data !== undefined))
    parts.push(details(sectionSummary('data', dataChecks), memo('data', () => [renderSectionChecks(dataChecks, report.policy.path), renderDataMarkdown(report, { heading: false, maxRows: COMMENT_DATA_ROWS })].filter(Boolean).join('\n\n')) || '_No data checks._', false));
  const perf = bySection('performance');
  if (has('performance')) {
    const body = [memo('perf-checks', () => renderSectionChecks(perf, report.policy.path)), has('performance-metrics') ? memo('perf-metrics', () => renderPerformance(report)) : '']
      .filter(Boolean)
      .join('\n\n');
    parts.push(details(sectionSummary('performance', perf), body || '_No performance checks._', false));
  }
  const fair = bySection('fairness');
  if (has('fairness') && (report.fairness.length > 0 || fair.length > 0)) {
    const body = [
      has('fairness-checks') ? memo('fair-checks', () => renderSectionChecks(fair, report.policy.path)) : '',
      memo('fair-overview', () => renderFairnessOverview(report).replace(/^### Fairness\n\n/, '')),
      ...report.fairness.map((attr, i) => (has(`groups-${i}`) ? memo(`groups-${i}`, () => renderFairnessAttribute(attr, report)) : '')),
    ].filter(Boolean);
    parts.push(details(sectionSummary('fairness', fair), body.join('\n\n'), false));
  }
  const robust = bySection('robustness');
  if (has('robustness') && (robust.length || report.robustness !== undefined))
    parts.push(details(sectionSummary('robustness', robust), memo('robust', () => robustnessBody(report, robust)) || '_No robustness checks._', false));
  const explain = bySection('explainability');
  if (has('explainability') && (explain.length || report.explainability !== undefined))
    parts.push(details(sectionSummary('explainability', explain), memo('explain', () => explainabilityBody(report, explain)) || '_No explainability checks._', false));
  const baseline = bySection('baseline');
  // Baseline checks without a before/after table (a report written before the table existed) keep their own block.
  if (has('baseline') && baseline.length && report.baseline === undefined)
    parts.push(details(sectionSummary('baseline', baseline), renderSectionChecks(baseline, report.policy.path), false));
  const notes = memo('notes', () => renderNotes(report, { heading: false }));
  if (has('notes') && notes) parts.push(details('<b>Notes</b>', notes, false));
  if (has('provenance'))
    parts.push(details('<b>Run details</b> (model, data and policy fingerprints)', memo('provenance', () => renderProvenance(report).replace(/^### Run\n\n/, '')), false));
  if (notice) parts.push(notice);
  parts.push(memo('footer', () => footer(report, opts)));
  return `${parts.join('\n\n')}\n`;
}

const GROUP_TABLE = 'group table of ';

/** What was cut, in words; many group tables are summarised as a count so the notice stays short. */
function describeCut(cut: string[], shortened: boolean): string[] {
  const tables = cut.filter((c) => c.startsWith(GROUP_TABLE));
  const what = tables.length > 3 ? cut.filter((c) => !c.startsWith(GROUP_TABLE)) : [...cut];
  if (tables.length > 3) what.push(`the group tables of ${formatCount(tables.length)} attributes`);
  if (shortened) what.push('rows of the breached-checks table');
  return what;
}

function trimNotice(cut: string[], shortened: boolean, maxChars: number): string {
  const what = describeCut(cut, shortened);
  return `> [!NOTE]\n> Trimmed to fit GitHub's ${formatCount(maxChars)}-character comment limit; left out: ${escapeMarkdown(what.join(', '), { maxLength: 2000 })}. The job summary and the report artifact have everything.`;
}

/**
 * The comment body for a report, at most `maxChars` characters. Sections are dropped least important first until it
 * fits; then the breached table is shortened; as a last resort the text is cut. Whatever was cut is named.
 */
export function renderComment(report: Report, opts: CommentOptions): string {
  const maxChars = opts.maxChars ?? GITHUB_COMMENT_MAX_CHARS;
  const memo = memoizer();
  let body = compose(report, opts, new Set(), memo);
  if (body.length <= maxChars) return body;

  const dropped = new Set<string>();
  const cut: string[] = [];
  for (const piece of dropOrder(report)) {
    const before = compose(report, opts, dropped, memo);
    dropped.add(piece.key);
    // Name only what was really there (a report without a baseline has no baseline section to cut).
    if (compose(report, opts, dropped, memo) !== before) cut.push(piece.label);
    body = compose(report, opts, dropped, memo, undefined, trimNotice(cut, false, maxChars));
    if (body.length <= maxChars) return body;
  }
  // Only the verdict, the breached table and the links are left: shorten the breached table.
  const breachedCount = rankedBreaches(report.checks).length;
  const candidates = [200, 100, 50, 20, 10, 5, 1].filter((r) => r < breachedCount);
  for (const rows of candidates) {
    body = compose(report, opts, dropped, memo, rows, trimNotice(cut, true, maxChars));
    if (body.length <= maxChars) return body;
  }
  // Even one row does not fit (names are capped, so only a tiny maxChars gets here): cut the text.
  const notice = '\n\n_Comment cut to fit the size limit; see the job summary._\n';
  return `${body.slice(0, Math.max(0, maxChars - notice.length))}${notice}`.slice(0, maxChars);
}
