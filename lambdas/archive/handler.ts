import { planArchiveObjects } from '../../core/aggregation/archive-key.ts';
import { partitionBatches } from '../../core/aggregation/msk-batch.ts';
import { type ArchiveConfig, readArchiveConfig } from '../../io/s3/archive-config.ts';
import { eventHandler, firstCallCore, functionTools } from '../spate-handler.ts';
import {
  type ArchiveFunction,
  type ArchiveHandler,
  type ArchiveReport,
  createArchiveFeedFunction,
} from './archive-function.ts';

export type { ArchiveFunction, ArchiveHandler, ArchiveReport };

const tools = functionTools('spate-archive');

/** Raw enriched events into the cold tier: gzip NDJSON objects keyed by offset range. */
export function createArchiveFunction(config: ArchiveConfig): ArchiveFunction {
  return createArchiveFeedFunction(tools, config, {
    name: 'archive',
    plan: (event, prefix) =>
      partitionBatches(event).map((batch) => ({
        topic: batch.topic,
        partition: batch.partition,
        records: batch.events.length,
        objects: planArchiveObjects(batch, prefix),
        undecodable: batch.undecodable,
      })),
  });
}

// Lambda entry: the S3 client is made on the first invocation of a container and reused.
export const handler: ArchiveHandler = eventHandler(
  tools,
  firstCallCore(async () => createArchiveFunction(readArchiveConfig(process.env))),
);
