import { WARM_KEEP_DAYS } from '../../../core/query/metric-query.ts';
import type { Migration } from '../migration.ts';

/**
 * The warm tier keeps a day more than it answers for (core/query/metric-query.ts
 * WARM_KEEP_DAYS): "the last 30 days" starts exactly at the 30-day boundary, and a step that
 * starts a little before it (the routing floors the boundary to the query's grid) must find
 * its rows and its rollup buckets whole, not half expired. Without the margin such a range got
 * a sliver of the archive: a scan of S3 for one second of data. The tweet tables keep the same
 * margin, so every warm table keeps what core/query/metric-query.ts says. Lengthening a TTL
 * drops nothing (ClickHouse recomputes each part's expiry as a background mutation, which
 * nothing waits on); the identity index keeps its day beyond the raw tables (migration 5).
 */
export const warmMargin: Migration = {
  version: 11,
  name: 'warm tier keeps a day of margin',
  statements: [
    `ALTER TABLE events MODIFY TTL toDateTime(ts) + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `ALTER TABLE events_minute MODIFY TTL minute + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `ALTER TABLE events_hour MODIFY TTL hour + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `ALTER TABLE tweets_enriched MODIFY TTL toDateTime(ts) + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `ALTER TABLE tweets_minute MODIFY TTL minute + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `ALTER TABLE tweets_hour MODIFY TTL hour + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `ALTER TABLE warehouse_ids MODIFY TTL toDateTime(ts) + INTERVAL ${WARM_KEEP_DAYS + 1} DAY`,
  ],
};
