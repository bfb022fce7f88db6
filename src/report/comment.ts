/**
 * The sticky pull-request comment: what a reviewer sees without clicking further. Verdict first, then the breached
 * checks (value, threshold, margin), the before/after table against the base branch's model, compact charts, then one
 * collapsible section per check section (robustness: the attack battery and the counterfactual test; explainability:
 * the ranked importance with sensitive attributes and proxies), then links to the job summary and the report artifact. A hidden marker (`<!-- model-risk-gate:<hash of the policy path> -->`)
 * identifies the comment of one policy so that later runs update it in place.
 *
 * GitHub rejects comment bodies over 65,536 characters. The body is a document (doc/model.ts) whose droppable pieces
 * are `part` blocks with a weight; when too long, parts are dropped lightest first (then the breached table is
 * shortened), and the comment says what was cut. Pure: Report in, markdown out; the sections are the job summary's.
 */
import { createHash } from 'node:crypto';
import { isBreached, rankedBreaches } from './breaches.js';
import { escapeMarkdown } from './escape.js';
import { selectionRateName } from './favourable-words.js';
import { formatCount, plural } from './format.js';
import { renderVerdictHeader, safeUrl } from './markdown.js';
import { mermaidCharts } from './mermaid.js';
import { mdBlocks } from './doc/markdown.js';
import { em, findPart, para, strong, text, withoutParts, type Block, type Inline } from './doc/model.js';
import { dataSection } from './data-section.js';
import { baselineSection } from './sections/baseline.js';
import { explainabilitySection } from './sections/explainability.js';
import { notesSection } from './sections/notes.js';
import { robustnessSection } from './sections/robustness.js';
import { performanceBlocks } from './sections/performance.js';
import { runSection } from './sections/run.js';
import { breachedBlocks } from './sections/breached.js';
import { breachChartsBlock, chartNames, otherChartsBlock } from './sections/charts.js';
import { checksOfAttribute, fairnessOverviewBlocks, groupTableBlock, groupTableSummary } from './sections/fairness.js';
import { checksTableBlock, SECTION_TITLES } from './sections/checks.js';
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

function sectionEmoji(checks: CheckResult[]): string {
  if (checks.some((c) => c.outcome === 'fail')) return '❌';
  if (checks.some((c) => c.outcome === 'warn')) return '⚠️';
  return '✅';
}

function sectionSummary(section: CheckSection, checks: CheckResult[]): Inline[] {
  const breached = checks.filter(isBreached).length;
  const count = checks.length
    ? `${plural(checks.length, 'check')}${breached ? `, ${formatCount(breached)} breached` : ', all passed'}`
    : 'no checks';
  return [checks.length ? `${sectionEmoji(checks)} ` : '', strong(SECTION_TITLES[section]), ` (${count})`];
}

/** Most rows in a section's table of checks (breaches first); the rest are counted. */
export const SECTION_MAX_ROWS = 100;

/** Rows of the attack table in the comment (the job summary shows more, and the per-group tables). */
const COMMENT_ATTACK_ROWS = 16;
const COMMENT_IMPORTANCE_ROWS = 10;
/** Rows of the drift table in the comment (drifted columns first). */
const COMMENT_DATA_ROWS = 15;

/** Most charts in the open block of the breaches; the others join the collapsed block. */
export const COMMENT_BREACH_CHARTS = 4;

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

const raw = (markdown: string): Block => ({ k: 'raw', markdown });
const part = (id: string, label: string, blocks: Block[], maxRows?: number): Block => ({ k: 'part', id, label, blocks, ...(maxRows !== undefined ? { maxRows } : {}) });

/** The section's checks table, when it has checks (its own cap of rows, whatever the part's). */
function checksBlocks(checks: CheckResult[], report: Report): Block[] {
  if (checks.length === 0) return [];
  const table = checksTableBlock(checks, {
    policyPath: report.policy.path,
    scope: false,
    interval: false,
    maxRows: SECTION_MAX_ROWS,
    more: (n) => [em(`${plural(n, 'more check')} not shown; see the job summary.`)],
  });
  return [{ ...table, fixedRows: true }];
}

/** A collapsed block of one check section: its checks, then what the section builder says of it. */
function sectionDetails(report: Report, section: CheckSection, checks: CheckResult[], blocks: Block[]): Block {
  return {
    k: 'details',
    summary: sectionSummary(section, checks),
    open: false,
    blocks: [...checksBlocks(checks, report), ...blocks],
    empty: [em(`No ${SECTION_TITLES[section].toLowerCase()} checks.`)],
  };
}
/**
 * The comment as a document: the verdict, the breached table, the before/after table, the charts, one collapsed block
 * per check section, notes, run details, the footer. Every piece trimming may drop is a `part` with its weight.
 */
function commentBlocks(report: Report, opts: CommentOptions): Block[] {
  const bySection = (sec: CheckSection) => report.checks.filter((c) => c.section === sec);
  const blocks: Block[] = [raw(opts.marker), raw(verdictHeaderWithRun(report, opts.triggeringRun))];
  // Never dropped; shortened last (renderComment writes it again with fewer rows).
  blocks.push(part('breached', 'rows of the breached-checks table', breachedSection(report, opts)));
  const base = baselineSection(report);
  // "Is it worse than the base branch?" is what reviewers ask first: the before/after table goes late.
  if (base) blocks.push(part('baseline', 'before/after table of the base model', [{ k: 'heading', c: [base.title] }, ...base.blocks], COMMENT_BASELINE_ROWS));

  // Each chart is about 1.5 KB: past a few, the breach charts go with the other charts (trimmed early), so that many
  // breached attributes do not crowd the group tables out of the comment.
  const charts = chartNames(mermaidCharts(report), report, COMMENT_BREACH_CHARTS);
  if (charts.breached.length) blocks.push(part('charts-breached', 'charts of the breaches', [breachChartsBlock(charts.breached)]));
  if (charts.other.length) {
    const what: Inline[] = ['ROC curve, ', text(selectionRateName(report).toLowerCase(), 80), ' by group'];
    blocks.push(part('charts-other', 'other charts', [otherChartsBlock(charts.other, charts.breached.length > 0, what, false)]));
  }

  const dataChecks = bySection('data'); // issue #13: the data checks come before the model's
  const data = dataSection(report);
  if (dataChecks.length || data) blocks.push(part('data', 'data checks', [sectionDetails(report, 'data', dataChecks, data?.blocks ?? [])], COMMENT_DATA_ROWS));
  const perf = bySection('performance');
  blocks.push(part('performance', 'performance checks', [sectionDetails(report, 'performance', perf, [
        part('performance-metrics', 'table of performance metrics', [
          { k: 'details', summary: [strong(`Performance on ${plural(report.dataset.rows, 'row')}`)], open: false, blocks: performanceBlocks(report) },
        ]),
      ])]));
  const fair = bySection('fairness');
  if (report.fairness.length > 0 || fair.length > 0) {
    const fairness = {
      ...sectionDetails(report, 'fairness', [], [
        ...fairnessOverviewBlocks(report),
        ...report.fairness.map((attr, i) =>
          part(`groups-${i}`, `group table of ${attr.name}`, [
            { k: 'details', summary: groupTableSummary(attr, report), open: checksOfAttribute(report, attr).some(isBreached), blocks: [groupTableBlock(attr, report)] },
          ]),
        ),
      ]),
      summary: sectionSummary('fairness', fair),
    } as Extract<Block, { k: 'details' }>;
    fairness.blocks.unshift(part('fairness-checks', 'fairness checks', checksBlocks(fair, report)));
    blocks.push(part('fairness', 'fairness overview', [fairness]));
  }
  const robust = bySection('robustness');
  const rob = robustnessSection(report, { details: false });
  if (robust.length || rob) blocks.push(part('robustness', 'robustness details', [sectionDetails(report, 'robustness', robust, rob?.blocks ?? [])], COMMENT_ATTACK_ROWS));
  const explain = bySection('explainability');
  const ex = explainabilitySection(report);
  if (explain.length || ex) blocks.push(part('explainability', 'explainability details', [sectionDetails(report, 'explainability', explain, ex?.blocks ?? [])], COMMENT_IMPORTANCE_ROWS));
  const baseline = bySection('baseline');
  // Baseline checks without a before/after table (a report written before the table existed) keep their own block.
  if (baseline.length && !base) blocks.push(part('baseline', 'before/after table of the base model', [sectionDetails(report, 'baseline', baseline, [])]));
  const notes = notesSection(report);
  if (notes) blocks.push(part('notes', 'notes', [{ k: 'details', summary: [strong('Notes')], open: false, blocks: notes.blocks }]));
  blocks.push(
    part('provenance', 'run details', [
      { k: 'details', summary: [strong('Run details'), ' (model, data and policy fingerprints)'], open: false, blocks: runSection(report).blocks },
    ]),
  );
  blocks.push(raw(footer(report, opts)));
  return blocks;
}

/** The breached checks (at most `rows`), or that none was breached. */
function breachedSection(report: Report, opts: CommentOptions, rows?: number): Block[] {
  const blocks = breachedBlocks(report, { ...(rows !== undefined ? { maxRows: rows } : {}), ...(opts.blobUrl ? { blobUrl: opts.blobUrl } : {}) });
  return blocks.length ? blocks : [para(strong('No threshold was breached.'))];
}

/** Ids of the parts in some blocks, nested ones too. */
function partIds(blocks: readonly Block[]): string[] {
  return blocks.flatMap((b) => (b.k === 'part' ? [b.id, ...partIds(b.blocks)] : b.k === 'details' || b.k === 'only' ? partIds(b.blocks) : []));
}

/** The weight of each droppable part: trimming drops the lightest first. */
function dropWeights(report: Report): Map<string, number> {
  const breachedIn = (sec: CheckSection) => report.checks.some((c) => c.section === sec && isBreached(c));
  const attrBreached = (name: string) => report.checks.some((c) => c.section === 'fairness' && c.scope === name && isBreached(c));
  const w = new Map<string, number>([
    ['provenance', 10],
    ['notes', 15],
    ['charts-other', 18],
    ['baseline', breachedIn('baseline') ? 58 : 47],
    ['explainability', breachedIn('explainability') ? 44 : 31],
    ['robustness', breachedIn('robustness') ? 45 : 32],
    ['performance-metrics', 36],
    ['data', breachedIn('data') ? 53 : 37],
    ['performance', breachedIn('performance') ? 52 : 38],
    ['fairness-checks', breachedIn('fairness') ? 54 : 39],
    ['fairness', breachedIn('fairness') ? 56 : 41],
    ['charts-breached', 60],
  ]);
  report.fairness.forEach((attr, i) => w.set(`groups-${i}`, (attrBreached(attr.name) ? 42 : 25) - i * 0.01));
  return w;
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
  const mermaid = mermaidCharts(report);
  const full = commentBlocks(report, opts);
  // Each top-level block is written once per set of its own parts dropped (trimming tries many sets).
  const ids = full.map((b) => partIds([b]));
  const cache = new Map<string, string>();
  const write = (dropped: ReadonlySet<string>, breachedRows?: number, notice?: string): string => {
    const out: string[] = [];
    full.forEach((b, i) => {
      if (b.k === 'part' && b.id === 'breached' && breachedRows !== undefined) out.push(mdBlocks(breachedSection(report, opts, breachedRows)));
      else {
        const key = `${i}|${ids[i]!.filter((id) => dropped.has(id)).join(',')}`;
        let md = cache.get(key);
        if (md === undefined) {
          md = mdBlocks(withoutParts([b], dropped), { mermaid });
          cache.set(key, md);
        }
        if (notice && i === full.length - 1) out.push(notice);
        out.push(md);
      }
    });
    return `${out.filter((x) => x !== '').join('\n\n')}\n`;
  };
  let body = write(new Set());
  if (body.length <= maxChars) return body;

  // Drop parts, lightest first, until it fits; name only what was really there.
  const weights = dropWeights(report);
  const order = [...weights.entries()].sort((a, b) => a[1] - b[1]).map(([id]) => id);
  const dropped = new Set<string>();
  const cut: string[] = [];
  for (const id of order) {
    const present = findPart(withoutParts(full, dropped), id);
    dropped.add(id);
    if (present?.label) cut.push(present.label);
    body = write(dropped, undefined, trimNotice(cut, false, maxChars));
    if (body.length <= maxChars) return body;
  }
  // Only the verdict, the breached table and the links are left: shorten the breached table.
  const breachedCount = rankedBreaches(report.checks).length;
  const candidates = [200, 100, 50, 20, 10, 5, 1].filter((r) => r < breachedCount);
  for (const rows of candidates) {
    body = write(dropped, rows, trimNotice(cut, true, maxChars));
    if (body.length <= maxChars) return body;
  }
  // Even one row does not fit (names are capped, so only a tiny maxChars gets here): cut the text.
  const notice = '\n\n_Comment cut to fit the size limit; see the job summary._\n';
  return `${body.slice(0, Math.max(0, maxChars - notice.length))}${notice}`.slice(0, maxChars);
}
