import type { Migration } from '../migration.ts';

/**
 * Every identity (scope, id) the warm tier stores, per table: the index the warehouse function
 * asks "which of these events do you hold already?" before it inserts (io/clickhouse/identity-index.ts).
 *
 * Why a table of its own and not the raw tables: `events` is sorted for the dashboard's questions
 * and cut into day partitions, so finding a batch's ids there reads the event_id column of every
 * day; here ids are the sort key, in week partitions with small granules, so a batch reads about
 * one 1,024-row granule per id and part. Why not a view of `events`: a view's write is a
 * separate step of the insert, which can land without its source rows (or the reverse); the
 * function writes the claims itself, before the rows, so this table is always a superset of
 * what the raw tables hold, and a claim whose rows never landed is checked against the raw
 * table (a hit is rare: copies and retries only).
 *
 * TTL one day beyond the raw tables' 30, so a claim never leaves before its row. The backfill
 * claims what was stored before this table existed; duplicate claims are harmless, so it may
 * run again.
 */
export const warehouseIds: Migration = {
  version: 5,
  name: 'identity index of the warm tier',
  statements: [
    `CREATE TABLE IF NOT EXISTS warehouse_ids (
      source LowCardinality(String),
      scope LowCardinality(String),
      id String CODEC(ZSTD(1)),
      ts DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4)
    )
    ENGINE = MergeTree
    PARTITION BY toMonday(ts)
    ORDER BY (source, scope, id)
    TTL toDateTime(ts) + INTERVAL 31 DAY
    SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 10000`,
    `INSERT INTO warehouse_ids SELECT 'events', project, toString(event_id), ts FROM events`,
    `INSERT INTO warehouse_ids SELECT 'tweets_enriched', '', id, ts FROM tweets_enriched`,
  ],
};
