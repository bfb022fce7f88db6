/**
 * The document model of a report section (issue #15, "renderers from one view"): what a section says, built once from
 * the Report by a builder in src/report/sections/, and written out by one serializer per format (doc/markdown.ts for
 * the job summary and the PR comment, doc/html.ts, doc/text.ts for the terminal).
 *
 * Builders produce plain text and figures, never markup: every string in the model is escaped by the serializer for
 * its target (escape.ts). Where formats show different amounts on purpose, the model says so (a column or block with
 * `only: ['html']` is left out of the compact targets, row caps are options of the serializer), never a second copy.
 */
import type { CheckResult } from '../types.js';

/**
 * Inline content. A plain string is text from anywhere (escaped by every serializer). The tagged runs:
 * - text: plain text cut to `max` characters;
 * - name: a name from the data or the model (group, column, attribute): '(empty)' when empty, cut at 120 characters;
 * - code: a path or identifier (inline code where the target has it);
 * - fig: a figure formatted by format.ts ('0.8512', '[0.1, 0.2]', '≥ 0.8'): written as is in markdown (never escaped
 *   there, so an interval's brackets stay brackets), escaped in HTML;
 * - strong / em: emphasis of their content;
 * - link: its content, linked to `href` where the target has links and the URL is http(s);
 * - status: the verdict mark of a check (✅ pass in markdown, a coloured ✔ pass in HTML, PASS in the terminal);
 * - flag: words with a level ('drifted' as warn): ⚠️ drifted in markdown, coloured words in HTML; 'note' is a
 *   weaker mark (🔗 in markdown, grey in HTML);
 * - only: content shown only in some targets (words about how that target draws its marks);
 * - nowrap: content whose spaces do not break (markdown &nbsp;);
 * - br: a line break inside a table cell.
 */
export type Inline =
  | string
  | { k: 'text'; text: string; max?: number }
  | { k: 'name'; text: string }
  | { k: 'code'; text: string }
  | { k: 'fig'; text: string }
  | { k: 'strong'; c: Inline[] }
  | { k: 'em'; c: Inline[] }
  | { k: 'link'; href: string | undefined; c: Inline[] }
  | { k: 'status'; check: CheckResult }
  | { k: 'flag'; level: Level; c: Inline[] }
  | { k: 'only'; only: Target[]; c: Inline[] }
  | { k: 'nowrap'; c: Inline[] }
  | { k: 'br' };

export type Level = 'pass' | 'warn' | 'fail' | 'note';

/**
 * What a column holds: numbers are right-aligned; names and text wrap in the terminal; status cells are marks;
 * labels are short texts that never wrap (a limit such as '<= 0.2').
 */
export type ColumnKind = 'text' | 'name' | 'number' | 'status' | 'code' | 'label';

/** The formats a serializer writes: markdown (job summary, PR comment), HTML, terminal text. */
export type Target = 'markdown' | 'html' | 'text';

export interface Column {
  header: Inline[];
  kind: ColumnKind;
  /** Only in these targets (a detail column only in HTML, a wide one not in the terminal); default all. */
  only?: Target[];
}

/** True when a column or block restricted by `only` is shown in `target`. */
export function shownIn(x: { only?: Target[] }, target: Target): boolean {
  return x.only === undefined || x.only.includes(target);
}

export interface Row {
  cells: Inline[][];
  /** When a cap leaves rows out, those of the lowest priority go first (default 0: keep the first rows). */
  priority?: number;
  /** The check the row is about (HTML colours the row by its outcome). */
  check?: CheckResult;
  /** HTML anchor of the row. */
  id?: string;
  /** A row of lesser weight (insufficient group): greyed in HTML. */
  muted?: boolean;
}

export type Block =
  | { k: 'heading'; c: Inline[] }
  | { k: 'para'; c: Inline[]; muted?: boolean }
  | {
      k: 'table';
      columns: Column[];
      rows: Row[];
      /** Rows the compact targets show at most (the job summary and comment); the full targets show all. */
      maxRows?: number;
      /** maxRows holds whatever cap the serializer is given for the section's tables. */
      fixedRows?: boolean;
      /** Rows there are, when `rows` holds only the first of them (default rows.length). */
      total?: number;
      /** Said after the table when rows were left out: receives how many. */
      more?: (omitted: number) => Inline[];
    }
  | { k: 'list'; items: Inline[][] }
  /** Labelled facts ('Model: …'): a list in markdown, a definition list in HTML. An item may be for some targets only. */
  | { k: 'facts'; items: Array<{ label: string; c: Inline[]; only?: Target[] }> }
  /** A collapsible block; `empty` is said when every block inside was trimmed away. */
  | { k: 'details'; summary: Inline[]; open: boolean; blocks: Block[]; empty?: Inline[] }
  | { k: 'alert'; level: 'warning' | 'note'; c: Inline[] }
  /** Charts by name (or every chart whose name starts with `prefix`): SVG figures in HTML, nothing elsewhere. */
  | { k: 'charts'; names?: string[]; prefix?: string }
  /** Blocks shown only in some targets. */
  | { k: 'only'; only: Target[]; blocks: Block[] }
  /**
   * A named part that size trimming may drop as a whole (the PR comment), with its own cap on table rows. `label` is
   * what a trimming notice calls it.
   */
  | { k: 'part'; id: string; label?: string; maxRows?: number; blocks: Block[] }
  /**
   * Markdown written by a renderer not yet built on this model (the verdict, the breached table, fairness, performance,
   * provenance: see README "Adding a section to the report"), or by a chart renderer. Markdown targets only.
   */
  | { k: 'raw'; markdown: string };

/** At most `max` rows: those of the highest priority (lowest number), in their order. */
export function capRows<R extends Row>(rows: readonly R[], max: number): R[] {
  if (rows.length <= max) return [...rows];
  const keep = new Set(
    rows
      .map((r, i) => [r.priority ?? 0, i] as const)
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .slice(0, Math.max(0, max))
      .map(([, i]) => i),
  );
  return rows.filter((_, i) => keep.has(i));
}

/** The blocks without the parts whose id is in `drop` (a details block left empty says its `empty` text). */
export function withoutParts(blocks: readonly Block[], drop: ReadonlySet<string>): Block[] {
  const out: Block[] = [];
  for (const b of blocks) {
    if (b.k === 'part') {
      if (!drop.has(b.id)) out.push({ ...b, blocks: withoutParts(b.blocks, drop) });
    } else if (b.k === 'details' || b.k === 'only') out.push({ ...b, blocks: withoutParts(b.blocks, drop) });
    else out.push(b);
  }
  return out;
}

/** The part of this id, wherever it is nested, or undefined. */
export function findPart(blocks: readonly Block[], id: string): Extract<Block, { k: 'part' }> | undefined {
  for (const b of blocks) {
    if (b.k === 'part' && b.id === id) return b;
    if (b.k === 'part' || b.k === 'details' || b.k === 'only') {
      const inner = findPart(b.blocks, id);
      if (inner) return inner;
    }
  }
  return undefined;
}

/** One section of a report: a heading and its blocks. */
export interface Section {
  /** Stable id (the HTML anchor, the comment's trimming key). */
  id: string;
  title: string;
  blocks: Block[];
}

// Small constructors, so builders read as what they say.
export const text = (t: string, max?: number): Inline => (max === undefined ? t : { k: 'text', text: t, max });
export const name = (t: unknown): Inline => ({ k: 'name', text: String(t ?? '') });
export const code = (t: unknown): Inline => ({ k: 'code', text: String(t ?? '') });
export const fig = (t: string): Inline => ({ k: 'fig', text: t });
export const strong = (...c: Inline[]): Inline => ({ k: 'strong', c });
export const em = (...c: Inline[]): Inline => ({ k: 'em', c });
export const flag = (level: Level, ...c: Inline[]): Inline => ({ k: 'flag', level, c });
export const only = (targets: Target[], ...c: Inline[]): Inline => ({ k: 'only', only: targets, c });
export const status = (check: CheckResult): Inline => ({ k: 'status', check });
export const para = (...c: Inline[]): Block => ({ k: 'para', c });
/** A paragraph of lesser weight: a legend, a note (italic in markdown, grey in HTML). */
export const aside = (...c: Inline[]): Block => ({ k: 'para', c, muted: true });
export const col = (header: string | Inline[], kind: ColumnKind = 'text', only?: Target[]): Column => ({
  header: typeof header === 'string' ? [header] : header,
  kind,
  ...(only ? { only } : {}),
});
