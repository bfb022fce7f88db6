/**
 * Escaping of untrusted text (column names, group values, file names, model metadata: anything that comes from the
 * PR) for every place the gate writes it: GitHub-flavoured markdown, HTML, workflow commands, SARIF messages and
 * the terminal. One function per target; renderers never paste raw text.
 *
 * All functions first `sanitizeText`: control characters and bidirectional-override characters (which can make a
 * name read differently from what it is, "trojan source") are removed or replaced, so the result is one line.
 */
import { truncate } from './format.js';

/** C0/C1 control characters other than tab/newline/carriage return, plus DEL. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
/** Line breaks of every kind (CRLF, CR, LF, NEL is in C1, LINE/PARAGRAPH SEPARATOR). */
const LINE_BREAK = /\r\n|[\r\n\u2028\u2029]/g;
/** Bidirectional embedding/override/isolate controls; also the zero-width no-break space (BOM). */
const BIDI = /[\u202a-\u202e\u2066-\u2069\ufeff]/g;
/** ANSI/VT escape sequences (CSI ... final byte; OSC ... BEL or ST; two-character ESC sequences). */
const ANSI = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)|\u001b[@-Z\\-_]/g;

/** Zero-width space as an HTML entity: invisible on GitHub, but it breaks @mentions, #refs and autolinks. */
const ZWSP = '&#8203;';

/**
 * One line of plain text with no control or bidi characters: line breaks and tabs become a space; other
 * control characters are dropped. `String()` of non-strings, so a stray number or undefined cannot throw.
 */
export function sanitizeText(text: unknown): string {
  return String(text ?? '')
    .replace(ANSI, '')
    .replace(LINE_BREAK, ' ')
    .replace(/\t/g, ' ')
    .replace(CONTROL, '')
    .replace(BIDI, '');
}

export interface EscapeOptions {
  /** Cut the (sanitised, unescaped) text to at most this many characters, ending with '…'. */
  maxLength?: number;
}

/**
 * Names from the pull request (group values, model and column names) are bounded where they enter the Report (issue
 * #10: a megabyte-long group name became hundreds of megabytes of HTML and SVG): longer ones are shortened there with
 * `shortenName`, so every renderer shows the same short name and distinct names stay distinct. The escape functions
 * themselves never cut (an SVG path or a table may be long).
 */

/** 8 hex digits of FNV-1a over the UTF-16 code units: a short, stable tag for a shortened name. */
export function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/** `text` if it has at most `max` characters, else its start, '…' and a short hash of the whole ("abc…#1f2e3d4c"). */
export function shortenName(text: string, max: number): string {
  if (text.length <= max) return text;
  const tag = `…#${shortHash(text)}`;
  let head = text.slice(0, Math.max(0, max - tag.length));
  if (/[\ud800-\udbff]$/.test(head)) head = head.slice(0, -1);
  return `${head}${tag}`;
}

function prepare(text: unknown, opts?: EscapeOptions): string {
  const clean = sanitizeText(text);
  return opts?.maxLength !== undefined ? truncate(clean, opts.maxLength) : clean;
}

/**
 * Text that renders literally in GitHub-flavoured markdown, both in prose and inside a table cell:
 * - HTML is inert: & < > become entities;
 * - markdown syntax is inert: \ ` * _ [ ] | ~ $ are backslash-escaped (| also works inside tables, $ stops math);
 *   a leading "- ", "+ ", "1. ", "1) ", "---" or "===" cannot start a list, rule or heading;
 * - GitHub's text filters are neutralised with a zero-width space: @mentions (@org/team, @everyone),
 *   #123 issue references, and bare-URL autolinks (http://, https://, www.);
 * - one line: line breaks become spaces.
 */
export function escapeMarkdown(text: unknown, opts?: EscapeOptions): string {
  let s = prepare(text, opts);
  s = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  s = s.replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`);
  s = s.replace(/[@#]/g, (c) => `${c}${ZWSP}`);
  s = s.replace(/\b(https?|ftp|mailto|file)(?=:)/gi, `$1${ZWSP}`).replace(/\b(www)(?=\.)/gi, `$1${ZWSP}`);
  // Block starts, for text placed at the start of a line: list markers, thematic breaks, setext underlines.
  s = s
    .replace(/^([-+])(?=\s|$)/, '\\$1')
    .replace(/^(?=[-\s]+$)-/, '\\-')
    .replace(/^(?==+\s*$)=/, '\\=')
    .replace(/^(\d{1,9})([.)])(?=\s|$)/, '$1\\$2');
  return s;
}

/**
 * Inline code for text that is usually a plain identifier or path (`models/credit.onnx`). Falls back to
 * escapeMarkdown when the text holds a backtick or a pipe (a pipe cannot be escaped inside code in every context)
 * or is empty. Inside code GitHub does not process mentions, references or HTML.
 */
export function markdownCode(text: unknown, opts?: EscapeOptions): string {
  const s = prepare(text, opts);
  if (s === '' || /[`|]/.test(s) || /^\s|\s$/.test(s)) return escapeMarkdown(s);
  return `\`${s}\``;
}

/**
 * Text inside raw HTML within GitHub markdown (e.g. a `<summary>` line of a `<details>` block): markdown is not
 * parsed there, so backslash escapes would show; HTML-escape instead, and still break @mentions and #refs, which
 * GitHub links in every text node.
 */
export function escapeMarkdownHtml(text: unknown, opts?: EscapeOptions): string {
  const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '@': `@${ZWSP}`, '#': `#${ZWSP}` };
  return prepare(text, opts).replace(/[&<>"'@#]/g, (c) => entities[c]);
}

/** Text for HTML element content or a quoted attribute value. */
export function escapeHtml(text: unknown, opts?: EscapeOptions): string {
  return prepare(text, opts)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * The message part of a GitHub workflow command (`::error ...::<data>`), as @actions/core escapes it: % CR LF.
 * Line breaks are kept (escaped), so a multi-line message stays multi-line in the annotation.
 */
export function escapeWorkflowCommandData(text: unknown): string {
  return String(text ?? '')
    .replace(ANSI, '')
    .replace(CONTROL, '')
    .replace(BIDI, '')
    .replace(/%/g, '%25')
    .replace(/\r/g, '%0D')
    .replace(/\n/g, '%0A');
}

/** A property value of a workflow command (`file=`, `title=`): % CR LF and also : and , (the separators). */
export function escapeWorkflowCommandProperty(text: unknown): string {
  return escapeWorkflowCommandData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/**
 * Plain text for a SARIF message or description: one line, and no embedded link can form. SARIF (§3.11.6) reads
 * "[text](target)" in a plain-text message as a link and lets literal brackets stand elsewhere; so when the text
 * holds a link-like "[...](", every '[', ']' and '\\' is backslash-escaped (the spec's escape), and otherwise the
 * text is left readable ("[0.2779, 0.3271]" stays as is: viewers that do not unescape would show the backslashes).
 * Placeholder look-alikes "{0}" are doubled to "{{0}}" (§3.11.5) so a viewer cannot substitute arguments.
 */
export function escapeSarifText(text: unknown, opts?: EscapeOptions): string {
  let s = prepare(text, opts);
  if (/\[[^\]]*\]\s*\(/.test(s)) s = s.replace(/[\\[\]]/g, (c) => `\\${c}`);
  if (/\{\d+\}/.test(s)) s = s.replace(/[{}]/g, (c) => c + c);
  return s;
}

/**
 * Text for a terminal: no escape sequences (a group name cannot recolour or clear the screen), one line, and no `::` or
 * `##[` (CI logs run workflow commands found in a step's output; issue #10).
 */
export function sanitizeTerminal(text: unknown, opts?: EscapeOptions): string {
  return prepare(text, opts).replace(/:(?=:)/g, ': ').replace(/#(?=#\[)/g, '# ');
}
