import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { windowsAggregation } from '../../core/aggregation/sliding-windows.ts';
import { type HotAggregatorConfig, readHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { openHotSink, type PartitionReport } from '../../io/redis/hot-sink.ts';

/** Top-N and revenue buckets of events.raw that readers merge into 5-minute sliding windows. */
const logger = new Logger({ serviceName: 'spate-windows' });
const metrics = new Metrics({ namespace: 'Spate', serviceName: 'spate-windows' });

export type AggregatorHandler = (event: MSKEvent, context: Context) => Promise<PartitionReport[]>;

export interface AggregatorFunction {
  readonly handler: AggregatorHandler;
  close(): Promise<void>;
}

export function createWindowsFunction(config: HotAggregatorConfig): AggregatorFunction {
  const { sink, close } = openHotSink(config, windowsAggregation);
  const handler = middy<MSKEvent, PartitionReport[]>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const reports = await sink(event);
      for (const r of reports) {
        metrics.addMetric('EventsApplied', MetricUnit.Count, r.applied);
        metrics.addMetric('EventsSkippedAsApplied', MetricUnit.Count, r.skipped);
        if (r.undecodable > 0) {
          metrics.addMetric('RecordsUndecodable', MetricUnit.Count, r.undecodable);
          logger.warn('records that are not enriched events were counted and passed over', { ...r });
        }
      }
      return reports;
    });
  return { handler: handler as unknown as AggregatorHandler, close };
}

// Lambda entry: config and the Redis connection are made on the first invocation of a
// container and reused by every later one.
let container: AggregatorFunction | undefined;

export const handler: AggregatorHandler = (event, context) => {
  container ??= createWindowsFunction(readHotAggregatorConfig(process.env));
  return container.handler(event, context);
};
