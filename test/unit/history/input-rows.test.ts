import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type InputRow,
  readCsvHeader,
  readLines,
  readRows,
  readTextHead,
} from '../../../bin/import/input-rows.ts';

const dir = mkdtempSync(join(tmpdir(), 'spate-input-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A CSV row's values, or why it is no row. */
const valuesOf = (r: InputRow) =>
  'broken' in r ? r.broken.message : r.record.shape === 'csv' ? r.record.values : r.record.text;

async function all<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

const NDJSON = '\uFEFF{"a":1}\r\n\n{"b":"ü"}\n{"c":3}';

describe('readLines', () => {
  it('gives each line with the byte offset after it, without BOM or CR', async () => {
    const lines = await all(readLines(file('a.ndjson', NDJSON)));
    expect(lines.map((l) => [l.text, l.line, l.end.offset])).toEqual([
      ['{"a":1}', 1, 12],
      ['', 2, 13],
      ['{"b":"ü"}', 3, 24],
      ['{"c":3}', 4, 31],
    ]);
  });

  it('goes on from a position, counting lines from there', async () => {
    const lines = await all(readLines(file('b.ndjson', NDJSON), { offset: 13, line: 2 }));
    expect(lines.map((l) => [l.text, l.line, l.end.offset])).toEqual([
      ['{"b":"ü"}', 3, 24],
      ['{"c":3}', 4, 31],
    ]);
  });

  it('reads a gzip file as its content, offsets counted in the content', async () => {
    const path = file('c.ndjson.gz', gzipSync(Buffer.from(NDJSON)));
    const lines = await all(readLines(path, { offset: 13, line: 2 }));
    expect(lines.map((l) => [l.text, l.line, l.end.offset])).toEqual([
      ['{"b":"ü"}', 3, 24],
      ['{"c":3}', 4, 31],
    ]);
    expect(await readTextHead(path)).toBe('{"a":1}\n\n{"b":"ü"}\n{"c":3}');
  });
});

describe('readRows', () => {
  it('gives the JSON lines of an NDJSON file, blank lines left out', async () => {
    const rows = await all(readRows(file('d.ndjson', NDJSON), 'ndjson', { offset: 0, line: 0 }));
    expect(rows.map((r) => ['record' in r ? r.record : r.broken, r.line])).toEqual([
      [{ shape: 'ndjson', text: '{"a":1}' }, 1],
      [{ shape: 'ndjson', text: '{"b":"ü"}' }, 3],
      [{ shape: 'ndjson', text: '{"c":3}' }, 4],
    ]);
  });

  it('gives CSV records under the header, a quoted line break kept, a broken row named', async () => {
    const csv = 'id;note\n1;"two\nlines"\n\n2;plain\n3;x;extra\n4;"never closed\n';
    const path = file('e.csv', csv);
    const header = await readCsvHeader(path);
    expect(header).toEqual({ header: ['id', 'note'], delimiter: ';', end: { offset: 8, line: 1 } });
    const rows = await all(readRows(path, 'csv', { offset: 0, line: 0 }, header));
    expect(rows.map((r) => [valuesOf(r), r.line, r.end.line])).toEqual([
      [['1', 'two\nlines'], 2, 3],
      [['2', 'plain'], 5, 5],
      ['3 fields where the header has 2', 6, 6],
      ['a quoted field is never closed', 7, 7],
    ]);
    // From the end of the first record on: the header is still known, the rest follows.
    const [first] = rows;
    const resumed = await all(readRows(path, 'csv', first?.end ?? { offset: 0, line: 0 }, header));
    expect(resumed.map((r) => r.line)).toEqual([5, 6, 7]);
  });
});
