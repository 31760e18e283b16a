import type { BreakdownSpan } from '../../core/query/breakdown-query.ts';
import type { SqlPart } from '../../core/query/dimension.ts';
import { FIXED_DIMENSIONS } from '../../core/query/dimension.ts';
import type { Tier } from '../../core/query/tier-routing.ts';
import { ARCHIVED_IDENTITY, archiveSource, compactedRowsSql } from './cold-reader.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { WARM_DIMENSION_SQL } from './warm-dimensions.ts';

/**
 * Event rows: one row per event id, with the same columns whichever tier holds it, so that a
 * breakdown or a filtered series is one statement over the warm table, the archive, or both:
 *
 *   ts, type, is_bot, visitor, currency, revenue_minor (purchases), properties (JSON text),
 *   session_id (the client's session id, '' where it sent none), and one column per fixed
 *   dimension of core/query/dimension.ts: source, medium, campaign (the visit's attribution),
 *   referrer (the referring host, without www.), device, browser, os, country, page (the path).
 *
 * Each is what core/aggregation/warehouse-row.ts makes of the enriched event, so the warm and
 * cold tiers give one event the same keys (a missing value is '', a missing device 'unknown').
 * A dimension whose name is another column's in its source (the warm table's `source` is where
 * the event entered, `spate` or `segment`; its `referrer` is the whole URL) is named one SELECT
 * above that column: ClickHouse reads an alias in place of a column of the same name anywhere
 * in the SELECT that gives it, the WHERE included.
 */
const DIMENSION_COLUMNS = `ts, type, is_bot, visitor, currency, revenue_minor, properties, session_id`;

/** `ts` within [from, to) of the span, as query parameters named after the tier. */
export function spanWithin(tier: Tier, fromMs: number, toMs: number): SqlPart {
  return {
    sql: `ts >= {${tier}_from:DateTime64(3)} AND ts < {${tier}_to:DateTime64(3)}`,
    params: { [`${tier}_from`]: fromMs / 1000, [`${tier}_to`]: toMs / 1000 },
  };
}

/**
 * The warm tier's event rows of the project, `within` a time condition. Read from the raw
 * `events` table, not the rollups (which keep no dimension): it holds each event id once, as the
 * rollups do, since only first copies are inserted (io/clickhouse/batch-writer.ts). Each
 * dimension is the expression of WARM_DIMENSION_SQL (the one the breakdown projections group
 * by), made under a name of its own one SELECT down and renamed above, since some dimensions
 * are named after another column of the table (`source`, `referrer`).
 */
export function warmEventRowsSql(within: string, warmOnlyColumns: readonly string[] = []): string {
  // Columns only the warm table has (a funnel's product_id), for a statement that reads it alone.
  const extra = warmOnlyColumns.map((c) => `, ${c}`).join('');
  // In the order of FIXED_DIMENSIONS, as the cold rows list them (UNION ALL matches by place);
  // `type` is among DIMENSION_COLUMNS already.
  const dimensions = FIXED_DIMENSIONS.filter((d) => d !== 'type').map(
    (d) => [d, WARM_DIMENSION_SQL[d]] as const,
  );
  return `SELECT ${DIMENSION_COLUMNS}, ${dimensions.map(([name]) => `dimension_${name} AS ${name}`).join(', ')}${extra}
FROM (SELECT ${DIMENSION_COLUMNS}, ${dimensions.map(([name, sql]) => `${sql} AS dimension_${name}`).join(', ')}${extra}
      FROM events
      WHERE project = {project:String} AND ${within})`;
}

/** The archived objects of the enriched event the dimensions are read from, as JSON text. */
const ARCHIVED_DIMENSION_FIELDS = [
  'page Nullable(String)',
  'attribution Nullable(String)',
  'user_agent Nullable(String)',
  'geo Nullable(String)',
  'properties Nullable(String)',
  'session_id Nullable(String)',
];

/** The archived row's fields event rows read (the dimensions' objects kept as their JSON text). */
const ARCHIVED_ROW = `parseDateTime64BestEffort(timestamp, 3, 'UTC') AS ts, type,
             ifNull(is_bot, false) AS is_bot,
             ifNull(user_id, ifNull(anonymous_id, '')) AS visitor,
             JSONExtractString(ifNull(order, ''), 'currency') AS currency,
             toInt64(round(JSONExtractFloat(ifNull(order, ''), 'revenue') * 100)) AS revenue_minor,
             ifNull(properties, '') AS properties, ifNull(session_id, '') AS session_id,
             page AS page_json, attribution AS attribution_json, user_agent AS user_agent_json, geo AS geo_json`;

/** Event rows over rows of ARCHIVED_ROW (and `kept` columns of theirs): each fixed dimension read from its object's JSON. */
function archivedEventRows(rows: string, kept = ''): string {
  const field = (json: string, key: string) => `JSONExtractString(ifNull(${json}, ''), '${key}')`;
  return `SELECT ${kept}${DIMENSION_COLUMNS},
       ${field('attribution_json', 'source')} AS source, ${field('attribution_json', 'medium')} AS medium,
       ${field('attribution_json', 'campaign')} AS campaign,
       domainWithoutWWW(${field('page_json', 'referrer')}) AS referrer,
       ifNull(nullIf(${field('user_agent_json', 'device_type')}, ''), 'unknown') AS device,
       ${field('user_agent_json', 'browser')} AS browser, ${field('user_agent_json', 'os')} AS os,
       ${field('geo_json', 'country')} AS country, ${field('page_json', 'path')} AS page
FROM (${rows})`;
}

/**
 * The cold tier's event rows of the project over `range` (the archive objects read: see
 * archiveSource), `within` a time condition: each event id once, the copy the warm tier would
 * keep, as io/clickhouse/cold-reader.ts's archivedEventsSql reads them.
 */
export function coldEventRowsSql(
  config: ColdTierConfig,
  range: { readonly project: string; readonly fromMs: number; readonly toMs: number },
  within: string,
): string {
  return `${archivedEventRows(`SELECT ${ARCHIVED_ROW}
      FROM ${archiveSource(config, range, ARCHIVED_DIMENSION_FIELDS)}
      WHERE project = {project:String}
      ORDER BY kafka_topic, kafka_partition, kafka_offset
      LIMIT 1 BY project, ${ARCHIVED_IDENTITY}`)}
WHERE ${within}`;
}

/**
 * The event rows of one compacted object (io/s3/compaction.ts), every project's, with the
 * `project` column: compaction kept each event id once in it already.
 */
export function compactedEventRowsSql(config: ColdTierConfig, key: string): string {
  return archivedEventRows(
    `SELECT project, ${ARCHIVED_ROW} FROM (${compactedRowsSql(config, key, ARCHIVED_DIMENSION_FIELDS)})`,
    'project, ',
  );
}

/**
 * A span's event rows with their query parameters: the warm table, or the archive through s3()
 * (which needs the cold tier's config). Spans of one statement are joined with UNION ALL.
 */
export function spanEventRows(
  project: string,
  span: BreakdownSpan,
  cold: ColdTierConfig | undefined,
): SqlPart {
  const within = spanWithin(span.tier, span.fromMs, span.toMs);
  if (span.tier === 'warm') return { sql: warmEventRowsSql(within.sql), params: within.params };
  if (!cold) throw new Error('no cold tier configured');
  return {
    sql: coldEventRowsSql(cold, { project, fromMs: span.fromMs, toMs: span.toMs }, within.sql),
    params: within.params,
  };
}
