import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { planArchiveObjects } from '../../core/aggregation/archive-key.ts';
import { CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import { partitionBatches } from '../../core/aggregation/msk-batch.ts';
import { type ArchiveConfig, readArchiveConfig } from '../../io/s3/archive-config.ts';
import { writeArchiveObjects } from '../../io/s3/archive-writer.ts';
import { createS3Client } from '../../io/s3/client.ts';

/** Raw enriched events into the cold tier: gzip NDJSON objects keyed by offset range. */
const logger = new Logger({ serviceName: 'spate-archive' });
const metrics = new Metrics({ namespace: 'Spate', serviceName: 'spate-archive' });

export interface ArchiveReport {
  readonly objects: number;
  readonly bytes: number;
  readonly events: number;
}

export type ArchiveHandler = (event: MSKEvent, context: Context) => Promise<ArchiveReport>;

export interface ArchiveFunction {
  readonly handler: ArchiveHandler;
  close(): Promise<void>;
}

export function createArchiveFunction(config: ArchiveConfig): ArchiveFunction {
  const s3 = createS3Client(config.s3);
  const breaker = new CircuitBreaker('s3/archive', config.breaker);
  const handler = middy<MSKEvent, ArchiveReport>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      let objects = 0;
      let bytes = 0;
      let events = 0;
      for (const batch of partitionBatches(event)) {
        const planned = planArchiveObjects(batch, config.prefix);
        const written = await breaker.call(() =>
          withRetries(() => writeArchiveObjects(s3, config.bucket, planned), config.retry),
        );
        objects += written.objects;
        bytes += written.bytes;
        events += batch.events.length;
        if (batch.undecodable.length > 0)
          logger.warn('records that are not enriched events were not archived', {
            topic: batch.topic,
            partition: batch.partition,
            offsets: batch.undecodable.map((u) => u.offset),
          });
      }
      metrics.addMetric('ArchivedEvents', MetricUnit.Count, events);
      metrics.addMetric('ArchivedBytes', MetricUnit.Bytes, bytes);
      return { objects, bytes, events };
    });
  return {
    handler: handler as unknown as ArchiveHandler,
    close: async () => s3.destroy(),
  };
}

// Lambda entry: the S3 client is made on the first invocation of a container and reused.
let container: ArchiveFunction | undefined;

export const handler: ArchiveHandler = (event, context) => {
  container ??= createArchiveFunction(readArchiveConfig(process.env));
  return container.handler(event, context);
};
