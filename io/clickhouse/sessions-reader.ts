import type { ClickHouseClient } from '@clickhouse/client';
import type { BreakdownSpan } from '../../core/query/breakdown-query.ts';
import {
  type SessionSqlRow,
  type SessionSums,
  type SessionsQuery,
  sessionSumsByStep,
  sessionsSql,
} from '../../core/query/sessions-query.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { spanEventRows } from './event-rows.ts';

/**
 * The sessions of `q`, per step start, read from the event rows of the given spans in one
 * statement (core/query/sessions-query.ts says why one): both tiers live in the same
 * ClickHouse, the cold one read from S3 by s3().
 */
export async function readSessions(
  client: ClickHouseClient,
  cold: ColdTierConfig | undefined,
  q: SessionsQuery,
  spans: readonly BreakdownSpan[],
): Promise<Map<number, SessionSums>> {
  const statement = sessionsSql(
    q,
    spans.map((span) => spanEventRows(q.project, span, cold)),
  );
  const result = await client.query({
    query: statement.sql,
    query_params: statement.params,
    format: 'JSONEachRow',
  });
  return sessionSumsByStep(await result.json<SessionSqlRow>());
}
