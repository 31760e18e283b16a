import type { ClickHouseClient } from '@clickhouse/client';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type BreakdownSpan,
  breakdownRows,
} from '../../core/query/breakdown-query.ts';
import { type Dimension, dimensionSql, type FixedDimension } from '../../core/query/dimension.ts';
import { splitWholeDays } from '../../core/query/whole-days.ts';
import {
  BREAKDOWN_AGGREGATES,
  DIMENSION_DAYS,
  DIMENSION_DAYS_SINCE_SQL,
  dimensionDayAggregates,
  EVENT_ROWS_VISITOR_STATE,
  PROPERTY_KEYS,
  VISITOR_SKETCH,
  WARM_DIMENSION_SQL,
} from './warm-dimensions.ts';

const DAY_MS = 86_400_000;

/**
 * Whether `q`'s visitors are estimated: over more than a day of the warm tier alone, visitors
 * are counted by a sketch of their hash (VISITOR_SKETCH), faster than an exact count of the
 * ids, filtered or not; over a day or less, which the rows count exactly in
 * time, they are counted exactly. Ranges reaching into the archive are io/clickhouse/
 * archive-breakdown-reader.ts's: sketched where its day breakdowns answer, else exact.
 */
export function sketchesVisitors(q: BreakdownQuery, spans: readonly BreakdownSpan[]): boolean {
  return (
    q.metric === 'visitors' && spans.length === 1 && spans[0]!.tier === 'warm' && q.toMs - q.fromMs > DAY_MS
  );
}

/**
 * Whether the warm tier alone can answer `q` by whole days: the warm tier alone, no filter (a
 * day's breakdown keeps one dimension). Counts by a fixed dimension come from its projection
 * (migration 10), counts by a property and visitors from DIMENSION_DAYS (migration 12), where
 * visitors are sketched: only when they may be (sketchesVisitors).
 */
export function dayBreakdownDimension(
  q: BreakdownQuery,
  spans: readonly BreakdownSpan[],
): Dimension | undefined {
  if (spans.length !== 1 || spans[0]!.tier !== 'warm') return undefined;
  if (q.filters.length > 0) return undefined;
  if (q.metric === 'visitors' && !sketchesVisitors(q, spans)) return undefined;
  return q.by;
}

/** Each count's part per value (the projection's own aggregate) and how parts add up. */
const PARTS = {
  events: { part: BREAKDOWN_AGGREGATES.events, total: 'sum(part)' },
  orders: { part: BREAKDOWN_AGGREGATES.orders, total: 'sum(part)' },
  revenue: {
    part: BREAKDOWN_AGGREGATES.revenue,
    // sumMap adds the per-currency maps; the currency asked for, 0 where it has none.
    total: 'sumMap(part).2[indexOf(sumMap(part).1, {currency:String})]',
  },
} as const;

/** How each metric's parts (per value and day, or per piece of rows) add up. */
const PART_TOTALS = {
  events: PARTS.events.total,
  orders: PARTS.orders.total,
  revenue: PARTS.revenue.total,
  visitors: `${VISITOR_SKETCH.merge}(part)`,
} as const;

/** Each metric's part from the warm table's rows: as DIMENSION_DAYS keeps it (dimensionDayAggregates). */
const WARM_ROW_PARTS = dimensionDayAggregates(VISITOR_SKETCH.state);
/** The same from event rows of either tier (io/clickhouse/event-rows.ts), which keep no visitor hash. */
export const EVENT_ROW_PARTS = dimensionDayAggregates(EVENT_ROWS_VISITOR_STATE);

/** The end of a statement over (key, part) reads: the largest `limit` values. */
const ORDERED = `HAVING value > 0
ORDER BY value DESC, key ASC
LIMIT {limit:UInt32}`;

/**
 * The statement of an unfiltered breakdown over the warm tier, by whole UTC days and the
 * pieces of days at the range's ends, added per value in one statement so the top `limit`
 * values are the range's.
 */
export function dayBreakdownSql(q: BreakdownQuery, dimension: Dimension) {
  if (dimension.kind === 'fixed' && q.metric !== 'visitors')
    return projectionSql({ ...q, metric: q.metric }, dimension.name);
  return dayTableSql(q, dimension);
}

/**
 * Counts by a fixed dimension: the whole days from the dimension's projection (a few rows per
 * value and day), the pieces of days at the range's ends from raw rows.
 */
function projectionSql(
  q: BreakdownQuery & { readonly metric: keyof typeof PARTS },
  dimension: FixedDimension,
) {
  const key = WARM_DIMENSION_SQL[dimension];
  const params: Record<string, string | number> = { project: q.project, limit: q.limit };
  const { part, total } = PARTS[q.metric];
  const split = splitWholeDays(q.fromMs, q.toMs);
  const reads: string[] = [];
  if (split.days) {
    reads.push(`SELECT ${key} AS key, ${part} AS part FROM events
      WHERE project = {project:String} AND toDate(ts) >= {from_day:Date} AND toDate(ts) < {to_day:Date}
      GROUP BY key`);
    params.from_day = split.days.fromDay;
    params.to_day = split.days.toDay;
  }
  split.edges.forEach((edge, i) => {
    reads.push(`SELECT ${key} AS key, ${part} AS part FROM events
      WHERE project = {project:String} AND ts >= {edge${i}_from:DateTime64(3)} AND ts < {edge${i}_to:DateTime64(3)}
      GROUP BY key`);
    params[`edge${i}_from`] = edge.fromMs / 1000;
    params[`edge${i}_to`] = edge.toMs / 1000;
  });
  if (q.metric === 'revenue') params.currency = q.currency ?? '';
  const sql = `SELECT key, ${total} AS value
FROM (${reads.join('\nUNION ALL\n')})
GROUP BY key
${ORDERED}`;
  return { sql, params };
}

/**
 * A (key, part) read of rows of the day breakdowns' shape (DIMENSION_DAYS, or the archive's,
 * io/clickhouse/archive-day-breakdowns.ts) from `source`, of the project's `days` (a condition
 * on `day`). A property's '' (the events without it) is read from the days' property names
 * (PROPERTY_KEYS). Needs the parameters `project`, `dimension` and, for a property, `property`.
 */
export function dimensionDaysRead(
  source: string,
  days: string,
  dimension: Dimension,
  metric: BreakdownQuery['metric'],
): string {
  // The table's columns are named after the metrics.
  return dimension.kind === 'fixed'
    ? `SELECT value AS key, ${metric} AS part FROM ${source}
      WHERE project = {project:String} AND dimension = {dimension:String} AND ${days}`
    : `SELECT if(dimension = '${PROPERTY_KEYS}', '', value) AS key, ${metric} AS part FROM ${source}
      WHERE project = {project:String} AND ${days}
        AND (dimension = {dimension:String}
             OR (dimension = '${PROPERTY_KEYS}' AND NOT has(JSONExtract(value, 'Array(String)'), {property:String})))`;
}

/** (key, part) reads with the query parameters they name. */
export interface PartReads {
  readonly reads: readonly string[];
  readonly params: Readonly<Record<string, string | number>>;
}

/**
 * The warm tier's reads of `q`'s metric by `dimension` over [from, to): the whole days
 * DIMENSION_DAYS holds (from its first whole day on, DIMENSION_DAYS_SINCE) from there, a few
 * rows per value and day; the rest of the range (the pieces of days at its ends, and days before
 * the table's first) from raw rows. Visitors add up as sketch states, counts as sums.
 */
export function warmDayReads(
  q: BreakdownQuery,
  dimension: Dimension,
  range: { readonly fromMs: number; readonly toMs: number },
): PartReads {
  const params: Record<string, string | number> = {
    project: q.project,
    from: range.fromMs / 1000,
    to: range.toMs / 1000,
    dimension: dimension.name,
  };
  const rowKey =
    dimension.kind === 'fixed'
      ? { sql: WARM_DIMENSION_SQL[dimension.name], params: {} }
      : dimensionSql(dimension, 'property');
  Object.assign(params, rowKey.params);
  const split = splitWholeDays(range.fromMs, range.toMs);
  // Raw rows: the range less the whole days the table answers for.
  let rest = '';
  const reads: string[] = [];
  if (split.days) {
    params.from_day = split.days.fromDay;
    params.to_day = split.days.toDay;
    const tableDays = `day >= {from_day:Date} AND day < {to_day:Date} AND day >= ${DIMENSION_DAYS_SINCE_SQL}`;
    reads.push(dimensionDaysRead(DIMENSION_DAYS, tableDays, dimension, q.metric));
    rest = ` AND (toDate(ts) < {from_day:Date} OR toDate(ts) >= {to_day:Date} OR toDate(ts) < ${DIMENSION_DAYS_SINCE_SQL})`;
  }
  reads.push(`SELECT ${rowKey.sql} AS key, ${WARM_ROW_PARTS[q.metric]} AS part FROM events
      WHERE project = {project:String} AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}${rest}
      GROUP BY key`);
  return { reads, params };
}

/** The statement adding up (key, part) reads per key, the largest `limit` first. */
export function partsSql(q: BreakdownQuery, parts: readonly PartReads[]) {
  const params: Record<string, string | number> = Object.assign(
    { limit: q.limit, ...(q.metric === 'revenue' ? { currency: q.currency ?? '' } : {}) },
    ...parts.map((p) => p.params),
  );
  const sql = `SELECT key, ${PART_TOTALS[q.metric]} AS value
FROM (${parts.flatMap((p) => p.reads).join('\nUNION ALL\n')})
GROUP BY key
${ORDERED}`;
  return { sql, params };
}

/** Visitors by any dimension, and counts by a property, over the warm tier (warmDayReads). */
function dayTableSql(q: BreakdownQuery, dimension: Dimension) {
  return partsSql(q, [warmDayReads(q, dimension, q)]);
}

/** The breakdown of `q` by whole days (dayBreakdownSql). */
export async function readDayBreakdown(
  client: ClickHouseClient,
  q: BreakdownQuery,
  dimension: Dimension,
): Promise<BreakdownRow[]> {
  if (q.fromMs >= q.toMs) return [];
  const statement = dayBreakdownSql(q, dimension);
  const result = await client.query({
    query: statement.sql,
    query_params: statement.params,
    format: 'JSONEachRow',
  });
  return breakdownRows(q, await result.json<{ key: string; value: string | number }>());
}
