import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { eventWarehouseBatch, type WarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import type { EnrichedEvent } from '../../core/events/enriched-event.ts';
import { migrate } from '../../io/clickhouse/migration.ts';
import { MIGRATIONS } from '../../io/clickhouse/migrations/index.ts';
import { openWarehouseSink, type WarehouseSink } from '../../io/clickhouse/warehouse-sink.ts';

/** A database of one local ClickHouse endpoint, migrated as the warm tier's: the side of an A/B bench. */
export interface WarehouseDatabase {
  readonly client: ClickHouseClient;
  /** The warehouse's own writer, as the warehouse function inserts. */
  readonly sink: WarehouseSink;
  close(): Promise<void>;
}

/** Creates database `name` on the endpoint at `url` (through `admin`), applies the migrations, opens its sink. */
export async function warehouseDatabase(
  url: string,
  admin: ClickHouseClient,
  name: string,
): Promise<WarehouseDatabase> {
  await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${name}` });
  const client = createClient({ url, database: name });
  await migrate(client, MIGRATIONS);
  const sink = openWarehouseSink(
    {
      clickhouse: { url, username: 'default', password: '', database: name },
      breaker: { failureThreshold: 5, openMs: 1000 },
      retry: { attempts: 1, baseDelayMs: 10, maxDelayMs: 10 },
    },
    `bench-${name}`,
  );
  return {
    client,
    sink,
    async close() {
      await sink.close();
      await client.close();
    },
  };
}

/** Warehouse batches of events.raw partition 0, each at the offsets after the last, as the stream delivers them. */
export function warehouseBatches(): (events: readonly EnrichedEvent[]) => WarehouseBatch {
  let offset = 0;
  return (events) => {
    const batch = eventWarehouseBatch({
      topic: 'events.raw',
      partition: 0,
      firstOffset: offset,
      lastOffset: offset + events.length - 1,
      events: events.map((event, i) => ({ event, offset: offset + i, timeMs: Date.parse(event.timestamp) })),
      undecodable: [],
    });
    offset += events.length;
    return batch;
  };
}
