import type { ClickHouseClient } from '@clickhouse/client';
import { firstCopies, identityKey, type RowIdentity } from '../../core/aggregation/first-copies.ts';
import {
  deduplicationToken,
  type WarehouseBatch,
  type WarehouseEntry,
} from '../../core/aggregation/warehouse-row.ts';
import { dayBlocks } from './day-blocks.ts';
import { claimedDays, claimIdentities, storedIdentities } from './identity-index.ts';
import { withinWarmRetention } from './warm-retention.ts';

function distinctIdentities(rows: readonly WarehouseEntry[]): RowIdentity[] {
  const byKey = new Map<string, RowIdentity>();
  for (const { identity } of rows) byKey.set(identityKey(identity), identity);
  return [...byKey.values()];
}

/**
 * One insert per topic-partition batch, never one per row, holding each event once: the first
 * copy in the batch of each identity the table does not hold yet. This is insert-time filtering,
 * chosen over ReplacingMergeTree keyed by event id: the rollup views see only first copies, so
 * every warm answer stays an exact read of pre-aggregated rows, where a replacing table would
 * need FINAL (or re-aggregation from raw rows) in every answer to be exact before merges.
 *
 * Why it is exact:
 * - Copies of one event share a Kafka key, so they land on one partition, in order, and the
 *   mapping gives a partition to one invocation at a time: an earlier copy's insert has finished
 *   before a later copy is looked up.
 * - The identity index is claimed before the rows are inserted (claimIdentities), so it never
 *   lacks a stored row; a claim is trusted only once the raw table confirms it, so a claim left
 *   by an attempt that failed before its rows landed does not drop them.
 * - A redelivered batch, whether cut at the same or other offsets, finds its stored rows by
 *   identity and sends only the rest, so a retry after an insert that stored some of its parts
 *   (one per day) completes it.
 * - The token names exactly the offsets sent (deduplicationToken): a retry of the very same
 *   insert whose reply was lost is dropped by ClickHouse, and an insert of fewer rows of the
 *   same range is never mistaken for it. The rollup views deduplicate with it.
 *
 * History spans more day partitions than ClickHouse takes in one insert, so the rows are sent
 * in blocks of at most MAX_DAYS_PER_INSERT days (day-blocks.ts), one after another, each
 * claimed then inserted, each with the token of its own offsets: the same rows, the same token,
 * whichever attempt sends them. A retry after some blocks landed finds their rows stored by
 * identity (their claims were written first) and sends only the rest; a block that landed in
 * part sends fewer offsets, so another token. Live traffic stays one block and one insert.
 * Rows older than the warm tier keeps (warm-retention.ts) are not sent at all: ClickHouse would
 * drop them on insert, and they are the bulk of an import's history.
 */
export async function insertBatch(
  client: ClickHouseClient,
  batch: WarehouseBatch,
  nowMs: number = Date.now(),
): Promise<number> {
  const rows = withinWarmRetention(batch.rows, nowMs);
  if (rows.length === 0) return 0;
  const identities = distinctIdentities(rows);
  const claimed = await claimedDays(client, batch.table, identities);
  const stored =
    claimed.size === 0 ? new Set<string>() : await storedIdentities(client, batch, claimed, identities);
  const fresh = firstCopies(rows, stored);
  for (const block of dayBlocks(fresh)) await insertBlock(client, batch, block);
  return fresh.length;
}

async function insertBlock(
  client: ClickHouseClient,
  batch: WarehouseBatch,
  block: readonly WarehouseEntry[],
): Promise<void> {
  const token = deduplicationToken(
    batch.topic,
    batch.partition,
    block.map((e) => e.offset),
  );
  await claimIdentities(client, batch.table, block, token);
  await client.insert({
    table: batch.table,
    values: block.map(({ row }) => row),
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplication_token: token,
      insert_deduplicate: 1,
      // Without this the rollup views would count a deduplicated retry a second time.
      deduplicate_blocks_in_dependent_materialized_views: 1,
    },
  });
}
