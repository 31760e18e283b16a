import type { ClickHouseClient } from '@clickhouse/client';
import { exactKeysGlob } from '../../core/query/archive-scan.ts';
import { FIXED_DIMENSIONS, type FixedDimension } from '../../core/query/dimension.ts';
import { s3Source } from './cold-reader.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { compactedEventRowsSql } from './event-rows.ts';
import {
  dimensionDayAggregatesSql,
  dimensionDayPairsSql,
  EVENT_ROWS_VISITOR_STATE,
  VISITOR_SKETCH,
} from './warm-dimensions.ts';

/**
 * The day breakdowns of a compacted archive object: what the warm tier's DIMENSION_DAYS keeps
 * per day (io/clickhouse/warm-dimensions.ts), made of the object's rows once, when compaction
 * writes it (io/s3/compaction.ts), and kept beside it (core/aggregation/archive-key.ts
 * dayBreakdownsKey). A breakdown over months of the archive then reads a few thousand rows per
 * day instead of every event's JSON, and the events' copies need no sorting out (core/archive/
 * day-breakdown-plan.ts says when a day's breakdowns may be read). Native format, as it is the
 * one that keeps the visitor sketches' states; zstd, as the states are most of the bytes.
 */
export const ARCHIVE_DAY_BREAKDOWN_COLUMNS = [
  'project String',
  'day Date',
  'dimension String',
  'value String',
  'events UInt64',
  'orders UInt64',
  'revenue Tuple(Array(String), Array(Int64))',
  `visitors AggregateFunction(${VISITOR_SKETCH.type}, UInt64)`,
].join(', ');

/** Event rows name each fixed dimension after itself. */
const EVENT_ROW_DIMENSIONS = Object.fromEntries(FIXED_DIMENSIONS.map((d) => [d, `\`${d}\``])) as Record<
  FixedDimension,
  string
>;

/** The statement that writes the day breakdowns of the compacted object `compactedKey` to `target`. */
export function archiveDayBreakdownsSql(cold: ColdTierConfig, compactedKey: string, target: string): string {
  return `INSERT INTO FUNCTION ${s3Source(cold, target, ARCHIVE_DAY_BREAKDOWN_COLUMNS, 'Native', 'zstd')}
SELECT project, toDate(ts) AS day, pair.1 AS dimension, pair.2 AS value,
       ${dimensionDayAggregatesSql(EVENT_ROWS_VISITOR_STATE)}
FROM (${compactedEventRowsSql(cold, compactedKey)})
ARRAY JOIN ${dimensionDayPairsSql(EVENT_ROW_DIMENSIONS)} AS pair
GROUP BY project, day, dimension, value
SETTINGS s3_truncate_on_insert = 1`;
}

/** The rows of the day breakdown objects at `keys`, as a table function. */
export function archiveDayBreakdownsSource(cold: ColdTierConfig, keys: readonly string[]): string {
  return s3Source(cold, exactKeysGlob(keys), ARCHIVE_DAY_BREAKDOWN_COLUMNS, 'Native', 'zstd');
}

/**
 * The keys of every object of a project's archive (under the cold tier's prefix), listed by
 * ClickHouse, which reaches the archive already: format `One` reads no object, only the listing.
 */
export async function listProjectArchive(
  client: ClickHouseClient,
  cold: ColdTierConfig,
  project: string,
): Promise<string[]> {
  const root = `${cold.prefix.replace(/^\/+|\/+$/g, '')}/project=${encodeURIComponent(project)}/**`;
  const result = await client.query({
    // _path is the bucket and the key.
    query: `SELECT DISTINCT replaceRegexpOne(_path, '^[^/]*/', '') AS key FROM ${s3Source(cold, root, 'dummy UInt8', 'One', null)}`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ key: string }>()).map((row) => row.key);
}
