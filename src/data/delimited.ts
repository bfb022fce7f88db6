/**
 * A streaming parser of delimited text (CSV, TSV, semicolon or bar separated; RFC 4180 quoting: a quoted field may hold
 * the separator, newlines and doubled quotes). Text arrives in chunks of any size (a chunk may end inside a field or
 * a CRLF); each complete record is handed to `onRecord` with the 1-based line on which it starts. Memory: one record.
 */
import { UserError } from '../util/errors.js';

/** A single field (or line) longer than this is refused: a binary or hostile file, not data. */
export const MAX_FIELD_CHARS = 1 << 20;

export type Delimiter = ',' | ';' | '\t' | '|';
export const DELIMITERS: readonly Delimiter[] = [',', ';', '\t', '|'];

export function delimiterName(d: string): string {
  return d === '\t' ? 'tab' : d === ',' ? 'comma' : d === ';' ? 'semicolon' : d === '|' ? 'bar (|)' : JSON.stringify(d);
}

export class DelimitedParser {
  private fields: string[] = [];
  private field = '';
  private inQuotes = false;
  /** A quote just closed inside a quoted field (a second quote makes it a literal quote). */
  private quoteClosed = false;
  /** The last character was a CR (its LF may come in the next chunk). */
  private afterCr = false;
  private line = 1;
  private recordLine = 1;
  private fieldStarted = false;

  constructor(
    private readonly delimiter: string,
    private readonly onRecord: (fields: string[], line: number) => void,
    private readonly where: string,
  ) {}

  push(text: string): void {
    const d = this.delimiter;
    const n = text.length;
    let i = 0;
    while (i < n) {
      if (this.afterCr) {
        this.afterCr = false;
        if (text.charCodeAt(i) === 10) {
          i++;
          continue;
        }
      }
      if (this.inQuotes) {
        const q = text.indexOf('"', i);
        if (q === -1) {
          this.appendField(text, i, n);
          this.countLines(text, i, n);
          return;
        }
        this.appendField(text, i, q);
        this.countLines(text, i, q);
        this.inQuotes = false;
        this.quoteClosed = true;
        i = q + 1;
        continue;
      }
      const c = text[i];
      if (this.quoteClosed) {
        this.quoteClosed = false;
        if (c === '"') {
          // doubled quote inside a quoted field
          this.field += '"';
          this.inQuotes = true;
          i++;
          continue;
        }
      }
      if (c === '"') {
        if (this.field === '' ) {
          this.inQuotes = true;
          this.fieldStarted = true;
          i++;
          continue;
        }
        // a quote in the middle of an unquoted field is kept as text (as csv-parse's relax_quotes would)
        this.field += c;
        i++;
        continue;
      }
      if (c === d) {
        this.fields.push(this.field);
        this.field = '';
        this.fieldStarted = true;
        i++;
        continue;
      }
      if (c === '\n' || c === '\r') {
        this.endRecord();
        this.line++;
        this.recordLine = this.line;
        if (c === '\r') this.afterCr = true;
        i++;
        continue;
      }
      // plain run: up to the next special character
      let j = i + 1;
      while (j < n) {
        const cj = text[j];
        if (cj === d || cj === '\n' || cj === '\r' || cj === '"') break;
        j++;
      }
      this.appendField(text, i, j);
      i = j;
    }
  }

  private appendField(text: string, from: number, to: number): void {
    if (to <= from) return;
    this.field += text.slice(from, to);
    this.fieldStarted = true;
    if (this.field.length > MAX_FIELD_CHARS) {
      throw new UserError(`a field is longer than ${MAX_FIELD_CHARS} characters (an unclosed quote, or not a text table); fix the file or its quoting`, {
        file: this.where,
        line: this.recordLine,
      });
    }
  }

  private countLines(text: string, from: number, to: number): void {
    for (let k = text.indexOf('\n', from); k !== -1 && k < to; k = text.indexOf('\n', k + 1)) this.line++;
  }

  private endRecord(): void {
    if (this.fields.length === 0 && !this.fieldStarted && this.field === '') return; // blank line
    this.fields.push(this.field);
    const record = this.fields;
    this.fields = [];
    this.field = '';
    this.fieldStarted = false;
    this.onRecord(record, this.recordLine);
  }

  /** End of input: the last record (without a final newline), or an error for an unclosed quote. */
  end(): void {
    if (this.inQuotes) {
      throw new UserError('a quoted field is never closed (a `"` without its closing quote); fix the quoting', { file: this.where, line: this.recordLine });
    }
    this.quoteClosed = false;
    this.endRecord();
  }
}

/** Splits the header line outside quotes and counts each candidate separator. */
function countOutsideQuotes(line: string): Map<Delimiter, number> {
  const counts = new Map<Delimiter, number>(DELIMITERS.map((d) => [d, 0]));
  let inQuotes = false;
  for (const ch of line) {
    if (ch === '"') inQuotes = !inQuotes;
    else if (!inQuotes && counts.has(ch as Delimiter)) counts.set(ch as Delimiter, (counts.get(ch as Delimiter) as number) + 1);
  }
  return counts;
}

/**
 * The separator of a text table from its first lines: the candidate (comma, semicolon, tab, bar) that occurs most in
 * the header; a tie is broken by the first data line (the separator occurs as often there); a tie that remains is an
 * error asking for `dataset.delimiter`. A header with none of them is a one-column file (comma).
 */
export function detectDelimiter(head: string, where: string, option: string): Delimiter {
  const lines = head.split(/\r\n|\n|\r/);
  const header = countOutsideQuotes(lines[0] ?? '');
  const best = Math.max(...header.values());
  if (best === 0) return ',';
  let tied = DELIMITERS.filter((d) => header.get(d) === best);
  if (tied.length > 1 && lines.length > 1 && lines[1] !== '') {
    const second = countOutsideQuotes(lines[1]);
    const consistent = tied.filter((d) => second.get(d) === best);
    if (consistent.length >= 1) tied = consistent;
  }
  if (tied.length === 1) return tied[0];
  throw new UserError(
    `cannot tell the field separator: the header has ${best} ${tied.map(delimiterName).join(' and ')} characters each; set \`${option}\` to one of ${tied.map((d) => JSON.stringify(d)).join(', ')}`,
    { file: where, line: 1 },
  );
}
