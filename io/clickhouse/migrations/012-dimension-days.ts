import { WARM_KEEP_DAYS } from '../../../core/query/metric-query.ts';
import type { Migration } from '../migration.ts';
import {
  DIMENSION_DAYS,
  DIMENSION_DAYS_SINCE,
  dimensionDayAggregatesSql,
  dimensionDayPairsSql,
  VISITOR_SKETCH,
} from '../warm-dimensions.ts';

/**
 * Each day's breakdown of every dimension, custom properties included, with its visitors as a
 * sketch that adds up across days (io/clickhouse/warm-dimensions.ts DIMENSION_DAYS): what the
 * projections of migration 10 cannot hold, as ClickHouse reads no partial state from a
 * projection and a projection groups by one expression, not by every key an event's
 * properties happen to have.
 *
 * Filled by a materialized view as rows arrive: `events` takes each event once (only first
 * copies are inserted, io/clickhouse/batch-writer.ts), and so does the view, as the rollups'
 * views do. Rows stored before the view existed are not copied in: a copy made while rows keep
 * arriving would count some twice. Instead the table answers only for days from its first
 * whole day on (DIMENSION_DAYS_SINCE, two days after this migration ran: an event is stamped
 * at most a day ahead of its arrival, core/events/clock-skew.ts), and readers take earlier days
 * from the rows; after the warm tier's 30 days, every day it answers for is here. A new stack's
 * table holds every day from the first. The mark is set before the view exists, so no reader
 * ever trusts a day the view did not see whole.
 */
export const dimensionDays: Migration = {
  version: 12,
  name: 'breakdowns per day, properties and visitors included',
  statements: [
    `CREATE TABLE IF NOT EXISTS ${DIMENSION_DAYS_SINCE} (since Date) ENGINE = MergeTree ORDER BY tuple()`,
    // A store with no event yet (a new stack: every writer applies the migrations before its
    // first insert) has the whole of its history in the table. A rerun (a half-applied
    // migration) adds a later mark; readers take the latest.
    `INSERT INTO ${DIMENSION_DAYS_SINCE}
     SELECT if((SELECT count() FROM events) = 0, toDate(0), today() + 2)`,
    `CREATE TABLE IF NOT EXISTS ${DIMENSION_DAYS} (
      project LowCardinality(String),
      day Date,
      dimension LowCardinality(String),
      value String CODEC(ZSTD(3)),
      events SimpleAggregateFunction(sum, UInt64),
      orders SimpleAggregateFunction(sum, UInt64),
      revenue SimpleAggregateFunction(sumMap, Tuple(Array(String), Array(Int64))),
      visitors AggregateFunction(${VISITOR_SKETCH.type}, UInt64)
    )
    ENGINE = AggregatingMergeTree
    PARTITION BY day
    ORDER BY (project, dimension, day, value)
    TTL day + INTERVAL ${WARM_KEEP_DAYS} DAY`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${DIMENSION_DAYS}_mv TO ${DIMENSION_DAYS} AS
     SELECT project, toDate(ts) AS day, pair.1 AS dimension, pair.2 AS value,
            ${dimensionDayAggregatesSql(VISITOR_SKETCH.state)}
     FROM events
     ARRAY JOIN ${dimensionDayPairsSql()} AS pair
     GROUP BY project, day, dimension, value`,
  ],
};
