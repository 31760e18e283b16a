import type { ClickHouseClient } from '@clickhouse/client';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type BreakdownSpan,
  breakdownRows,
  breakdownSql,
} from '../../core/query/breakdown-query.ts';
import type { SqlPart } from '../../core/query/dimension.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { sketchesVisitors } from './day-breakdown-reader.ts';
import { spanEventRows, spanWithin, warmEventRowsSql } from './event-rows.ts';
import { VISITOR_SKETCH } from './warm-dimensions.ts';

/** The warm tier's event rows of a span with the visitor's hash the table keeps. */
function warmRowsWithHash(span: BreakdownSpan): SqlPart {
  const within = spanWithin(span.tier, span.fromMs, span.toMs);
  return { sql: warmEventRowsSql(within.sql, ['user_hash']), params: within.params };
}

/**
 * The breakdown of `q` over the given spans, in one statement (core/query/breakdown-query.ts
 * says why one): both tiers live in the same ClickHouse, the cold one read from S3 by s3().
 * Visitors the warm tier estimates (sketchesVisitors: a filtered breakdown over more than a
 * day) are a sketch of the hash the warm table keeps, read instead of the ids.
 */
export async function readBreakdown(
  client: ClickHouseClient,
  cold: ColdTierConfig | undefined,
  q: BreakdownQuery,
  spans: readonly BreakdownSpan[],
): Promise<BreakdownRow[]> {
  const statement = sketchesVisitors(q, spans)
    ? breakdownSql(q, [warmRowsWithHash(spans[0]!)], VISITOR_SKETCH.value)
    : breakdownSql(
        q,
        spans.map((span) => spanEventRows(q.project, span, cold)),
      );
  const result = await client.query({
    query: statement.sql,
    query_params: statement.params,
    format: 'JSONEachRow',
  });
  return breakdownRows(q, await result.json<{ key: string; value: string | number }>());
}
