import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { answerMetric, type TierReader } from '../../../core/query/metric-answer.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { hotReader, redisQueryCache } from '../../../io/redis/hot-reader.ts';
import { type AggregatorFunction, createRealtimeFunction } from '../../../lambdas/realtime/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { shopTraffic } from './event-stream.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

const unused: TierReader = () => Promise.reject(new Error('only the hot tier should be asked'));

describe('query layer over the hot tier', () => {
  let redis: TestRedis;
  let realtime: AggregatorFunction;
  beforeAll(async () => {
    redis = await startTestRedis();
    realtime = createRealtimeFunction({
      redis: { url: redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
      funnels: parseFunnelCatalog(undefined),
    });
  });
  afterAll(async () => {
    await realtime?.close();
    await redis?.stop();
  });

  it('gives counts, revenue and visitors that match the raw events', async () => {
    const partitions = shopTraffic(seededRandom(11), 2, 800);
    for (const [p, events] of partitions.entries())
      await realtime.handler(mskEventOf(events, { partition: p }), createLambdaContext('realtime'));
    const all = partitions.flat().filter((e) => e.project === 'shop');
    const now = Date.now();
    const fromMs = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000;
    const readers = { hot: hotReader(redis.client), warm: unused, cold: unused };
    const cache = redisQueryCache(redis.client);
    const total = async (metric: 'events' | 'revenue' | 'visitors', extra: object, stepSeconds: number) => {
      const answer = await answerMetric(
        { project: 'shop', metric, fromMs, toMs: now + 1000, stepSeconds, ...extra },
        readers,
        now,
        cache,
      );
      expect(answer.tiers).toEqual(['hot']);
      return answer.points.reduce((s, p) => s + p.value, 0);
    };
    expect(await total('events', {}, 60)).toBe(all.length);
    expect(await total('events', { type: 'purchase' }, 10)).toBe(
      all.filter((e) => e.type === 'purchase').length,
    );
    const eur = all
      .filter((e) => e.order?.currency === 'EUR')
      .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0);
    expect(await total('revenue', { currency: 'EUR' }, 60)).toBe(eur);
    // Each step is the union of its minute HyperLogLogs; compared step by step with the truth.
    const answer = await answerMetric(
      { project: 'shop', metric: 'visitors', fromMs, toMs: now + 1000, stepSeconds: 7200 },
      readers,
      now,
    );
    let checked = 0;
    for (const point of answer.points) {
      const inStep = all.filter((e) => {
        const ts = Date.parse(e.timestamp);
        return !e.is_bot && ts >= point.t && ts < point.t + 7_200_000;
      });
      const truth = new Set(inStep.map((e) => e.user_id)).size;
      checked += truth;
      expect(Math.abs(point.value - truth)).toBeLessThanOrEqual(Math.max(1, truth * 0.02));
    }
    expect(checked).toBeGreaterThan(50);
  });
});
