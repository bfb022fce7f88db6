/**
 * Parquet datasets through hyparquet (pure JavaScript, no native build), one row group at a time: the file is read
 * with positioned reads (never loaded whole), each row group's columns are decoded, fed to the typed column builders
 * and dropped. Numeric physical types (INT32, INT64, FLOAT, DOUBLE, without a text/date logical type) give numeric
 * values; text values go through the same typing as CSV cells (a text column of decimal numbers is numeric, as in a
 * CSV); nulls are missing values. Nested columns (lists, maps, structs) are refused with a message.
 * Codecs: uncompressed and snappy (hyparquet), gzip and brotli (node:zlib), zstd where node:zlib has it (Node >= 22.15).
 */
import { createHash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import * as zlib from 'node:zlib';
import { parquetMetadataAsync, parquetRead, parquetSchema, snappyUncompress, type AsyncBuffer, type Compressors } from 'hyparquet';
import { checkParquetPages, ParquetPageError } from './parquet-pages.js';
import { UserError } from '../util/errors.js';
import type { Dataset } from './types.js';
import { DatasetBuilder, MAX_DATASET_CELLS, type ReadDatasetOptions } from './read.js';

/** Largest decompressed Parquet page (a 2 MB gzip page can inflate to gigabytes; issue #10). */
export const MAX_PARQUET_PAGE_BYTES = 256 * 1024 * 1024;

/** A page's claimed uncompressed size, checked before anything is allocated for it. */
function claimed(size: number): number {
  if (!(size >= 0 && size <= MAX_PARQUET_PAGE_BYTES)) throw new RangeError('page too large');
  return size;
}

function compressors(): Compressors {
  const limit = { maxOutputLength: MAX_PARQUET_PAGE_BYTES };
  const out: Compressors = {
    GZIP: (input: Uint8Array, size: number) => (claimed(size), new Uint8Array(zlib.gunzipSync(input, limit))),
    BROTLI: (input: Uint8Array, size: number) => (claimed(size), new Uint8Array(zlib.brotliDecompressSync(input, limit))),
    SNAPPY: (input: Uint8Array, size: number) => {
      const page = new Uint8Array(claimed(size));
      snappyUncompress(input, page);
      return page;
    },
  };
  const z = zlib as unknown as { zstdDecompressSync?: (b: Uint8Array, o?: object) => Buffer };
  if (typeof z.zstdDecompressSync === 'function') {
    const f = z.zstdDecompressSync;
    out.ZSTD = (input: Uint8Array, size: number) => (claimed(size), new Uint8Array(f(input, limit)));
  }
  return out;
}

/** Reads from an open descriptor (src/data/read.ts opens it; the caller closes it). */
export async function readParquetDataset(fh: FileHandle, size: number, opts: ReadDatasetOptions): Promise<Dataset> {
  const where = opts.displayPath;
  const hash = createHash('sha256');
  try {
    const buffer: AsyncBuffer = {
      byteLength: size,
      async slice(start: number, end?: number): Promise<ArrayBuffer> {
        const stop = Math.min(end ?? size, size);
        const out = new Uint8Array(Math.max(0, stop - start));
        let done = 0;
        while (done < out.length) {
          const { bytesRead } = await fh.read(out, done, out.length - done, start + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return out.buffer;
      },
    };
    let metadata;
    try {
      metadata = await parquetMetadataAsync(buffer);
    } catch (e) {
      throw new UserError(`cannot read the Parquet file (${(e as Error).message}); the file is damaged or cut off — write it again`, { file: where });
    }
    const schema = parquetSchema(metadata);
    const leaves = schema.children;
    const nested = leaves.filter((c) => c.children.length > 0);
    if (nested.length > 0) {
      throw new UserError(`Parquet column \`${nested[0].element.name}\` is nested (a list, map or struct); flatten it into plain columns`, { file: where });
    }
    const names = leaves.map((c) => c.element.name);
    const numericKind = leaves.map((c) => {
      const t = c.element.type;
      const logical = c.element.logical_type?.type;
      const converted = c.element.converted_type;
      if (logical && ['STRING', 'DATE', 'TIMESTAMP', 'TIME', 'ENUM', 'UUID', 'JSON'].includes(logical)) return false;
      if (converted && ['UTF8', 'DATE', 'TIMESTAMP_MILLIS', 'TIMESTAMP_MICROS', 'TIME_MILLIS', 'TIME_MICROS', 'ENUM', 'JSON'].includes(converted)) return false;
      return t === 'INT32' || t === 'INT64' || t === 'FLOAT' || t === 'DOUBLE' || t === 'INT96';
    });
    const builder = new DatasetBuilder(opts, 'Parquet file');
    builder.setHeader([...names], 1);
    const total = Number(metadata.num_rows);
    if (total > opts.maxRows) builder.checkRowBound(); // fast refusal from the footer (the bound is also checked per row)
    // a row group is decoded whole before its rows reach the builder: bound its cells from the footer first (issue #10)
    for (const group of metadata.row_groups) {
      if (Number(group.num_rows) * Math.max(1, names.length) > MAX_DATASET_CELLS) {
        throw new UserError(
          `a Parquet row group has ${Number(group.num_rows)} rows × ${names.length} columns, more than ${MAX_DATASET_CELLS.toLocaleString('en-US')} cells; evaluate on a sample, or write fewer columns`,
          { file: where },
        );
      }
    }
    // every page header against its row group before hyparquet trusts its counts (a 100-byte page can claim 2^31 values)
    try {
      await checkParquetPages(metadata, size, async (position, length) => new Uint8Array(await buffer.slice(position, position + length)), MAX_PARQUET_PAGE_BYTES);
    } catch (e) {
      if (e instanceof ParquetPageError) throw new UserError(`the Parquet file is malformed: ${e.message}; write it again with a standard Parquet writer`, { file: where });
      throw e;
    }
    let rowStart = 0;
    for (const group of metadata.row_groups) {
      const rows = Number(group.num_rows);
      const rowEnd = rowStart + rows;
      const chunks = new Map<string, Array<{ start: number; data: ArrayLike<unknown> }>>();
      try {
        await parquetRead({
          file: buffer,
          metadata,
          rowStart,
          rowEnd,
          compressors: compressors(),
          onChunk: (c) => {
            const list = chunks.get(c.columnName) ?? [];
            list.push({ start: c.rowStart, data: c.columnData as ArrayLike<unknown> });
            chunks.set(c.columnName, list);
          },
        });
      } catch (e) {
        if (e instanceof UserError) throw e;
        if ((e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
          throw new UserError(`a Parquet page decompresses to more than ${MAX_PARQUET_PAGE_BYTES / (1024 * 1024)} MiB (or cannot be allocated); write the file with smaller pages`, { file: where });
        }
        throw new UserError(`cannot decode the Parquet file (${(e as Error).message.split('\n')[0]}); write it with snappy, gzip or no compression`, { file: where });
      }
      const perColumn = names.map((n) => {
        const list = chunks.get(n) ?? [];
        return (r: number): unknown => {
          for (const c of list) if (r >= c.start && r < c.start + c.data.length) return c.data[r - c.start];
          return undefined;
        };
      });
      const direct = names.map((n) => {
        const list = chunks.get(n) ?? [];
        return list.length === 1 && list[0].start <= rowStart && list[0].start + list[0].data.length >= rowEnd ? list[0] : null;
      });
      for (let r = rowStart; r < rowEnd; r++) {
        builder.checkRowBound();
        for (let j = 0; j < names.length; j++) {
          const d = direct[j];
          const v = d ? d.data[r - d.start] : perColumn[j](r);
          const b = builder.builders[j];
          if (v === null || v === undefined) b.addMissing();
          else if (typeof v === 'number') {
            if (numericKind[j]) b.addNumber(v);
            else b.addText(String(v));
          } else if (typeof v === 'bigint') b.addNumber(Number(v));
          else if (typeof v === 'string') {
            builder.checkCell(v, j);
            b.addText(v);
          }
          else if (typeof v === 'boolean') b.addText(v ? 'true' : 'false');
          else if (v instanceof Date) b.addText(v.toISOString());
          else throw new UserError(`Parquet column \`${names[j]}\` holds values of a kind the gate cannot compare (${Object.prototype.toString.call(v)}); store numbers or texts`, { file: where });
        }
        builder.lines.push(r + 2);
      }
      rowStart = rowEnd;
    }
    // sha256 of the file's bytes, streamed
    const chunk = new Uint8Array(1 << 20);
    for (let pos = 0; pos < size; ) {
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, pos);
      if (bytesRead === 0) break;
      hash.update(chunk.subarray(0, bytesRead));
      pos += bytesRead;
    }
    const needs = builder.needsTexts();
    if (needs.length > 0) {
      throw new UserError(`Parquet column \`${names[needs[0]]}\` mixes many numbers with texts; store it as one type`, { file: where });
    }
    return builder.finish(hash.digest('hex'));
  } finally {
    // the descriptor belongs to the caller
  }
}
