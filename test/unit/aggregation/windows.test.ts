import { describe, expect, it } from 'vitest';
import { archiveKey, planArchiveObjects } from '../../../core/aggregation/archive-key.ts';
import { CircuitBreaker, CircuitOpenError, withRetries } from '../../../core/aggregation/circuit-breaker.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import { planWindows } from '../../../core/aggregation/sliding-windows.ts';
import { bucketsBetween } from '../../../core/aggregation/time-buckets.ts';
import { mergeTallies, tallyFromPairs, topN } from '../../../core/aggregation/window-merge.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

const T = Date.parse('2026-01-15T10:00:00.000Z');

describe('sliding windows', () => {
  it('adds product views, carts, purchased units, pages and referrers to 10-second buckets', () => {
    const events = [
      enrichedEvent({ product: { id: 'p1' }, page: { path: '/p/1' }, timestamp: '2026-01-15T10:00:03Z' }),
      enrichedEvent({ product: { id: 'p1' }, page: { path: '/p/1' }, timestamp: '2026-01-15T10:00:09Z' }),
      enrichedEvent({ type: 'add_to_cart', product: { id: 'p2' }, timestamp: '2026-01-15T10:00:12Z' }),
      enrichedEvent({
        type: 'purchase',
        timestamp: '2026-01-15T10:00:12Z',
        order: { id: 'o', revenue: 30, currency: 'USD', items: [{ product_id: 'p2', quantity: 3 }] },
      }),
    ];
    const [batch] = partitionBatches(mskEventOf(events));
    const plan = new RedisPlan();
    planWindows(batch!.events, plan, T);
    const s = T / 1000;
    expect(plan.sortedSetIncrements.get(redisKeys.window('shop', 'pv', s))).toEqual(new Map([['p1', 2]]));
    expect(plan.sortedSetIncrements.get(redisKeys.window('shop', 'pg', s))).toEqual(new Map([['/p/1', 2]]));
    expect(plan.sortedSetIncrements.get(redisKeys.window('shop', 'rf', s))).toEqual(
      new Map([['(direct)', 2]]),
    );
    expect(plan.sortedSetIncrements.get(redisKeys.window('shop', 'pc', s + 10))).toEqual(
      new Map([['p2', 1]]),
    );
    expect(plan.sortedSetIncrements.get(redisKeys.window('shop', 'pp', s + 10))).toEqual(
      new Map([['p2', 3]]),
    );
    expect(plan.hashIncrements.get(redisKeys.windowRevenue('shop', s + 10))).toEqual(
      new Map([['USD', 3000]]),
    );
  });

  it('merges buckets on read and ranks the top N stably', () => {
    const merged = mergeTallies([tallyFromPairs(['a', '2', 'b', '5']), tallyFromPairs(['a', '4', 'c', '6'])]);
    expect(topN(merged, 2)).toEqual([
      { member: 'a', score: 6 },
      { member: 'c', score: 6 },
    ]);
    expect(() => topN(merged, 0)).toThrow(/n: must be a positive integer/);
    expect(bucketsBetween(95, 125, 10)).toEqual([90, 100, 110, 120]);
  });
});

describe('archive keys', () => {
  it('derives hourly-partitioned keys from the offset range, one object per project and hour', () => {
    expect(
      archiveKey({
        project: 'shop',
        hourStartMs: T,
        topic: 'events.raw',
        partition: 2,
        firstOffset: 7,
        lastOffset: 9,
      }),
    ).toBe(
      'events/project=shop/dt=2026-01-15/hour=10/events.raw-2-00000000000000000007-00000000000000000009.ndjson.gz',
    );
    const events = [
      enrichedEvent({ timestamp: '2026-01-15T10:59:59Z' }),
      enrichedEvent({ timestamp: '2026-01-15T11:00:00Z' }),
      enrichedEvent({ timestamp: '2026-01-15T10:30:00Z' }),
    ];
    const [batch] = partitionBatches(mskEventOf(events, { firstOffset: 100 }));
    const objects = planArchiveObjects(batch!);
    expect(objects.map((o) => [o.key.split('/')[3], o.rows.map((r) => r.kafka_offset)])).toEqual([
      ['hour=10', [100, 102]],
      ['hour=11', [101]],
    ]);
    expect(objects[0]!.key).toContain('events.raw-0-00000000000000000100-00000000000000000102');
  });
});

describe('circuit breaker', () => {
  it('opens after repeated failures, fails fast, and closes after a good trial', async () => {
    let now = 0;
    const breaker = new CircuitBreaker('clickhouse', { failureThreshold: 2, openMs: 1000 }, () => now);
    const fail = () => Promise.reject(new Error('down'));
    await expect(breaker.call(fail)).rejects.toThrow('down');
    await expect(breaker.call(fail)).rejects.toThrow('down');
    expect(breaker.state()).toBe('open');
    await expect(breaker.call(() => Promise.resolve(1))).rejects.toBeInstanceOf(CircuitOpenError);
    now = 1000;
    expect(breaker.state()).toBe('half-open');
    await expect(breaker.call(() => Promise.resolve(7))).resolves.toBe(7);
    expect(breaker.state()).toBe('closed');
  });

  it('retries with backoff and gives up with the last error', async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const sleep = async (ms: number) => {
      sleeps.push(ms);
    };
    const opts = { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 };
    await expect(
      withRetries(async () => (++calls < 3 ? Promise.reject(new Error(`e${calls}`)) : 'ok'), opts, sleep),
    ).resolves.toBe('ok');
    calls = 0;
    await expect(
      withRetries(async () => Promise.reject(new Error(`e${++calls}`)), opts, sleep),
    ).rejects.toThrow('e3');
    expect(sleeps.every((ms) => ms >= 0 && ms <= 100)).toBe(true);
  });
});
