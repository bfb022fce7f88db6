/**
 * HTML of the document model (the self-contained report file). Every text is escaped here (escapeHtml); marks have no
 * emoji (fonts without colour emoji show boxes) but coloured words; numeric columns are right-aligned (`num`).
 */
import { escapeHtml } from '../escape.js';
import type { Chart } from '../charts/index.js';
import type { CheckResult } from '../types.js';
import { shownIn, type Block, type Inline, type Section } from './model.js';

const e = (t: unknown) => escapeHtml(t);

/** 'pass', 'fail', 'warning', 'insufficient data', 'inconclusive', 'not run'. */
export function htmlStatusWord(c: CheckResult): string {
  if (c.status === 'not-run') return 'not run';
  if (c.status === 'insufficient') return c.evidence?.insufficientKind !== undefined && c.evidence.insufficientKind !== 'data' ? 'inconclusive' : 'insufficient data';
  if (c.outcome === 'warn') return 'warning';
  return c.outcome === 'pass' ? 'pass' : 'fail';
}

/** `<span class="st fail">✖ fail</span>`. */
export function htmlStatus(c: CheckResult): string {
  const cls = c.outcome === 'pass' ? 'pass' : c.outcome === 'fail' ? 'fail' : 'warn';
  const icon = c.outcome === 'pass' ? '✔' : c.outcome === 'fail' ? '✖' : '▲';
  return `<span class="st ${cls}">${icon} ${e(htmlStatusWord(c))}</span>`;
}

/** The class of a table row about a check: its outcome, or 'insufficient' (greyed). */
export function htmlRowClass(c: CheckResult): string {
  return c.status === 'insufficient' || c.status === 'not-run' ? 'insufficient' : c.outcome;
}

/** Chart figures, in a wrapping row. */
export function chartFigures(charts: readonly Chart[]): string {
  if (charts.length === 0) return '';
  return `<div class="charts">${charts.map((c) => `<figure id="chart-${e(c.name)}" data-chart="${e(c.name)}">${c.svg}</figure>`).join('')}</div>`;
}

export function htmlInline(c: readonly Inline[]): string {
  return c.map(htmlRun).join('');
}

function htmlRun(x: Inline): string {
  if (typeof x === 'string') return e(x);
  switch (x.k) {
    case 'text':
      return escapeHtml(x.text, x.max === undefined ? undefined : { maxLength: x.max });
    case 'name':
    case 'fig':
      return e(x.text);
    case 'code':
      return `<code>${e(x.text)}</code>`;
    case 'strong':
      return `<strong>${htmlInline(x.c)}</strong>`;
    case 'em':
      return `<em>${htmlInline(x.c)}</em>`;
    case 'link':
      return x.href && /^https?:\/\//.test(x.href) ? `<a href="${e(x.href)}">${htmlInline(x.c)}</a>` : htmlInline(x.c);
    case 'status':
      return htmlStatus(x.check);
    case 'flag':
      return `<span class="st ${x.level === 'note' ? 'muted' : x.level}">${htmlInline(x.c)}</span>`;
    case 'only':
      return x.only.includes('html') ? htmlInline(x.c) : '';
    case 'nowrap':
      return htmlInline(x.c);
    case 'br':
      return '<br>';
  }
}

export interface HtmlDocOptions {
  /** Every chart of the report (renderCharts); `charts` blocks pick theirs by name. */
  charts?: readonly Chart[];
}

export function htmlBlocks(blocks: readonly Block[], opts: HtmlDocOptions = {}): string {
  return blocks.map((b) => htmlBlock(b, opts)).join('');
}

/** A section: `<section id>` with its `<h2>` title and its blocks. */
export function htmlSection(s: Section, opts: HtmlDocOptions = {}): string {
  return `<section id="${e(s.id)}"><h2>${e(s.title)}</h2>${htmlBlocks(s.blocks, opts)}</section>`;
}

function htmlBlock(b: Block, opts: HtmlDocOptions): string {
  switch (b.k) {
    case 'heading':
      return `<h3>${htmlInline(b.c)}</h3>`;
    case 'para':
      return `<p${b.muted ? ' class="muted"' : ''}>${htmlInline(b.c)}</p>`;
    case 'table': {
      const columns = b.columns.filter((c) => shownIn(c, 'html'));
      const th = columns.map((c) => `<th${c.kind === 'number' ? ' class="num"' : ''}>${htmlInline(c.header)}</th>`).join('');
      const rows = b.rows.map((r) => {
        const cls = r.check ? htmlRowClass(r.check) : r.muted ? 'insufficient' : '';
        const cells = columns.map((c) => `<td${c.kind === 'number' ? ' class="num"' : ''}>${htmlInline(r.cells[b.columns.indexOf(c)] ?? [])}</td>`).join('');
        return `<tr${cls ? ` class="${cls}"` : ''}${r.id ? ` id="${e(r.id)}"` : ''}>${cells}</tr>`;
      });
      const table = `<table><thead><tr>${th}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
      const omitted = (b.total ?? b.rows.length) - b.rows.length;
      return omitted > 0 && b.more ? `${table}<p class="muted">${htmlInline(b.more(omitted))}</p>` : table;
    }
    case 'facts':
      return `<dl class="facts">${b.items
        .filter((i) => shownIn(i, 'html'))
        .map((i) => `<dt>${e(i.label)}</dt><dd>${htmlInline(i.c)}</dd>`)
        .join('')}</dl>`;
    case 'list':
      return b.items.length ? `<ul>${b.items.map((i) => `<li>${htmlInline(i)}</li>`).join('')}</ul>` : '';
    case 'details':
      return `<details${b.open ? ' open' : ''}><summary>${htmlInline(b.summary)}</summary>${htmlBlocks(b.blocks, opts)}</details>`;
    case 'alert':
      return `<p class="st warn">${htmlInline(b.c)}</p>`;
    case 'charts': {
      const named = new Set(b.names ?? []);
      return chartFigures((opts.charts ?? []).filter((c) => named.has(c.name) || (b.prefix !== undefined && c.name.startsWith(b.prefix))));
    }
    case 'only':
      return b.only.includes('html') ? htmlBlocks(b.blocks, opts) : '';
    case 'part':
      return htmlBlocks(b.blocks, opts);
    case 'raw':
      return '';
  }
}
