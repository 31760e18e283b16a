import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import { partitionBatches } from '../../core/aggregation/msk-batch.ts';
import { readWarehouseConfig, type WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { connectClickHouse } from '../../io/clickhouse/connection.ts';
import { highWaterKey, insertEvents, storedHighWater } from '../../io/clickhouse/event-writer.ts';
import { migrate } from '../../io/clickhouse/migration.ts';
import { MIGRATIONS } from '../../io/clickhouse/migrations/index.ts';

/** Raw enriched events into the warm tier (ClickHouse), one deduplicated insert per batch. */
const logger = new Logger({ serviceName: 'spate-warehouse' });
const metrics = new Metrics({ namespace: 'Spate', serviceName: 'spate-warehouse' });

export type WarehouseHandler = (event: MSKEvent, context: Context) => Promise<{ inserted: number }>;

export interface WarehouseFunction {
  readonly handler: WarehouseHandler;
  close(): Promise<void>;
}

export function createWarehouseFunction(config: WarehouseConfig): WarehouseFunction {
  const client = connectClickHouse(config.clickhouse);
  const breaker = new CircuitBreaker('clickhouse/warehouse', config.breaker);
  // Migrations run once per container, before its first insert; a failure is retried next time.
  let migrated: Promise<unknown> | undefined;
  const ensureSchema = () => {
    migrated ??= migrate(client, MIGRATIONS).catch((err: unknown) => {
      migrated = undefined;
      throw err;
    });
    return migrated;
  };
  const handler = middy<MSKEvent, { inserted: number }>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const batches = partitionBatches(event);
      const counts = await breaker.call(() =>
        withRetries(async () => {
          await ensureSchema();
          const stored = await storedHighWater(client, batches);
          return Promise.all(
            batches.map((batch) =>
              insertEvents(client, batch, stored.get(highWaterKey(batch.topic, batch.partition))),
            ),
          );
        }, config.retry),
      );
      const inserted = counts.reduce((a, b) => a + b, 0);
      metrics.addMetric('WarehouseRowsSent', MetricUnit.Count, inserted);
      return { inserted };
    });
  return { handler: handler as unknown as WarehouseHandler, close: () => client.close() };
}

// Lambda entry: the ClickHouse client is made on the first invocation of a container and reused.
let container: WarehouseFunction | undefined;

export const handler: WarehouseHandler = (event, context) => {
  container ??= createWarehouseFunction(readWarehouseConfig(process.env));
  return container.handler(event, context);
};
