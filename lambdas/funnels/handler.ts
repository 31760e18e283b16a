import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { funnelsAggregation } from '../../core/aggregation/funnels.ts';
import { type HotAggregatorConfig, readHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { openHotSink, type PartitionReport } from '../../io/redis/hot-sink.ts';

/** Per-visitor funnel progress, step counts and journeys of events.raw in the hot tier. */
const logger = new Logger({ serviceName: 'spate-funnels' });
const metrics = new Metrics({ namespace: 'Spate', serviceName: 'spate-funnels' });

export type AggregatorHandler = (event: MSKEvent, context: Context) => Promise<PartitionReport[]>;

export interface AggregatorFunction {
  readonly handler: AggregatorHandler;
  close(): Promise<void>;
}

export function createFunnelsFunction(config: HotAggregatorConfig): AggregatorFunction {
  const { sink, close } = openHotSink(config, funnelsAggregation(config.funnels));
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
  container ??= createFunnelsFunction(readHotAggregatorConfig(process.env));
  return container.handler(event, context);
};
