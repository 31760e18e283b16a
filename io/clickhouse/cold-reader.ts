import type { ClickHouseClient } from '@clickhouse/client';
import { archiveGlob, coldValueExpression, sqlString } from '../../core/query/archive-scan.ts';
import type { TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { queryStepSeries } from './step-series.ts';

/** The archived fields a cold scan needs; objects (order) arrive as their JSON text. */
const ARCHIVE_STRUCTURE = [
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

/**
 * The s3() table function over the archive objects a query's range can touch; `extraColumns`
 * (`name Type`) add archived fields beyond those the metrics need.
 */
export function archiveSource(
  config: ColdTierConfig,
  q: Pick<MetricQuery, 'project' | 'fromMs' | 'toMs'>,
  extraColumns: readonly string[] = [],
) {
  const url = `${config.bucketUrl.replace(/\/+$/, '')}/${archiveGlob(config.prefix, q.project, q.fromMs, q.toMs)}`;
  const auth = config.credentials
    ? `${sqlString(config.credentials.accessKeyId)}, ${sqlString(config.credentials.secretAccessKey)}, `
    : '';
  const structure = [ARCHIVE_STRUCTURE, ...extraColumns].join(', ');
  return `s3(${sqlString(url)}, ${auth}'JSONEachRow', ${sqlString(structure)}, 'gzip')`;
}

/**
 * Archived events as rows, each (topic, partition, offset) once: a redelivered batch that the
 * mapping cut differently leaves overlapping objects behind, and this is where they meet.
 */
export function archivedEventsSql(config: ColdTierConfig, q: MetricQuery): string {
  return `SELECT parseDateTime64BestEffort(timestamp, 3, 'UTC') AS ts, type,
                 ifNull(is_bot, false) AS is_bot,
                 ifNull(user_id, ifNull(anonymous_id, '')) AS visitor,
                 JSONExtractString(ifNull(order, ''), 'currency') AS currency,
                 toInt64(round(JSONExtractFloat(ifNull(order, ''), 'revenue') * 100)) AS revenue_minor
          FROM ${archiveSource(config, q)}
          WHERE project = {project:String}
          LIMIT 1 BY kafka_topic, kafka_partition, kafka_offset`;
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
