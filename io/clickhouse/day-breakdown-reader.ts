import type { ClickHouseClient } from '@clickhouse/client';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type BreakdownSpan,
  breakdownRows,
} from '../../core/query/breakdown-query.ts';
import type { FixedDimension } from '../../core/query/dimension.ts';
import { splitWholeDays } from '../../core/query/whole-days.ts';
import { BREAKDOWN_AGGREGATES, VISITOR_SKETCH, WARM_DIMENSION_SQL } from './warm-dimensions.ts';

const DAY_MS = 86_400_000;

/**
 * Whether the warm tier alone can answer `q` from its breakdown projections (migration 10):
 * the warm tier alone, no filter (a projection keeps one dimension), a fixed dimension. Visitors
 * are estimated instead (VISITOR_SKETCH), so a range of a day or less, which raw rows count
 * exactly in time, is left to the exact count: only a longer range trades exactness for speed.
 */
export function dayBreakdownDimension(
  q: BreakdownQuery,
  spans: readonly BreakdownSpan[],
): FixedDimension | undefined {
  if (spans.length !== 1 || spans[0]!.tier !== 'warm') return undefined;
  if (q.filters.length > 0 || q.by.kind !== 'fixed') return undefined;
  if (q.metric === 'visitors' && q.toMs - q.fromMs <= DAY_MS) return undefined;
  return q.by.name;
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

const ORDERED = `HAVING value > 0
ORDER BY value DESC, key ASC
LIMIT {limit:UInt32}`;

/**
 * The statement of an unfiltered breakdown over the warm tier. Counts: the whole UTC days from
 * the dimension's projection (a few rows per value and day), the pieces of days at the range's
 * ends from raw rows, added per value, in one statement so the top `limit` values are the
 * range's. Visitors: the sketch over the range's rows, which a projection cannot hold (distinct
 * counts of days do not add up, and ClickHouse reads no partial state from one).
 */
export function dayBreakdownSql(q: BreakdownQuery, dimension: FixedDimension) {
  const key = WARM_DIMENSION_SQL[dimension];
  const params: Record<string, string | number> = { project: q.project, limit: q.limit };
  if (q.metric === 'visitors')
    return {
      sql: `SELECT ${key} AS key, ${VISITOR_SKETCH} AS value FROM events
WHERE project = {project:String} AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
GROUP BY key
${ORDERED}`,
      params: { ...params, from: q.fromMs / 1000, to: q.toMs / 1000 },
    };
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

/** The breakdown of `q` by whole days (dayBreakdownSql). */
export async function readDayBreakdown(
  client: ClickHouseClient,
  q: BreakdownQuery,
  dimension: FixedDimension,
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
