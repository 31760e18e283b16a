import type { MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { dedupClock, generationAt } from '../../../core/aggregation/dedup-directory.ts';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { realtimeAggregation } from '../../../core/aggregation/realtime-counters.ts';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EnrichedTweet } from '../../../core/nlp/enriched-tweet.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import type { HotAggregatorConfig } from '../../../io/redis/hot-aggregator-config.ts';
import type { PartitionReport } from '../../../io/redis/hot-sink.ts';
import { OffsetGate } from '../../../io/redis/offset-gate.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import { type AggregatorFunction, createRealtimeFunction } from '../../../lambdas/realtime/handler.ts';
import { createTweetsFunction, type TweetsFunction } from '../../../lambdas/tweets/handler.ts';
import { createWindowsFunction } from '../../../lambdas/windows/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { shopTraffic } from './event-stream.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';
import { hotSnapshot } from './redis-snapshot.ts';
import { tweetTraffic } from './tweet-stream.ts';

const context = createLambdaContext('client-copies');

/** Sends `events` from `firstOffset` on, cut into batches of the given sizes (the last repeats). */
async function send(
  handler: (event: MSKEvent, ctx: typeof context) => Promise<PartitionReport[]>,
  events: readonly (EnrichedEvent | string)[],
  firstOffset: number,
  sizes: readonly number[],
): Promise<PartitionReport[]> {
  const reports: PartitionReport[] = [];
  for (let i = 0, cut = 0; i < events.length; cut++) {
    const size = sizes[Math.min(cut, sizes.length - 1)]!;
    const msk = mskEventOf(events.slice(i, i + size), {
      topic: typeof events[0] === 'string' ? 'tweets.enriched' : 'events.raw',
      partition: 1,
      firstOffset: firstOffset + i,
    });
    reports.push(...(await handler(msk, context)));
    i += size;
  }
  return reports;
}

const total = (reports: readonly PartitionReport[], field: 'applied' | 'copies' | 'skipped') =>
  reports.reduce((sum, r) => sum + r[field], 0);

describe('client copies against redis-server: every event id counted once', () => {
  let redis: TestRedis;
  let functions: AggregatorFunction[];
  let tweets: TweetsFunction;

  beforeAll(async () => {
    redis = await startTestRedis();
    const config: HotAggregatorConfig = {
      redis: { url: redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
      funnels: parseFunnelCatalog(undefined),
      dedupWindowSeconds: 86_400,
    };
    functions = [
      createRealtimeFunction(config),
      createWindowsFunction(config),
      createFunnelsFunction(config),
    ];
    tweets = createTweetsFunction(config);
  });
  afterAll(async () => {
    for (const f of functions ?? []) await f.close();
    await tweets?.close();
    await redis?.stop();
  });
  beforeEach(async () => {
    await redis.client.flushall();
  });

  it('leaves counters, visitors, top-N, funnels and journeys unchanged when a batch is sent again at new offsets', async () => {
    const [events] = shopTraffic(seededRandom(18), 1, 600) as [EnrichedEvent[]];
    for (const f of functions) {
      const first = await send(f.handler, events, 0, [100]);
      expect(total(first, 'applied')).toBe(600);
    }
    const once = await hotSnapshot(redis.client);
    expect([...once.keys()].some((k) => k.includes(':f:m:'))).toBe(true);
    expect([...once.keys()].some((k) => k.includes(':j:h:'))).toBe(true);
    expect([...once.keys()].some((k) => k.includes(':w:'))).toBe(true);

    for (const f of functions) {
      // The client sends it all again, then a third time cut differently; new offsets each time.
      const again = await send(f.handler, events, 600, [100]);
      const resplit = await send(f.handler, events, 1200, [7, 250, 33]);
      expect(total(again, 'applied') + total(resplit, 'applied')).toBe(0);
      expect(total(again, 'copies') + total(resplit, 'copies')).toBe(1200);
    }
    expect(await hotSnapshot(redis.client)).toEqual(once);
  });

  it('counts each event once when its copies are mixed into new traffic, and still counts the new events', async () => {
    const [events] = shopTraffic(seededRandom(19), 1, 400) as [EnrichedEvent[]];
    const [oldHalf, newHalf] = [events.slice(0, 200), events.slice(200)];
    const mixed = newHalf.flatMap((e, i) => (i % 2 === 0 ? [e, oldHalf[i]!] : [e]));
    const [realtime] = functions as [AggregatorFunction];
    await send(realtime.handler, oldHalf, 0, [50]);
    const reports = await send(realtime.handler, mixed, 200, [64]);
    expect(total(reports, 'applied')).toBe(200);
    expect(total(reports, 'copies')).toBe(100);

    // The same numbers as the events sent once each.
    const clean = await hotSnapshot(redis.client);
    await redis.client.flushall();
    await send(realtime.handler, events, 0, [400]);
    expect(clean).toEqual(await hotSnapshot(redis.client));
  });

  it('lets the first consumer to reach a record judge it, and the others follow its verdicts', async () => {
    const [events] = shopTraffic(seededRandom(25), 1, 300) as [EnrichedEvent[]];
    const [realtime, windows, funnels] = functions as [
      AggregatorFunction,
      AggregatorFunction,
      AggregatorFunction,
    ];
    for (const f of functions) await send(f.handler, events, 0, [300]);
    // Copies mixed with new events: the leader (it led the batch before too) looks ids up in the
    // live segments within its first round trip (2 round trips).
    const more = shopTraffic(seededRandom(26), 1, 100)[0]!;
    const mixed = [...events.slice(0, 100), ...more];
    const led = await send(realtime.handler, mixed, 300, [200]);
    expect(led).toMatchObject([{ applied: 100, copies: 100, roundTrips: 2 }]);
    // The followers read its verdicts instead, cut differently: no lookups (2 round trips).
    for (const f of [windows, funnels]) {
      const followed = await send(f.handler, mixed, 300, [120, 80]);
      expect(followed.map((r) => r.roundTrips)).toEqual([2, 2]);
      expect(total(followed, 'applied')).toBe(100);
      expect(total(followed, 'copies')).toBe(100);
    }
  });

  it('looks ids up with its first reads while it keeps leading, and again when the segments changed', async () => {
    const gate = new OffsetGate(redis.client, realtimeAggregation);
    const [events] = shopTraffic(seededRandom(27), 1, 200) as [EnrichedEvent[]];
    const at = (slice: EnrichedEvent[], offset: number) =>
      partitionBatches(mskEventOf(slice, { partition: 5, firstOffset: offset }))[0]!;
    const nowMs = Date.now();
    // No segment yet: nothing to look up.
    expect(await gate.apply(at(events.slice(0, 100), 0), nowMs)).toMatchObject({
      applied: 100,
      roundTrips: 2,
    });
    // It led, so the next batch's lookups ride with its reads: still 2 round trips, copies found.
    const mixed = [...events.slice(100, 150), ...events.slice(0, 50)];
    expect(await gate.apply(at(mixed, 100), nowMs)).toMatchObject({ applied: 50, copies: 50, roundTrips: 2 });
    // Another consumer opened a segment meanwhile: the guessed lookups missed it, so it looks again.
    const directory = redisKeys.dedupDirectory('events.raw', 5);
    await redis.client.hset(directory, `${generationAt(dedupClock(86_400), nowMs)}.1`, '3');
    const again = [...events.slice(150, 200), ...events.slice(50, 100)];
    expect(await gate.apply(at(again, 200), nowMs)).toMatchObject({ applied: 50, copies: 50, roundTrips: 3 });
  });

  it('stays exactly-once per offset: the same offsets redelivered change nothing', async () => {
    const [events] = shopTraffic(seededRandom(20), 1, 300) as [EnrichedEvent[]];
    for (const f of functions) await send(f.handler, events, 0, [120]);
    const once = await hotSnapshot(redis.client);
    for (const f of functions) {
      const redelivered = await send(f.handler, events, 0, [120]);
      expect(total(redelivered, 'applied')).toBe(0);
      expect(total(redelivered, 'skipped')).toBe(300);
      // A re-split redelivery overlapping the high-water, with copies of earlier ids after it.
      const overlap = await send(f.handler, [...events.slice(250), ...events.slice(0, 40)], 250, [90]);
      expect(total(overlap, 'applied')).toBe(0);
      expect(total(overlap, 'copies')).toBe(40);
    }
    expect(await hotSnapshot(redis.client)).toEqual(once);
  });

  it('counts a tweet id sent twice once', async () => {
    const [posted] = tweetTraffic(seededRandom(21), 1, 120, Date.now()) as [EnrichedTweet[]];
    const values = posted.map((t) => JSON.stringify(t));
    const first = await send(tweets.handler, values, 0, [40]);
    expect(total(first, 'applied')).toBe(120);
    const once = await hotSnapshot(redis.client);
    expect([...once.keys()].some((k) => k.includes(':tw:m:'))).toBe(true);
    const again = await send(tweets.handler, values, 120, [17, 80]);
    expect(total(again, 'copies')).toBe(120);
    expect(await hotSnapshot(redis.client)).toEqual(once);
  });

  it('remembers an id for the configured window, and counts a copy sent after it', async () => {
    const gate = new OffsetGate(redis.client, realtimeAggregation, { dedupWindowSeconds: 80 });
    const [events] = shopTraffic(seededRandom(23), 1, 50) as [EnrichedEvent[]];
    const at = (offset: number) =>
      partitionBatches(mskEventOf(events, { partition: 2, firstOffset: offset }))[0]!;
    // The gate's clock is passed in; the events' own times are within the hot tier's day.
    const t0 = Date.now();
    expect(await gate.apply(at(0), t0)).toMatchObject({ applied: 50, copies: 0 });
    // Within the window (80 s, in generations of 10 s): copies.
    expect(await gate.apply(at(50), t0 + 75_000)).toMatchObject({ applied: 0, copies: 50 });
    // A window and a generation later every segment holding them has lapsed: counted again.
    expect(await gate.apply(at(100), t0 + 91_000)).toMatchObject({ applied: 50, copies: 0 });
  });

  it('re-plans when another consumer opened the same dedup segment with another size meanwhile', async () => {
    const client = redis.client;
    const evalsha = client.evalsha.bind(client);
    const nowMs = Date.now();
    const segment = `${generationAt(dedupClock(86_400), nowMs)}.0`;
    const directory = redisKeys.dedupDirectory('events.raw', 3);
    let raced = false;
    // Between this gate's read and its script, a consumer of the partition claims the segment.
    const racing = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'evalsha') return Reflect.get(target, property, receiver);
        return async (sha: string, count: number, ...rest: (string | Buffer)[]) => {
          if (!raced) {
            raced = true;
            await client.hset(directory, segment, '5');
          }
          return evalsha(sha, count, ...rest);
        };
      },
    });
    const gate = new OffsetGate(racing, realtimeAggregation);
    const [events] = shopTraffic(seededRandom(24), 1, 40) as [EnrichedEvent[]];
    const at = (offset: number) =>
      partitionBatches(mskEventOf(events, { partition: 3, firstOffset: offset }))[0]!;
    expect(await gate.apply(at(0), nowMs)).toMatchObject({ applied: 40, roundTrips: 3 });
    expect(raced).toBe(true);
    // The segment kept the size claimed first, and its 32 shards hold the ids.
    expect(await client.hget(directory, segment)).toBe('5');
    const shards = await client.keys(`${directory}:${segment}:*`);
    expect(shards.length).toBeGreaterThan(10);
    expect(await gate.apply(at(40), nowMs)).toMatchObject({ applied: 0, copies: 40 });
  });

  it('touches only keys declared in KEYS, all in the {sp} slot', async () => {
    const declared = new Set<string>();
    const client = redis.client;
    const evalsha = client.evalsha.bind(client);
    // Records the KEYS of every script call; the calls themselves go to redis-server unchanged.
    const recording = new Proxy(client, {
      get(target, property, receiver) {
        if (property !== 'evalsha') return Reflect.get(target, property, receiver);
        return (sha: string, count: number, ...rest: (string | Buffer)[]) => {
          for (const key of rest.slice(0, count)) declared.add(String(key));
          return evalsha(sha, count, ...rest);
        };
      },
    });
    const gate = new OffsetGate(recording, realtimeAggregation);
    const [events] = shopTraffic(seededRandom(22), 1, 200) as [EnrichedEvent[]];
    const [batch] = partitionBatches(mskEventOf(events, { partition: 1 }));
    await gate.apply(batch!);
    const existing = await client.keys('*');
    expect(existing.length).toBeGreaterThan(10);
    expect(existing.some((k) => k.startsWith(redisKeys.dedupDirectory('events.raw', 1)))).toBe(true);
    for (const key of existing) expect(declared).toContain(key);
    for (const key of declared) expect(key.startsWith('{sp}:')).toBe(true);
  });
});
