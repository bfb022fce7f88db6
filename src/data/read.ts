/**
 * Reads a dataset file into typed columns, whatever format the user has (issue #13): CSV and other delimited text
 * (comma, semicolon, tab, bar — detected or given), gzip-compressed text, and Parquet. The format is chosen from the
 * file's first bytes (Parquet `PAR1`, gzip 1f 8b), never from the extension alone. Every reader streams: text in
 * 1 MiB chunks (decompressed on the fly), Parquet one row group at a time; what stays per row is the typed columns
 * (src/data/columns-builder.ts), and `max_rows` is enforced while reading. There is no size cap other than memory.
 *
 * Column renames (`columns: {model_input: file_column}`) are applied to the header, so every later stage sees the
 * names the policy uses. The dataset's sha256 is that of the file's bytes as stored.
 */
import { totalmem } from 'node:os';
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { didYouMean } from '../policy/suggest.js';
import { UserError } from '../util/errors.js';
import { ColumnBuilder, GrowingUint32, MAX_DISTINCT_TEXT_CHARS, type TextBudget } from './columns-builder.js';
import { MAX_CSV_COLUMNS, describeFsError, formatBytes, setRowLines } from './csv.js';
import { DelimitedParser, delimiterName, detectDelimiter, type Delimiter } from './delimited.js';
import type { Column, Dataset } from './types.js';
import { readParquetDataset } from './parquet.js';

export type DatasetFormat = 'text' | 'gzip' | 'parquet';

export interface ReadDatasetOptions {
  /** Path as the user knows it (for messages). */
  displayPath: string;
  /** Cell texts read as missing (NaN) in numeric columns. */
  missingValues: string[];
  /** Refuse files with more data rows than this (checked while reading). */
  maxRows: number;
  /** Field separator of text files; 'auto' (default) detects it. */
  delimiter?: 'auto' | Delimiter;
  /** Renames: model_input -> file column. */
  columns?: Record<string, string>;
  /** Which policy key the options came from, for messages (default 'dataset'). */
  optionPrefix?: string;
  /** Refuse files larger than this many bytes (default: no limit). */
  maxBytes?: number;
}

const CHUNK_BYTES = 1 << 20;
/** Longest cell and column name (characters): the same bounds as src/data/csv.ts (issue #10, hostile inputs). */
export const MAX_CELL_CHARS = 10_000;
export const MAX_COLUMN_NAME_CHARS = 512;
const MAX_REPORTED_PROBLEMS = 10;

/** The format of a file from its first bytes. */
export function sniffFormat(head: Uint8Array): DatasetFormat | 'zip' | 'binary' {
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x41 && head[2] === 0x52 && head[3] === 0x31) return 'parquet';
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && head[2] === 0x03 && head[3] === 0x04) return 'zip';
  for (let i = 0; i < Math.min(head.length, 4096); i++) if (head[i] === 0) return 'binary';
  return 'text';
}

export async function readDataset(file: string, opts: ReadDatasetOptions): Promise<Dataset> {
  const where = opts.displayPath;
  const prefix = opts.optionPrefix ?? 'dataset';
  const { fh, size } = await openRegularFile(file, where, prefix);
  try {
    if (opts.maxBytes !== undefined && size > opts.maxBytes) {
      throw new UserError(`dataset is ${formatBytes(size)}, more than the limit of ${formatBytes(opts.maxBytes)}; evaluate on a sample of the data`, { file: where });
    }
    const head = await readHead(fh, 4096);
    const format = sniffFormat(head);
    if (format === 'zip') {
      throw new UserError('this is a ZIP file (an .xlsx workbook or a zipped folder), not a table the gate reads; export it as CSV or Parquet, or gzip the CSV', { file: where });
    }
    if (format === 'binary') {
      throw new UserError('this is a binary file, not CSV/TSV text, gzip-compressed text or Parquet; export the data as CSV or Parquet', { file: where });
    }
    if (format === 'parquet') return await readParquetDataset(fh, size, opts);
    return await readDelimitedFile(fh, format === 'gzip', opts);
  } finally {
    await fh.close();
  }
}

/**
 * Opens a dataset file the way the CSV reader does (issue #10): without following a final symbolic link, without
 * blocking (a FIFO), and only a regular file (not a device, FIFO, socket or directory). Every later read uses this
 * descriptor, so the file checked is the file read.
 */
export async function openRegularFile(file: string, where: string, prefix = 'dataset'): Promise<{ fh: FileHandle; size: number }> {
  let fh: FileHandle;
  try {
    fh = await open(file, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ELOOP') throw new UserError('the dataset file is a symbolic link; point at a regular file', { file: where });
    if (code === 'EISDIR') throw new UserError('the dataset path is a directory; point at a file', { file: where });
    throw new UserError(`cannot read the dataset (${describeFsError(e)}); check ${prefix === 'dataset' ? 'dataset.path' : prefix} in the policy`, { file: where });
  }
  try {
    const st = await fh.stat();
    if (st.isDirectory()) throw new UserError('the dataset path is a directory; point at a file', { file: where });
    if (!st.isFile()) throw new UserError('the dataset path is not a regular file (a device, FIFO or socket); point at a regular file', { file: where });
    return { fh, size: st.size };
  } catch (e) {
    await fh.close();
    throw e;
  }
}

async function readHead(fh: FileHandle, bytes: number): Promise<Uint8Array> {
  const buf = new Uint8Array(bytes);
  const { bytesRead } = await fh.read(buf, 0, bytes, 0);
  return buf.subarray(0, bytesRead);
}

/** Header, renames, ragged rows and the row bound, shared by the text and Parquet readers. */
/**
 * Most cells (rows × columns) one dataset may hold. A cell costs at most 12 bytes while the columns are built (8 for a
 * number, 4 for a category or a number's dictionary code; chunked, no growth copies) and 8 or 4 after, so the bound is
 * a share of the machine's memory: 30% of it at 12 bytes a cell (a 7 GB runner: 175M cells, e.g. 11M rows × 15
 * columns; 16 GB: 400M), never below 32M. MODEL_RISK_GATE_MAX_CELLS (set by the workflow, not the pull request)
 * lowers or raises it.
 */
export const MAX_DATASET_CELLS = maxDatasetCells();

function maxDatasetCells(): number {
  const env = Number(process.env.MODEL_RISK_GATE_MAX_CELLS);
  if (Number.isFinite(env) && env > 0) return Math.floor(env);
  return Math.max(32_000_000, Math.floor((totalmem() * 0.3) / 12));
}

export class DatasetBuilder {
  builders: ColumnBuilder[] = [];
  header: string[] | null = null;
  lines: GrowingUint32;
  /** Expected data rows (an upper bound), 0 when unknown: the columns are then allocated once at that size. */
  capacity = 0;
  private ragged: UserError[] = [];
  private readonly missing: Set<string>;
  constructor(
    private readonly opts: ReadDatasetOptions,
    private readonly format: string,
    capacity = 0,
  ) {
    this.missing = new Set(opts.missingValues);
    // never more than max_rows (+1 for the header line): a wrong count can only waste, not exceed, the row bound
    this.capacity = Math.min(capacity, opts.maxRows + 1);
    this.lines = new GrowingUint32(this.capacity);
  }

  get rows(): number {
    return this.lines.length;
  }

  setHeader(fields: string[], line: number): void {
    const where = this.opts.displayPath;
    if (fields.length > MAX_CSV_COLUMNS) {
      throw new UserError(`header has ${fields.length} columns, more than the limit of ${MAX_CSV_COLUMNS}`, { file: where, line });
    }
    if (fields.length > 0) fields[0] = fields[0].replace(/^\uFEFF/, '');
    const problems: UserError[] = [];
    const seen = new Map<string, number>();
    fields.forEach((name, j) => {
      if (name.length > MAX_COLUMN_NAME_CHARS) {
        problems.push(new UserError(`header column ${j + 1} has a name of ${name.length} characters, more than the limit of ${MAX_COLUMN_NAME_CHARS}; use short column names`, { file: where, line }));
        return;
      }
      if (name.trim() === '') {
        problems.push(new UserError(`header column ${j + 1} has no name; give every column a name in the first row`, { file: where, line }));
        return;
      }
      const first = seen.get(name);
      if (first !== undefined) {
        problems.push(new UserError(`header names \`${name}\` twice (columns ${first + 1} and ${j + 1}); column names must be unique`, { file: where, line }));
      } else seen.set(name, j);
    });
    if (problems.length > 0) throw new UserError(problems[0].message, problems[0].location, problems.slice(1, MAX_REPORTED_PROBLEMS));
    const names = applyRenames(fields, this.opts, line);
    this.header = names;
    const where2 = this.opts.displayPath;
    const lines = this.lines;
    const budget: TextBudget = {
      chars: 0,
      onExceeded(): never {
        throw new UserError(
          `the text columns hold more than ${MAX_DISTINCT_TEXT_CHARS / (1024 * 1024)} Mi characters of distinct values (by row ${lines.length + 1}); an identifier or free-text column does not belong in the evaluation data: drop it`,
          { file: where2 },
        );
      },
    };
    this.builders = names.map((n) => new ColumnBuilder(n, this.missing, budget, this.capacity));
  }

  /** A text record: the header first, then data rows. */
  addRecord(fields: string[], line: number): void {
    if (this.header === null) {
      this.setHeader(fields, line);
      return;
    }
    const width = this.header.length;
    if (fields.length !== width) {
      if (fields.length === 1 && fields[0] === '') return;
      if (this.ragged.length < MAX_REPORTED_PROBLEMS + 1) {
        this.ragged.push(
          new UserError(
            `row has ${fields.length} field${fields.length === 1 ? '' : 's'} but the header has ${width}; fix this row (a value containing the separator must be in double quotes)`,
            { file: this.opts.displayPath, line },
          ),
        );
      }
      return;
    }
    for (let j = 0; j < width; j++) this.checkCell(fields[j], j, line);
    this.checkRowBound(line);
    for (let j = 0; j < width; j++) this.builders[j].addText(fields[j]);
    this.lines.push(line);
  }

  checkCell(text: string, j: number, line?: number): void {
    if (text.length > MAX_CELL_CHARS) {
      throw new UserError(`column ${j + 1} has a value of ${text.length} characters, more than the limit of ${MAX_CELL_CHARS}; values must be short (categories, numbers)`, {
        file: this.opts.displayPath,
        ...(line !== undefined ? { line } : {}),
      });
    }
  }

  checkRowBound(line?: number): void {
    // cells, not only rows, bound memory: a 0.5 MB gzip of 2,000 columns x 100,000 rows took 4.4 GB (issue #10)
    const width = this.header?.length ?? 0;
    if (width > 0 && (this.lines.length + 1) * width > MAX_DATASET_CELLS) {
      throw new UserError(
        `dataset has more than ${MAX_DATASET_CELLS.toLocaleString('en-US')} cells (rows × ${width} columns); evaluate on a sample, or drop the columns the policy does not use`,
        { file: this.opts.displayPath, ...(line !== undefined ? { line } : {}) },
      );
    }
    if (this.lines.length >= this.opts.maxRows) {
      throw new UserError(
        `dataset has more than ${this.opts.maxRows} data rows (${this.opts.optionPrefix ?? 'dataset'}.max_rows); evaluate on a sample or raise dataset.max_rows`,
        { file: this.opts.displayPath, ...(line !== undefined ? { line } : {}) },
      );
    }
  }

  /** Columns that lost their texts and need a second pass. */
  needsTexts(): number[] {
    return this.builders.flatMap((b, j) => (b.needsTexts ? [j] : []));
  }

  finish(sha256: string): Dataset {
    const where = this.opts.displayPath;
    if (this.header === null) {
      throw new UserError(`the file is empty; a ${this.format} with a header row and data rows is needed`, { file: where, line: 1 });
    }
    if (this.ragged.length > 0) {
      const [first, ...rest] = this.ragged;
      const more = rest.slice(0, MAX_REPORTED_PROBLEMS - 1);
      if (rest.length > more.length) more.push(new UserError('more rows have the wrong number of fields (not listed)', { file: where }));
      throw new UserError(first.message, first.location, more);
    }
    if (this.lines.length === 0) {
      throw new UserError('the file has a header but no data rows', { file: where, line: 2 });
    }
    const columns: Column[] = this.builders.map((b) => b.finish());
    const byName = new Map<string, Column>();
    for (const c of columns) byName.set(c.name, c);
    const dataset: Dataset = { file: where, sha256, rows: this.lines.length, columns, byName };
    setRowLines(dataset, this.lines.done());
    return dataset;
  }
}

/** The header with `columns: {model_input: file_column}` applied; an unknown file column is an error. */
export function applyRenames(fields: string[], opts: ReadDatasetOptions, line: number): string[] {
  const renames = opts.columns;
  if (!renames || Object.keys(renames).length === 0) return fields;
  const where = opts.displayPath;
  const byFile = new Map<string, string>();
  const problems: UserError[] = [];
  for (const [name, fileColumn] of Object.entries(renames)) {
    if (!fields.includes(fileColumn)) {
      const hint = didYouMean(fileColumn, fields);
      problems.push(
        new UserError(
          `${opts.optionPrefix ?? 'dataset'}.columns maps \`${name}\` to the column \`${fileColumn}\`, which the file does not have${hint ? `; ${hint}` : ''}`,
          { file: where, line },
        ),
      );
      continue;
    }
    byFile.set(fileColumn, name);
  }
  if (problems.length > 0) throw new UserError(problems[0].message, problems[0].location, problems.slice(1));
  const out = fields.map((f) => byFile.get(f) ?? f);
  const seen = new Set<string>();
  for (const n of out) {
    if (seen.has(n)) {
      throw new UserError(`after the renames in ${opts.optionPrefix ?? 'dataset'}.columns two columns are named \`${n}\`; rename the other one too or drop the rename`, { file: where, line });
    }
    seen.add(n);
  }
  return out;
}

/** Text chunks of a (possibly gzip-compressed) file, and its sha256 once read. */
async function* textChunks(fh: FileHandle, gzip: boolean, hash: ReturnType<typeof createHash>, where: string): AsyncGenerator<string> {
  const raw = fh.createReadStream({ start: 0, highWaterMark: CHUNK_BYTES, autoClose: false });
  raw.on('data', (b) => hash.update(b as Buffer));
  const stream = gzip ? raw.pipe(createGunzip({ chunkSize: CHUNK_BYTES })) : raw;
  const decoder = new TextDecoder('utf-8', { fatal: false });
  let ended = false;
  try {
    for await (const chunk of stream) yield decoder.decode(chunk as Uint8Array, { stream: true });
    ended = true;
    const tail = decoder.decode();
    if (tail) yield tail;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as { code?: string }).code ?? '';
    if (gzip && /^Z_|ERR_/.test(code)) {
      throw new UserError(`the gzip data is damaged or cut off (${code}); compress the file again`, { file: where });
    }
    throw e;
  } finally {
    // destroying a FileHandle stream closes the descriptor: only on an early exit (the caller closes it otherwise)
    if (!ended) raw.destroy();
  }
}

/** Files above this size are counted first (line breaks), so the columns are allocated once at their final size. */
const COUNT_FIRST_BYTES = 64 * 1024 * 1024;

/**
 * Line breaks in an uncompressed file: an upper bound on its records (quoted line breaks only make it larger). One
 * fast pass over the bytes (issue #12: allocating every column once at its size halves the peak memory of reading).
 */
async function countLineBreaks(fh: FileHandle): Promise<number> {
  const buf = Buffer.allocUnsafe(CHUNK_BYTES);
  let count = 0;
  let position = 0;
  for (;;) {
    const { bytesRead } = await fh.read(buf, 0, buf.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    let i = buf.indexOf(10, 0);
    while (i !== -1 && i < bytesRead) {
      count++;
      i = buf.indexOf(10, i + 1);
    }
  }
  return count;
}

async function readDelimitedFile(fh: FileHandle, gzip: boolean, opts: ReadDatasetOptions): Promise<Dataset> {
  const where = opts.displayPath;
  const hash = createHash('sha256');
  const size = gzip ? 0 : (await fh.stat()).size;
  const builder = new DatasetBuilder(opts, 'CSV', size > COUNT_FIRST_BYTES ? (await countLineBreaks(fh)) + 1 : 0);
  let parser: DelimitedParser | null = null;
  let pending = '';
  let delimiter: Delimiter | null = null;
  const option = `${opts.optionPrefix ?? 'dataset'}.delimiter`;
  for await (const text of textChunks(fh, gzip, hash, where)) {
    if (parser === null) {
      pending += text;
      // detect from the first two lines (wait for them, up to 1 MiB)
      const lines = pending.split(/\r\n|\n|\r/, 3);
      if (lines.length < 3 && pending.length < CHUNK_BYTES) continue;
      delimiter = opts.delimiter && opts.delimiter !== 'auto' ? opts.delimiter : detectDelimiter(pending.slice(0, CHUNK_BYTES), where, option);
      parser = new DelimitedParser(delimiter, (fields, line) => builder.addRecord(fields, line), where);
      parser.push(pending);
      pending = '';
      continue;
    }
    parser.push(text);
  }
  if (parser === null) {
    delimiter = opts.delimiter && opts.delimiter !== 'auto' ? opts.delimiter : detectDelimiter(pending, where, option);
    parser = new DelimitedParser(delimiter, (fields, line) => builder.addRecord(fields, line), where);
    parser.push(pending);
  }
  parser.end();
  if (builder.header !== null && builder.header.length === 1 && builder.rows > 0 && (opts.delimiter ?? 'auto') === 'auto') {
    // one column: fine for a real one-column file, but say so when the name looks like a row of another separator
    const name = builder.header[0];
    if (/[,;\t|]/.test(name)) {
      throw new UserError(`the header is a single column \`${name.slice(0, 60)}\`; set \`${option}\` to the file's field separator`, { file: where, line: 1 });
    }
  }
  const second = builder.needsTexts();
  if (second.length > 0) await secondPass(fh, gzip, delimiter as Delimiter, builder, second, where);
  return builder.finish(hash.digest('hex'));
}

/** Re-reads the texts of the columns that turned categorical after dropping their dictionaries. */
async function secondPass(fh: FileHandle, gzip: boolean, delimiter: Delimiter, builder: DatasetBuilder, columns: number[], where: string): Promise<void> {
  let row = -1;
  const width = builder.header!.length;
  const parser = new DelimitedParser(
    delimiter,
    (fields) => {
      if (row === -1 || fields.length !== width) {
        if (row === -1) row = 0;
        return;
      }
      for (const j of columns) builder.builders[j].fillText(row, fields[j]);
      row++;
    },
    where,
  );
  for await (const text of textChunks(fh, gzip, createHash('sha256'), where)) parser.push(text);
  parser.end();
}


export { delimiterName };
