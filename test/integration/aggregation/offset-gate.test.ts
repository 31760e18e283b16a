import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { funnelsAggregation } from '../../../core/aggregation/funnels.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { realtimeAggregation } from '../../../core/aggregation/realtime-counters.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { bucketStart, DAY } from '../../../core/aggregation/time-buckets.ts';
import { OffsetGate } from '../../../io/redis/offset-gate.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

// Keys expire at absolute times relative to the real clock, so events are from a moment ago.
const BASE_MS = Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000;
const TS = new Date(BASE_MS).toISOString();
const NOW = Date.now();
const SEC = BASE_MS / 1000;

describe('OffsetGate against redis-server', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(async () => {
    await redis.client.flushall();
  });

  const purchases = (n: number) =>
    Array.from({ length: n }, (_, i) =>
      enrichedEvent({
        timestamp: TS,
        type: 'purchase',
        user_id: `u${i}`,
        order: { id: `o${i}`, revenue: 2.5, currency: 'EUR' },
      }),
    );

  it('applies a batch once; a redelivered batch does not double count', async () => {
    const gate = new OffsetGate(redis.client, realtimeAggregation);
    const [batch] = partitionBatches(mskEventOf(purchases(100), { partition: 2, firstOffset: 500 }));
    const first = await gate.apply(batch!, NOW);
    expect(first).toMatchObject({ applied: 100, skipped: 0, highWater: 599, roundTrips: 2 });
    const again = await gate.apply(batch!, NOW);
    expect(again).toMatchObject({ applied: 0, skipped: 100, highWater: 599, roundTrips: 1 });
    const counters = await redis.client.hgetall(redisKeys.counters('shop', 's', SEC));
    expect(counters).toEqual({ 't:purchase': '100', ord: '100', 'rev:EUR': '25000' });
    const dayUniques = await redis.client.pfcount(redisKeys.uniques('shop', 'd', bucketStart(BASE_MS, DAY)));
    expect(Math.abs(dayUniques - 100)).toBeLessThanOrEqual(2);
    expect(await redis.client.get(redisKeys.gate('realtime', 'events.raw', 2))).toBe('599');
    const ttl = await redis.client.ttl(redisKeys.counters('shop', 's', SEC));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(86_400);
  });

  it('applies only the unapplied tail of a batch re-split across the high-water', async () => {
    const gate = new OffsetGate(redis.client, realtimeAggregation);
    const events = purchases(10);
    const [head] = partitionBatches(mskEventOf(events.slice(0, 6), { firstOffset: 0 }));
    await gate.apply(head!, NOW);
    const [overlap] = partitionBatches(mskEventOf(events.slice(3), { firstOffset: 3 }));
    expect(await gate.apply(overlap!, NOW)).toMatchObject({ applied: 4, skipped: 3, highWater: 9 });
    expect(await redis.client.hget(redisKeys.counters('shop', 's', SEC), 't:purchase')).toBe('10');
  });

  it('keeps gates per consumer and partition apart', async () => {
    const [batch] = partitionBatches(mskEventOf(purchases(3), { partition: 1 }));
    await new OffsetGate(redis.client, realtimeAggregation).apply(batch!, NOW);
    const funnels = new OffsetGate(redis.client, funnelsAggregation(parseFunnelCatalog(undefined)));
    expect(await funnels.apply(batch!, NOW)).toMatchObject({ applied: 3 });
    const [other] = partitionBatches(mskEventOf(purchases(3), { partition: 4 }));
    expect(await new OffsetGate(redis.client, realtimeAggregation).apply(other!, NOW)).toMatchObject({
      applied: 3,
    });
    expect(await redis.client.hget(redisKeys.counters('shop', 's', SEC), 't:purchase')).toBe('6');
  });

  it('carries funnel progress across batches through the stored state', async () => {
    const gate = new OffsetGate(redis.client, funnelsAggregation(parseFunnelCatalog(undefined)));
    const product = { id: 'p1' };
    const steps = [
      enrichedEvent({ timestamp: TS, user_id: 'v', product }),
      enrichedEvent({ timestamp: TS, user_id: 'v', type: 'add_to_cart', product }),
      enrichedEvent({ timestamp: TS, user_id: 'v', type: 'checkout_started' }),
    ];
    for (const [i, e] of steps.entries()) {
      const [batch] = partitionBatches(mskEventOf([e], { firstOffset: i }));
      await gate.apply(batch!, NOW);
    }
    expect(await redis.client.hgetall(redisKeys.funnelSteps('shop', SEC))).toEqual({
      0: '1',
      1: '1',
      2: '1',
      3: '1',
    });
    expect(await redis.client.get(redisKeys.funnelProgress('shop', 'v'))).toBe(`3:${BASE_MS}`);
    expect(await redis.client.pttl(redisKeys.funnelProgress('shop', 'v'))).toBeGreaterThan(0);
  });

  it('adds tens of thousands of HyperLogLog elements in one script call', async () => {
    const gate = new OffsetGate(redis.client, realtimeAggregation);
    const events = Array.from({ length: 20_000 }, (_, i) =>
      enrichedEvent({ timestamp: TS, user_id: `user-${i}` }),
    );
    const [batch] = partitionBatches(mskEventOf(events));
    expect(await gate.apply(batch!, NOW)).toMatchObject({ applied: 20_000, roundTrips: 2 });
    const count = await redis.client.pfcount(redisKeys.uniques('shop', 'm', SEC));
    expect(Math.abs(count - 20_000) / 20_000).toBeLessThan(0.02);
  });
});
