import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import { CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import { tweetBatches, tweetsAggregation } from '../../core/aggregation/tweets.ts';
import { METRIC_SERVICES, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import { connectRedis } from '../../io/redis/connection.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import type { PartitionReport } from '../../io/redis/hot-sink.ts';
import { OffsetGate } from '../../io/redis/offset-gate.ts';
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
  const redis = connectRedis(config.redis);
  const gate = new OffsetGate(redis, tweetsAggregation, { dedupWindowSeconds: config.dedupWindowSeconds });
  const breaker = new CircuitBreaker('redis/tweets', config.breaker);
  const core = async (event: MSKEvent) =>
    Promise.all(
      tweetBatches(event).map(async (batch) => {
        const outcome = await breaker.call(() => withRetries(() => gate.apply(batch), config.retry));
        metrics.addMetric(SPATE_METRICS.tweetsApplied.name, MetricUnit.Count, outcome.applied);
        metrics.addMetric(SPATE_METRICS.tweetCopiesSkipped.name, MetricUnit.Count, outcome.copies);
        if (batch.undecodable.length > 0)
          logger.warn('records that are not enriched tweets were counted and passed over', {
            offsets: batch.undecodable.map((u) => u.offset),
            reason: batch.undecodable[0]?.reason,
          });
        return {
          topic: batch.topic,
          partition: batch.partition,
          applied: outcome.applied,
          skipped: outcome.skipped,
          copies: outcome.copies,
          undecodable: batch.undecodable.length,
          roundTrips: outcome.roundTrips,
        };
      }),
    );
  return {
    handler: eventHandler(tools, core),
    core,
    close: async () => {
      redis.disconnect();
    },
  };
}

// Lambda entry: config and the Redis connection are made on the first invocation of a
// container and reused by every later one.
export const handler: TweetsHandler = eventHandler(
  tools,
  firstCallCore(async () => createTweetsFunction(await loadHotAggregatorConfig(process.env))),
);
