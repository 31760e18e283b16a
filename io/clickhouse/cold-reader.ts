import type { ClickHouseClient } from '@clickhouse/client';
import {
  archiveGlob,
  coldValueExpression,
  columnName,
  compactedArchiveGlobs,
  jsonFieldSql,
  sqlString,
  timestampAroundSql,
} from '../../core/query/archive-scan.ts';
import type { TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { queryStepSeries } from './step-series.ts';

/** The archived fields a cold scan needs; objects (order) arrive as their JSON text. */
export const ARCHIVE_COLUMNS: readonly string[] = [
  'event_id Nullable(String)',
  'project String',
  'type String',
  'timestamp String',
  'user_id Nullable(String)',
  'anonymous_id Nullable(String)',
  'is_bot Nullable(Bool)',
  'order Nullable(String)',
  'kafka_topic String',
  'kafka_partition UInt32',
  'kafka_offset UInt64',
];

/** The s3() table function over the archive objects under `glob`, of `format` (and compression). */
export function s3Source(
  config: Pick<ColdTierConfig, 'bucketUrl' | 'credentials'>,
  glob: string,
  structure: string,
  format = 'JSONEachRow',
  compression: string | null = 'gzip',
): string {
  const url = `${config.bucketUrl.replace(/\/+$/, '')}/${glob}`;
  const auth = config.credentials
    ? `${sqlString(config.credentials.accessKeyId)}, ${sqlString(config.credentials.secretAccessKey)}, `
    : '';
  const compressed = compression === null ? '' : `, ${sqlString(compression)}`;
  return `s3(${sqlString(url)}, ${auth}${sqlString(format)}, ${sqlString(structure)}${compressed})`;
}

/**
 * The rows of the compacted objects under `glob` (io/s3/compaction.ts), with the columns of
 * ARCHIVE_COLUMNS and `extraColumns`: Parquet holds the typed columns and each row's JSON text,
 * which fields beyond them read from. `around`: only rows stamped within a day of [from, to),
 * by their time's text (core/query/archive-scan.ts timestampAroundSql says why that is enough).
 */
export function compactedRowsSql(
  config: Pick<ColdTierConfig, 'bucketUrl' | 'credentials'>,
  glob: string,
  extraColumns: readonly string[] = [],
  around?: { readonly fromMs: number; readonly toMs: number },
): string {
  const structure = [...ARCHIVE_COLUMNS, ...(extraColumns.length > 0 ? ['raw String'] : [])].join(', ');
  const columns = [
    ...ARCHIVE_COLUMNS.map((c) => `\`${columnName(c)}\``),
    ...extraColumns.map((c) => `${jsonFieldSql(c)} AS \`${columnName(c)}\``),
  ].join(', ');
  const where = around ? ` WHERE ${timestampAroundSql(around.fromMs, around.toMs)}` : '';
  return `SELECT ${columns} FROM ${s3Source(config, glob, structure, 'Parquet', null)}${where}`;
}

/**
 * Every archived row a query's range can touch, as a subquery with the columns of
 * ARCHIVE_COLUMNS and `extraColumns` (`name Type`, archived fields beyond those the metrics
 * need): the gzip NDJSON objects not compacted yet, and the Parquet objects of compacted days
 * and months (io/s3/compaction.ts). A row can be in both while a compaction is under way or was
 * cut short between writing its object and deleting the sources: readers dedup by event id.
 */
export function archiveSource(
  config: ColdTierConfig,
  q: Pick<MetricQuery, 'project' | 'fromMs' | 'toMs'>,
  extraColumns: readonly string[] = [],
) {
  const columns = [...ARCHIVE_COLUMNS, ...extraColumns];
  const names = columns.map((c) => `\`${columnName(c)}\``);
  const batches = s3Source(
    config,
    archiveGlob(config.prefix, q.project, q.fromMs, q.toMs),
    columns.join(', '),
  );
  const globs = compactedArchiveGlobs(config.prefix, q.project, q.fromMs, q.toMs);
  const compacted = [globs.months, globs.days].map((glob) => compactedRowsSql(config, glob, extraColumns, q));
  return `(SELECT ${names.join(', ')} FROM ${batches} UNION ALL ${compacted.join(' UNION ALL ')})`;
}
/**
 * Who an archived row is: its event id; a row archived without one (none should be) stands for
 * itself by its position. Copies of an event share its id; a UUID's case does not count.
 */
export const ARCHIVED_IDENTITY = `ifNull(lower(event_id),
  concat(kafka_topic, '/', toString(kafka_partition), '/', toString(kafka_offset)))`;

/**
 * Archived events as rows, each event id of the project once. Objects overlap in two ways: a
 * redelivered batch that the mapping cut differently leaves the same offsets in two objects, and
 * a client that re-sent a batch leaves the same events at new offsets. Both meet here by event
 * id; the copy kept is the first on its partition (lowest offset), the one the warm tier stores.
 */
export function archivedEventsSql(config: ColdTierConfig, q: MetricQuery): string {
  return `SELECT parseDateTime64BestEffort(timestamp, 3, 'UTC') AS ts, type,
                 ifNull(is_bot, false) AS is_bot,
                 ifNull(user_id, ifNull(anonymous_id, '')) AS visitor,
                 JSONExtractString(ifNull(order, ''), 'currency') AS currency,
                 toInt64(round(JSONExtractFloat(ifNull(order, ''), 'revenue') * 100)) AS revenue_minor
          FROM ${archiveSource(config, q)}
          WHERE project = {project:String}
          ORDER BY kafka_topic, kafka_partition, kafka_offset
          LIMIT 1 BY project, ${ARCHIVED_IDENTITY}`;
}

/**
 * Answers from ClickHouse reading the S3 archive with s3(): data older than the warm tier
 * keeps. Visitors are exact (uniqExact) within each step; bots are left out as elsewhere.
 */
export function coldReader(client: ClickHouseClient, config: ColdTierConfig): TierReader {
  return async (q) => {
    return queryStepSeries(client, q, {
      time: 'ts',
      value: coldValueExpression(q),
      from: `(${archivedEventsSql(config, q)})`,
    });
  };
}
