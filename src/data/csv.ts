/**
 * CSV evaluation data -> a columnar, typed Dataset.
 *
 * - A header row is required; names must be non-empty and distinct.
 * - A column is numeric (Float64Array, NaN for a missing value) when every cell that is not a missing-value text parses
 *   as a finite decimal number; otherwise it is categorical (Int32Array codes + levels in order of first appearance),
 *   and the missing-value texts (e.g. `?`) stay as levels of their own, since models were trained on them.
 * - Sizes are bounded (bytes, rows, columns): the data may come from an untrusted pull request.
 * - Files without quotes (the common case) are split directly, which is several times faster than a general parser;
 *   anything with a quote character or a lone carriage return goes through csv-parse.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { UserError } from '../util/errors.js';
import { readRegularFileSync } from '../util/safe-fs.js';
import type { Column, Dataset } from './types.js';

export interface ReadCsvOptions {
  /** Path as the user knows it (for messages). */
  displayPath: string;
  /** Cell texts read as missing (NaN) in numeric columns. */
  missingValues: string[];
  /** Refuse files with more data rows than this. */
  maxRows: number;
  /** Refuse files larger than this many bytes. Default 256 MiB. */
  maxBytes?: number;
}

export const DEFAULT_MAX_CSV_BYTES = 256 * 1024 * 1024;
export const MAX_CSV_COLUMNS = 10_000;
/** Longest cell (characters): group names and categories are short; a megabyte-long cell is hostile (issue #10). */
export const MAX_CSV_CELL_CHARS = 10_000;
/** Longest column name (characters). */
export const MAX_CSV_COLUMN_NAME_CHARS = 512;
const MAX_REPORTED_PROBLEMS = 10;

/** 1-based line of each data row in its file (kept beside the Dataset so that messages can name a line). */
const rowLinesByDataset = new WeakMap<Dataset, Uint32Array>();

/** The 1-based file line on which a data row starts (row 0 is the first row after the header). */
export function lineOfRow(dataset: Dataset, row: number): number {
  const lines = rowLinesByDataset.get(dataset);
  if (lines && row >= 0 && row < lines.length) return lines[row];
  return row + 2;
}

/** Attach row -> line information to a dataset built elsewhere (e.g. a subset). */
export function setRowLines(dataset: Dataset, lines: Uint32Array): void {
  rowLinesByDataset.set(dataset, lines);
}

export async function readCsvDataset(file: string, opts: ReadCsvOptions): Promise<Dataset> {
  const where = opts.displayPath;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_CSV_BYTES;
  let size: number;
  try {
    const st = await stat(file);
    if (!st.isFile()) throw new UserError(`not a file; point dataset.path at a CSV file`, { file: where });
    size = st.size;
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`cannot read the dataset (${describeFsError(e)}); check dataset.path in the policy`, { file: where });
  }
  if (size > maxBytes) {
    throw new UserError(
      `dataset is ${formatBytes(size)}, more than the limit of ${formatBytes(maxBytes)}; evaluate on a sample of the data`,
      { file: where },
    );
  }
  // size checked again on the open descriptor; the read stops at the limit whatever stat said (issue #10)
  const bytes = readRegularFileSync(file, { maxBytes, what: 'dataset', where: { file: where }, tooBigHint: 'evaluate on a sample of the data' });
  return parseCsvDataset(bytes, { ...opts, maxBytes });
}

/** Same as readCsvDataset, from bytes already in memory. */
export function parseCsvDataset(bytes: Uint8Array, opts: ReadCsvOptions): Dataset {
  const where = opts.displayPath;
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_CSV_BYTES;
  if (bytes.length > maxBytes) {
    throw new UserError(
      `dataset is ${formatBytes(bytes.length)}, more than the limit of ${formatBytes(maxBytes)}; evaluate on a sample of the data`,
      { file: where },
    );
  }
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const table = needsFullParser(text) ? splitWithCsvParse(text, opts) : splitSimple(text, opts);
  const missing = new Set(opts.missingValues);
  const columns: Column[] = table.header.map((name, j) => typeColumn(name, table.cells[j], missing));
  const byName = new Map<string, Column>();
  for (const c of columns) byName.set(c.name, c);
  const dataset: Dataset = { file: where, sha256, rows: table.rowLines.length, columns, byName };
  rowLinesByDataset.set(dataset, Uint32Array.from(table.rowLines));
  return dataset;
}

interface RawTable {
  header: string[];
  /** Cell texts per column. */
  cells: string[][];
  /** 1-based line of each data row. */
  rowLines: number[];
}

function needsFullParser(text: string): boolean {
  if (text.includes('"')) return true;
  // A carriage return not followed by a newline (old Mac line ends) is left to csv-parse.
  for (let i = text.indexOf('\r'); i !== -1; i = text.indexOf('\r', i + 1)) {
    if (text.charCodeAt(i + 1) !== 10) return true;
  }
  return false;
}

/** Collects header and rows, checks shape and bounds; shared by both splitters. */
class TableBuilder {
  header: string[] | null = null;
  cells: string[][] = [];
  rowLines: number[] = [];
  private ragged: UserError[] = [];
  constructor(private readonly opts: ReadCsvOptions) {}

  add(fields: string[], line: number): void {
    if (this.header === null) {
      this.setHeader(fields, line);
      return;
    }
    const width = this.header.length;
    if (fields.length !== width) {
      // A row of one empty field is a blank line; skip it silently.
      if (fields.length === 1 && fields[0] === '') return;
      if (this.ragged.length < MAX_REPORTED_PROBLEMS + 1) {
        this.ragged.push(
          new UserError(
            `row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${width}; ` +
              `fix this row (a value containing a comma must be in double quotes)`,
            { file: this.opts.displayPath, line },
          ),
        );
      }
      return;
    }
    for (let j = 0; j < width; j++) {
      if (fields[j].length > MAX_CSV_CELL_CHARS) {
        throw new UserError(
          `column ${j + 1} has a value of ${fields[j].length} characters, more than the limit of ${MAX_CSV_CELL_CHARS}; values must be short (categories, numbers)`,
          { file: this.opts.displayPath, line },
        );
      }
    }
    if (this.rowLines.length >= this.opts.maxRows) {
      throw new UserError(
        `dataset has more than ${this.opts.maxRows} data rows (dataset.max_rows); evaluate on a sample or raise dataset.max_rows`,
        { file: this.opts.displayPath, line },
      );
    }
    for (let j = 0; j < width; j++) this.cells[j].push(fields[j]);
    this.rowLines.push(line);
  }

  private setHeader(fields: string[], line: number): void {
    const where = this.opts.displayPath;
    if (fields.length > MAX_CSV_COLUMNS) {
      throw new UserError(`header has ${fields.length} columns, more than the limit of ${MAX_CSV_COLUMNS}`, { file: where, line });
    }
    const problems: UserError[] = [];
    const seen = new Map<string, number>();
    fields.forEach((name, j) => {
      if (name.length > MAX_CSV_COLUMN_NAME_CHARS) {
        problems.push(
          new UserError(`header column ${j + 1} has a name of ${name.length} characters, more than the limit of ${MAX_CSV_COLUMN_NAME_CHARS}; use short column names`, {
            file: where,
            line,
          }),
        );
        return;
      }
      if (name.trim() === '') {
        problems.push(
          new UserError(`header column ${j + 1} has no name; give every column a name in the first row`, {
            file: where,
            line,
          }),
        );
        return;
      }
      const first = seen.get(name);
      if (first !== undefined) {
        problems.push(
          new UserError(`header names \`${name}\` twice (columns ${first + 1} and ${j + 1}); column names must be unique`, {
            file: where,
            line,
          }),
        );
      } else seen.set(name, j);
    });
    if (problems.length > 0) throw new UserError(problems[0].message, problems[0].location, problems.slice(1, MAX_REPORTED_PROBLEMS));
    this.header = fields;
    this.cells = fields.map(() => []);
  }

  finish(): RawTable {
    const where = this.opts.displayPath;
    if (this.header === null) {
      throw new UserError('the file is empty; a CSV with a header row and data rows is needed', { file: where, line: 1 });
    }
    if (this.ragged.length > 0) {
      const [first, ...rest] = this.ragged;
      const more = rest.slice(0, MAX_REPORTED_PROBLEMS - 1);
      if (rest.length > more.length) {
        more.push(new UserError('more rows have the wrong number of fields (not listed)', { file: where }));
      }
      throw new UserError(first.message, first.location, more);
    }
    if (this.rowLines.length === 0) {
      throw new UserError('the file has a header but no data rows', { file: where, line: 2 });
    }
    return { header: this.header, cells: this.cells, rowLines: this.rowLines };
  }
}

/** Files without any quote: each line is one record, fields split at commas. */
function splitSimple(text: string, opts: ReadCsvOptions): RawTable {
  const builder = new TableBuilder(opts);
  let start = 0;
  let line = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    line++;
    let stop = end;
    if (stop > start && text.charCodeAt(stop - 1) === 13) stop--;
    if (stop > start) builder.add(text.slice(start, stop).split(','), line);
    start = end + 1;
  }
  return builder.finish();
}

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
}

/** General RFC 4180 parsing (quotes, embedded newlines, any line end) through csv-parse. */
function splitWithCsvParse(text: string, opts: ReadCsvOptions): RawTable {
  const builder = new TableBuilder(opts);
  let previousEnd = 0;
  let previousEmpty = 0;
  try {
    parse(text, {
      relax_column_count: true,
      skip_empty_lines: true,
      on_record: (record: string[], context) => {
        // context.lines is the line where the record ends; it starts after the previous record and any blank lines.
        const start = previousEnd + 1 + (context.empty_lines - previousEmpty);
        previousEnd = context.lines;
        previousEmpty = context.empty_lines;
        builder.add(record, start);
        return null;
      },
    });
  } catch (e) {
    if (e instanceof UserError) throw e;
    const err = e as CsvParseError;
    const line = typeof err.lines === 'number' && err.lines > 0 ? err.lines : undefined;
    const what = (err.message ?? String(e)).replace(/^Invalid \w+:\s*/, '').replace(/\s+/g, ' ');
    throw new UserError(`cannot parse the CSV: ${what}; check the quoting on this line`, {
      file: opts.displayPath,
      line,
    });
  }
  return builder.finish();
}

/** Decimal numbers only: no hex, no Infinity, no surrounding spaces. */
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Whether a cell text is a plain decimal number. */
export function isDecimalText(text: string): boolean {
  return DECIMAL.test(text);
}

function typeColumn(name: string, texts: string[], missing: Set<string>): Column {
  const n = texts.length;
  const values = new Float64Array(n);
  let missingCount = 0;
  let integer = true;
  let numeric = true;
  for (let i = 0; i < n; i++) {
    const t = texts[i];
    if (missing.has(t)) {
      values[i] = NaN;
      missingCount++;
      continue;
    }
    if (!DECIMAL.test(t)) {
      numeric = false;
      break;
    }
    const v = Number(t);
    if (!Number.isFinite(v)) {
      numeric = false;
      break;
    }
    values[i] = v;
    if (integer && !Number.isInteger(v)) integer = false;
  }
  if (numeric) return { kind: 'numeric', name, values, missing: missingCount, integer };

  const codes = new Int32Array(n);
  const levels: string[] = [];
  const index = new Map<string, number>();
  missingCount = 0;
  for (let i = 0; i < n; i++) {
    const t = texts[i];
    let code = index.get(t);
    if (code === undefined) {
      code = levels.length;
      levels.push(t);
      index.set(t, code);
    }
    codes[i] = code;
    if (missing.has(t)) missingCount++;
  }
  return { kind: 'categorical', name, codes, levels, missing: missingCount };
}

export function describeFsError(e: unknown): string {
  const code = (e as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  return code ?? 'unknown error';
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}
