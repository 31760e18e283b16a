import type { Migration } from '../migration.ts';

const rollup = (name: string, bucket: string, fn: string) => [
  `CREATE TABLE IF NOT EXISTS ${name} (
    project LowCardinality(String),
    type LowCardinality(String),
    ${bucket} DateTime('UTC') CODEC(DoubleDelta, LZ4),
    currency LowCardinality(String),
    events AggregateFunction(count),
    visitors AggregateFunction(uniq, String),
    revenue_minor AggregateFunction(sum, Int64)
  )
  ENGINE = AggregatingMergeTree
  PARTITION BY toDate(${bucket})
  ORDER BY (project, type, ${bucket}, currency)
  TTL ${bucket} + INTERVAL 30 DAY
  SETTINGS non_replicated_deduplication_window = 10000`,
  // Visitors leave bots out, as the hot tier's HyperLogLogs do.
  `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name}_mv TO ${name} AS
   SELECT project, type, ${fn}(ts) AS ${bucket}, currency,
          countState() AS events,
          uniqStateIf(visitor, NOT is_bot AND visitor != '') AS visitors,
          sumState(revenue_minor) AS revenue_minor
   FROM events
   GROUP BY project, type, ${bucket}, currency`,
];

/** Per-minute and per-hour rollups, filled by materialized views as rows arrive. */
export const rollups: Migration = {
  version: 2,
  name: 'minute and hour rollups',
  statements: [
    ...rollup('events_minute', 'minute', 'toStartOfMinute'),
    ...rollup('events_hour', 'hour', 'toStartOfHour'),
  ],
};
