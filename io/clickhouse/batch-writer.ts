import type { ClickHouseClient } from '@clickhouse/client';
import { NO_OFFSET, unappliedEvents } from '../../core/aggregation/offset-gate.ts';
import { deduplicationToken, type WarehouseBatch } from '../../core/aggregation/warehouse-row.ts';

const partitionId = (topic: string, partition: number) => `${topic}-${partition}`;

/**
 * The highest offset stored per topic-partition (io/clickhouse/migrations/003-high-water.ts;
 * every warm table feeds the same ledger, keyed by its topic), keyed `topic-partition`;
 * partitions never stored are absent. One small query per invocation.
 */
export async function storedHighWater(
  client: ClickHouseClient,
  batches: readonly Pick<WarehouseBatch, 'topic'>[],
): Promise<Map<string, number>> {
  const topics = [...new Set(batches.map((b) => b.topic))];
  if (topics.length === 0) return new Map();
  const result = await client.query({
    query: `SELECT kafka_topic, kafka_partition, max(high_water) AS high_water FROM events_high_water
            WHERE kafka_topic IN {topics:Array(String)} GROUP BY kafka_topic, kafka_partition`,
    query_params: { topics },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ kafka_topic: string; kafka_partition: number; high_water: string }>();
  return new Map(
    rows.map((r) => [partitionId(r.kafka_topic, Number(r.kafka_partition)), Number(r.high_water)]),
  );
}

/**
 * One insert per topic-partition batch, never one per row; the mapping's batch size (10k)
 * and window (5 s) decide how large. Only rows above the stored high-water are sent, so a
 * redelivery cut at other offsets adds nothing; the token covers a retry of the very same
 * insert whose reply was lost (and a racing replay of the same range).
 */
export async function insertBatch(
  client: ClickHouseClient,
  batch: WarehouseBatch,
  highWater: number = NO_OFFSET,
): Promise<number> {
  const fresh = unappliedEvents(batch.rows, highWater);
  if (fresh.length === 0) return 0;
  await client.insert({
    table: batch.table,
    values: fresh.map(({ row }) => row),
    format: 'JSONEachRow',
    clickhouse_settings: {
      insert_deduplication_token: deduplicationToken(
        batch.topic,
        batch.partition,
        fresh[0]!.offset,
        fresh[fresh.length - 1]!.offset,
      ),
      insert_deduplicate: 1,
      // Without this the rollup views would count a deduplicated retry a second time.
      deduplicate_blocks_in_dependent_materialized_views: 1,
    },
  });
  return fresh.length;
}

export { partitionId as highWaterKey };
