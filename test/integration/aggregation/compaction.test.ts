import type { S3Client } from '@aws-sdk/client-s3';
import type { ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import { planCompaction } from '../../../core/archive/compaction-plan.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { answerMetric, type TierReader } from '../../../core/query/metric-answer.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { archiveSource, coldReader } from '../../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import {
  type CompactionDeps,
  compactArchive,
  listArchiveObjects,
  readCompactedRows,
  writeCompactedObject,
} from '../../../io/s3/compaction.ts';
import type { ArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import type { LocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { type ColdArchiveStack, startColdArchiveStack } from './cold-archive-stack.ts';

const DAY_MS = 86_400_000;
// Fixed instants: the query layer's clock (everything below is the cold tier's) and the first
// day compaction leaves alone (its "today"), so the test reads the same on any date in any zone.
const NOW = Date.UTC(2019, 6, 1);
const FIRST = Date.UTC(2019, 0, 20);
const TODAY = '2019-04-10';
const DAYS = 81; // 2019-01-20 .. 2019-04-10: two closed months, part of March, April's first days
const unused: TierReader = () => Promise.reject(new Error('only the cold tier should be asked'));

/** Shop and blog traffic at a few hours of each day, with purchases and product views. */
function history(n: number): EnrichedEvent[] {
  const random = seededRandom(19);
  return Array.from({ length: n }, (_, i) => {
    const day = Math.floor((i / n) * DAYS);
    const hour = [8, 13, 21][Math.floor(random() * 3)]!;
    const purchase = random() < 0.2;
    return enrichedEvent({
      project: random() < 0.8 ? 'shop' : 'blog',
      type: purchase ? 'purchase' : 'page_view',
      user_id: `u${Math.floor(random() * 60)}`,
      is_bot: random() < 0.05,
      timestamp: new Date(
        FIRST + day * DAY_MS + hour * 3_600_000 + Math.floor(random() * 3_600_000),
      ).toISOString(),
      product: random() < 0.3 ? { id: `p${i % 7}`, price: 10 + (i % 5) } : null,
      order: purchase
        ? {
            id: `o${i}`,
            revenue: Math.round(random() * 30_000) / 100,
            currency: random() < 0.7 ? 'EUR' : 'USD',
          }
        : null,
    });
  });
}

describe('cold tier compaction: small archive objects into Parquet, against s3rver and chDB', () => {
  let stack: ColdArchiveStack;
  let s3: LocalS3;
  let client: ClickHouseClient;
  let s3Client: S3Client;
  let archive: ArchiveFunction;
  let cold: ColdTierConfig;
  let deps: CompactionDeps;
  let offset = 0;

  const deliver = async (batch: readonly EnrichedEvent[], firstOffset = offset) => {
    await archive.handler(mskEventOf(batch, { partition: 1, firstOffset }), createLambdaContext('archive'));
    offset = Math.max(offset, firstOffset + batch.length);
  };

  beforeAll(async () => {
    stack = await startColdArchiveStack('compact');
    ({ s3, client, archive, cold } = stack);
    s3Client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    deps = { s3: s3Client, clickhouse: client, bucket: LOCAL_BUCKETS.archive, cold };
  }, 60_000);

  afterAll(async () => {
    s3Client?.destroy();
    await stack?.close();
  });

  /** What the cold tier answers for shop: events per day, EUR revenue per day, visitors, product views. */
  async function coldAnswers() {
    const readers = { hot: unused, warm: unused, cold: coldReader(client, cold) };
    const range = { project: 'shop', fromMs: FIRST, toMs: FIRST + DAYS * DAY_MS };
    const ask = (metric: 'events' | 'revenue' | 'visitors', stepSeconds: number, extra: object = {}) =>
      answerMetric({ ...range, metric, stepSeconds, ...extra }, readers, NOW);
    const events = await ask('events', 86_400);
    expect(events.tiers).toEqual(['cold']);
    const revenue = await ask('revenue', 86_400, { currency: 'EUR' });
    const visitors = await ask('visitors', DAYS * 86_400);
    // A field beyond the typed ones, read from each compacted row's JSON.
    const products = await client.query({
      query: `SELECT countIf(product IS NOT NULL) AS n, sum(JSONExtractFloat(ifNull(product, '{}'), 'price')) AS price
              FROM (SELECT product FROM ${archiveSource(cold, range, ['product Nullable(String)'])}
                    WHERE project = 'shop'
                    ORDER BY kafka_topic, kafka_partition, kafka_offset LIMIT 1 BY event_id)`,
      format: 'JSONEachRow',
    });
    const [product] = await products.json<{ n: string; price: number }>();
    return {
      events: events.points,
      revenue: revenue.points,
      visitors: visitors.points,
      products: { n: Number(product!.n), price: Number(product!.price) },
    };
  }

  function expected(events: readonly EnrichedEvent[]) {
    const shop = events.filter((e) => e.project === 'shop');
    const days = Array.from({ length: DAYS }, (_, i) => FIRST + i * DAY_MS);
    const dayOf = (e: EnrichedEvent) => Math.floor(Date.parse(e.timestamp) / DAY_MS) * DAY_MS;
    const withProduct = shop.filter((e) => e.product !== null);
    return {
      events: days.map((t) => ({ t, value: shop.filter((e) => dayOf(e) === t).length })),
      revenue: days.map((t) => ({
        t,
        value: shop
          .filter((e) => dayOf(e) === t && e.order?.currency === 'EUR')
          .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0),
      })),
      visitors: [{ t: FIRST, value: new Set(shop.filter((e) => !e.is_bot).map((e) => e.user_id)).size }],
      products: {
        n: withProduct.length,
        price: withProduct.reduce((s, e) => s + (e.product!.price ?? 0), 0),
      },
    };
  }

  const monthObject = async (project: string, month: string) =>
    (await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events')).find(
      (o) => o.kind === 'month' && o.project === project && o.month === month,
    )!.key;

  const kinds = async () => {
    const counts: Record<string, number> = {};
    for (const o of await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events'))
      counts[o.kind] = (counts[o.kind] ?? 0) + 1;
    return counts;
  };

  it('answers the same, exactly, before and after compaction, and after it is run again', async () => {
    const events = history(900);
    // Batches of 30 (a few objects each), one redelivered cut at other offsets, and a client
    // that sent some of it again at new offsets: copies the readers count once.
    for (let i = 0; i < events.length; i += 30) await deliver(events.slice(i, i + 30), i);
    await deliver(events.slice(100, 170), 100);
    await deliver([...events.slice(400, 460), ...events.slice(10, 40)]);
    const before = await kinds();
    expect(before.batch).toBeGreaterThan(300);
    expect(await coldAnswers()).toEqual(expected(events));

    const report = await compactArchive(deps, { beforeDay: TODAY });
    // Shop and blog: January, February and March whole, then April's days before "today".
    expect(report.written.filter((k) => k.includes('/month=')).length).toBe(6);
    expect(report.left).toBe(0);
    // Each project's April days before "today" stay day objects until April is over.
    const aprilDays = new Set(
      events
        .filter((e) => e.timestamp >= '2019-04-01' && e.timestamp < TODAY)
        .map((e) => `${e.project} ${e.timestamp.slice(0, 10)}`),
    ).size;
    const after = await kinds();
    expect(after).toMatchObject({ month: 6, day: aprilDays });
    // Only the objects of "today" are left as they were.
    const left = (await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events')).filter(
      (o) => o.kind === 'batch',
    );
    expect(left.length).toBeGreaterThan(0);
    expect(left.every((o) => o.day === TODAY)).toBe(true);
    expect(await coldAnswers()).toEqual(expected(events));
    // A compacted object holds each archived row as it was, each event id once (the first copy).
    const january = await monthObject('shop', '2019-01');
    const rows = await readCompactedRows(client, cold, january);
    const archived = events.filter((e) => e.project === 'shop' && e.timestamp.startsWith('2019-01'));
    expect(rows.map((r) => r.event_id).sort()).toEqual(archived.map((e) => e.event_id).sort());
    expect(rows.find((r) => r.event_id === archived[5]!.event_id)).toEqual({
      ...archived[5],
      kafka_topic: 'events.raw',
      kafka_partition: 1,
      kafka_offset: events.indexOf(archived[5]!),
    });

    const again = await compactArchive(deps, { beforeDay: TODAY });
    expect({ jobs: again.jobs, written: again.written, deleted: again.deleted }).toEqual({
      jobs: 0,
      written: [],
      deleted: 0,
    });
    expect(await kinds()).toEqual(after);
  }, 90_000);

  it('never counts twice when a run stops between writing its object and deleting the sources', async () => {
    // On the archive the first test compacted.
    // Late batches for a compacted month and for a compacted day of April.
    const late = [
      enrichedEvent({ project: 'shop', timestamp: '2019-02-11T10:00:00Z', user_id: 'late1' }),
      enrichedEvent({
        project: 'shop',
        timestamp: '2019-02-27T23:59:59.999Z',
        type: 'purchase',
        user_id: 'late1',
        order: { id: 'late', revenue: 12.34, currency: 'EUR' },
      }),
      enrichedEvent({ project: 'shop', timestamp: '2019-04-03T00:00:00Z', user_id: 'late2' }),
    ];
    const baseline = await coldAnswers();
    await deliver(late);
    await deliver(late.slice(0, 2)); // and a client copy of two of them
    const jobs = planCompaction(await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events'), {
      prefix: 'events',
      beforeDay: TODAY,
    });
    expect(jobs.map((j) => [j.level, j.period, j.batchKeys.length, j.compactedKeys.length])).toEqual([
      ['month', '2019-02', 4, 1],
      ['day', '2019-04-03', 1, 1],
    ]);
    // The run writes its objects, then stops: sources and compacted objects side by side.
    for (const job of jobs) await writeCompactedObject(deps, job);
    const withLate = shifted(baseline, late);
    expect(await coldAnswers()).toEqual(withLate);

    const resumed = await compactArchive(deps, { beforeDay: TODAY });
    expect(resumed.jobs).toBe(2);
    expect(await coldAnswers()).toEqual(withLate);
    expect((await compactArchive(deps, { beforeDay: TODAY })).jobs).toBe(0);
  }, 90_000);

  /** The baseline answers with the late events added (each once). */
  function shifted(baseline: Awaited<ReturnType<typeof coldAnswers>>, late: readonly EnrichedEvent[]) {
    const dayOf = (e: EnrichedEvent) => Math.floor(Date.parse(e.timestamp) / DAY_MS) * DAY_MS;
    return {
      ...baseline,
      events: baseline.events.map((p) => ({
        t: p.t,
        value: p.value + late.filter((e) => dayOf(e) === p.t).length,
      })),
      revenue: baseline.revenue.map((p) => ({
        t: p.t,
        value:
          p.value +
          late
            .filter((e) => dayOf(e) === p.t && e.order?.currency === 'EUR')
            .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0),
      })),
      visitors: [{ t: FIRST, value: baseline.visitors[0]!.value + 2 }],
    };
  }
});
