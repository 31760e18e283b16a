import { ClickHouseLogLevel, createClient } from '@clickhouse/client';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeTallyReadings } from '../../../core/aggregation/bounded-tally.ts';
import {
  BREAKDOWN_BOUND,
  BREAKDOWN_BOUND_BYTES,
  BREAKDOWN_BOUND_BYTES_PER_KEY,
  BREAKDOWN_FIELDS_PER_KEY,
  BREAKDOWN_VISITORS_BOUND_BYTES,
  BREAKDOWN_VISITORS_BOUND_BYTES_PER_KEY,
  breakdownKey,
  breakdownVisitorsKey,
  OVERVIEW_DIMENSIONS,
} from '../../../core/aggregation/breakdown-counters.ts';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { realtimeAggregation } from '../../../core/aggregation/realtime-counters.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { FIXED_DIMENSIONS } from '../../../core/query/dimension.ts';
import { LiveAggregates } from '../../../io/push/live-aggregates.ts';
import { readBreakdownMinutes } from '../../../io/redis/hot-read-model.ts';
import { OffsetGate } from '../../../io/redis/offset-gate.ts';
import { breakdownRoute } from '../../../lambdas/query/breakdown.ts';
import { filteredOverviewRoute } from '../../../lambdas/query/filtered-overview.ts';
import { requestFilters } from '../../../lambdas/query/request-filters.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

// Keys expire at absolute times, so the events are of the minute before the real one; every
// expectation is made from the events themselves and the clock handed to the aggregator.
const MINUTE_MS = Math.floor(Date.now() / 60_000) * 60_000 - 60_000;
const NOW = MINUTE_MS + 90_000;
const at = (i: number) => new Date(MINUTE_MS + (i % 59_000)).toISOString();

const REAL = ['spring-sale', 'newsletter-12', 'retarget-a', 'brand', 'launch-day'] as const;
const BOT_NAMES = 100_000;
const PARTITIONS = 4;
const BATCH = 2_000;

const withCampaign = (campaign: string, overrides: Partial<EnrichedEvent> = {}) =>
  enrichedEvent({
    attribution: { source: 'google', medium: 'cpc', campaign, term: null, content: null, click_ids: {} },
    geo: { country: 'DE', region: null, city: null },
    ...overrides,
  });

/** No ClickHouse listens here: a warm answer can only come back as degraded. */
const unreachableClickHouse = () =>
  createClient({ url: 'http://127.0.0.1:9', request_timeout: 1000, log: { level: ClickHouseLogLevel.OFF } });

describe('live breakdowns under a cardinality burst, against redis-server', () => {
  let redis: TestRedis;
  /** What the real campaigns were sent: events, purchases, revenue in cents. */
  const truth = new Map<string, { events: number; orders: number; cents: number }>();
  let total = 0;

  beforeAll(async () => {
    redis = await startTestRedis();
    // Per partition, batches that each hold a share of the bot's names and of every real
    // campaign's traffic: a launch's campaigns run all minute, the bot sprays one name an event.
    const bots: EnrichedEvent[][] = Array.from({ length: PARTITIONS }, () => []);
    const real: { at: number; event: EnrichedEvent }[][] = Array.from({ length: PARTITIONS }, () => []);
    for (let i = 0; i < BOT_NAMES; i++)
      bots[i % PARTITIONS]!.push(withCampaign(`bot-${i}`, { timestamp: at(i), is_bot: true }));
    REAL.forEach((campaign, c) => {
      const views = 200 * (c + 1);
      const orders = 5 * (c + 1);
      truth.set(campaign, { events: views + orders, orders, cents: orders * 1050 });
      for (let i = 0; i < views + orders; i++) {
        const order = i < orders ? { id: `${campaign}-${i}`, revenue: 10.5, currency: 'EUR' } : null;
        const event = withCampaign(campaign, {
          timestamp: at(i * 97),
          type: order ? 'purchase' : 'page_view',
          user_id: `${campaign}-u${i}`,
          order,
        });
        // Where in the minute's traffic it comes: each campaign's events spread over all of it.
        real[i % PARTITIONS]!.push({ at: i / (views + orders), event });
      }
    });
    // Real events spread evenly through each partition's bot events (and so through its batches).
    const partitions = bots.map((list, p) => {
      const mine = [...real[p]!].sort((a, b) => a.at - b.at).map((r) => r.event);
      const out: EnrichedEvent[] = [];
      let next = 0;
      list.forEach((bot, j) => {
        out.push(bot);
        while (next < ((j + 1) * mine.length) / list.length) out.push(mine[next++]!);
      });
      return out;
    });
    total = partitions.reduce((n, p) => n + p.length, 0);
    const gates = partitions.map(() => new OffsetGate(redis.client, realtimeAggregation));
    // The partitions' batches go in concurrently, as the realtime function's invocations do.
    await Promise.all(
      partitions.map(async (events, p) => {
        for (let from = 0; from < events.length; from += BATCH) {
          const [batch] = partitionBatches(
            mskEventOf(events.slice(from, from + BATCH), { partition: p, firstOffset: from }),
          );
          await gates[p]!.apply(batch!, NOW);
        }
      }),
    );
    // A redelivered batch (same offsets), and a client's copies of real events at new offsets.
    const [again] = partitionBatches(
      mskEventOf(partitions[0]!.slice(0, BATCH), { partition: 0, firstOffset: 0 }),
    );
    expect((await gates[0]!.apply(again!, NOW)).applied).toBe(0);
    const copies = partitions[1]!.filter((e) => e.attribution.campaign === 'brand').slice(0, 30);
    const [copied] = partitionBatches(
      mskEventOf(copies, { partition: 1, firstOffset: partitions[1]!.length }),
    );
    expect(await gates[1]!.apply(copied!, NOW)).toMatchObject({ applied: 0, copies: 30 });
  }, 240_000);

  afterAll(async () => {
    await redis?.stop();
  });

  it('keeps the real campaigns exact, puts the rest in "other", and counts nothing twice', async () => {
    const minutes = await readBreakdownMinutes(redis.client, 'shop', ['campaign'], {
      fromSec: MINUTE_MS / 1000,
      toSec: MINUTE_MS / 1000 + 60,
    });
    const tally = mergeTallyReadings(minutes.get('campaign')!);
    expect(tally.values.size).toBe(BREAKDOWN_BOUND.values);
    for (const [campaign, want] of truth) {
      const got = tally.values.get(campaign);
      expect({
        campaign,
        events: got?.events,
        orders: got?.orders,
        revenue: got?.revenue.get('EUR'),
      }).toEqual({
        campaign,
        events: want.events,
        orders: want.orders,
        revenue: want.cents,
      });
    }
    // The bot's names that took the places left hold their one event each; the others are "other".
    const admittedBots = [...tally.values.keys()].filter((k) => k.startsWith('bot-'));
    expect(admittedBots).toHaveLength(BREAKDOWN_BOUND.values - REAL.length);
    for (const name of admittedBots) expect(tally.values.get(name)?.events).toBe(1);
    expect(tally.other).toEqual({
      events: BOT_NAMES - admittedBots.length,
      orders: 0,
      revenue: new Map(),
      byType: new Map(),
    });
    const counted = [...tally.values.values()].reduce((n, c) => n + c.events, 0) + tally.other.events;
    expect(counted).toBe(total);
    // Every other dimension saw every event once too.
    const country = mergeTallyReadings(
      (
        await readBreakdownMinutes(redis.client, 'shop', ['country'], {
          fromSec: MINUTE_MS / 1000,
          toSec: MINUTE_MS / 1000 + 60,
        })
      ).get('country')!,
    );
    expect(country.values.get('DE')?.events).toBe(total);
  });

  it('stays within the stated bound of fields and bytes', async () => {
    const key = breakdownKey('shop', 'campaign', MINUTE_MS / 1000);
    expect(await redis.client.hlen(key)).toBeLessThanOrEqual(BREAKDOWN_FIELDS_PER_KEY);
    let bytes = 0;
    for (const dimension of FIXED_DIMENSIONS) {
      const used = Number(
        await redis.client.memory('USAGE', breakdownKey('shop', dimension, MINUTE_MS / 1000)),
      );
      expect(used, dimension).toBeLessThanOrEqual(BREAKDOWN_BOUND_BYTES_PER_KEY);
      bytes += used;
    }
    expect(bytes).toBeLessThanOrEqual(BREAKDOWN_BOUND_BYTES);
    // Nothing else of the breakdowns exists: one hash per dimension for the one minute.
    const keys = await redis.client.keys('{sp}:shop:bd:*');
    expect(keys.sort()).toEqual(
      FIXED_DIMENSIONS.map((d) => breakdownKey('shop', d, MINUTE_MS / 1000)).sort(),
    );
    const ttl = await redis.client.ttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(11 * 60);
  });

  it('stays within the bound in the worst case: the longest values, each with purchases in many currencies and events of many types', async () => {
    // 100 names of the longest length kept (200 bytes), each bought in 5 currencies where 3 are
    // kept, and each with events of 9 custom types of the longest name, where 7 are kept beside
    // `purchase`.
    const currencies = ['EUR', 'USD', 'GBP', 'JPY', 'CHF'];
    const types = Array.from({ length: 9 }, (_, t) => `x_${String(t).repeat(64)}` as const);
    const name = (n: number) => `${String(n).padStart(6, '0')}${'x'.repeat(194)}`;
    const events = Array.from({ length: 100 }, (_, n) => [
      ...currencies.map((currency, c) =>
        withCampaign(name(n), {
          project: 'worst',
          timestamp: at(n * 14 + c),
          type: 'purchase',
          user_id: `w${n}-${c}`,
          order: { id: `o${n}-${c}`, revenue: 123_456.78, currency },
        }),
      ),
      ...types.map((type, t) =>
        withCampaign(name(n), {
          project: 'worst',
          timestamp: at(n * 14 + 5 + t),
          type,
          user_id: `w${n}-t${t}`,
        }),
      ),
    ]).flat();
    const gate = new OffsetGate(redis.client, realtimeAggregation);
    for (let from = 0; from < events.length; from += 500) {
      const [batch] = partitionBatches(
        mskEventOf(events.slice(from, from + 500), { partition: 9, firstOffset: from }),
      );
      await gate.apply(batch!, NOW);
    }
    const key = breakdownKey('worst', 'campaign', MINUTE_MS / 1000);
    const hash = await redis.client.hgetall(key);
    expect({ places: hash['#'], currencies: hash.$, types: hash.T }).toEqual({
      places: '50',
      currencies: '3',
      types: String(BREAKDOWN_BOUND.types),
    });
    expect(Number(hash['!r'])).toBeGreaterThan(0);
    expect(Number(hash['!t'])).toBeGreaterThan(0);
    // Every field the bound allows is there: this is the largest a breakdown hash gets.
    expect(Object.keys(hash).length).toBe(BREAKDOWN_FIELDS_PER_KEY);
    expect(Number(await redis.client.memory('USAGE', key))).toBeLessThanOrEqual(
      BREAKDOWN_BOUND_BYTES_PER_KEY,
    );
    // A HyperLogLog of visitors for each value with a place, and none for the rest.
    const visitorKeys = await redis.client.keys('{sp}:worst:bv:campaign:*');
    expect(visitorKeys).toHaveLength(BREAKDOWN_BOUND.values);
    expect(visitorKeys.sort()).toEqual(
      Object.keys(hash)
        .filter((f) => f.startsWith('e:'))
        .map((f) => breakdownVisitorsKey('worst', 'campaign', MINUTE_MS / 1000, f.slice(2)))
        .sort(),
    );
    const ttl = await redis.client.ttl(visitorKeys[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(7 * 60);
  });

  it('keeps a value’s visitors within the bound at their densest', async () => {
    // Far more visitors than Redis keeps sparse: the HyperLogLog turns dense, its largest form.
    const events = Array.from({ length: 20_000 }, (_, i) =>
      withCampaign('crowd', { project: 'dense', timestamp: at(i), user_id: `crowd-${i}` }),
    );
    const gate = new OffsetGate(redis.client, realtimeAggregation);
    for (let from = 0; from < events.length; from += 5_000) {
      const [batch] = partitionBatches(
        mskEventOf(events.slice(from, from + 5_000), { partition: 10, firstOffset: from }),
      );
      await gate.apply(batch!, NOW);
    }
    const key = breakdownVisitorsKey('dense', 'campaign', MINUTE_MS / 1000, 'crowd');
    expect(await redis.client.pfcount(key)).toBeGreaterThan(19_600);
    const used = Number(await redis.client.memory('USAGE', key));
    expect(used).toBeGreaterThan(12_000);
    expect(used).toBeLessThanOrEqual(BREAKDOWN_VISITORS_BOUND_BYTES_PER_KEY);
    expect(BREAKDOWN_VISITORS_BOUND_BYTES).toBe(
      OVERVIEW_DIMENSIONS.size * BREAKDOWN_BOUND.values * BREAKDOWN_VISITORS_BOUND_BYTES_PER_KEY,
    );
  });

  it('pushes the burst on the breakdowns channel with the real campaigns on top and the rest in "other"', async () => {
    const live = new LiveAggregates(redis.client, 'shop', parseFunnelCatalog(undefined).fallback, NOW);
    const snapshot = (await live.snapshot('breakdowns')) as {
      dimensions: Record<string, { rows: { key: string; events: number }[]; other: { events: number } }>;
    };
    const campaign = snapshot.dimensions.campaign!;
    expect(campaign.rows.slice(0, REAL.length).map((r) => r.key)).toEqual([...REAL].reverse());
    expect(campaign.rows[0]).toMatchObject({ key: 'launch-day', events: truth.get('launch-day')!.events });
    expect(campaign.other.events).toBeGreaterThan(BOT_NAMES - BREAKDOWN_BOUND.values);
    expect(snapshot.dimensions.device!.rows).toEqual([
      { key: 'desktop', events: total, orders: 75, revenue: { EUR: 787.5 } },
    ]);
  });

  it('answers /v1/metrics/breakdown from the hot tier when its rows are whole, else from the warm tier', async () => {
    const clickhouse = unreachableClickHouse();
    const route = breakdownRoute({ redis: redis.client, clickhouse, tierTimeoutMs: 2000 });
    const from = new Date(MINUTE_MS).toISOString();
    const to = new Date(MINUTE_MS + 60_000).toISOString();
    const get = async (query: string) => {
      const params = Object.fromEntries(new URLSearchParams(query));
      const event = { rawQueryString: query, queryStringParameters: params } as Pick<
        APIGatewayProxyEventV2,
        'rawQueryString' | 'queryStringParameters'
      >;
      return JSON.parse((await route('shop', event, NOW)).body as string) as Record<string, unknown>;
    };
    // Orders: the bot bought nothing, so nothing of them is in "other": exact from the hot tier.
    const orders = await get(`metric=orders&by=campaign&from=${from}&to=${to}&limit=3`);
    expect(orders).toMatchObject({
      tiers: ['hot'],
      degraded: [],
      exact: true,
      rows: [
        { key: 'launch-day', value: 25 },
        { key: 'brand', value: 20 },
        { key: 'retarget-a', value: 15 },
      ],
    });
    const revenue = await get(`metric=revenue&by=campaign&from=${from}&to=${to}&currency=EUR&limit=1`);
    expect(revenue).toMatchObject({ tiers: ['hot'], rows: [{ key: 'launch-day', value: 262.5 }] });
    const country = await get(`metric=events&by=country&from=${from}&to=${to}`);
    expect(country).toMatchObject({ tiers: ['hot'], exact: true, rows: [{ key: 'DE', value: total }] });
    // Events by campaign: the bound sent some to "other", so the hot rows are not whole.
    const events = await get(`metric=events&by=campaign&from=${from}&to=${to}`);
    expect(events).toMatchObject({ tiers: [], degraded: [{ tier: 'warm', store: 'clickhouse' }] });
    // A range that is not whole minutes is the warm tier's too.
    const ragged = await get(
      `metric=orders&by=campaign&from=${new Date(MINUTE_MS + 1000).toISOString()}&to=${to}`,
    );
    expect(ragged).toMatchObject({ tiers: [], degraded: [{ tier: 'warm', store: 'clickhouse' }] });
    // A hot tier that does not answer is listed, and the warm tier is asked instead.
    const down = new Redis('redis://127.0.0.1:9', { lazyConnect: true, maxRetriesPerRequest: 0 });
    down.on('error', () => undefined);
    const withoutHot = breakdownRoute({ redis: down, clickhouse, tierTimeoutMs: 2000 });
    const query = `metric=orders&by=campaign&from=${from}&to=${to}`;
    const params = Object.fromEntries(new URLSearchParams(query));
    const answer = await withoutHot('shop', { rawQueryString: query, queryStringParameters: params }, NOW);
    expect(JSON.parse(answer.body as string)).toMatchObject({
      tiers: [],
      degraded: [
        { tier: 'hot', store: 'redis' },
        { tier: 'warm', store: 'clickhouse' },
      ],
    });
    down.disconnect();
    await clickhouse.close();
  });

  it('answers a filtered overview of whole recent minutes from the hot tier when the value is whole there', async () => {
    const clickhouse = unreachableClickHouse();
    const route = filteredOverviewRoute({ redis: redis.client, clickhouse, tierTimeoutMs: 2000 });
    const from = new Date(MINUTE_MS).toISOString();
    const get = (query: string) =>
      route(
        'shop',
        Object.fromEntries(new URLSearchParams(query)),
        requestFilters({ rawQueryString: query }),
        NOW,
      );
    // Up to now: the minute before the clock's and the one it is in.
    const launch = await get(`filter=campaign:launch-day&from=${from}`);
    const want = truth.get('launch-day')!;
    expect(launch).toMatchObject({
      from,
      to: new Date(NOW).toISOString(),
      events: want.events,
      by_type: { page_view: want.events - want.orders, purchase: want.orders },
      orders: want.orders,
      revenue: { EUR: want.cents / 100 },
      tiers: ['hot'],
      degraded: [],
    });
    // Each of the campaign's events was a visitor of its own; a HyperLogLog's estimate.
    expect(Math.abs(launch.unique_visitors - want.events) / want.events).toBeLessThan(0.02);
    // Every event was from Germany; the bot's are not visitors.
    const germany = await get(
      `filter=country:DE&from=${from}&to=${new Date(MINUTE_MS + 60_000).toISOString()}`,
    );
    expect(germany).toMatchObject({ events: total, tiers: ['hot'] });
    const people = [...truth.values()].reduce((n, c) => n + c.events, 0);
    expect(Math.abs(germany.unique_visitors - people) / people).toBeLessThan(0.02);
    // A bot's name that found no place is in "other": only the warm tier can answer it.
    expect(await get(`filter=campaign:bot-99999&from=${from}`)).toMatchObject({
      tiers: [],
      degraded: [{ tier: 'warm', store: 'clickhouse' }],
    });
    // So is a range that does not start on a minute, and two filters at once.
    for (const query of [
      `filter=campaign:launch-day&from=${new Date(MINUTE_MS + 1000).toISOString()}`,
      `filter=campaign:launch-day&filter=country:DE&from=${from}`,
    ])
      expect(await get(query), query).toMatchObject({ tiers: [], degraded: [{ tier: 'warm' }] });
    await clickhouse.close();
  });
});
