import type { ClickHouseClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { HOUR } from '../../core/aggregation/time-buckets.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { overviewSnapshot } from '../../core/push/snapshots.ts';
import type { BreakdownSpan } from '../../core/query/breakdown-query.ts';
import { type Filter, filterSql } from '../../core/query/filter.ts';
import type { OverviewNumbers } from '../../core/query/overview-numbers.ts';
import { archivedEventsSql } from '../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { coldEventRowsSql, spanWithin, warmEventRowsSql } from '../../io/clickhouse/event-rows.ts';
import { rollupRows } from '../../io/clickhouse/warm-reader.ts';
import {
  countActiveNow,
  counterBuckets,
  countVisitors,
  readCounterHashes,
} from '../../io/redis/hot-read-model.ts';
import type { TimeRange } from './params.ts';

export { counterBuckets };

/**
 * The hot tier's overview of a range: counter hashes with exact edges (counterBuckets), and
 * visitors as one PFCOUNT over the minute (or hour) HLLs.
 */
export async function hotOverview(redis: Redis, project: string, range: TimeRange): Promise<OverviewNumbers> {
  const fromSec = Math.floor(range.fromMs / 1000);
  const toSec = Math.ceil(range.toMs / 1000);
  const hourly = toSec - fromSec > 6 * HOUR;
  const [hashes, visitors] = await Promise.all([
    readCounterHashes(redis, project, counterBuckets(fromSec, toSec)),
    countVisitors(redis, project, hourly ? 'h' : 'm', { fromSec, toSec }),
  ]);
  const o = overviewSnapshot({
    fromSecond: fromSec,
    seconds: hashes,
    uniqueVisitors: visitors,
    activeNow: 0,
  });
  return {
    events: o.events as number,
    by_type: o.by_type as Record<string, number>,
    orders: o.orders as number,
    revenue: o.revenue as Record<string, number>,
    unique_visitors: visitors,
  };
}

export function activeNow(redis: Redis, project: string, nowMs: number): Promise<number> {
  return countActiveNow(redis, project, nowMs);
}

/**
 * The warm tier's overview from the minute rollup (hour rollup for ranges of whole hours), the
 * pieces of minutes at the range's ends from the raw rows (io/clickhouse/warm-reader.ts
 * rollupRows); the rollups hold each event id once, since only first copies reach `events`
 * (io/clickhouse/batch-writer.ts).
 */
export async function warmOverview(
  client: ClickHouseClient,
  project: string,
  range: TimeRange,
): Promise<OverviewNumbers> {
  const hourly = range.fromMs % 3_600_000 === 0 && range.toMs % 3_600_000 === 0;
  const rows = rollupRows(hourly ? 'hour' : 'minute', range);
  const where = [
    ...rows.filters,
    `${rows.time} >= {from:DateTime64(3)}`,
    `${rows.time} < {to:DateTime64(3)}`,
  ];
  const result = await client.query({
    query: `SELECT type, currency, countMerge(events) AS events, sumMerge(revenue_minor) AS revenue,
                   uniqMerge(visitors) AS visitors
            FROM ${rows.from}
            WHERE ${where.join(' AND ')}
            GROUP BY type, currency WITH TOTALS`,
    query_params: { ...rows.params, project, from: range.fromMs / 1000, to: range.toMs / 1000 },
    format: 'JSON',
  });
  return overviewFromRows((await result.json()) as unknown as OverviewRows);
}

type OverviewRows = {
  data: Array<{ type: string; currency: string; events: string | number; revenue: string | number }>;
  totals?: { visitors?: string | number };
};

/** Rows of (type, currency, events, revenue in minor units) WITH TOTALS of visitors. */
function overviewFromRows(json: OverviewRows): OverviewNumbers {
  const byType: Record<string, number> = {};
  const revenue: Record<string, number> = {};
  let orders = 0;
  for (const row of json.data) {
    byType[row.type] = (byType[row.type] ?? 0) + Number(row.events);
    if (row.type === 'purchase' && row.currency) {
      orders += Number(row.events);
      revenue[row.currency] = Math.round((revenue[row.currency] ?? 0) * 100 + Number(row.revenue)) / 100;
    }
  }
  return {
    events: Object.values(byType).reduce((a, b) => a + b, 0),
    by_type: byType,
    orders,
    revenue,
    unique_visitors: Number(json.totals?.visitors ?? 0),
  };
}

/**
 * The cold tier's overview: ClickHouse reading the S3 archive (io/clickhouse/cold-reader.ts),
 * each event id once, however many objects hold copies of it; visitors exact, bots left out as
 * in the other tiers.
 */
export async function coldOverview(
  client: ClickHouseClient,
  config: ColdTierConfig,
  project: string,
  range: TimeRange,
): Promise<OverviewNumbers> {
  const scan = archivedEventsSql(config, {
    project,
    metric: 'events',
    fromMs: range.fromMs,
    toMs: range.toMs,
    stepSeconds: 60,
  });
  const result = await client.query({
    query: `SELECT type, currency, count() AS events, sum(revenue_minor) AS revenue,
                   uniqExactIf(visitor, NOT is_bot AND visitor != '') AS visitors
            FROM (${scan})
            WHERE ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
            GROUP BY type, currency WITH TOTALS`,
    query_params: { project, from: range.fromMs / 1000, to: range.toMs / 1000 },
    format: 'JSON',
  });
  return overviewFromRows((await result.json()) as unknown as OverviewRows);
}

/**
 * The overview of a span's events that pass every filter, from event rows
 * (io/clickhouse/event-rows.ts): the warm tier's raw table or the archive, each event id once;
 * the rollups the unfiltered overview reads keep no dimension. Visitors exact within the span.
 */
export async function filteredOverview(
  client: ClickHouseClient,
  config: ColdTierConfig | undefined,
  project: string,
  span: BreakdownSpan,
  filters: readonly Filter[],
): Promise<OverviewNumbers> {
  const within = spanWithin(span.tier, span.fromMs, span.toMs);
  let rows = warmEventRowsSql(within.sql);
  if (span.tier === 'cold') {
    if (!config) throw new Error('no cold tier configured');
    rows = coldEventRowsSql(config, { project, fromMs: span.fromMs, toMs: span.toMs }, within.sql);
  }
  const condition = filterSql(filters);
  const result = await client.query({
    query: `SELECT type, currency, count() AS events, sum(revenue_minor) AS revenue,
                   uniqExactIf(visitor, NOT is_bot AND visitor != '') AS visitors
            FROM (${rows})
            ${condition.conditions.length > 0 ? `WHERE ${condition.sql}` : ''}
            GROUP BY type, currency WITH TOTALS`,
    query_params: { ...within.params, ...condition.params, project },
    format: 'JSON',
  });
  return overviewFromRows((await result.json()) as unknown as OverviewRows);
}

/** Adds two partial overviews; visitors can only be summed (an upper bound across tiers). */
export function combineOverviews(parts: readonly OverviewNumbers[]): OverviewNumbers & JsonObject {
  const by_type: Record<string, number> = {};
  const revenue: Record<string, number> = {};
  let orders = 0;
  let visitors = 0;
  for (const p of parts) {
    for (const [k, v] of Object.entries(p.by_type)) by_type[k] = (by_type[k] ?? 0) + v;
    for (const [k, v] of Object.entries(p.revenue))
      revenue[k] = Math.round(((revenue[k] ?? 0) + v) * 100) / 100;
    orders += p.orders;
    visitors += p.unique_visitors;
  }
  return {
    events: Object.values(by_type).reduce((a, b) => a + b, 0),
    by_type,
    orders,
    revenue,
    unique_visitors: visitors,
  };
}
