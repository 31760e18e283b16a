import type { ClickHouseClient } from '@clickhouse/client';
import { CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import type { WarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import { insertBatch } from './batch-writer.ts';
import type { WarehouseConfig } from './clickhouse-config.ts';
import { connectClickHouse } from './connection.ts';
import { migrate } from './migration.ts';
import { MIGRATIONS } from './migrations/index.ts';

/**
 * The warm tier as one function sees it: its own client and breaker, the schema migrated
 * before the first insert, and each event stored once (io/clickhouse/batch-writer.ts), however
 * often a client sent it or the mapping delivered it. Shared by every function that writes
 * ClickHouse.
 */
export interface WarehouseSink {
  /** Inserts the batches (one insert each); returns how many rows were new. */
  write(batches: readonly WarehouseBatch[]): Promise<number>;
  close(): Promise<void>;
}

export function openWarehouseSink(config: WarehouseConfig, name: string): WarehouseSink {
  const client: ClickHouseClient = connectClickHouse(config.clickhouse);
  const breaker = new CircuitBreaker(`clickhouse/${name}`, config.breaker);
  // Migrations run once per container, before its first insert; a failure is retried next time.
  let migrated: Promise<unknown> | undefined;
  const ensureSchema = () => {
    migrated ??= migrate(client, MIGRATIONS).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    });
    return migrated;
  };
  return {
    async write(batches) {
      const counts = await breaker.call(() =>
        withRetries(async () => {
          await ensureSchema();
          return Promise.all(batches.map((batch) => insertBatch(client, batch)));
        }, config.retry),
      );
      return counts.reduce((a, b) => a + b, 0);
    },
    close: () => client.close(),
  };
}
