/**
 * Hand-made Parquet files whose page headers lie (issue #10 hostile inputs): one column `x` (INT32, required) in one
 * row group of `rows` rows, holding a single page written here with the writer's own Thrift serializer. hyparquet-writer
 * exports no page-header writer, so its source files are imported by path (test-only; never bundled).
 */
import { ByteWriter } from 'hyparquet-writer';
// @ts-expect-error untyped internal module of hyparquet-writer
import { writePageHeader } from '../../node_modules/hyparquet-writer/src/datapage.js';
// @ts-expect-error untyped internal module of hyparquet-writer
import { writeMetadata } from '../../node_modules/hyparquet-writer/src/metadata.js';

export interface CraftedPage {
  type?: 'DATA_PAGE' | 'DICTIONARY_PAGE';
  /** Values the header claims. */
  numValues: number;
  /** Page body bytes (default: an RLE run of `numValues` sevens at bit width 8). */
  body?: Uint8Array;
  /** Uncompressed size the header claims (default: the body's length). */
  uncompressedSize?: number;
  codec?: 'UNCOMPRESSED' | 'SNAPPY' | 'GZIP';
  rows?: number;
}

function bytesOf(w: ByteWriter): Uint8Array {
  return new Uint8Array(w.getBuffer());
}

/** An RLE run: bit width 8, header (count << 1), value 7 — a few bytes that decode to `count` values. */
export function rleRun(count: number): Uint8Array {
  const w = new ByteWriter();
  w.appendUint8(8);
  w.appendVarInt(count * 2);
  w.appendUint8(7);
  return bytesOf(w);
}

export function craftParquet(page: CraftedPage): Uint8Array {
  const rows = page.rows ?? 1;
  const body = page.body ?? rleRun(page.numValues);
  const w = new ByteWriter();
  const magic = new TextEncoder().encode('PAR1');
  w.appendBytes(magic);
  const start = w.offset;
  const type = page.type ?? 'DATA_PAGE';
  writePageHeader(w, {
    type,
    uncompressed_page_size: page.uncompressedSize ?? body.length,
    compressed_page_size: body.length,
    ...(type === 'DATA_PAGE'
      ? { data_page_header: { num_values: page.numValues, encoding: 'RLE', definition_level_encoding: 'RLE', repetition_level_encoding: 'RLE' } }
      : { dictionary_page_header: { num_values: page.numValues, encoding: 'PLAIN' } }),
  });
  w.appendBytes(body);
  const size = BigInt(w.offset - start);
  const metaStart = w.offset;
  writeMetadata(w, {
    version: 2,
    schema: [{ name: 'root', num_children: 1 }, { name: 'x', type: 'INT32', repetition_type: 'REQUIRED' }],
    num_rows: BigInt(rows),
    row_groups: [{
      columns: [{
        file_offset: BigInt(start),
        meta_data: {
          type: 'INT32', encodings: ['RLE'], path_in_schema: ['x'], codec: page.codec ?? 'UNCOMPRESSED', num_values: BigInt(rows),
          total_uncompressed_size: size, total_compressed_size: size, data_page_offset: BigInt(start),
          ...(type === 'DICTIONARY_PAGE' ? { dictionary_page_offset: BigInt(start) } : {}),
        },
      }],
      total_byte_size: size,
      num_rows: BigInt(rows),
    }],
  });
  w.appendUint32(w.offset - metaStart);
  w.appendBytes(magic);
  return bytesOf(w);
}
