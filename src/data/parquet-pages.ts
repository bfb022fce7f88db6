/**
 * Checks every page header of a Parquet file against the row groups' sizes before hyparquet decodes a page (issue
 * #10). hyparquet trusts a page header's counts: a 100-byte file whose data page claims 2^31 values in one run-length
 * run makes it fill a 2-billion-element array (the process dies of heap exhaustion with V8's native stack on
 * stderr), and a snappy page that claims a 2 GB uncompressed size is allocated before it is decoded. hyparquet does
 * not export its page-header reader, so this is a small Thrift compact-protocol walker of its own: it reads only the
 * fields it bounds (page type, sizes, value and row counts), skips every other field by its declared length, and
 * refuses a header that is nested too deep, longer than its window, or points outside its column chunk.
 *
 * Bounds, per column chunk of a row group of R rows (the gate reads flat columns only, so one value per row):
 * data pages (v1, v2) hold at most R values together; a dictionary page at most R entries; no page decompresses to
 * more than `maxPageBytes`; the chunk lies inside the file.
 */
import type { FileMetaData } from 'hyparquet';

/** What a refused page says (the caller turns it into a UserError naming the file). */
export class ParquetPageError extends Error {}

const STOP = 0;
const TRUE = 1;
const FALSE = 2;
const BYTE = 3;
const I16 = 4;
const I32 = 5;
const I64 = 6;
const DOUBLE = 7;
const BINARY = 8;
const LIST = 9;
const SET = 10;
const MAP = 11;
const STRUCT = 12;

/** Thrift nesting the walker follows (a page header nests 3 deep: header → statistics → binary). */
const MAX_DEPTH = 16;

class OutOfBytes extends Error {}

class Reader {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  byte(): number {
    if (this.offset >= this.bytes.length) throw new OutOfBytes();
    return this.bytes[this.offset++];
  }
  /** Unsigned LEB128 (up to 10 bytes), as a double (exact below 2^53; larger values only need to compare as large). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if (!(b & 0x80)) return result;
      scale *= 128;
    }
    throw new ParquetPageError('a page header holds a malformed number');
  }
  zigzag(): number {
    const v = this.varint();
    // (v >>> 1) ^ -(v & 1) without 32-bit truncation
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }
  skip(n: number): void {
    if (n < 0 || this.offset + n > this.bytes.length) throw new OutOfBytes();
    this.offset += n;
  }
}

/** A struct's integer fields by id (nested structs by id too); everything else skipped. */
interface Struct {
  ints: Map<number, number>;
  structs: Map<number, Struct>;
}

function skipElement(r: Reader, type: number, depth: number): void {
  switch (type) {
    case TRUE:
    case FALSE:
      return;
    case BYTE:
      r.skip(1);
      return;
    case I16:
    case I32:
    case I64:
      r.varint();
      return;
    case DOUBLE:
      r.skip(8);
      return;
    case BINARY:
      r.skip(r.varint());
      return;
    case LIST:
    case SET: {
      const head = r.byte();
      const elem = head & 0x0f;
      const size = head >> 4 === 15 ? r.varint() : head >> 4;
      if (depth >= MAX_DEPTH) throw new ParquetPageError('a page header is nested too deep');
      // each element takes at least one byte except booleans packed in the type: bound the loop by the bytes left
      if (elem !== TRUE && elem !== FALSE && size > r.bytes.length - r.offset) throw new OutOfBytes();
      if (elem === TRUE || elem === FALSE) {
        r.skip(size); // a boolean list element is one byte
        return;
      }
      for (let i = 0; i < size; i++) skipElement(r, elem, depth + 1);
      return;
    }
    case MAP: {
      const size = r.varint();
      if (size === 0) return;
      const kinds = r.byte();
      if (depth >= MAX_DEPTH) throw new ParquetPageError('a page header is nested too deep');
      if (size > r.bytes.length - r.offset) throw new OutOfBytes();
      for (let i = 0; i < size; i++) {
        skipElement(r, kinds >> 4, depth + 1);
        skipElement(r, kinds & 0x0f, depth + 1);
      }
      return;
    }
    case STRUCT:
      readStruct(r, depth + 1);
      return;
    default:
      throw new ParquetPageError(`a page header holds an unknown Thrift type ${type}`);
  }
}

function readStruct(r: Reader, depth: number): Struct {
  if (depth > MAX_DEPTH) throw new ParquetPageError('a page header is nested too deep');
  const out: Struct = { ints: new Map(), structs: new Map() };
  let fid = 0;
  for (;;) {
    const b = r.byte();
    const type = b & 0x0f;
    if (type === STOP) return out;
    const delta = b >> 4;
    fid = delta ? fid + delta : r.zigzag();
    if (type === I16 || type === I32 || type === I64) out.ints.set(fid, r.zigzag());
    else if (type === STRUCT) out.structs.set(fid, readStruct(r, depth + 1));
    else skipElement(r, type, depth);
  }
}

export interface PageHeaderInfo {
  /** 0 data page, 1 index page, 2 dictionary page, 3 data page v2. */
  type: number;
  uncompressedSize: number;
  compressedSize: number;
  /** Values (data pages), entries (dictionary page); 0 for other pages. */
  values: number;
  /** Rows of a v2 data page. */
  rows: number;
  /** Bytes the header itself took. */
  headerBytes: number;
}

/** Parses one page header from `bytes` (which must start at the header); null when `bytes` ends inside it. */
export function parsePageHeader(bytes: Uint8Array): PageHeaderInfo | null {
  const r = new Reader(bytes);
  let s: Struct;
  try {
    s = readStruct(r, 0);
  } catch (e) {
    if (e instanceof OutOfBytes) return null;
    throw e;
  }
  const type = s.ints.get(1);
  const uncompressedSize = s.ints.get(2);
  const compressedSize = s.ints.get(3);
  if (type === undefined || uncompressedSize === undefined || compressedSize === undefined) {
    throw new ParquetPageError('a page header lacks its type or sizes');
  }
  const data = s.structs.get(5);
  const dict = s.structs.get(7);
  const v2 = s.structs.get(8);
  let values = 0;
  let rows = 0;
  if (type === 0) values = data?.ints.get(1) ?? Number.NaN;
  else if (type === 2) values = dict?.ints.get(1) ?? Number.NaN;
  else if (type === 3) {
    values = v2?.ints.get(1) ?? Number.NaN;
    rows = v2?.ints.get(3) ?? Number.NaN;
  }
  return { type, uncompressedSize, compressedSize, values, rows, headerBytes: r.offset };
}

/** Reads `length` bytes at `position` (short at the end of the file). */
export type ReadAt = (position: number, length: number) => Promise<Uint8Array>;

/** Header windows tried in turn; a header longer than the last (statistics of huge values) is refused. */
const WINDOWS = [4096, 65536, 1 << 20];

/**
 * Walks every page of every column chunk of `metadata` and throws ParquetPageError on the first page whose header
 * breaks a bound (see the file comment). Reads only page headers (a few KB per page), never page data.
 */
export async function checkParquetPages(metadata: FileMetaData, fileSize: number, readAt: ReadAt, maxPageBytes: number): Promise<void> {
  for (let g = 0; g < metadata.row_groups.length; g++) {
    const group = metadata.row_groups[g];
    const rows = Number(group.num_rows);
    for (const column of group.columns) {
      const meta = column.meta_data;
      if (!meta) throw new ParquetPageError(`row group ${g + 1} has a column chunk without metadata`);
      const name = meta.path_in_schema.join('.');
      const where = `column \`${name}\` in row group ${g + 1}`;
      // the byte range hyparquet reads (its plan.js): from the dictionary page when the footer names one
      const start = Number(meta.dictionary_page_offset || meta.data_page_offset);
      const size = Number(meta.total_compressed_size);
      const end = start + size;
      if (!(start >= 4 && size >= 0 && end <= fileSize)) {
        throw new ParquetPageError(`${where} lies outside the file (bytes ${start}–${end} of ${fileSize})`);
      }
      if (Number(meta.num_values) > rows) {
        throw new ParquetPageError(`${where} claims ${Number(meta.num_values)} values in ${rows} rows`);
      }
      let at = start;
      let dataValues = 0;
      while (at < end) {
        let header: PageHeaderInfo | null = null;
        for (const w of WINDOWS) {
          const bytes = await readAt(at, Math.min(w, end - at));
          header = parsePageHeader(bytes);
          if (header || bytes.length < w) break;
        }
        if (!header) throw new ParquetPageError(`${where}: a page header at byte ${at} is cut off or longer than 1 MiB`);
        const { type, uncompressedSize, compressedSize, values } = header;
        if (!(compressedSize >= 0 && at + header.headerBytes + compressedSize <= end)) {
          throw new ParquetPageError(`${where}: a page at byte ${at} runs past its column chunk`);
        }
        if (!(uncompressedSize >= 0 && uncompressedSize <= maxPageBytes)) {
          throw new ParquetPageError(`${where}: a page claims ${uncompressedSize} bytes uncompressed, more than ${maxPageBytes / (1024 * 1024)} MiB`);
        }
        if (type === 0 || type === 3) {
          if (!(values >= 0) || (type === 3 && !(header.rows >= 0 && header.rows <= rows))) {
            throw new ParquetPageError(`${where}: a data page at byte ${at} has a malformed value count`);
          }
          dataValues += values;
          if (dataValues > rows) throw new ParquetPageError(`${where}: its data pages claim ${dataValues} values in ${rows} rows`);
        } else if (type === 2) {
          if (!(values >= 0 && values <= rows)) throw new ParquetPageError(`${where}: a dictionary page claims ${values} entries for ${rows} rows`);
        } else if (type !== 1) {
          throw new ParquetPageError(`${where}: a page at byte ${at} has an unknown type ${type}`);
        }
        at += header.headerBytes + compressedSize;
      }
    }
  }
}
