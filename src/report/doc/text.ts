/**
 * Terminal text of the document model: a heading line, then indented lines; tables as aligned columns that fit the
 * width (numbers right-aligned, names wrapped onto continuation lines), marks as words (PASS, FAIL) in colour when
 * asked. Every text is stripped of escape sequences and workflow commands (sanitizeTerminal). Charts are left out.
 */
import { sanitizeTerminal } from '../escape.js';
import type { CheckResult } from '../types.js';
import { capRows, shownIn, type Block, type Inline, type Section } from './model.js';

const ANSI = { reset: '\u001b[0m', bold: '\u001b[1m', dim: '\u001b[2m', red: '\u001b[31m', green: '\u001b[32m', yellow: '\u001b[33m', cyan: '\u001b[36m' };
export type Style = keyof typeof ANSI;

export function paint(text: string, color: boolean, ...styles: Style[]): string {
  if (!color || styles.length === 0) return text;
  return `${styles.map((s) => ANSI[s]).join('')}${text}${ANSI.reset}`;
}

/** Code points, so that alignment is right for accented names (wide CJK characters are not measured). */
export function width(s: string): number {
  return [...s].length;
}

export function fit(s: string, w: number): string {
  const chars = [...s];
  if (chars.length <= w) return s + ' '.repeat(w - chars.length);
  return `${chars.slice(0, Math.max(0, w - 1)).join('')}…`;
}

export function fitRight(s: string, w: number): string {
  const n = width(s);
  return n >= w ? s : ' '.repeat(w - n) + s;
}

/** Most lines one table cell may wrap onto; a longer name is cut with '…' on the last one. */
const MAX_CELL_LINES = 3;

/**
 * Words of `s` on lines of at most `w` code points (a word longer than a line is split), at most MAX_CELL_LINES
 * lines, the last cut with '…' when text remains. Always at least one line.
 */
export function wrapCell(s: string, w: number): string[] {
  const width1 = Math.max(1, w);
  const lines: string[] = [];
  let current = '';
  for (const word of s.split(' ').filter((x) => x !== '')) {
    let rest = [...word];
    const candidate = current === '' ? rest.length : [...current].length + 1 + rest.length;
    if (candidate <= width1) {
      current = current === '' ? word : `${current} ${word}`;
      continue;
    }
    if (current !== '') lines.push(current);
    current = '';
    while (rest.length > width1) {
      lines.push(rest.slice(0, width1).join(''));
      rest = rest.slice(width1);
    }
    current = rest.join('');
  }
  if (current !== '' || lines.length === 0) lines.push(current);
  if (lines.length <= MAX_CELL_LINES) return lines;
  // The next line did not fit on the last kept one, so joining them overflows and fit() cuts with '…'.
  const kept = lines.slice(0, MAX_CELL_LINES);
  kept[MAX_CELL_LINES - 1] = fit(`${kept[MAX_CELL_LINES - 1]} ${lines.slice(MAX_CELL_LINES).join(' ')}`, width1);
  return kept;
}

/** Words on lines of at most `w` code points (a longer word stands alone on its line). */
function wrapWords(s: string, w: number): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of s.split(' ')) {
    if (current !== '' && width(current) + 1 + width(word) > w) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  lines.push(current);
  return lines;
}

/** 'FAIL', 'WARN', 'PASS', 'INSUFFICIENT' and its colour. */
export function statusWord(check: CheckResult): { word: string; style: Style } {
  if (check.status === 'not-run') return { word: 'NOT RUN', style: check.outcome === 'fail' ? 'red' : 'yellow' };
  if (check.status === 'insufficient' && check.evidence?.insufficientKind !== undefined && check.evidence.insufficientKind !== 'data') {
    return { word: 'INCONCLUSIVE', style: check.outcome === 'fail' ? 'red' : check.outcome === 'warn' ? 'yellow' : 'cyan' };
  }
  if (check.status === 'insufficient') return { word: 'INSUFFICIENT', style: check.outcome === 'fail' ? 'red' : check.outcome === 'warn' ? 'yellow' : 'cyan' };
  if (check.status === 'pass') return { word: 'PASS', style: 'green' };
  return check.outcome === 'fail' ? { word: 'FAIL', style: 'red' } : { word: 'WARN', style: 'yellow' };
}

const FLAG_STYLE: Record<string, Style> = { pass: 'green', warn: 'yellow', fail: 'red', note: 'dim' };

export interface TextDocOptions {
  color?: boolean;
  /** Rows of every table at most (else each table's own maxRows). */
  maxRows?: number;
  /** Terminal width in columns (default 100, at least 60). */
  width?: number;
}

/** Inline content as one line of terminal text (marks uncoloured: colour is added per cell, after padding). */
export function textInline(c: readonly Inline[]): string {
  return c.map(textRun).join('');
}

function textRun(x: Inline): string {
  if (typeof x === 'string') return sanitizeTerminal(x);
  switch (x.k) {
    case 'text':
      return sanitizeTerminal(x.text, x.max === undefined ? undefined : { maxLength: x.max });
    case 'name':
      return sanitizeTerminal(x.text, { maxLength: 120 });
    case 'code':
      return sanitizeTerminal(x.text);
    case 'fig':
      return x.text;
    case 'strong':
    case 'em':
    case 'link':
    case 'nowrap':
      return textInline(x.c);
    case 'status':
      return statusWord(x.check).word;
    case 'flag':
      return textInline(x.c);
    case 'only':
      return x.only.includes('text') ? textInline(x.c) : '';
    case 'br':
      return '; ';
  }
}

/** The colour of a cell holding one mark. */
function cellStyle(c: readonly Inline[]): Style | undefined {
  const first = c[0];
  if (first === undefined || typeof first === 'string') return undefined;
  if (first.k === 'status') return statusWord(first.check).style;
  if (first.k === 'flag') return FLAG_STYLE[first.level];
  return undefined;
}

/**
 * Aligned columns within `total` characters: two spaces of indent and between columns; headers upper-case (bold
 * with colour); numbers right-aligned; when too wide, the text and name columns share the room left (the first at
 * least 60%) and wrap onto continuation lines, the other columns staying on the first line.
 */
export function textTable(block: Extract<Block, { k: 'table' }>, opts: TextDocOptions = {}): string[] {
  const color = opts.color ?? false;
  const total = Math.max(60, Math.trunc(opts.width ?? 100));
  const columns = block.columns.filter((c) => shownIn(c, 'text'));
  const index = columns.map((c) => block.columns.indexOf(c));
  const head = columns.map((c) => textInline(c.header).replace(/[a-z]/g, (x) => x.toUpperCase()));
  const rows = block.rows.map((r) => index.map((i) => ({ text: textInline(r.cells[i] ?? []), style: cellStyle(r.cells[i] ?? []) })));
  const w = columns.map((_, j) => Math.max(width(head[j] as string), ...rows.map((r) => width(r[j]!.text))));
  const widths = [...w];
  const wraps = columns.map((c, j) => (c.kind === 'text' || c.kind === 'name' ? j : -1)).filter((j) => j >= 0);
  const fixed = w.reduce((s, x, j) => (wraps.includes(j) ? s : s + x), 0) + 2 + 2 * (columns.length - 1);
  const room = total - fixed;
  const natural = wraps.reduce((s, j) => s + (w[j] as number), 0);
  if (wraps.length > 1 && natural > room) {
    // The first wrapping column keeps at least 60% of the room (two columns), or its share by natural width (more).
    let rest = room;
    for (const j of wraps.slice(1)) {
      const part = wraps.length === 2 ? room * 0.4 : (room * (w[j] as number)) / natural;
      const share = Math.min(w[j] as number, Math.max(width(head[j] as string), Math.floor(part)));
      w[j] = share;
      rest -= share;
    }
    // The first column takes what it needs of the rest; what it leaves goes back to the columns cut above.
    const first = wraps[0] as number;
    w[first] = Math.max(width(head[first] as string), Math.min(widths[first] as number, rest));
    let slack = rest - (w[first] as number);
    for (const j of wraps.slice(1)) {
      const give = Math.max(0, Math.min((widths[j] as number) - (w[j] as number), slack));
      w[j] = (w[j] as number) + give;
      slack -= give;
    }
  } else if (wraps.length === 1 && (w[wraps[0] as number] as number) > room) {
    w[wraps[0] as number] = Math.max(width(head[wraps[0] as number] as string), room);
  }
  const line = (cells: string[], styles: Array<Style | undefined> = []) =>
    `  ${cells
      .map((s, j) => {
        const padded = columns[j]!.kind === 'number' ? fitRight(s, w[j] as number) : fit(s, w[j] as number);
        const st = styles[j];
        return st ? paint(padded, color, st) : padded;
      })
      .join('  ')}`.trimEnd();
  const out = [paint(line(head), color, 'bold')];
  for (const r of rows) {
    const wrapped = r.map((c, j) => (wraps.includes(j) ? wrapCell(c.text, w[j] as number) : [c.text]));
    out.push(line(wrapped.map((x) => x[0] ?? ''), r.map((c) => c.style)));
    const depth = Math.max(...wrapped.map((x) => x.length));
    for (let i = 1; i < depth; i++) out.push(line(wrapped.map((x, j) => (wraps.includes(j) ? (x[i] ?? '') : ''))));
  }
  return out;
}

/** Blocks as terminal lines: headings flush left, everything else indented. */
export function textBlocks(blocks: readonly Block[], opts: TextDocOptions = {}): string {
  return blocks.flatMap((b) => textBlock(b, opts)).join('\n');
}

/** A section: a `Title:` line and its blocks. */
export function textSection(s: Section, opts: TextDocOptions = {}): string {
  return textBlocks([{ k: 'heading', c: [s.title] }, ...s.blocks], opts);
}

function textBlock(b: Block, opts: TextDocOptions): string[] {
  switch (b.k) {
    case 'heading':
      return [`${textInline(b.c)}:`];
    case 'para':
      return wrapWords(textInline(b.c), Math.max(60, Math.trunc(opts.width ?? 100)) - 2).map((l) => `  ${l}`);
    case 'table': {
      const max = (b.fixedRows ? b.maxRows : (opts.maxRows ?? b.maxRows)) ?? Number.POSITIVE_INFINITY;
      const shown = { ...b, rows: capRows(b.rows, max) };
      const omitted = (b.total ?? b.rows.length) - shown.rows.length;
      return [...textTable(shown, opts), ...(omitted > 0 && b.more ? [`  ${textInline(b.more(omitted))}`] : [])];
    }
    case 'list':
      return b.items.map((i) => `  - ${textInline(i)}`);
    case 'facts':
      return b.items.filter((i) => shownIn(i, 'text')).map((i) => `  ${sanitizeTerminal(i.label)}: ${textInline(i.c)}`);
    case 'details':
      return [`  ${textInline(b.summary)}:`, ...b.blocks.flatMap((x) => textBlock(x, opts))];
    case 'alert':
      return [`  ${b.level === 'warning' ? 'Warning' : 'Note'}: ${textInline(b.c)}`];
    case 'only':
      return b.only.includes('text') ? b.blocks.flatMap((x) => textBlock(x, opts)) : [];
    case 'part':
      return b.blocks.flatMap((x) => textBlock(x, b.maxRows !== undefined ? { ...opts, maxRows: b.maxRows } : opts));
    case 'raw':
      return [];
    case 'charts':
      return [];
  }
}
