import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, MSKEvent } from 'aws-lambda';
import { CircuitBreaker, withRetries } from '../../core/aggregation/circuit-breaker.ts';
import { tweetBatches, tweetsAggregation } from '../../core/aggregation/tweets.ts';
import { METRIC_SERVICES, METRICS_NAMESPACE, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import { connectRedis } from '../../io/redis/connection.ts';
import { type HotAggregatorConfig, loadHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import type { PartitionReport } from '../../io/redis/hot-sink.ts';
import { OffsetGate } from '../../io/redis/offset-gate.ts';
import { perContainer } from '../per-container.ts';

/** Sentiment over time per topic and hashtag, and toxicity alerts, of tweets.enriched. */
const logger = new Logger({ serviceName: 'spate-tweets' });
// Metrics' own warnings go through the Logger, so POWERTOOLS_LOG_LEVEL governs them too.
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRIC_SERVICES.tweets, logger });

export type TweetsHandler = (event: MSKEvent, context: Context) => Promise<PartitionReport[]>;

export interface TweetsFunction {
  readonly handler: TweetsHandler;
  close(): Promise<void>;
}

export function createTweetsFunction(config: HotAggregatorConfig): TweetsFunction {
  const redis = connectRedis(config.redis);
  const gate = new OffsetGate(redis, tweetsAggregation, { dedupWindowSeconds: config.dedupWindowSeconds });
  const breaker = new CircuitBreaker('redis/tweets', config.breaker);
  const handler = middy<MSKEvent, PartitionReport[]>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler(async (event) =>
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
      ),
    );
  return {
    handler: handler as unknown as TweetsHandler,
    close: async () => {
      redis.disconnect();
    },
  };
}

// Lambda entry: config and the Redis connection are made on the first invocation of a
// container and reused by every later one.
const container = perContainer(async () => createTweetsFunction(await loadHotAggregatorConfig(process.env)));

export const handler: TweetsHandler = async (event, context) => (await container()).handler(event, context);
