import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import { tweetBatches, tweetsAggregation } from '../../core/aggregation/tweets.ts';
import { METRIC_SERVICES, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { openHotSink, type PartitionReport } from '../../io/redis/hot-sink.ts';
import {
  eventHandler,
  firstCallCore,
  functionTools,
  type SpateFunction,
  type SpateHandler,
} from '../spate-handler.ts';

/** Sentiment over time per topic and hashtag, and toxicity alerts, of tweets.enriched. */
const tools = functionTools(METRIC_SERVICES.tweets);
const { logger, metrics } = tools;

export type TweetsHandler = SpateHandler<MSKEvent, PartitionReport[]>;

export type TweetsFunction = SpateFunction<MSKEvent, PartitionReport[]>;

export function createTweetsFunction(config: HotAggregatorConfig): TweetsFunction {
  const { sink, close } = openHotSink(config, tweetsAggregation, tweetBatches);
  const core = async (event: MSKEvent) => {
    const reports = await sink(event);
    for (const r of reports) {
      metrics.addMetric(SPATE_METRICS.tweetsApplied.name, MetricUnit.Count, r.applied);
      metrics.addMetric(SPATE_METRICS.tweetCopiesSkipped.name, MetricUnit.Count, r.copies);
      if (r.undecodable > 0)
        logger.warn('records that are not enriched tweets were counted and passed over', { ...r });
    }
    return reports;
  };
  return { handler: eventHandler(tools, core), core, close };
}

// Lambda entry: config and the Redis connection are made on the first invocation of a
// container and reused by every later one.
export const handler: TweetsHandler = eventHandler(
  tools,
  firstCallCore(async () => createTweetsFunction(await loadHotAggregatorConfig(process.env))),
);
