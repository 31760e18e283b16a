import { decodeBatches } from '../../core/aggregation/msk-batch.ts';
import { planTweetArchive } from '../../core/aggregation/tweet-archive.ts';
import { positionedTweet } from '../../core/aggregation/tweet-decoding.ts';
import { type ArchiveConfig, readTweetsArchiveConfig } from '../../io/s3/archive-config.ts';
import {
  type ArchiveFunction,
  type ArchiveHandler,
  createArchiveFeedFunction,
} from '../archive/archive-function.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';

const tools = functionTools('spate-tweetarchive');

/**
 * Enriched tweets into the cold tier: `tweets/dt=.../hour=HH/<topic>-<partition>-<first>-<last>.ndjson.gz`,
 * gzip NDJSON keyed by offset range, so a redelivered batch overwrites its own objects.
 */
export function createTweetsArchiveFunction(config: ArchiveConfig): ArchiveFunction {
  return createArchiveFeedFunction(tools, config, {
    name: 'tweetarchive',
    plan: (event, prefix) =>
      decodeBatches(event, positionedTweet).map((batch) => ({
        topic: batch.topic,
        partition: batch.partition,
        records: batch.events.length,
        objects: planTweetArchive(batch, prefix),
        undecodable: batch.undecodable,
      })),
  });
}

// Lambda entry: the S3 client is made on the first invocation of a container and reused.
export const handler: ArchiveHandler = eventHandler(
  tools,
  firstCallCore(async () => createTweetsArchiveFunction(readTweetsArchiveConfig(process.env))),
);
