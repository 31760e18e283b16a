import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { connectLiveRedis } from '../../../io/push/redis-link.ts';
import { createQueryRoutes, QUERY_ROUTE_KEYS, type QueryDeps } from '../../../lambdas/query/routes.ts';
import { startGateway } from '../../../local/gateway/index.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT, SECRET, tokenFor } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, each asserted.
type Answer = Record<string, any>;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// The query function's clock. The warm day is three whole UTC days back, inside the warm tier's
// retention, which follows the real clock; expectations come from the events sent.
const NOW = Date.now();
const WARM_DAY = Math.floor(NOW / DAY_MS) * DAY_MS - 3 * DAY_MS;

let api: QueryApiStack;

beforeAll(async () => {
  api = await startQueryApiStack('query-cache', {
    now: () => NOW,
    // Longer than the test: what is read again within it comes from the cache.
    queryCacheTtlMs: 120_000,
  });
}, 120_000);

afterAll(() => api?.close());

async function get(path: string) {
  const response = await api.fetch(path);
  return { status: response.status, body: (await response.json()) as Answer };
}

async function store(events: readonly EnrichedEvent[]) {
  await api.deliver(events, { warmOnly: true });
}

const dayEvents = (n: number, country: string) =>
  Array.from({ length: n }, (_, i) =>
    enrichedEvent({
      project: PROJECT,
      user_id: `u${i}`,
      timestamp: new Date(WARM_DAY + i * 10 * 60_000).toISOString(),
      geo: { country, region: null, city: null },
    }),
  );

const total = (body: Answer) =>
  (body.points as Array<{ value: number }>).reduce((sum, p) => sum + p.value, 0);

describe('the query cache', () => {
  const series = `/v1/metrics/timeseries?metric=events&step=1h&from=${new Date(WARM_DAY).toISOString()}&to=${new Date(WARM_DAY + DAY_MS).toISOString()}`;

  it('answers a second identical warm query from the cache, the same as the first', async () => {
    await store([...dayEvents(30, 'DE'), ...dayEvents(20, 'FR')]);
    const first = await get(series);
    expect(first.status).toBe(200);
    expect(first.body.tiers).toEqual(['warm']);
    expect(total(first.body)).toBe(50);
    // The warm tier changes; within the TTL the answer does not: it is the cached one.
    await store(dayEvents(10, 'DE'));
    const second = await get(series);
    expect(second.body.points).toEqual(first.body.points);
    expect(second.body.tiers).toEqual(['warm']);
    // Another range is read afresh and sees the new events.
    const other = await get(series.replace('step=1h', 'step=2h'));
    expect(total(other.body)).toBe(60);
  });

  it('keys answers by their filters, and never caches the hot tier', async () => {
    const germany = await get(`${series}&filter=country:DE`);
    expect(total(germany.body)).toBe(40);
    const france = await get(`${series}&filter=country:FR`);
    expect(total(france.body)).toBe(20);
    expect((await get(`${series}&filter=country:FR`)).body.points).toEqual(france.body.points);
    const hot = `/v1/metrics/timeseries?metric=events&step=1m&from=${new Date(NOW - HOUR_MS).toISOString()}`;
    expect((await get(hot)).body.tiers).toEqual(['hot']);
    await get(hot);
  });

  it('shows its hit rate in /v1/ops', async () => {
    const ops = await get('/v1/ops');
    expect(ops.status).toBe(200);
    // Lookups: the series (miss, hit), the 2 h series (miss), Germany (miss), France (miss,
    // hit); the hot reads none.
    expect(ops.body.query_cache).toEqual({ hits: 2, misses: 4, hit_rate: 2 / 6 });
  });
});

const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
// Only the archive holds it: a range from it is read from the cold tier and the warm tier.
const COLD_DAY = TODAY - 40 * DAY_MS;
// Short enough to wait out in a test, long enough for a repeat sent at once to find it.
const SHORT_TTL_MS = 2000;
const iso = (ms: number) => new Date(ms).toISOString();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Another container of the query function over the same stores and the same Redis (so the
 * same cache and hit rate), configured apart: a short TTL, no cold tier, or a ClickHouse that
 * does not answer.
 */
async function otherQueryFunction(deps: Partial<QueryDeps>) {
  const live = connectLiveRedis(api.redis.url, 2000);
  const route = createQueryRoutes({
    redis: live,
    clickhouse: api.archive.client,
    kafkaAdmin: () => Promise.reject(new Error('no broker in this test')),
    tokenKey: async () => SECRET,
    funnels: parseFunnelCatalog(undefined),
    tierTimeoutMs: 15_000,
    now: () => NOW,
    ...deps,
  });
  const gateway = await startGateway({
    httpRoutes: QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: route })),
    log: () => undefined,
  });
  return {
    async get(path: string) {
      const response = await fetch(`${gateway.httpUrl}${path}`, {
        headers: { authorization: `Bearer ${tokenFor()}` },
      });
      return { status: response.status, body: (await response.json()) as Answer };
    },
    async close() {
      await gateway.close();
      live.disconnect();
    },
  };
}

type QueryFunction = Awaited<ReturnType<typeof otherQueryFunction>>;
let shortLived: QueryFunction;
let noWarmTier: QueryFunction;
let deadClickHouse: ClickHouseClient;

async function lookups(): Promise<{ hits: number; misses: number }> {
  const { hits, misses } = (await get('/v1/ops')).body.query_cache;
  return { hits, misses };
}

/** The lookups `during` made, from /v1/ops. */
async function lookupsOf(during: () => Promise<unknown>) {
  const before = await lookups();
  await during();
  const after = await lookups();
  return { hits: after.hits - before.hits, misses: after.misses - before.misses };
}

/** Page views of distinct visitors, ten minutes apart from `dayMs` on: each one session. */
const visits = (n: number, dayMs: number, country: string, from = 0) =>
  Array.from({ length: n }, (_, i) =>
    enrichedEvent({
      project: PROJECT,
      user_id: `v${from + i}`,
      timestamp: iso(dayMs + (from + i) * 10 * 60_000),
      geo: { country, region: null, city: null },
    }),
  );

interface CachedRoute {
  readonly name: string;
  readonly route: string;
  /** Its parameters besides the range. */
  readonly params: Readonly<Record<string, string>>;
  /** A number of the answer that counts the visits sent. */
  readonly measure: (body: Answer) => number;
  /** Parameters that make another question: each another key. */
  readonly others: readonly Readonly<Record<string, string>>[];
  /** The days its tests send visits on, apart from every other test's. */
  readonly days: { readonly repeat: number; readonly ttl: number };
}

const ROUTES: readonly CachedRoute[] = [
  {
    name: 'breakdown',
    route: '/v1/metrics/breakdown',
    params: { metric: 'events', by: 'country' },
    measure: (body) => (body.rows as Array<{ value: number }>).reduce((sum, r) => sum + r.value, 0),
    others: [{ limit: '5' }, { by: 'device' }, { metric: 'visitors' }, { metric: 'orders' }],
    days: { repeat: TODAY - 4 * DAY_MS, ttl: TODAY - 10 * DAY_MS },
  },
  {
    name: 'sessions',
    route: '/v1/metrics/sessions',
    params: {},
    measure: (body) => body.totals.sessions,
    others: [{ step: '2h' }, { step: '30m' }, { filter: 'country:DE' }],
    days: { repeat: TODAY - 5 * DAY_MS, ttl: TODAY - 11 * DAY_MS },
  },
  {
    name: 'funnel history',
    route: '/v1/funnels/default',
    params: {},
    measure: (body) => body.steps[0].users,
    others: [{ filter: 'device:desktop' }, { filter: 'country:DE' }],
    days: { repeat: TODAY - 6 * DAY_MS, ttl: TODAY - 12 * DAY_MS },
  },
  {
    name: 'overview',
    route: '/v1/metrics/overview',
    params: {},
    measure: (body) => body.events,
    // With a filter, the filtered overview's spans (lambdas/query/filtered-overview.ts).
    others: [
      { filter: 'device:desktop' },
      { filter: 'country:DE' },
      { from: iso(TODAY - 7 * DAY_MS + HOUR_MS) },
    ],
    days: { repeat: TODAY - 7 * DAY_MS, ttl: TODAY - 13 * DAY_MS },
  },
];

/** The route's question over [from, to), with `params` for its own. */
function pathOf(route: CachedRoute, fromMs: number, toMs: number, params: Record<string, string> = {}) {
  const query = new URLSearchParams({ ...route.params, from: iso(fromMs), to: iso(toMs), ...params });
  return `${route.route}?${query}`;
}

beforeAll(async () => {
  shortLived = await otherQueryFunction({ queryCacheTtlMs: SHORT_TTL_MS });
  deadClickHouse = createClient({ url: 'http://127.0.0.1:1', request_timeout: 2000 });
  noWarmTier = await otherQueryFunction({ clickhouse: deadClickHouse, tierTimeoutMs: 2000 });
  await api.deliver(visits(7, COLD_DAY, 'JP'));
}, 60_000);

afterAll(async () => {
  await shortLived?.close();
  await noWarmTier?.close();
  await deadClickHouse?.close();
});

describe.each(ROUTES)('the query cache of $name answers', (route) => {
  const dayOf = (dayMs: number, params: Record<string, string> = {}) =>
    pathOf(route, dayMs, dayMs + DAY_MS, params);

  it('answers a second identical question from the cache, even when the warm tier has changed', async () => {
    const path = dayOf(route.days.repeat);
    await store([...visits(30, route.days.repeat, 'DE'), ...visits(20, route.days.repeat, 'FR', 30)]);
    let first: Answer = {};
    let second: Answer = {};
    const counted = await lookupsOf(async () => {
      first = (await get(path)).body;
      await store(visits(10, route.days.repeat, 'DE', 50));
      second = (await get(path)).body;
    });
    expect(route.measure(first)).toBe(50);
    expect(first.degraded ?? []).toEqual([]);
    expect(second).toEqual(first);
    expect(counted).toEqual({ hits: 1, misses: 1 });
  });

  it('keys it by every parameter, and by the filters in any order', async () => {
    const path = dayOf(route.days.repeat);
    let others: Awaited<ReturnType<typeof get>>[] = [];
    const counted = await lookupsOf(async () => {
      others = await Promise.all(route.others.map((params) => get(dayOf(route.days.repeat, params))));
    });
    expect(others.map((o) => o.status)).toEqual(route.others.map(() => 200));
    expect(counted).toEqual({ hits: 0, misses: route.others.length });
    // Read afresh: the visits sent after the first answer are in it.
    expect(route.measure(others[0]!.body)).toBe(60);
    const filtered = `${path}&filter=country:DE&filter=device:desktop`;
    const reordered = `${path}&filter=device:desktop&filter=country:DE`;
    let answers: Answer[] = [];
    const filteredLookups = await lookupsOf(async () => {
      answers = [(await get(filtered)).body, (await get(reordered)).body];
    });
    expect(filteredLookups).toEqual({ hits: 1, misses: 1 });
    expect(route.measure(answers[0]!)).toBe(40);
    // The same answer, but for the filters it echoes, in the order asked.
    expect({ ...answers[1], filters: [] }).toEqual({ ...answers[0], filters: [] });
  });

  it('reads the tiers again once the TTL has passed', async () => {
    const path = dayOf(route.days.ttl);
    await store(visits(5, route.days.ttl, 'DE'));
    const counted = await lookupsOf(async () => {
      const first = await shortLived.get(path);
      expect(route.measure(first.body)).toBe(5);
      expect((await shortLived.get(path)).body).toEqual(first.body);
    });
    expect(counted).toEqual({ hits: 1, misses: 1 });
    await store(visits(5, route.days.ttl, 'DE', 5));
    await sleep(SHORT_TTL_MS + 200);
    expect(route.measure((await shortLived.get(path)).body)).toBe(10);
  });
});

describe.each(ROUTES.filter((r) => r.name !== 'funnel history'))(
  'the query cache of $name answers',
  (route) => {
    it('never keeps a degraded answer', async () => {
      // Cold and warm, before the hot tier's day: a whole answer over it would be kept.
      const path = pathOf(route, COLD_DAY, TODAY - 2 * DAY_MS);
      const partial = await shortLived.get(path);
      expect(partial.status).toBe(200);
      expect(partial.body.degraded).toEqual([{ tier: 'cold', store: 's3' }]);
      let whole: Answer = {};
      const counted = await lookupsOf(async () => {
        whole = (await get(path)).body;
      });
      // Read afresh from both tiers: the archive's visits are in it.
      expect(whole.degraded).toEqual([]);
      expect(whole.tiers).toEqual(['cold', 'warm']);
      expect(route.measure(whole)).toBe(route.measure(partial.body) + 7);
      expect(counted.misses).toBeGreaterThan(0);
    });
  },
);

describe('the query cache of funnel history', () => {
  it('never keeps a failed answer', async () => {
    const day = TODAY - 6 * DAY_MS;
    const path = `/v1/funnels/default?from=${iso(day)}&to=${iso(day + 12 * HOUR_MS)}`;
    expect((await noWarmTier.get(path)).status).toBe(503);
    let whole: Answer = {};
    const counted = await lookupsOf(async () => {
      whole = (await get(path)).body;
    });
    expect(whole.tiers).toEqual(['warm']);
    expect(whole.steps[0].users).toBe(60);
    expect(counted).toEqual({ hits: 0, misses: 1 });
  });
});

describe('the query cache of answers up to now', () => {
  it("never keeps an answer that reaches into the hot tier's day", async () => {
    const paths = [
      '/v1/metrics/breakdown?metric=events&by=country',
      '/v1/metrics/sessions?step=1h',
      '/v1/funnels/default',
      '/v1/metrics/overview?filter=country:DE',
    ].map((path) => `${path}${path.includes('?') ? '&' : '?'}from=${iso(TODAY - 2 * DAY_MS)}&to=${iso(NOW)}`);
    const counted = await lookupsOf(async () => {
      for (const path of [...paths, ...paths]) expect((await get(path)).status).toBe(200);
    });
    expect(counted).toEqual({ hits: 0, misses: 0 });
  });
});
