import { partitionBatches } from '../../core/aggregation/msk-batch.ts';
import { eventWarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import { loadWarehouseConfig, type WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';
import {
  createWarehouseFeedFunction,
  type WarehouseFunction,
  type WarehouseHandler,
} from './warehouse-function.ts';

export type { WarehouseFunction, WarehouseHandler };

const tools = functionTools('spate-warehouse');

/** Raw enriched events into the warm tier (ClickHouse `events`), one deduplicated insert per batch. */
export function createWarehouseFunction(config: WarehouseConfig): WarehouseFunction {
  return createWarehouseFeedFunction(tools, config, {
    name: 'warehouse',
    batches: (event) => {
      const batches = partitionBatches(event);
      return {
        batches: batches.map(eventWarehouseBatch),
        undecodable: batches.flatMap((b) => b.undecodable),
      };
    },
  });
}

// Lambda entry: the ClickHouse client is made on the first invocation of a container and reused.
export const handler: WarehouseHandler = eventHandler(
  tools,
  firstCallCore(async () => createWarehouseFunction(await loadWarehouseConfig(process.env))),
);
