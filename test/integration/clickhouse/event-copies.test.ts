import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import { eventWarehouseBatch } from '../../../core/aggregation/warehouse-row.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { answerMetric, type TierReader } from '../../../core/query/metric-answer.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { insertBatch } from '../../../io/clickhouse/batch-writer.ts';
import { claimIdentities } from '../../../io/clickhouse/identity-index.ts';
import { warmReader } from '../../../io/clickhouse/warm-reader.ts';
import { warmOverview } from '../../../lambdas/query/overview.ts';
import { createTweetsWarehouseFunction } from '../../../lambdas/tweetwarehouse/handler.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { tallyByTopicAndLabel, tweetTraffic } from '../aggregation/tweet-stream.ts';

const DAY_MS = 86_400_000;
const context = createLambdaContext('event-copies');
const unused: TierReader = () => Promise.reject(new Error('only the warm tier should be asked'));
// The warm tier keeps 30 days by its server's clock, so the traffic sits a few days back from
// the real date; every expectation comes from the traffic itself, and the query layer is given
// its own clock.
const DAY0 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 5 * DAY_MS;
const NOW = DAY0 + 4 * DAY_MS;

/** Two days of shop traffic from DAY0: page views, carts and purchases in two currencies. */
function shopTraffic(n: number): EnrichedEvent[] {
  const random = seededRandom(18);
  return Array.from({ length: n }, (_, i) => {
    const purchase = random() < 0.25;
    return enrichedEvent({
      type: purchase ? 'purchase' : random() < 0.5 ? 'page_view' : 'add_to_cart',
      user_id: `u${Math.floor(random() * 70)}`,
      is_bot: random() < 0.05,
      timestamp: new Date(DAY0 + Math.floor((i / n) * 2 * DAY_MS)).toISOString(),
      order: purchase
        ? {
            id: `o${i}`,
            revenue: Math.round(random() * 40_000) / 100,
            currency: random() < 0.6 ? 'EUR' : 'USD',
          }
        : null,
    });
  });
}

describe('the warm tier counts each event id once, whichever offsets its copies arrive at', () => {
  let dir: string;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let warehouse: WarehouseFunction;
  let tweets: WarehouseFunction;
  const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  const deliver = async (events: readonly EnrichedEvent[], firstOffset: number, partition = 2) =>
    (await warehouse.handler(mskEventOf(events, { partition, firstOffset }), context)).inserted;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spate-copies-ch-'));
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dir });
    client = createClient({ url: endpoint.url });
    const config = {
      clickhouse: { url: endpoint.url, username: 'default', password: '', database: 'default' },
      breaker: { failureThreshold: 3, openMs: 50 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    };
    warehouse = createWarehouseFunction(config);
    tweets = createTweetsWarehouseFunction(config);
  }, 60_000);

  afterAll(async () => {
    await warehouse?.close();
    await tweets?.close();
    await client?.close();
    await endpoint?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores raw rows once and answers rollups and the overview exactly after copies, re-splits and redeliveries', async () => {
    const events = shopTraffic(600);
    // The first sending, in batches of 100 at offsets 0..599.
    for (let i = 0; i < events.length; i += 100) expect(await deliver(events.slice(i, i + 100), i)).toBe(100);
    // The client sends everything again (new offsets, batches of 70), and then a third time in
    // one batch where some events appear twice; and a batch mixes new events with copies.
    let offset = 600;
    for (let i = 0; i < events.length; i += 70, offset += 70)
      expect(await deliver(events.slice(i, i + 70), offset)).toBe(0);
    const third = [...events.slice(300), ...events.slice(0, 300), ...events.slice(100, 150)];
    expect(await deliver(third, offset)).toBe(0);
    offset += third.length;
    const late = shopTraffic(0).concat(
      Array.from({ length: 40 }, (_, i) =>
        enrichedEvent({ user_id: `late${i}`, timestamp: new Date(DAY0 + DAY_MS + i * 1000).toISOString() }),
      ),
    );
    const mixed = [...events.slice(10, 30), late[0]!, ...late, ...events.slice(500, 520)];
    expect(await deliver(mixed, offset)).toBe(40);
    const lastMixed = mskEventOf(mixed, { partition: 2, firstOffset: offset });
    offset += mixed.length;
    // The mapping redelivers the last batch at the same offsets, then a range cut elsewhere.
    expect((await warehouse.handler(lastMixed, context)).inserted).toBe(0);
    expect(await deliver([...events.slice(250, 600), ...events.slice(0, 120)], 250)).toBe(0);

    const all = [...events, ...late];
    const [stored] = await rows<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(event_id) AS ids FROM events',
    );
    expect({ n: Number(stored!.n), ids: Number(stored!.ids) }).toEqual({ n: all.length, ids: all.length });

    const readers = { hot: unused, warm: warmReader(client), cold: unused };
    const ask = (metric: 'events' | 'revenue' | 'visitors', stepSeconds: number, extra: object = {}) =>
      answerMetric(
        { project: 'shop', metric, fromMs: DAY0, toMs: DAY0 + 2 * DAY_MS, stepSeconds, ...extra },
        readers,
        NOW,
      );
    const dayOf = (e: EnrichedEvent) => Math.floor(Date.parse(e.timestamp) / DAY_MS) * DAY_MS;
    const perDay = await ask('events', 86_400);
    expect(perDay.tiers).toEqual(['warm']);
    expect(perDay.points).toEqual(
      [DAY0, DAY0 + DAY_MS].map((t) => ({ t, value: all.filter((e) => dayOf(e) === t).length })),
    );
    const purchases = await ask('events', 3600, { type: 'purchase' });
    expect(purchases.points.reduce((s, p) => s + p.value, 0)).toBe(
      all.filter((e) => e.type === 'purchase').length,
    );
    const eurMinor = all
      .filter((e) => e.order?.currency === 'EUR')
      .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0);
    const eur = await ask('revenue', 86_400, { currency: 'EUR' });
    expect(eur.points.reduce((s, p) => s + p.value, 0)).toBe(eurMinor);
    const visitors = await ask('visitors', 2 * 86_400);
    const humans = new Set(all.filter((e) => !e.is_bot).map((e) => e.user_id)).size;
    expect(visitors.points).toHaveLength(1);
    // uniq is an estimate, exact at this size.
    expect(visitors.points[0]).toEqual({ t: DAY0, value: humans });

    for (const range of [
      { fromMs: DAY0, toMs: DAY0 + 2 * DAY_MS },
      { fromMs: DAY0 + 90_000, toMs: DAY0 + 2 * DAY_MS - 60_000 },
    ]) {
      const overview = await warmOverview(client, 'shop', range);
      const inRange = all.filter((e) => {
        const minute = Math.floor(Date.parse(e.timestamp) / 60_000) * 60_000;
        return minute >= range.fromMs && minute < range.toMs;
      });
      expect(overview.events).toBe(inRange.length);
      expect(overview.orders).toBe(inRange.filter((e) => e.type === 'purchase' && e.order).length);
      expect(overview.by_type.purchase).toBe(inRange.filter((e) => e.type === 'purchase').length);
    }
  }, 180_000);

  it('stores a row whose identity an earlier, failed attempt claimed, and completes a half-stored batch', async () => {
    const events = Array.from({ length: 60 }, (_, i) =>
      enrichedEvent({
        project: 'claims',
        timestamp: new Date(DAY0 + (i % 2) * DAY_MS + i * 1000).toISOString(),
      }),
    );
    const batch = eventWarehouseBatch({
      topic: 'events.raw',
      partition: 5,
      firstOffset: 0,
      lastOffset: 59,
      events: events.map((event, offset) => ({ event, offset, timeMs: Date.parse(event.timestamp) })),
      undecodable: [],
    });
    // An attempt that claimed every identity and failed before its rows landed.
    await claimIdentities(client, 'events', batch.rows, 'attempt-that-failed');
    // An attempt that stored only the first day's part of the same offsets.
    const firstDay = { ...batch, rows: batch.rows.filter((r) => r.ts < batch.rows[1]!.ts) };
    expect(await insertBatch(client, firstDay)).toBe(30);
    expect(await insertBatch(client, batch)).toBe(30);
    expect(await insertBatch(client, batch)).toBe(0);
    const [stored] = await rows<{ n: string; ids: string }>(
      "SELECT count() AS n, uniqExact(event_id) AS ids FROM events WHERE project = 'claims'",
    );
    expect({ n: Number(stored!.n), ids: Number(stored!.ids) }).toEqual({ n: 60, ids: 60 });
  }, 60_000);

  it('keeps one project’s event id apart from the same id in another project', async () => {
    const id = '00000000-0000-4000-8000-00000000beef';
    const at = new Date(DAY0 + 3600_000).toISOString();
    const pair = [
      enrichedEvent({ event_id: id, project: 'alpha', timestamp: at }),
      enrichedEvent({ event_id: id, project: 'beta', timestamp: at }),
    ];
    expect(await deliver(pair, 0, 7)).toBe(2);
    expect(await deliver(pair, 2, 7)).toBe(0);
  }, 60_000);

  it('knows a UUID whatever its case', async () => {
    const at = new Date(DAY0 + 7200_000).toISOString();
    const upper = enrichedEvent({
      event_id: 'ABCDEF00-0000-4000-8000-00000000CAFE',
      project: 'cases',
      timestamp: at,
    });
    expect(await deliver([upper], 0, 8)).toBe(1);
    expect(await deliver([upper], 1, 8)).toBe(0);
    expect(await deliver([{ ...upper, event_id: upper.event_id.toLowerCase() }], 2, 8)).toBe(0);
  }, 60_000);

  it('stores a tweet id sent twice once, its rollups exact', async () => {
    const [first] = tweetTraffic(seededRandom(7), 1, 200, DAY0 + DAY_MS);
    const send = async (batch: readonly object[], firstOffset: number) =>
      (
        await tweets.handler(
          mskEventOf(
            batch.map((t) => JSON.stringify(t)),
            { topic: 'tweets.enriched', partition: 1, firstOffset },
          ),
          context,
        )
      ).inserted;
    expect(await send(first!, 0)).toBe(200);
    // Enriched again at new offsets (a re-sent tweet), split differently, and redelivered.
    expect(await send(first!.slice(0, 120), 200)).toBe(0);
    expect(await send([...first!.slice(100), ...first!.slice(0, 10)], 320)).toBe(0);
    expect(await send(first!.slice(0, 120), 200)).toBe(0);
    const [stored] = await rows<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(id) AS ids FROM tweets_enriched',
    );
    expect({ n: Number(stored!.n), ids: Number(stored!.ids) }).toEqual({ n: 200, ids: 200 });
    const rollup = await rows<{ topic: string; label: string; n: string; s: string; toxic: string }>(
      `SELECT topic, sentiment_label AS label, countMerge(tweets) AS n, sumMerge(score_sum) AS s,
              countMerge(toxic) AS toxic FROM tweets_hour GROUP BY topic, label`,
    );
    expect(
      new Map(
        rollup.map((r) => [
          `${r.topic}/${r.label}`,
          { tweets: Number(r.n), scoreSum: Number(r.s), toxic: Number(r.toxic) },
        ]),
      ),
    ).toEqual(tallyByTopicAndLabel(first!));
  }, 60_000);
});
