import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import type { Aggregation } from '../core/aggregation/aggregation.ts';
import { SPATE_METRICS } from '../core/metrics/metric-names.ts';
import type { HotAggregatorConfig } from '../io/redis/hot-aggregator-config.ts';
import { openHotSink, type PartitionReport } from '../io/redis/hot-sink.ts';
import { eventHandler, type FunctionTools, type SpateFunction, type SpateHandler } from './spate-handler.ts';

/**
 * What the hot-tier functions of events.raw (realtime, windows, funnels) share: the same MSK
 * handler over the same Redis sink, each with its own pure aggregation, so each concern is a
 * function of its own that scales alone.
 */
export type AggregatorHandler = SpateHandler<MSKEvent, PartitionReport[]>;

export type AggregatorFunction = SpateFunction<MSKEvent, PartitionReport[]>;

export function createHotAggregatorFunction(
  tools: FunctionTools,
  config: HotAggregatorConfig,
  aggregation: Aggregation,
): AggregatorFunction {
  const { logger, metrics } = tools;
  const { sink, close } = openHotSink(config, aggregation);
  const core = async (event: MSKEvent) => {
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
  };
  return { handler: eventHandler(tools, core), core, close };
}
