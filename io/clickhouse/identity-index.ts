import type { ClickHouseClient } from '@clickhouse/client';
import { identityKey, type RowIdentity } from '../../core/aggregation/first-copies.ts';
import type { WarehouseBatch, WarehouseEntry } from '../../core/aggregation/warehouse-row.ts';
import { sqlString } from '../../core/query/archive-scan.ts';

/**
 * Text of ids per query, and the max_query_size each lookup asks for (ClickHouse's default is
 * 256 KiB): a batch of 10,000 UUIDs is one query. Each query reads every part of the index once,
 * so fewer, larger queries cost less than many small ones.
 */
const ID_TEXT_PER_QUERY = 900_000;
const LOOKUP_SETTINGS = { max_query_size: String(ID_TEXT_PER_QUERY + 64 * 1024) };

/** Items in order, cut so that each query's literal text (`size` per item) stays within the budget. */
export function chunks<T>(items: readonly T[], size: (item: T) => number, budget = ID_TEXT_PER_QUERY): T[][] {
  const out: T[][] = [];
  let current: T[] = [];
  let text = 0;
  for (const item of items) {
    const n = size(item) + 8;
    if (current.length > 0 && text + n > budget) {
      out.push(current);
      current = [];
      text = 0;
    }
    current.push(item);
    text += n;
  }
  if (current.length > 0) out.push(current);
  return out;
}

const tupleList = (identities: readonly RowIdentity[]) =>
  identities.map((i) => `(${sqlString(i.scope)}, ${sqlString(i.id)})`).join(', ');

/**
 * The claims `warehouse_ids` holds for these identities of `table`, as identity key to the
 * days (YYYY-MM-DD) their rows were claimed under. A claim says a row was about to be stored,
 * not that it was: see storedIdentities.
 */
export async function claimedDays(
  client: ClickHouseClient,
  table: string,
  identities: readonly RowIdentity[],
): Promise<Map<string, string[]>> {
  const claimed = new Map<string, string[]>();
  // One scope per query: a plain IN over the id, which ClickHouse reads as key ranges faster
  // than an IN over (scope, id) tuples.
  const byScope = new Map<string, string[]>();
  for (const { scope, id } of identities) {
    const ids = byScope.get(scope);
    if (ids) ids.push(id);
    else byScope.set(scope, [id]);
  }
  for (const [scope, ids] of byScope)
    for (const chunk of chunks(ids, (id) => sqlString(id).length)) {
      const result = await client.query({
        query: `SELECT id, groupUniqArray(toString(toDate(ts))) AS days FROM warehouse_ids
                WHERE source = ${sqlString(table)} AND scope = ${sqlString(scope)}
                  AND id IN (${chunk.map(sqlString).join(', ')})
                GROUP BY id`,
        format: 'JSONEachRow',
        clickhouse_settings: LOOKUP_SETTINGS,
      });
      for (const r of await result.json<{ id: string; days: string[] }>())
        claimed.set(identityKey({ scope, id: r.id }), r.days);
    }
  return claimed;
}

/**
 * Which claimed identities the batch's table really holds: read from the raw table, only on
 * the days the claims name (its partitions), so the check costs little and happens only for
 * copies and retries. Claimed but absent: an earlier attempt claimed it and failed before its
 * rows landed, and the row is stored now.
 */
export async function storedIdentities(
  client: ClickHouseClient,
  batch: Pick<WarehouseBatch, 'table' | 'identityColumns'>,
  claimed: ReadonlyMap<string, readonly string[]>,
  identities: readonly RowIdentity[],
): Promise<Set<string>> {
  const candidates = identities.filter((i) => claimed.has(identityKey(i)));
  const stored = new Set<string>();
  const { scope, id } = batch.identityColumns;
  const scopeColumn = scope ?? "''";
  for (const chunk of chunks(candidates, (i) => sqlString(i.scope).length + sqlString(i.id).length)) {
    const days = [...new Set(chunk.flatMap((i) => claimed.get(identityKey(i)) ?? []))];
    const match = scope
      ? `(${scope}, ${id}) IN (${tupleList(chunk)})`
      : `${id} IN (${chunk.map((i) => sqlString(i.id)).join(', ')})`;
    const result = await client.query({
      query: `SELECT DISTINCT ${scopeColumn} AS scope, toString(${id}) AS id FROM ${batch.table}
              WHERE toDate(ts) IN (${days.map(sqlString).join(', ')}) AND ${match}`,
      format: 'JSONEachRow',
      clickhouse_settings: LOOKUP_SETTINGS,
    });
    for (const r of await result.json<{ scope: string; id: string }>()) stored.add(identityKey(r));
  }
  return stored;
}

/**
 * Claims the identities of the rows about to be inserted, before they are: the index is then
 * never short of a stored row, which would let a later copy in. Same token as the rows' insert.
 */
export async function claimIdentities(
  client: ClickHouseClient,
  table: string,
  entries: readonly WarehouseEntry[],
  token: string,
): Promise<void> {
  await client.insert({
    table: 'warehouse_ids',
    values: entries.map((e) => ({ source: table, scope: e.identity.scope, id: e.identity.id, ts: e.ts })),
    format: 'JSONEachRow',
    clickhouse_settings: { insert_deduplication_token: token, insert_deduplicate: 1 },
  });
}
