import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import type { Aggregation } from '../core/aggregation/aggregation.ts';
import { METRICS_NAMESPACE, SPATE_METRICS } from '../core/metrics/metric-names.ts';
import type { HotAggregatorConfig } from '../io/redis/hot-aggregator-config.ts';
import { openHotSink, type PartitionReport } from '../io/redis/hot-sink.ts';
import { perContainer } from './per-container.ts';

/**
 * What the hot-tier functions of events.raw (realtime, windows, funnels) share: the same MSK
 * handler over the same Redis sink, each with its own pure aggregation, so each concern is a
 * function of its own that scales alone.
 */
export type AggregatorHandler = (event: MSKEvent, context: Context) => Promise<PartitionReport[]>;

export interface AggregatorFunction {
  readonly handler: AggregatorHandler;
  close(): Promise<void>;
}

export function createHotAggregatorFunction(
  serviceName: string,
  config: HotAggregatorConfig,
  aggregation: Aggregation,
): AggregatorFunction {
  const logger = new Logger({ serviceName });
  // Metrics' own warnings go through the Logger, so POWERTOOLS_LOG_LEVEL governs them too.
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName, logger });
  const { sink, close } = openHotSink(config, aggregation);
  const handler = middy<MSKEvent, PartitionReport[]>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event) => {
      const reports = await sink(event);
      for (const r of reports) {
        metrics.addMetric(SPATE_METRICS.eventsApplied.name, MetricUnit.Count, r.applied);
        metrics.addMetric(SPATE_METRICS.eventsSkippedAsApplied.name, MetricUnit.Count, r.skipped);
        metrics.addMetric(SPATE_METRICS.eventCopiesSkipped.name, MetricUnit.Count, r.copies);
        if (r.undecodable > 0) {
          metrics.addMetric(SPATE_METRICS.recordsUndecodable.name, MetricUnit.Count, r.undecodable);
          logger.warn('records that are not enriched events were counted and passed over', { ...r });
        }
      }
      return reports;
    });
  return { handler: handler as unknown as AggregatorHandler, close };
}

/**
 * A Lambda entry whose function (config, Redis connection) is made on the first invocation of
 * a container and reused by every later one.
 */
export function containerHandler(create: () => Promise<AggregatorFunction>): AggregatorHandler {
  const container = perContainer(create);
  return async (event, context) => (await container()).handler(event, context);
}
