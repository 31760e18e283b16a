import type { ClickHouseClient } from '@clickhouse/client';
import { archiveGlob, coldValueExpression, sqlString } from '../../core/query/archive-scan.ts';
import type { TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { queryStepSeries } from './step-series.ts';

/** The archived fields a cold scan needs; objects (order) arrive as their JSON text. */
const ARCHIVE_STRUCTURE = [
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
].join(', ');

/** The s3() table function over the archive objects under `glob`, gzip NDJSON of `structure`. */
export function s3Source(config: ColdTierConfig, glob: string, structure: string): string {
  const url = `${config.bucketUrl.replace(/\/+$/, '')}/${glob}`;
  const auth = config.credentials
    ? `${sqlString(config.credentials.accessKeyId)}, ${sqlString(config.credentials.secretAccessKey)}, `
    : '';
  return `s3(${sqlString(url)}, ${auth}'JSONEachRow', ${sqlString(structure)}, 'gzip')`;
}

/**
 * The s3() table function over the archive objects a query's range can touch; `extraColumns`
 * (`name Type`) add archived fields beyond those the metrics need.
 */
export function archiveSource(
  config: ColdTierConfig,
  q: Pick<MetricQuery, 'project' | 'fromMs' | 'toMs'>,
  extraColumns: readonly string[] = [],
) {
  return s3Source(
    config,
    archiveGlob(config.prefix, q.project, q.fromMs, q.toMs),
    [ARCHIVE_STRUCTURE, ...extraColumns].join(', '),
  );
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
