/** What the engine reports about one statement. */
export interface StatementStats {
  readonly readRows: number;
  readonly readBytes: number;
  readonly writtenRows: number;
  readonly writtenBytes: number;
  readonly elapsedSeconds: number;
}

/**
 * The `X-ClickHouse-Summary` header: ClickHouse writes every counter as a decimal string,
 * and clients read `written_rows` from it after an insert.
 */
export function summaryHeader(stats: StatementStats, resultBytes: number): string {
  return JSON.stringify({
    read_rows: String(stats.readRows),
    read_bytes: String(stats.readBytes),
    written_rows: String(stats.writtenRows),
    written_bytes: String(stats.writtenBytes),
    total_rows_to_read: String(stats.readRows),
    result_rows: String(stats.writtenRows),
    result_bytes: String(resultBytes),
    elapsed_ns: String(Math.round(stats.elapsedSeconds * 1e9)),
  });
}
