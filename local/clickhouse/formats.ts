/** ClickHouse's default output format for HTTP queries without a FORMAT clause. */
export const DEFAULT_OUTPUT_FORMAT = 'TabSeparated';

const BINARY =
  /^(RowBinary|Native|Parquet|Arrow|ArrowStream|ORC|Avro|Protobuf|CapnProto|MsgPack|BSONEachRow|Npy)/;

/** Content-Type ClickHouse answers with for an output format. */
export function contentTypeOf(format: string): string {
  if (/^(TabSeparated|TSV)/.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/.test(format)) {
    const header = /WithNames/.test(format) ? 'present' : 'absent';
    return `text/csv; charset=UTF-8; header=${header}`;
  }
  if (/EachRow|^JSONLines$|^NDJSON$/.test(format) && /^JSON/.test(format)) {
    return 'application/x-ndjson; charset=UTF-8';
  }
  if (/^JSON/.test(format)) return 'application/json; charset=UTF-8';
  if (format === 'XML') return 'application/xml; charset=UTF-8';
  if (BINARY.test(format)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}
