/**
 * GitHub-flavoured markdown of the document model (the job summary and the PR comment). Every text of the model is
 * escaped here (escape.ts); figures from format.ts are written as they are. `<details>` summaries are raw HTML in
 * GitHub markdown, so their text is HTML-escaped instead (escapeMarkdownHtml) and emphasis becomes `<b>`.
 */
import { escapeMarkdown, escapeMarkdownHtml, markdownCode } from '../escape.js';
import type { CheckResult } from '../types.js';
import { capRows, shownIn, type Block, type Inline, type Level, type Section } from './model.js';

/** Longest name (group, attribute, file) shown before it is cut with '…'. */
export const MAX_NAME_LENGTH = 120;

/** A GFM table from cells that are already escaped. `align` per column: 'l' | 'r' | 'c'. */
export function markdownTable(headers: string[], rows: string[][], align?: Array<'l' | 'r' | 'c'>): string {
  const sep = headers.map((_, i) => {
    const a = align?.[i] ?? 'l';
    return a === 'r' ? '---:' : a === 'c' ? ':---:' : '---';
  });
  const line = (cells: string[]) => `| ${cells.map((c) => (c === '' ? ' ' : c)).join(' | ')} |`;
  return [line(headers), line(sep), ...rows.map(line)].join('\n');
}

/**
 * A collapsible block. `summary` is raw HTML (markdown is not parsed on that line): build it with
 * escapeMarkdownHtml, not escapeMarkdown. Markdown in the body needs the blank lines around it.
 */
export function details(summary: string, body: string, open = false): string {
  return `<details${open ? ' open' : ''}>\n<summary>${summary}</summary>\n\n${body}\n\n</details>`;
}

/** A name from data, escaped and bounded; '(empty)' for an empty string. */
export function nameCell(text: string): string {
  return text === '' ? '_(empty)_' : escapeMarkdown(text, { maxLength: MAX_NAME_LENGTH });
}

/** A path or identifier as inline code when safe, escaped text otherwise. */
export function codeCell(text: string): string {
  return text === '' ? '_(empty)_' : markdownCode(text, { maxLength: MAX_NAME_LENGTH });
}

/** An http(s) URL safe to put in a markdown link destination, or undefined. */
export function safeUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  return parsed.href.replace(/[()[\]<>|`"'\s\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

const OUTCOME_EMOJI: Record<CheckResult['outcome'], string> = { pass: '✅', warn: '⚠️', fail: '❌' };
const FLAG_EMOJI: Record<Level, string> = { pass: '✅', warn: '⚠️', fail: '❌', note: '🔗' };

/** Emoji for the effect on the verdict, word for the evidence: '✅ pass', '❌ fail', '⚠️ warn', '⚠️ insufficient'. */
export function statusLabel(check: CheckResult): string {
  const emoji = check.status === 'insufficient' && check.outcome === 'pass' ? '❔' : OUTCOME_EMOJI[check.outcome];
  const word =
    check.status === 'not-run' ? 'not run'
    : check.status === 'insufficient' ? (check.evidence?.insufficientKind === 'data' || check.evidence?.insufficientKind === undefined ? 'insufficient' : 'inconclusive')
    : check.status === 'pass' ? 'pass' : check.outcome;
  return `${emoji} ${word}`;
}

/** Inline content as markdown; `html`: inside raw HTML (a `<summary>` line), where markdown is not parsed. */
export function mdInline(c: readonly Inline[], html = false): string {
  return c.map((x) => mdRun(x, html)).join('');
}

function mdRun(x: Inline, html: boolean): string {
  const esc = (t: string, max?: number) => (html ? escapeMarkdownHtml(t, max === undefined ? undefined : { maxLength: max }) : escapeMarkdown(t, max === undefined ? undefined : { maxLength: max }));
  if (typeof x === 'string') return esc(x);
  switch (x.k) {
    case 'text':
      return esc(x.text, x.max);
    case 'name':
      return html ? escapeMarkdownHtml(x.text, { maxLength: MAX_NAME_LENGTH }) : nameCell(x.text);
    case 'code':
      return html ? `<code>${escapeMarkdownHtml(x.text, { maxLength: MAX_NAME_LENGTH })}</code>` : codeCell(x.text);
    case 'fig':
      return html ? escapeMarkdownHtml(x.text) : x.text;
    case 'strong':
      return html ? `<b>${mdInline(x.c, html)}</b>` : `**${mdInline(x.c, html)}**`;
    case 'em':
      return html ? `<i>${mdInline(x.c, html)}</i>` : `_${mdInline(x.c, html)}_`;
    case 'link': {
      const url = safeUrl(x.href);
      return url && !html ? `[${mdInline(x.c)}](${url})` : mdInline(x.c, html);
    }
    case 'status':
      return statusLabel(x.check);
    case 'flag':
      return `${FLAG_EMOJI[x.level]} ${mdInline(x.c, html)}`;
    case 'only':
      return x.only.includes('markdown') ? mdInline(x.c, html) : '';
    case 'nowrap':
      return mdInline(x.c, html).replace(/ /g, '&nbsp;');
    case 'br':
      return '<br>';
  }
}

export interface MarkdownOptions {
  /** Rows of every table at most (else each table's own maxRows). */
  maxRows?: number;
  /** The compact charts (mermaid.ts) that `charts` blocks name; without them charts are left out. */
  mermaid?: ReadonlyArray<{ name: string; block: string; caption?: string }>;
}

/** Blocks as markdown, separated by blank lines; blocks that write nothing are skipped. */
export function mdBlocks(blocks: readonly Block[], opts: MarkdownOptions = {}): string {
  return blocks
    .map((b) => mdBlock(b, opts))
    .filter((s) => s !== '')
    .join('\n\n');
}

/** A section: its `### title` heading (unless `heading` is false) and its blocks. */
export function mdSection(s: Section, opts: MarkdownOptions & { heading?: boolean } = {}): string {
  return mdBlocks([...(opts.heading === false ? [] : [{ k: 'heading', c: [s.title] } as Block]), ...s.blocks], opts);
}

function mdBlock(b: Block, opts: MarkdownOptions): string {
  switch (b.k) {
    case 'heading':
      return `### ${mdInline(b.c)}`;
    case 'para':
      return b.muted ? `_${mdInline(b.c)}_` : mdInline(b.c);
    case 'table': {
      const columns = b.columns.map((c, i) => [c, i] as const).filter(([c]) => shownIn(c, 'markdown'));
      const max = (b.fixedRows ? b.maxRows : (opts.maxRows ?? b.maxRows)) ?? Number.POSITIVE_INFINITY;
      const shown = capRows(b.rows, max);
      const table = markdownTable(
        columns.map(([c]) => mdInline(c.header)),
        shown.map((r) => columns.map(([, i]) => mdInline(r.cells[i] ?? []))),
        columns.map(([c]) => (c.kind === 'number' ? 'r' : 'l')),
      );
      const omitted = (b.total ?? b.rows.length) - shown.length;
      return omitted > 0 && b.more ? `${table}\n\n${mdInline(b.more(omitted))}` : table;
    }
    case 'list':
      return b.items.map((i) => `- ${mdInline(i)}`).join('\n');
    case 'facts':
      return b.items
        .filter((i) => shownIn(i, 'markdown'))
        .map((i) => `- **${escapeMarkdown(i.label)}:** ${mdInline(i.c)}`)
        .join('\n');
    case 'details': {
      const body = mdBlocks(b.blocks, opts);
      return details(mdInline(b.summary, true), body === '' && b.empty ? mdInline(b.empty) : body, b.open);
    }
    case 'part':
      return mdBlocks(b.blocks, b.maxRows !== undefined ? { ...opts, maxRows: b.maxRows } : opts);
    case 'raw':
      return b.markdown;
    case 'alert':
      return `> [!${b.level === 'warning' ? 'WARNING' : 'NOTE'}]\n> ${mdInline(b.c)}`;
    case 'only':
      return b.only.includes('markdown') ? mdBlocks(b.blocks, opts) : '';
    case 'charts': {
      const named = (b.names ?? []).map((n) => opts.mermaid?.find((c) => c.name === n)).filter((c) => c !== undefined);
      return named.map((c) => (c.caption ? `${c.block}\n\n${c.caption}` : c.block)).join('\n\n');
    }
  }
}
