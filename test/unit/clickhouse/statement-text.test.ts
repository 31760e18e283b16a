import { describe, expect, it } from 'vitest';
import { contentTypeOf } from '../../../local/clickhouse/formats.ts';
import {
  changesConnectionState,
  isInsert,
  leadingKeyword,
  trailingFormat,
} from '../../../local/clickhouse/sql-text.ts';
import { summaryHeader } from '../../../local/clickhouse/summary.ts';

describe('statement text', () => {
  it('finds the leading keyword past comments', () => {
    expect(leadingKeyword('  -- note\n/* block */ insert into t values')).toBe('INSERT');
    expect(isInsert('INSERT INTO t FORMAT JSONEachRow')).toBe(true);
    expect(isInsert('SELECT 1')).toBe(false);
    expect(leadingKeyword('')).toBe('');
  });

  it('reads the trailing FORMAT clause only', () => {
    expect(trailingFormat('SELECT * FROM t FORMAT JSONEachRow')).toBe('JSONEachRow');
    expect(trailingFormat('SELECT 1 format CSV;\n')).toBe('CSV');
    expect(trailingFormat("SELECT 'FORMAT JSON' AS x")).toBeUndefined();
    expect(trailingFormat('SELECT 1')).toBeUndefined();
  });

  it('spots statements that change connection state', () => {
    expect(changesConnectionState('SET max_threads = 1; SELECT 1')).toBe(true);
    expect(changesConnectionState('USE analytics')).toBe(true);
    expect(changesConnectionState('CREATE TEMPORARY TABLE x (a UInt8)')).toBe(true);
    expect(changesConnectionState('CREATE TABLE settings_log (a UInt8) ENGINE = Memory')).toBe(false);
    expect(changesConnectionState('SELECT 1')).toBe(false);
  });
});

describe('response metadata', () => {
  it('names content types as ClickHouse does', () => {
    expect(contentTypeOf('JSON')).toBe('application/json; charset=UTF-8');
    expect(contentTypeOf('JSONEachRow')).toBe('application/x-ndjson; charset=UTF-8');
    expect(contentTypeOf('CSVWithNames')).toBe('text/csv; charset=UTF-8; header=present');
    expect(contentTypeOf('CSV')).toBe('text/csv; charset=UTF-8; header=absent');
    expect(contentTypeOf('TabSeparated')).toBe('text/tab-separated-values; charset=UTF-8');
    expect(contentTypeOf('RowBinaryWithNamesAndTypes')).toBe('application/octet-stream');
    expect(contentTypeOf('PrettyCompact')).toBe('text/plain; charset=UTF-8');
  });

  it('writes the summary counters as decimal strings', () => {
    const summary = JSON.parse(
      summaryHeader(
        { readRows: 3, readBytes: 30, writtenRows: 2, writtenBytes: 20, elapsedSeconds: 0.0015 },
        7,
      ),
    );
    expect(summary).toEqual({
      read_rows: '3',
      read_bytes: '30',
      written_rows: '2',
      written_bytes: '20',
      total_rows_to_read: '3',
      result_rows: '2',
      result_bytes: '7',
      elapsed_ns: '1500000',
    });
  });
});
