import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import type { ArchiveObject } from '../../core/aggregation/archive-key.ts';
import { CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import { SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import type { ArchiveConfig } from '../../io/s3/archive-config.ts';
import { writeArchiveObjects } from '../../io/s3/archive-writer.ts';
import { createS3Client } from '../../io/s3/client.ts';
import { eventHandler, type FunctionTools, type SpateFunction, type SpateHandler } from '../spate-handler.ts';

export interface ArchiveReport {
  readonly objects: number;
  readonly bytes: number;
  readonly events: number;
}

export type ArchiveHandler = SpateHandler<MSKEvent, ArchiveReport>;

export type ArchiveFunction = SpateFunction<MSKEvent, ArchiveReport>;

/** One topic-partition batch as the objects to write, with what did not decode. */
export interface PlannedBatch {
  readonly topic: string;
  readonly partition: number;
  readonly records: number;
  readonly objects: readonly ArchiveObject<object>[];
  readonly undecodable: readonly { readonly offset: number }[];
}

/** What differs between the functions that write the cold tier: their name and their objects. */
export interface ArchiveFeed {
  /** The function's name (its mapping's functionName), for logs, metrics and the breaker. */
  readonly name: string;
  /** The MSK event as planned objects per topic-partition, under `prefix`. */
  readonly plan: (event: MSKEvent, prefix: string) => readonly PlannedBatch[];
}

/** A thin handler over the archive writer: plan keys by offset range, write, measure. */
export function createArchiveFeedFunction(
  tools: FunctionTools,
  config: ArchiveConfig,
  feed: ArchiveFeed,
): ArchiveFunction {
  const { logger, metrics } = tools;
  const s3 = createS3Client(config.s3);
  const breaker = new CircuitBreaker(`s3/${feed.name}`, config.breaker);
  const core = async (event: MSKEvent): Promise<ArchiveReport> => {
    let objects = 0;
    let bytes = 0;
    let events = 0;
    for (const batch of feed.plan(event, config.prefix)) {
      const written = await breaker.call(() =>
        withRetries(() => writeArchiveObjects(s3, config.bucket, batch.objects), config.retry),
      );
      objects += written.objects;
      bytes += written.bytes;
      events += batch.records;
      if (batch.undecodable.length > 0)
        logger.warn('records that did not decode were not archived', {
          topic: batch.topic,
          partition: batch.partition,
          offsets: batch.undecodable.map((u) => u.offset),
        });
    }
    metrics.addMetric(SPATE_METRICS.archivedEvents.name, MetricUnit.Count, events);
    metrics.addMetric(SPATE_METRICS.archivedBytes.name, MetricUnit.Bytes, bytes);
    return { objects, bytes, events };
  };
  return {
    handler: eventHandler(tools, core),
    core,
    close: async () => s3.destroy(),
  };
}
