import type { MSKEvent } from 'aws-lambda';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import type { HotAggregatorConfig } from '../../../io/redis/hot-aggregator-config.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import { type AggregatorFunction, createRealtimeFunction } from '../../../lambdas/realtime/handler.ts';
import { createWindowsFunction } from '../../../lambdas/windows/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { type ChaosProxy, startChaosProxy } from './chaos-proxy.ts';
import { shopTraffic } from './event-stream.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';
import { hotSnapshot } from './redis-snapshot.ts';

const SEED = 20_260_115;

function configFor(url: string): HotAggregatorConfig {
  return {
    redis: { url },
    breaker: { failureThreshold: 3, openMs: 50 },
    retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    funnels: parseFunnelCatalog(undefined),
  };
}

const makers = [createRealtimeFunction, createWindowsFunction, createFunnelsFunction];

describe('hot aggregators under faults', () => {
  let redis: TestRedis;
  let proxy: ChaosProxy;
  const functions: AggregatorFunction[] = [];

  beforeAll(async () => {
    redis = await startTestRedis();
    proxy = await startChaosProxy(Number(new URL(redis.url).port), seededRandom(SEED + 1));
  });
  afterAll(async () => {
    for (const f of functions) await f.close();
    await proxy?.close();
    await redis?.stop();
  });

  it('ends with exactly what one clean pass gives, however often batches fail and are redelivered', async () => {
    const random = seededRandom(SEED);
    const partitions = shopTraffic(random, 3, 1200);
    const faulty = makers.map((make) => make(configFor(`redis://127.0.0.1:${proxy.port}/0`)));
    const clean = makers.map((make) => make(configFor(`${redis.url}/1`)));
    functions.push(...faulty, ...clean);
    const event = (events: EnrichedEvent[], partition: number, first: number): MSKEvent =>
      mskEventOf(events, { partition, firstOffset: first });

    for (const [i, fn] of clean.entries()) {
      for (const [p, events] of partitions.entries()) {
        await fn.handler(event(events, p, 0), createLambdaContext(`clean-${i}`));
      }
    }

    let failures = 0;
    let invocations = 0;
    for (const [i, fn] of faulty.entries()) {
      for (const [p, events] of partitions.entries()) {
        let committed = 0;
        while (committed < events.length) {
          // The mapping may cut a redelivered batch differently from the first delivery.
          const size = 1 + Math.floor(random() * 250);
          const batch = events.slice(committed, committed + size);
          const roll = random();
          invocations += 1;
          try {
            if (roll < 0.1) throw new Error('killed before the handler ran');
            proxy.cutChance = roll < 0.3 ? 0.2 : 0;
            await fn.handler(event(batch, p, committed), createLambdaContext(`faulty-${i}`));
            if (roll > 0.85)
              throw new Error('killed after the handler applied, before the mapping committed');
            committed += batch.length;
          } catch {
            failures += 1;
            await new Promise((r) => setTimeout(r, random() < 0.2 ? 60 : 0));
          } finally {
            proxy.cutChance = 0;
          }
        }
      }
    }
    expect(failures).toBeGreaterThan(30);
    expect(proxy.cuts).toBeGreaterThan(5);
    expect(invocations).toBeGreaterThan(failures);

    const faultyDb = new Redis(`${redis.url}/0`);
    const cleanDb = new Redis(`${redis.url}/1`);
    try {
      const [got, want] = [await hotSnapshot(faultyDb), await hotSnapshot(cleanDb)];
      expect(got.size).toBeGreaterThan(100);
      expect(got).toEqual(want);

      // And the clean pass itself matches counts taken straight from the raw events.
      const all = partitions.flat();
      const truth = new Map<string, number>();
      for (const e of all) {
        truth.set(`${e.project} t:${e.type}`, (truth.get(`${e.project} t:${e.type}`) ?? 0) + 1);
        if (e.order) {
          const k = `${e.project} rev:${e.order.currency}`;
          truth.set(k, (truth.get(k) ?? 0) + revenueMinorUnits(e.order.revenue));
        }
      }
      const summed = new Map<string, number>();
      for (const [key, value] of got) {
        const m = /^\{sp\}:([^:]+):c:m:/.exec(key);
        if (!m) continue;
        for (const [field, n] of Object.entries(value as Record<string, string>)) {
          if (field === 'ord') continue;
          summed.set(`${m[1]} ${field}`, (summed.get(`${m[1]} ${field}`) ?? 0) + Number(n));
        }
      }
      expect(summed).toEqual(truth);
    } finally {
      faultyDb.disconnect();
      cleanDb.disconnect();
    }
  }, 180_000);
});
