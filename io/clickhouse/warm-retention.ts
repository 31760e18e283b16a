import { clickhouseTime } from '../../core/aggregation/warehouse-row.ts';
import { WARM_KEEP_DAYS } from '../../core/query/metric-query.ts';

/**
 * How long the warm tables keep a row by its `ts` (their TTL, migration 11). A row
 * older than that is dropped by ClickHouse as it is inserted, so history's rows only cost the
 * loader: claims, lookups and an insert per block of days, while live rows wait behind them.
 */
export const WARM_RETENTION_DAYS = WARM_KEEP_DAYS;

/**
 * One day more than the tables keep: our clock and the server's may differ, and a row the server
 * would keep must never be held back. A row in that day is sent and dropped there.
 */
const SENT_DAYS = WARM_RETENTION_DAYS + 1;

/** The entries the warm tier would keep at `nowMs`: every other one is history the cold tier holds. */
export function withinWarmRetention<T extends { readonly ts: string }>(
  entries: readonly T[],
  nowMs: number,
): T[] {
  // The DateTime64 text sorts as time does (four-digit years from 1970 on), so no parsing per row.
  const oldest = clickhouseTime(nowMs - SENT_DAYS * 86_400_000);
  return entries.filter((e) => e.ts >= oldest);
}
