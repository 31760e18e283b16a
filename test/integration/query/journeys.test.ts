import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import type { AggregatorFunction } from '../../../lambdas/hot-aggregator.ts';
import { topJourneysRoute } from '../../../lambdas/query/journeys.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';

const context = createLambdaContext('journeys');
const MINUTE_MS = 60_000;

/**
 * The hot tier expires a journey hour a day after it ends, counted on the real clock, so the
 * events are of the last hour; every expectation is of the events themselves, and the route is
 * asked at a time given to it, never "now".
 */
const base = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 45 * MINUTE_MS;
const at = (minutes: number) => new Date(base + minutes * MINUTE_MS).toISOString();

const view = (user: string, path: string, minutes: number): EnrichedEvent =>
  enrichedEvent({
    user_id: user,
    page: { path, url: `https://shop.example${path}` },
    timestamp: at(minutes),
  });
const act = (user: string, type: 'add_to_cart' | 'purchase', minutes: number): EnrichedEvent =>
  enrichedEvent({ user_id: user, type, page: null, timestamp: at(minutes) });

describe('top journeys: the funnels function counts paths into redis-server, the query route reads them', () => {
  let redis: TestRedis;
  let funnels: AggregatorFunction;
  let offset = 0;
  const send = async (events: readonly EnrichedEvent[]) => {
    await funnels.handler(mskEventOf(events, { partition: 0, firstOffset: offset }), context);
    offset += events.length;
  };
  const route = () => topJourneysRoute({ redis: redis.client, tierTimeoutMs: 2000 });
  const askedAt = base + 40 * MINUTE_MS;

  beforeAll(async () => {
    redis = await startTestRedis();
    funnels = createFunnelsFunction({
      redis: { url: redis.url },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
      funnels: parseFunnelCatalog(undefined),
      dedupWindowSeconds: 86_400,
    });
  });
  afterAll(async () => {
    await funnels?.close();
    await redis?.stop();
  });
  beforeEach(async () => {
    await redis.client.flushall();
    offset = 0;
  });

  it('answers the commonest runs of three steps, largest first, ties by path', async () => {
    await send([
      view('u1', '/', 0),
      view('u2', '/', 0),
      view('u3', '/', 1),
      view('u1', '/p/1', 2),
      view('u2', '/p/1', 2),
      view('u3', '/p/2', 3),
      act('u1', 'add_to_cart', 4),
      act('u2', 'add_to_cart', 4),
      view('u3', '/p/1', 5),
      act('u1', 'purchase', 6),
      // Idle for more than 30 minutes: the visit starts again and its two steps make no journey.
      view('u4', '/', 0),
      view('u4', '/p/1', 32),
      act('u4', 'add_to_cart', 33),
    ]);
    const answer = await route()('shop', { window: '2h' }, askedAt);
    expect(answer.journeys).toEqual([
      { path: '/ > /p/1 > add_to_cart', steps: ['/', '/p/1', 'add_to_cart'], count: 2 },
      { path: '/ > /p/2 > /p/1', steps: ['/', '/p/2', '/p/1'], count: 1 },
      { path: '/p/1 > add_to_cart > purchase', steps: ['/p/1', 'add_to_cart', 'purchase'], count: 1 },
    ]);
    expect(answer).toMatchObject({
      exact: true,
      tiers: ['hot'],
      window_s: 7200,
      to: new Date(askedAt).toISOString(),
    });
    // The range starts on the hour: journeys are kept per hour.
    expect(Date.parse(answer.from) % 3_600_000).toBe(0);
    expect(Date.parse(answer.from)).toBeLessThanOrEqual(askedAt - 7200_000 + 1000);

    const top = await route()('shop', { limit: '1', window: '2h' }, askedAt);
    expect(top.journeys.map((j) => j.count)).toEqual([2]);
    // Another project's token reads none of them.
    expect((await route()('other', { window: '2h' }, askedAt)).journeys).toEqual([]);
  });

  it('says the answer is not exact when an hour held more paths than were read from it', async () => {
    const events: EnrichedEvent[] = [];
    for (let i = 0; i < 101; i++) {
      const user = `v${i}`;
      events.push(view(user, `/a${i}`, 10), view(user, `/b${i}`, 10), view(user, `/c${i}`, 10));
    }
    await send(events);
    const answer = await route()('shop', { limit: '1', window: '1h' }, askedAt);
    expect(answer.journeys).toHaveLength(1);
    expect(answer.exact).toBe(false);
  });

  it('answers a bad limit or window with the field and the rule', async () => {
    await expect(route()('shop', { limit: '0' }, askedAt)).rejects.toMatchObject({
      status: 400,
      field: 'limit',
      rule: 'range',
    });
    await expect(route()('shop', { limit: 'ten' }, askedAt)).rejects.toMatchObject({ field: 'limit' });
    await expect(route()('shop', { window: '30m' }, askedAt)).rejects.toMatchObject({
      status: 400,
      field: 'window',
      rule: 'range',
    });
  });
});
