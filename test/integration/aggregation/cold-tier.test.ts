import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { answerMetric, type TierReader } from '../../../core/query/metric-answer.ts';
import { coldReader } from '../../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { type ArchiveFunction, createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { seededRandom } from './chaos-proxy.ts';

const DAY_MS = 86_400_000;
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
  let dirs: string[];
  let s3: LocalS3;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let archive: ArchiveFunction;
  let cold: ColdTierConfig;

  beforeAll(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'spate-cold-s3-')), mkdtempSync(join(tmpdir(), 'spate-cold-ch-'))];
    s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
    client = createClient({ url: endpoint.url });
    archive = createArchiveFunction({
      s3: { region: 'us-east-1', endpoint: s3.endpoint },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'events',
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    });
    cold = {
      bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
      prefix: 'events',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
  }, 60_000);

  afterAll(async () => {
    await archive?.close();
    await client?.close();
    await endpoint?.close();
    await s3?.close();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  it('answers counts, revenue and visitors exactly, even over overlapping re-split objects', async () => {
    const now = Date.now();
    const startMs = Math.floor((now - 40 * DAY_MS) / DAY_MS) * DAY_MS;
    const events = oldTraffic(startMs, 3000);
    // First delivery in batches of 700; the redelivery of the middle is cut at other offsets,
    // so its objects have other names and overlap the first ones.
    for (let i = 0; i < events.length; i += 700)
      await archive.handler(
        mskEventOf(events.slice(i, i + 700), { partition: 3, firstOffset: i }),
        createLambdaContext('archive'),
      );
    await archive.handler(
      mskEventOf(events.slice(500, 1900), { partition: 3, firstOffset: 500 }),
      createLambdaContext('archive'),
    );

    const readers = { hot: unused, warm: unused, cold: coldReader(client, cold) };
    const shop = events.filter((e) => e.project === 'shop');
    const ask = (metric: 'events' | 'revenue' | 'visitors', stepSeconds: number, extra: object = {}) =>
      answerMetric(
        { project: 'shop', metric, fromMs: startMs, toMs: startMs + 2 * DAY_MS, stepSeconds, ...extra },
        readers,
        now,
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

    const eur = await ask('revenue', 86_400, { currency: 'EUR' });
    expect(eur.points.reduce((s, p) => s + p.value, 0)).toBe(
      shop
        .filter((e) => e.order?.currency === 'EUR')
        .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0),
    );

    const visitors = await ask('visitors', 2 * 86_400);
    expect(visitors.points).toEqual([
      { t: startMs, value: new Set(shop.filter((e) => !e.is_bot).map((e) => e.user_id)).size },
    ]);
  }, 180_000);

  it('gives zeros for days the archive has nothing for', async () => {
    const now = Date.now();
    const fromMs = Math.floor((now - 200 * DAY_MS) / DAY_MS) * DAY_MS;
    const answer = await answerMetric(
      { project: 'shop', metric: 'events', fromMs, toMs: fromMs + 3 * DAY_MS, stepSeconds: 86_400 },
      { hot: unused, warm: unused, cold: coldReader(client, cold) },
      now,
    );
    expect(answer.points.map((p) => p.value)).toEqual([0, 0, 0]);
  }, 60_000);
});
