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
 * 14, about 0.5% error) of the visitor's 64-bit hash the table keeps (`user_hash`), three to
 * eight times faster than an exact count of the ids themselves. Bots and rows with no visitor
 * (whose hash is that of '') left out, as elsewhere.
 */
export const VISITOR_SKETCH = "uniqCombinedIf(14)(user_hash, NOT is_bot AND user_hash != cityHash64(''))";
