import { createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { counterFields, redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { ChannelLedger } from '../../../io/push/channel-ledger.ts';
import { connectLiveRedis } from '../../../io/push/redis-link.ts';
import { counterBuckets, hotOverview } from '../../../lambdas/query/overview.ts';
import { createQueryRoutes, QUERY_ROUTE_KEYS } from '../../../lambdas/query/routes.ts';
import { startGateway } from '../../../local/gateway/index.ts';
import type { RunningGateway } from '../../../local/gateway/types.ts';
import { freePort } from '../../support/free-ports.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';
import { PROJECT, SECRET, tokenFor } from '../push/push-stack.ts';

let redis: TestRedis;
let gateway: RunningGateway;
let close: () => void;
/** What the routes' key source answers now: an operator rotates the key by changing the secret. */
let tokenKey = SECRET;

beforeAll(async () => {
  redis = await startTestRedis();
  const live = connectLiveRedis(redis.url, 1000);
  // No ClickHouse listens here: the warm tier is down for these tests.
  const clickhouse = createClient({ url: `http://127.0.0.1:${await freePort()}`, request_timeout: 1000 });
  const route = createQueryRoutes({
    redis: live,
    clickhouse,
    kafkaAdmin: () => Promise.reject(new Error('no broker in this test')),
    tokenKey: async () => tokenKey,
    funnels: parseFunnelCatalog(undefined),
    tierTimeoutMs: 1000,
  });
  gateway = await startGateway({
    httpRoutes: QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: route })),
    log: () => undefined,
  });
  close = () => {
    live.disconnect();
    void clickhouse.close();
  };
});
afterAll(async () => {
  await gateway?.close();
  close?.();
  await redis?.stop();
});

async function get(path: string, token: string | null = tokenFor()) {
  const response = await fetch(`${gateway.httpUrl}${path}`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('query API', () => {
  it('answers 401 without a valid dashboard token', async () => {
    expect((await get('/v1/metrics/overview', null)).status).toBe(401);
    expect((await get('/v1/metrics/overview', tokenFor(PROJECT, -5))).body.message).toBe(
      'token.exp: expired',
    );
  });

  it('follows a rotated token key: the new key signs, links signed with the old one are turned away', async () => {
    const rotated = 'rotated-dashboard-key';
    const newLink = tokenFor(PROJECT, 3600, rotated);
    const oldLink = tokenFor();
    expect((await get('/v1/snapshot', newLink)).status).toBe(401);
    tokenKey = rotated;
    try {
      const accepted = await get('/v1/snapshot', newLink);
      expect(accepted.status).toBe(200);
      expect(accepted.body.degraded).toEqual([]);
      const refused = await get('/v1/snapshot', oldLink);
      expect(refused.status).toBe(401);
      expect(refused.body.message).toBe('token: signature does not match');
    } finally {
      tokenKey = SECRET;
    }
    expect((await get('/v1/snapshot', oldLink)).status).toBe(200);
  });

  it('answers 400 naming the parameter for bad input', async () => {
    const bad = await get('/v1/metrics/overview?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/^from: must be an ISO 8601 time/);
    expect((await get('/v1/metrics/timeseries?metric=weather')).body.message).toMatch(
      /^metric: must be one of/,
    );
    expect((await get('/v1/metrics/top?dimension=products&window=9h')).body.message).toMatch(
      /^window: must be from/,
    );
    expect((await get('/v1/snapshot?channels=nope')).status).toBe(400);
    expect((await get('/v1/funnels/checkout2')).status).toBe(404);
  });

  it('answers the overview from the hot tier and says so', async () => {
    const now = Date.now();
    const second = Math.floor(now / 1000) - 5;
    const key = redisKeys.counters(PROJECT, 's', second);
    await redis.client.hset(key, counterFields.type('page_view'), 7, counterFields.type('purchase'), 2);
    await redis.client.hset(key, counterFields.orders, 2, counterFields.revenue('EUR'), 4998);
    // The realtime function writes the same counts into the minute hash.
    await redis.client.hset(
      redisKeys.counters(PROJECT, 'm', second - (second % 60)),
      counterFields.type('page_view'),
      7,
      counterFields.type('purchase'),
      2,
      counterFields.orders,
      2,
      counterFields.revenue('EUR'),
      4998,
    );
    await redis.client.pfadd(redisKeys.uniques(PROJECT, 'm', second - (second % 60)), 'a', 'b', 'c');
    const from = new Date(now - 60_000).toISOString();
    const { status, body } = await get(`/v1/metrics/overview?from=${from}`);
    expect(status).toBe(200);
    expect(body).toMatchObject({
      events: 9,
      by_type: { page_view: 7, purchase: 2 },
      orders: 2,
      revenue: { EUR: 49.98 },
      unique_visitors: 3,
      tiers: ['hot'],
      degraded: [],
    });
    const snapshot = await get('/v1/snapshot?channels=overview,timeseries:events');
    expect(snapshot.body.channels).toMatchObject({
      overview: { events: 9 },
      'timeseries:events': { step_s: 1 },
    });
  });

  it('reports a down tier as degraded instead of failing or hanging', async () => {
    const from = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const { status, body } = await get(`/v1/metrics/overview?from=${from}`);
    expect(status).toBe(200);
    expect(body.tiers).toEqual(['hot']);
    expect(body.degraded).toEqual([{ tier: 'warm', store: 'clickhouse' }]);
    const ops = await get('/v1/ops');
    expect(ops.body.degraded).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ component: 'clickhouse' }),
        expect.objectContaining({ component: 'kafka' }),
      ]),
    );
    // A project's funnels live in ClickHouse: with it down, they are said to be unavailable.
    const started = Date.now();
    const funnels = await get('/v1/funnels');
    expect(funnels.status).toBe(503);
    expect(funnels.body.message).toMatch(/^funnels: the store \(clickhouse\)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    // A person's events: the warm tier's part is said to be down, not answered as none.
    const person = await get('/v1/users/alice/events');
    expect(person.status).toBe(200);
    expect(person.body).toMatchObject({
      events: [],
      tiers: [],
      degraded: [{ tier: 'warm', store: 'clickhouse' }],
      next_before: null,
    });
  });

  it('serves a snapshot the broadcaster checked moments ago, and recomputes an old one', async () => {
    const ledger = new ChannelLedger(redis.client);
    const stored = { window_s: 300, events: 424242, by_type: {}, orders: 0, revenue: {} };
    await ledger.record(PROJECT, 'overview', JSON.stringify(stored), Date.now());
    const fresh = await get('/v1/snapshot?channels=overview');
    expect(fresh.body.channels).toMatchObject({ overview: { events: 424242 } });
    // The same body checked again later only moves its time.
    expect(await ledger.record(PROJECT, 'overview', JSON.stringify(stored), Date.now() - 10_000)).toEqual({
      changed: false,
    });
    const old = await get('/v1/snapshot?channels=overview');
    expect((old.body.channels as { overview: { events: number } }).overview.events).not.toBe(424242);
  });

  it('reads whole minutes from minute hashes and the edges from second hashes, exactly', async () => {
    const project = 'edges';
    const fromSec = 1_800_000_030; // hh:mm:30
    const toSec = fromSec + 300;
    const buckets = counterBuckets(fromSec, toSec);
    expect(buckets.filter((b) => b.grain === 'm')).toHaveLength(4);
    expect(buckets.length).toBe(64);
    const covered = buckets.reduce((n, b) => n + (b.grain === 'm' ? 60 : 1), 0);
    expect(covered).toBe(300);
    // One event a second over the range, written as the realtime function writes it.
    for (let sec = fromSec - 30; sec < toSec + 30; sec++) {
      await redis.client.hincrby(redisKeys.counters(project, 's', sec), counterFields.type('click'), 1);
      await redis.client.hincrby(
        redisKeys.counters(project, 'm', sec - (sec % 60)),
        counterFields.type('click'),
        1,
      );
    }
    const overview = await hotOverview(redis.client, project, { fromMs: fromSec * 1000, toMs: toSec * 1000 });
    expect(overview.events).toBe(300);
  });
});
