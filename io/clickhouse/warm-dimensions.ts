import type { FixedDimension } from '../../core/query/dimension.ts';

/**
 * Each fixed dimension as the warm `events` table holds it: the same expression event rows read
 * (io/clickhouse/event-rows.ts warmEventRowsSql) and the breakdown projections group by
 * (migration 10). A projection is used only for a query that groups by the very expression it
 * was defined with, so both are written from this one map.
 */
export const WARM_DIMENSION_SQL: Readonly<Record<FixedDimension, string>> = {
  type: 'type',
  source: 'attribution_source',
  medium: 'attribution_medium',
  campaign: 'campaign',
  referrer: 'domainWithoutWWW(referrer)',
  device: 'device_type',
  browser: 'browser',
  os: 'os',
  country: 'country',
  page: 'page_path',
};

/**
 * What a breakdown projection keeps per project, day and value, and what a breakdown over
 * whole days asks for (it must be these very aggregates, as ClickHouse writes them once parsed,
 * for it to read the projection): events, orders, and revenue per currency in minor units,
 * all exact. Visitors are not kept there: distinct counts do not add up across days.
 */
export const BREAKDOWN_AGGREGATES = {
  events: 'count()',
  orders: "countIf(type = 'purchase')",
  revenue: "sumMapIf([currency], [revenue_minor], type = 'purchase')",
} as const;

/**
 * Visitors over a long range of the warm tier, estimated: a sketch (uniqCombined at precision
 * 14, about 0.5% error) of the visitor's 64-bit hash the table keeps (`user_hash`), faster than an
 * exact count of the ids themselves (three to eight times over all of a month's rows; 1.3 to
 * 1.9 times over those of one country, where reading the key column weighs more). Bots and rows with no visitor
 * (whose hash is that of '') left out, as elsewhere. Kept as a state (`state`, of aggregate
 * type `type`) so that days read from DIMENSION_DAYS and pieces of days read from the rows add
 * up (`merge`): the union of sketches is the sketch of the union.
 */
const SKETCHED_VISITOR = "user_hash, NOT is_bot AND user_hash != cityHash64('')";
export const VISITOR_SKETCH = {
  /** The estimate over the rows read. */
  value: `uniqCombinedIf(14)(${SKETCHED_VISITOR})`,
  type: 'uniqCombined(14)',
  state: `uniqCombinedStateIf(14)(${SKETCHED_VISITOR})`,
  merge: 'uniqCombinedMerge(14)',
} as const;

/**
 * VISITOR_SKETCH's state over event rows (io/clickhouse/event-rows.ts) of either tier, which keep
 * the visitor, not its hash: the same hash (the warm table's `user_hash` is cityHash64 of
 * `visitor`), so that states of both tiers add up.
 */
export const EVENT_ROWS_VISITOR_STATE =
  "uniqCombinedStateIf(14)(cityHash64(visitor), NOT is_bot AND visitor != '')";

/**
 * What a day's breakdown keeps per value (DIMENSION_DAYS' columns, named after the metrics), as
 * aggregates over rows, with `visitors` the visitor state of the rows read: VISITOR_SKETCH.state
 * over the warm table, EVENT_ROWS_VISITOR_STATE over event rows. The warm tier's view (migration
 * 12), the archive's day breakdowns (io/clickhouse/archive-day-breakdowns.ts) and the readers of
 * the pieces of days beside them all make them from here, so the parts they read add up.
 */
export function dimensionDayAggregates(visitors: string) {
  return {
    events: BREAKDOWN_AGGREGATES.events,
    orders: BREAKDOWN_AGGREGATES.orders,
    // Currencies as String, not the warm table's LowCardinality, as the table keeps them.
    revenue: "sumMapIf([toString(currency)], [revenue_minor], type = 'purchase')",
    visitors,
  } as const;
}

/** dimensionDayAggregates as a SELECT list, each under its column's name. */
export function dimensionDayAggregatesSql(visitors: string): string {
  return Object.entries(dimensionDayAggregates(visitors))
    .map(([column, sql]) => `${sql} AS ${column}`)
    .join(',\n       ');
}

/**
 * Each day's breakdown per project, dimension and value (migration 12): events, orders,
 * revenue per currency in minor units, and visitors as VISITOR_SKETCH. `dimension` is a
 * fixed dimension's name, `prop.<name>` for each top-level key of an event's properties (the
 * value as core/query/dimension.ts dimensionSql reads it), and PROPERTY_KEYS: the event's
 * property names, so the events that lack a property (its '' row) are counted by day too.
 */
export const DIMENSION_DAYS = 'event_dimension_days';
/** The first day DIMENSION_DAYS holds whole (the latest mark; migration 12 says why). */
export const DIMENSION_DAYS_SINCE = 'event_dimension_days_since';
/** DIMENSION_DAYS_SINCE as a scalar; a day no table holds while it has no mark. */
export const DIMENSION_DAYS_SINCE_SQL = `(SELECT if(count() = 0, toDate('2149-06-06'), max(since)) FROM ${DIMENSION_DAYS_SINCE})`;
/** The dimension under which an event's sorted property names are kept, as a JSON array. */
export const PROPERTY_KEYS = '@keys';

/**
 * What one event adds to DIMENSION_DAYS: a (dimension, value) pair per dimension it is broken
 * down by. `columns`: each fixed dimension's expression in the rows read (the warm table's, by
 * default; event rows, io/clickhouse/event-rows.ts, name them after the dimension).
 */
export function dimensionDayPairsSql(
  columns: Readonly<Record<FixedDimension, string>> = WARM_DIMENSION_SQL,
): string {
  const fixed = Object.entries(columns).map(([name, sql]) => `('${name}', toString(${sql}))`);
  const properties = `arrayMap(kv -> ('prop.' || kv.1, if(JSONType(kv.2) = 'String', JSONExtractString(kv.2), kv.2)),
                JSONExtractKeysAndValuesRaw(properties))`;
  const keys = `[('${PROPERTY_KEYS}', toJSONString(arraySort(JSONExtractKeys(properties))))]`;
  return `arrayConcat([${fixed.join(', ')}], ${properties}, ${keys})`;
}
