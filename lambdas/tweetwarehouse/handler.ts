import { decodeBatches } from '../../core/aggregation/msk-batch.ts';
import { positionedTweet } from '../../core/aggregation/tweet-decoding.ts';
import { tweetWarehouseBatch } from '../../core/aggregation/tweet-row.ts';
import { loadWarehouseConfig, type WarehouseConfig } from '../../io/clickhouse/clickhouse-config.ts';
import { perContainer } from '../per-container.ts';
import {
  createWarehouseFeedFunction,
  type WarehouseFunction,
  type WarehouseHandler,
} from '../warehouse/warehouse-function.ts';

/**
 * Enriched tweets into the warm tier (ClickHouse `tweets_enriched`, whose views fill the
 * per-topic sentiment rollups), one deduplicated insert per batch.
 */
export function createTweetsWarehouseFunction(config: WarehouseConfig): WarehouseFunction {
  return createWarehouseFeedFunction(config, {
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
const container = perContainer(async () =>
  createTweetsWarehouseFunction(await loadWarehouseConfig(process.env)),
);

export const handler: WarehouseHandler = async (event, context) =>
  (await container()).handler(event, context);
