import { partitionBatches } from '../../core/aggregation/msk-batch.ts';
import { eventWarehouseBatch } from '../../core/aggregation/warehouse-row.ts';
import { loadWarehouseConfig, type WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { perContainer } from '../per-container.ts';
import {
  createWarehouseFeedFunction,
  type WarehouseFunction,
  type WarehouseHandler,
} from './warehouse-function.ts';

export type { WarehouseFunction, WarehouseHandler };

/** Raw enriched events into the warm tier (ClickHouse `events`), one deduplicated insert per batch. */
export function createWarehouseFunction(config: WarehouseConfig): WarehouseFunction {
  return createWarehouseFeedFunction(config, {
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
const container = perContainer(async () => createWarehouseFunction(await loadWarehouseConfig(process.env)));

export const handler: WarehouseHandler = async (event, context) =>
  (await container()).handler(event, context);
