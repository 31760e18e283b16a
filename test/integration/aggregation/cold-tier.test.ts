import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { EnrichedTweet } from '../../../core/nlp/enriched-tweet.ts';
import { answerMetric, type TierReader } from '../../../core/query/metric-answer.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { coldReader } from '../../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { archivedTweetsSql } from '../../../io/clickhouse/tweet-cold-reader.ts';
import type { ArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { coldOverview } from '../../../lambdas/query/overview.ts';
import { createTweetsArchiveFunction } from '../../../lambdas/tweetarchive/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import type { LocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { type ColdArchiveStack, startColdArchiveStack } from './cold-archive-stack.ts';
import { tweetTraffic } from './tweet-stream.ts';

const DAY_MS = 86_400_000;
// The query layer is given this clock, so the test reads the same on any date: the archive
// keeps everything, and only the clock decides that the traffic below is the cold tier's.
const NOW = Date.UTC(2026, 2, 31, 13, 45);
const unused: TierReader = () => Promise.reject(new Error('only the cold tier should be asked'));

/** Two days of shop traffic 40 days ago, so only the cold tier holds it. */
function oldTraffic(startMs: number, n: number): EnrichedEvent[] {
  const random = seededRandom(99);
  return Array.from({ length: n }, (_, i) => {
    const purchase = random() < 0.2;
    return enrichedEvent({
      project: random() < 0.85 ? 'shop' : 'blog',
      type: purchase ? 'purchase' : random() < 0.5 ? 'page_view' : 'add_to_cart',
      user_id: `u${Math.floor(random() * 90)}`,
      is_bot: random() < 0.05,
      timestamp: new Date(startMs + Math.floor((i / n) * 2 * DAY_MS)).toISOString(),
      order: purchase
        ? {
            id: `o${i}`,
            revenue: Math.round(random() * 50_000) / 100,
            currency: random() < 0.7 ? 'EUR' : 'USD',
          }
        : null,
    });
  });
}

describe('cold tier: ClickHouse s3() over the archive', () => {
  let stack: ColdArchiveStack;
  let s3: LocalS3;
  let client: ClickHouseClient;
  let archive: ArchiveFunction;
  let cold: ColdTierConfig;

  beforeAll(async () => {
    stack = await startColdArchiveStack('cold');
    ({ s3, client, archive, cold } = stack);
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('answers counts, revenue and visitors exactly, even over overlapping re-split objects and client copies', async () => {
    // 40 days back, on the eve of a DST change in Europe (a UTC day all the same).
    const startMs = Math.floor((NOW - 40 * DAY_MS) / DAY_MS) * DAY_MS;
    const events = oldTraffic(startMs, 3000);
    const deliver = (batch: readonly EnrichedEvent[], firstOffset: number) =>
      archive.handler(mskEventOf(batch, { partition: 3, firstOffset }), createLambdaContext('archive'));
    // First delivery in batches of 700; the redelivery of the middle is cut at other offsets,
    // so its objects have other names and overlap the first ones.
    for (let i = 0; i < events.length; i += 700) await deliver(events.slice(i, i + 700), i);
    await deliver(events.slice(500, 1900), 500);
    // The client sends it all again at new offsets, cut into batches of 450, and part of it a
    // third time in one batch, in another order.
    for (let i = 0; i < events.length; i += 450) await deliver(events.slice(i, i + 450), 3000 + i);
    await deliver([...events.slice(2000, 2600), ...events.slice(100, 400)], 6000);

    const readers = { hot: unused, warm: unused, cold: coldReader(client, cold) };
    const shop = events.filter((e) => e.project === 'shop');
    const ask = (metric: 'events' | 'revenue' | 'visitors', stepSeconds: number, extra: object = {}) =>
      answerMetric(
        { project: 'shop', metric, fromMs: startMs, toMs: startMs + 2 * DAY_MS, stepSeconds, ...extra },
        readers,
        NOW,
      );

    const perDay = await ask('events', 86_400);
    expect(perDay.tiers).toEqual(['cold']);
    const dayOf = (e: EnrichedEvent) => Math.floor(Date.parse(e.timestamp) / DAY_MS) * DAY_MS;
    expect(perDay.points).toEqual(
      [startMs, startMs + DAY_MS].map((t) => ({ t, value: shop.filter((e) => dayOf(e) === t).length })),
    );

    const purchases = await ask('events', 3600, { type: 'purchase' });
    expect(purchases.points.reduce((s, p) => s + p.value, 0)).toBe(
      shop.filter((e) => e.type === 'purchase').length,
    );

    const eurMinor = shop
      .filter((e) => e.order?.currency === 'EUR')
      .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0);
    const eur = await ask('revenue', 86_400, { currency: 'EUR' });
    expect(eur.points.reduce((s, p) => s + p.value, 0)).toBe(eurMinor);

    const visitors = await ask('visitors', 2 * 86_400);
    const humans = new Set(shop.filter((e) => !e.is_bot).map((e) => e.user_id)).size;
    expect(visitors.points).toEqual([{ t: startMs, value: humans }]);

    const overview = await coldOverview(client, cold, 'shop', {
      fromMs: startMs,
      toMs: startMs + 2 * DAY_MS,
    });
    expect(overview.events).toBe(shop.length);
    expect(overview.orders).toBe(shop.filter((e) => e.type === 'purchase').length);
    expect(overview.revenue.EUR).toBe(eurMinor / 100);
    expect(overview.unique_visitors).toBe(humans);
  }, 180_000);

  it('reads each archived tweet id once per project, however often it was sent and redelivered', async () => {
    const tweets = createTweetsArchiveFunction({
      s3: { region: 'us-east-1', endpoint: s3.endpoint },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'tweets',
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    });
    try {
      const endMs = NOW - 35 * DAY_MS;
      const [posted] = tweetTraffic(seededRandom(5), 1, 300, endMs);
      const send = (batch: readonly EnrichedTweet[], firstOffset: number) =>
        tweets.handler(
          mskEventOf(
            batch.map((t) => JSON.stringify(t)),
            { topic: 'tweets.enriched', partition: 0, firstOffset },
          ),
          createLambdaContext('tweetarchive'),
        );
      await send(posted!, 0);
      await send(posted!.slice(50, 250), 50);
      await send(posted!.slice(0, 200), 300);
      await send([...posted!.slice(150), ...posted!.slice(0, 20)], 500);
      // Another project tracking 40 of the same public tweets: its own copies, kept beside shop's.
      await send(
        posted!.slice(0, 40).map((t) => ({ ...t, project: 'blog' })),
        700,
      );
      const range = { fromMs: endMs - 3 * 3_600_000, toMs: endMs + 1 };
      const result = await client.query({
        query: `SELECT countIf(project = 'shop') AS n, uniqExactIf(id, project = 'shop') AS ids,
                       countIf(project = 'blog') AS blog,
                       countIf(has(topics, 'shipping') AND project = 'shop') AS shipping,
                       sumIf(toInt64(round(sentiment_score * 10000)), project = 'shop') AS score
                FROM (${archivedTweetsSql(cold, range)})`,
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{
        n: string;
        ids: string;
        blog: string;
        shipping: string;
        score: string;
      }>();
      expect({ n: Number(row!.n), ids: Number(row!.ids), blog: Number(row!.blog) }).toEqual({
        n: 300,
        ids: 300,
        blog: 40,
      });
      expect(Number(row!.shipping)).toBe(posted!.filter((t) => 'shipping' in t.topics).length);
      expect(Number(row!.score)).toBe(
        posted!.reduce((s, t) => s + Math.round(t.sentiment.score * 10_000), 0),
      );
    } finally {
      await tweets.close();
    }
  }, 120_000);

  it('gives zeros for days the archive has nothing for', async () => {
    const fromMs = Math.floor((NOW - 200 * DAY_MS) / DAY_MS) * DAY_MS;
    const answer = await answerMetric(
      { project: 'shop', metric: 'events', fromMs, toMs: fromMs + 3 * DAY_MS, stepSeconds: 86_400 },
      { hot: unused, warm: unused, cold: coldReader(client, cold) },
      NOW,
    );
    expect(answer.points.map((p) => p.value)).toEqual([0, 0, 0]);
  }, 60_000);
});
