import type { Migration } from '../migration.ts';

/**
 * One row per accepted event. Sorted for the questions the dashboard asks (a project's events
 * of a type over days, per user), partitioned by day so TTL drops whole parts. Codecs: time
 * columns delta-encoded, hot short columns LZ4, long free text and properties ZSTD.
 */
export const eventsTable: Migration = {
  version: 1,
  name: 'events table',
  statements: [
    `CREATE TABLE IF NOT EXISTS events (
      event_id UUID,
      project LowCardinality(String),
      type LowCardinality(String),
      ts DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4),
      received_at DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4),
      visitor String CODEC(LZ4),
      user_hash UInt64 MATERIALIZED cityHash64(visitor),
      user_id String CODEC(ZSTD(3)),
      session_id String CODEC(ZSTD(3)),
      source LowCardinality(String),
      is_bot Bool,
      page_path String CODEC(ZSTD(3)),
      page_url String CODEC(ZSTD(3)),
      referrer String CODEC(ZSTD(3)),
      product_id String CODEC(LZ4),
      order_id String CODEC(ZSTD(3)),
      revenue_minor Int64 CODEC(T64, LZ4),
      currency LowCardinality(String),
      items String CODEC(ZSTD(3)),
      device_type LowCardinality(String),
      browser LowCardinality(String),
      os LowCardinality(String),
      country LowCardinality(String),
      attribution_source LowCardinality(String),
      attribution_medium LowCardinality(String),
      campaign String CODEC(ZSTD(3)),
      properties String CODEC(ZSTD(3)),
      kafka_partition UInt16 CODEC(LZ4),
      kafka_offset UInt64 CODEC(Delta, LZ4)
    )
    ENGINE = MergeTree
    PARTITION BY toDate(ts)
    ORDER BY (project, type, toDate(ts), user_hash, ts)
    TTL toDateTime(ts) + INTERVAL 30 DAY
    SETTINGS non_replicated_deduplication_window = 10000`,
  ],
};
