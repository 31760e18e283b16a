import type { ClickHouseClient } from '@clickhouse/client';
import {
  type BreakdownQuery,
  type BreakdownRow,
  type BreakdownSpan,
  breakdownRows,
  breakdownSql,
} from '../../core/query/breakdown-query.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { spanEventRows } from './event-rows.ts';

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
    spans.map((span) => spanEventRows(q.project, span, cold)),
  );
  const result = await client.query({
    query: statement.sql,
    query_params: statement.params,
    format: 'JSONEachRow',
  });
  return breakdownRows(q, await result.json<{ key: string; value: string | number }>());
}
