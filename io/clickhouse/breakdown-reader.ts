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
import { coldEventRowsSql, spanWithin, warmEventRowsSql } from './event-rows.ts';

/** A span's event rows: the warm table, or the archive through s3() (needs the cold tier's config). */
function spanRows(q: BreakdownQuery, span: BreakdownSpan, cold: ColdTierConfig | undefined): SqlPart {
  const within = spanWithin(span.tier, span.fromMs, span.toMs);
  if (span.tier === 'warm') return { sql: warmEventRowsSql(within.sql), params: within.params };
  if (!cold) throw new Error('no cold tier configured');
  return {
    sql: coldEventRowsSql(cold, { project: q.project, fromMs: span.fromMs, toMs: span.toMs }, within.sql),
    params: within.params,
  };
}

/**
 * The breakdown of `q` over the given spans, in one statement (core/query/breakdown-query.ts
 * says why one): both tiers live in the same ClickHouse, the cold one read from S3 by s3().
 */
export async function readBreakdown(
  client: ClickHouseClient,
  cold: ColdTierConfig | undefined,
  q: BreakdownQuery,
  spans: readonly BreakdownSpan[],
): Promise<BreakdownRow[]> {
  const statement = breakdownSql(
    q,
    spans.map((span) => spanRows(q, span, cold)),
  );
  const result = await client.query({
    query: statement.sql,
    query_params: statement.params,
    format: 'JSONEachRow',
  });
  return breakdownRows(q, await result.json<{ key: string; value: string | number }>());
}
