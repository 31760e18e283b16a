import type { ClickHouseClient } from '@clickhouse/client';
import { ARCHIVED_IDENTITY, archiveSource } from './cold-reader.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';

/** One of a person's events as support sees it. */
export interface UserEvent {
  readonly id: string;
  readonly type: string;
  readonly atMs: number;
  readonly page: string;
  /** The event's custom properties as stored (JSON text), '' when it had none. */
  readonly properties: string;
}

/** Whose events, and which page of them: those before `beforeMs`, at or after `fromMs`. */
export interface UserEventsQuery {
  readonly project: string;
  /** A user id, or an anonymous id (matched where the event has no user id). */
  readonly person: string;
  readonly fromMs: number;
  readonly beforeMs: number;
  readonly limit: number;
}

interface Row {
  readonly id: string;
  readonly type: string;
  readonly at_ms: string | number;
  readonly page: string;
  readonly properties: string;
}

const toEvent = (r: Row): UserEvent => ({
  id: r.id,
  type: r.type,
  atMs: Number(r.at_ms),
  page: r.page,
  properties: r.properties,
});

const PARAMS = (q: UserEventsQuery) => ({
  project: q.project,
  person: q.person,
  from_ms: q.fromMs,
  before_ms: q.beforeMs,
  limit: q.limit,
});

/**
 * The warm tier's events of a person, newest first. The raw table keeps the visitor (the user
 * id, else the anonymous id) and the user id, not an anonymous id beside a user id: an event is
 * found by its user id, or by its anonymous id when it has none; the archive is read alike.
 * Each event id is in the table once (io/clickhouse/batch-writer.ts).
 */
export async function readWarmUserEvents(client: ClickHouseClient, q: UserEventsQuery): Promise<UserEvent[]> {
  const result = await client.query({
    query: `SELECT lower(toString(event_id)) AS id, type, toUnixTimestamp64Milli(ts) AS at_ms, page_path AS page, properties
FROM events
WHERE project = {project:String} AND (visitor = {person:String} OR user_id = {person:String})
  AND ts >= fromUnixTimestamp64Milli({from_ms:Int64}) AND ts < fromUnixTimestamp64Milli({before_ms:Int64})
ORDER BY ts DESC, id
LIMIT {limit:UInt32}`,
    query_params: PARAMS(q),
    format: 'JSONEachRow',
  });
  return (await result.json<Row>()).map(toEvent);
}

/**
 * The archive's events of a person, newest first: each event id once, the copy the warm tier
 * would keep (as io/clickhouse/cold-reader.ts reads them), over the day objects of the range.
 */
export async function readColdUserEvents(
  client: ClickHouseClient,
  config: ColdTierConfig,
  q: UserEventsQuery,
): Promise<UserEvent[]> {
  const source = archiveSource(config, { project: q.project, fromMs: q.fromMs, toMs: q.beforeMs }, [
    'page Nullable(String)',
    'properties Nullable(String)',
  ]);
  const result = await client.query({
    query: `SELECT id, type, at_ms, page, properties
FROM (SELECT ${ARCHIVED_IDENTITY} AS id, type,
             toUnixTimestamp64Milli(parseDateTime64BestEffort(timestamp, 3, 'UTC')) AS at_ms,
             JSONExtractString(ifNull(page, ''), 'path') AS page, ifNull(properties, '') AS properties
      FROM ${source}
      WHERE project = {project:String}
        AND (user_id = {person:String} OR (user_id IS NULL AND anonymous_id = {person:String}))
      ORDER BY kafka_topic, kafka_partition, kafka_offset
      LIMIT 1 BY project, id)
WHERE at_ms >= {from_ms:Int64} AND at_ms < {before_ms:Int64}
ORDER BY at_ms DESC, id
LIMIT {limit:UInt32}`,
    query_params: PARAMS(q),
    format: 'JSONEachRow',
  });
  return (await result.json<Row>()).map(toEvent);
}
