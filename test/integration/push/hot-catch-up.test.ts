import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import type { Watermark } from '../../../core/push/hot-watermarks.ts';
import { waitForHotTier } from '../../../io/push/hot-catch-up.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';

const mark = (consumer: string, partition: number, offset: number): Watermark => ({
  consumer,
  topic: 'events.raw',
  partition,
  offset,
});
const gate = (w: Watermark) => redisKeys.gate(w.consumer, w.topic, w.partition);

describe('the broadcaster waits for the hot tier (real redis-server)', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('returns as soon as the aggregators apply the batch, not at the timeout', async () => {
    const realtime = mark('realtime', 0, 100);
    const windows = mark('windows', 0, 100);
    await redis.client.set(gate(realtime), '100');
    await redis.client.set(gate(windows), '60');
    setTimeout(() => void redis.client.set(gate(windows), '120'), 150);
    const started = Date.now();
    const behind = await waitForHotTier(redis.client, [realtime, windows], { timeoutMs: 5000, pollMs: 20 });
    const waited = Date.now() - started;
    expect(behind).toEqual([]);
    expect(waited).toBeGreaterThanOrEqual(140);
    expect(waited).toBeLessThan(4000);
  });

  it('gives up at the timeout and names the aggregators still behind', async () => {
    const funnels = mark('funnels', 3, 50);
    const realtime = mark('realtime', 3, 50);
    await redis.client.set(gate(realtime), '50');
    const behind = await waitForHotTier(redis.client, [funnels, realtime], { timeoutMs: 200, pollMs: 20 });
    expect(behind).toEqual([funnels]);
  });

  it('does not touch Redis for a batch without hot consumers', async () => {
    const before = Number((await redis.client.info('stats')).match(/total_commands_processed:(\d+)/)?.[1]);
    expect(await waitForHotTier(redis.client, [], { timeoutMs: 1000, pollMs: 20 })).toEqual([]);
    const after = Number((await redis.client.info('stats')).match(/total_commands_processed:(\d+)/)?.[1]);
    // Only the first INFO itself was processed in between.
    expect(after - before).toBe(1);
  });
});
