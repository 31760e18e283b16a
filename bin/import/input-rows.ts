import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { CsvRecords, guessDelimiter } from '../../core/history/csv-records.ts';
import type { FileShape, HistoryRecord } from '../../core/history/history-format.ts';
import type { Unmappable } from '../../core/history/row-mapping.ts';
import type { Position } from './import-batches.ts';

/** One physical line of the input, without its line break, and the position after it. */
export interface InputLine {
  readonly text: string;
  readonly line: number;
  readonly end: Position;
}

/** One row: a record to map, or text that is no record at all. Its line is the one it starts on. */
export type InputRow =
  | { readonly record: HistoryRecord; readonly line: number; readonly end: Position }
  | { readonly broken: Unmappable; readonly line: number; readonly end: Position };

export const isGzip = (path: string) => path.toLowerCase().endsWith('.gz');

/**
 * The lines of a file from `start` on. Offsets count the bytes of the file as read (after gzip
 * decoding for a `.gz` file, which is read from its beginning and skipped up to `start`).
 */
export async function* readLines(
  path: string,
  start: Position = { offset: 0, line: 0 },
): AsyncGenerator<InputLine> {
  const gz = isGzip(path);
  const stream = gz
    ? createReadStream(path).pipe(createGunzip())
    : createReadStream(path, { start: start.offset, highWaterMark: 1 << 20 });
  let offset = gz ? 0 : start.offset;
  let skip = gz ? start.offset : 0;
  let line = start.line;
  let carry: Buffer = Buffer.alloc(0);
  const emit = (bytes: Buffer, length: number): InputLine => {
    offset += length;
    line += 1;
    let text = bytes.toString('utf8');
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (line === 1) text = text.replace(/^\uFEFF/, '');
    return { text, line, end: { offset, line } };
  };
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    let data = chunk;
    if (skip > 0) {
      const dropped = Math.min(skip, data.length);
      skip -= dropped;
      offset += dropped;
      data = data.subarray(dropped);
      if (data.length === 0) continue;
    }
    let buffer = carry.length > 0 ? Buffer.concat([carry, data]) : data;
    let nl = buffer.indexOf(0x0a);
    while (nl >= 0) {
      yield emit(buffer.subarray(0, nl), nl + 1);
      buffer = buffer.subarray(nl + 1);
      nl = buffer.indexOf(0x0a);
    }
    carry = Buffer.from(buffer);
  }
  if (carry.length > 0) yield emit(carry, carry.length);
}

export interface CsvHeader {
  readonly header: readonly string[];
  readonly delimiter: string;
  readonly end: Position;
}

/** The header record of a CSV file and where its rows begin. */
export async function readCsvHeader(path: string, delimiter?: string): Promise<CsvHeader | undefined> {
  let records: CsvRecords | undefined;
  let chosen = delimiter;
  for await (const input of readLines(path)) {
    if (records === undefined) {
      if (input.text.trim() === '') continue;
      chosen ??= guessDelimiter(input.text);
      records = new CsvRecords(chosen);
    }
    const result = records.push(input.text);
    if (result.kind === 'record')
      return { header: result.values.map((h) => h.trim()), delimiter: chosen ?? ',', end: input.end };
    if (result.kind === 'overlong') return undefined;
  }
  return undefined;
}

/** The rows of a file from `start` on (for CSV, never before the end of its header). */
export async function* readRows(
  path: string,
  shape: FileShape,
  start: Position,
  csv?: CsvHeader,
): AsyncGenerator<InputRow> {
  if (shape === 'ndjson') {
    for await (const input of readLines(path, start)) {
      if (input.text.trim() === '') continue;
      yield { record: { shape: 'ndjson', text: input.text }, line: input.line, end: input.end };
    }
    return;
  }
  if (!csv) throw new Error('a CSV file is read after its header');
  const from = start.offset >= csv.end.offset ? start : csv.end;
  const records = new CsvRecords(csv.delimiter);
  let first = 0;
  let last = from;
  for await (const input of readLines(path, from)) {
    if (!records.open) {
      if (input.text.trim() === '') continue;
      first = input.line;
    }
    const result = records.push(input.text);
    last = input.end;
    if (result.kind === 'partial') continue;
    if (result.kind === 'overlong') {
      const broken = { field: '$', rule: 'csv', message: 'a quoted field is never closed' };
      yield { broken, line: first, end: input.end };
      continue;
    }
    if (result.values.length > csv.header.length) {
      const message = `${result.values.length} fields where the header has ${csv.header.length}`;
      yield { broken: { field: '$', rule: 'csv', message }, line: first, end: input.end };
      continue;
    }
    yield {
      record: { shape: 'csv', header: csv.header, values: result.values },
      line: first,
      end: input.end,
    };
  }
  if (records.open) {
    yield {
      broken: { field: '$', rule: 'csv', message: 'a quoted field is never closed' },
      line: first,
      end: last,
    };
  }
}

/** The first `bytes` of a file as text (decoded from gzip for a `.gz` file), whole lines only. */
export async function readTextHead(path: string, bytes = 64 * 1024): Promise<string> {
  const lines: string[] = [];
  let size = 0;
  for await (const input of readLines(path)) {
    lines.push(input.text);
    size += input.text.length + 1;
    if (size >= bytes) break;
  }
  return lines.join('\n');
}
