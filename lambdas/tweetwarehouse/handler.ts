import { decodeBatches } from '../../core/aggregation/msk-batch.ts';
import { positionedTweet } from '../../core/aggregation/tweet-decoding.ts';
import { tweetWarehouseBatch } from '../../core/aggregation/tweet-row.ts';
import { loadWarehouseConfig, type WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';
import {
  createWarehouseFeedFunction,
  type WarehouseFunction,
  type WarehouseHandler,
} from '../warehouse/warehouse-function.ts';

const tools = functionTools('spate-tweetwarehouse');

/**
 * Enriched tweets into the warm tier (ClickHouse `tweets_enriched`, whose views fill the
 * per-topic sentiment rollups), one deduplicated insert per batch.
 */
export function createTweetsWarehouseFunction(config: WarehouseConfig): WarehouseFunction {
  return createWarehouseFeedFunction(tools, config, {
    name: 'tweetwarehouse',
    batches: (event) => {
      const batches = decodeBatches(event, positionedTweet);
      return {
        batches: batches.map(tweetWarehouseBatch),
        undecodable: batches.flatMap((b) => b.undecodable),
      };
    },
  });
}

// Lambda entry: the ClickHouse client is made on the first invocation of a container and reused.
export const handler: WarehouseHandler = eventHandler(
  tools,
  firstCallCore(async () => createTweetsWarehouseFunction(await loadWarehouseConfig(process.env))),
);
