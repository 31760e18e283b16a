import type { Migration } from '../migration.ts';

/**
 * The highest offset stored per topic-partition, kept by a view on `events` in the same insert
 * as the rows: how far each partition has reached the warm tier, for operators and tests. The
 * warehouse function first read it to skip redelivered offsets; it now finds stored rows by
 * event identity instead (io/clickhouse/batch-writer.ts), which covers redeliveries and client
 * copies alike. Max is idempotent, so the backfill may run again.
 */
export const highWater: Migration = {
  version: 3,
  name: 'per-partition high-water of stored events',
  statements: [
    `ALTER TABLE events ADD COLUMN IF NOT EXISTS kafka_topic LowCardinality(String) DEFAULT 'events.raw'`,
    `CREATE TABLE IF NOT EXISTS events_high_water (
      kafka_topic LowCardinality(String),
      kafka_partition UInt16,
      high_water SimpleAggregateFunction(max, UInt64)
    )
    ENGINE = AggregatingMergeTree
    ORDER BY (kafka_topic, kafka_partition)`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS events_high_water_mv TO events_high_water AS
     SELECT kafka_topic, kafka_partition, max(kafka_offset) AS high_water
     FROM events GROUP BY kafka_topic, kafka_partition`,
    `INSERT INTO events_high_water
     SELECT kafka_topic, kafka_partition, max(kafka_offset) FROM events GROUP BY kafka_topic, kafka_partition`,
  ],
};
