import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { MSKEvent } from 'aws-lambda';
import { parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { METRIC_SERVICES, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import { oldestEventAgeMs } from '../../core/push/frame-freshness.ts';
import { watermarksOf } from '../../core/push/hot-watermarks.ts';
import { EnvReader } from '../../io/config/env-reader.ts';
import { withSecretSettings } from '../../io/config/secret-setting.ts';
import { Broadcaster, type ChannelOutcome } from '../../io/push/broadcaster.ts';
import { ChannelLedger } from '../../io/push/channel-ledger.ts';
import { ConnectionRegistry } from '../../io/push/connection-registry.ts';
import { FanOut, type FanOutReport } from '../../io/push/fan-out.ts';
import { waitForHotTier } from '../../io/push/hot-catch-up.ts';
import { readPushConfig } from '../../io/push/push-config.ts';
import { connectLiveRedis } from '../../io/push/redis-link.ts';
import { REDIS_PASSWORD } from '../../io/redis/redis-config.ts';
import { eventHandler, firstCallCore, functionTools, type SpateFunction } from '../spate-handler.ts';
import { projectsOf, tweetProjectsOf } from './batch-projects.ts';

const TWEET_CHANNELS = ['tweets', 'alerts'] as const;

/**
 * The broadcaster: fed events.raw by its own mapping (no batching window), it treats each batch as
 * "these projects changed" and pushes their subscribed channels; fed tweets.enriched, it pushes
 * the tweets and alerts channels of the projects whose tweets the batch holds. Pushes are coalesced per
 * channel across all concurrent invocations. Push failures are logged and counted, never retried through the
 * mapping: a frame redelivered later would show old numbers.
 */
const tools = functionTools(METRIC_SERVICES.broadcast);
const { logger, metrics } = tools;

export type BroadcastFunction = SpateFunction<MSKEvent, ChannelOutcome[]>;

/** The handler is the core inside the project's one wrapper. */
function withHandler(fn: Omit<BroadcastFunction, 'handler'>): BroadcastFunction {
  return { ...fn, handler: eventHandler(tools, fn.core) };
}

export function createBroadcastFunction(
  environment: Readonly<Record<string, string | undefined>>,
): BroadcastFunction {
  const config = readPushConfig(environment);
  if (!config.managementUrl) throw new Error('SPATE_WS_MANAGEMENT_URL is required by the broadcaster');
  const funnels = parseFunnelCatalog(new EnvReader(environment).optional('SPATE_FUNNELS'), 'SPATE_FUNNELS');
  const redis = connectLiveRedis(config.redis.url, config.redisTimeoutMs);
  const registry = new ConnectionRegistry(redis);
  const fanOut = new FanOut({
    endpoint: config.managementUrl,
    region: config.region,
    concurrency: config.fanOutConcurrency,
    onGone: (id) => registry.remove(id),
  });
  const broadcaster = new Broadcaster({
    redis,
    registry,
    ledger: new ChannelLedger(redis),
    fanOut,
    funnels,
    intervalMs: config.pushIntervalMs,
    unwatchedRefreshMs: config.unwatchedRefreshMs,
  });
  return withHandler({
    async core(event: MSKEvent) {
      const outcomes: ChannelOutcome[] = [];
      const push = async (project: string, channels?: readonly string[]) => {
        try {
          outcomes.push(...(await broadcaster.broadcast(project, channels)));
        } catch (err) {
          metrics.addMetric(SPATE_METRICS.pushErrors.name, MetricUnit.Count, 1);
          logger.error('broadcast failed', { project, error: String(err) });
        }
      };
      // Frames should show this batch: wait (bounded) until the aggregators have counted it. A
      // hot tier that cannot answer is the broadcast's own failure below; here it only stops the wait.
      // Records per invocation: with no batching window, this is how far apart the pushes' inputs are.
      metrics.addMetric(
        SPATE_METRICS.recordsSeen.name,
        MetricUnit.Count,
        Object.values(event.records ?? {}).reduce((n, records) => n + records.length, 0),
      );
      const watermarks = watermarksOf(event);
      const behind = await waitForHotTier(redis, watermarks, {
        timeoutMs: config.catchUpMs,
        pollMs: 20,
      }).catch(() => watermarks);
      if (behind.length > 0) metrics.addMetric(SPATE_METRICS.hotTierBehind.name, MetricUnit.Count, 1);
      const touched = projectsOf(event);
      for (const project of touched) await push(project);
      // A batch of tweets moves its projects' tweets channels (those pushed above already have them).
      for (const project of tweetProjectsOf(event))
        if (!touched.has(project)) await push(project, TWEET_CHANNELS);
      // A post may carry several channels' frames: count frames per channel, posts once.
      const posts = new Set<FanOutReport>();
      for (const o of outcomes) {
        if (o.outcome !== 'pushed') continue;
        metrics.addMetric(SPATE_METRICS.framesSent.name, MetricUnit.Count, o.fanOut.sent);
        for (const d of o.deliveries) posts.add(d);
      }
      for (const post of posts) {
        if (post.gone > 0) metrics.addMetric(SPATE_METRICS.connectionsGone.name, MetricUnit.Count, post.gone);
        if (post.failed > 0) {
          metrics.addMetric(SPATE_METRICS.pushErrors.name, MetricUnit.Count, post.failed);
          logger.error('frames not delivered', { failed: post.failed, errors: post.errors });
        }
      }
      const freshness = oldestEventAgeMs(event, Date.now());
      if (freshness !== undefined)
        metrics.addMetric(SPATE_METRICS.frameFreshness.name, MetricUnit.Milliseconds, freshness);
      return outcomes;
    },
    async close() {
      fanOut.destroy();
      redis.disconnect();
    },
  });
}

export const handler = eventHandler(
  tools,
  firstCallCore(async () => createBroadcastFunction(await withSecretSettings(process.env, [REDIS_PASSWORD]))),
);
