import type { ClickHouseClient } from '@clickhouse/client';
import type { PartitionBatch } from '../../core/aggregation/msk-batch.ts';
import { deduplicationToken, warehouseRow } from '../../core/aggregation/warehouse-row.ts';

/**
 * One insert per topic-partition batch, never one per row; the mapping's batch size (10k)
 * and window (1 s) decide how large. The token makes a redelivered batch a no-op.
 */
export async function insertEvents(client: ClickHouseClient, batch: PartitionBatch): Promise<number> {
  if (batch.events.length === 0) return 0;
  await client.insert({
    table: 'events',
    values: batch.events.map(({ event, offset }) => warehouseRow(event, batch.partition, offset)),
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplication_token: deduplicationToken(
        batch.topic,
        batch.partition,
        batch.firstOffset,
        batch.lastOffset,
      ),
      insert_deduplicate: 1,
      // Without this the rollup views would count a deduplicated retry a second time.
      deduplicate_blocks_in_dependent_materialized_views: 1,
    },
  });
  return batch.events.length;
}
