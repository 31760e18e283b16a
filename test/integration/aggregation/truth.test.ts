import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mergeTallyReadings } from '../../../core/aggregation/bounded-tally.ts';
import { funnelFor, parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { WINDOW_KINDS, type WindowKind } from '../../../core/aggregation/redis-keys.ts';
import { MAPPINGS } from '../../../core/mappings.ts';
import { funnelSnapshot } from '../../../core/push/snapshots.ts';
import { FIXED_DIMENSIONS, parseDimension } from '../../../core/query/dimension.ts';
import { answerMetric, type TierReader } from '../../../core/query/metric-answer.ts';
import { readBreakdown } from '../../../io/clickhouse/breakdown-reader.ts';
import { archiveSource } from '../../../io/clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { warmReader } from '../../../io/clickhouse/warm-reader.ts';
import {
  hotReader,
  readBreakdownMinutes,
  readFunnelMinutes,
  readWindowTally,
} from '../../../io/redis/hot-read-model.ts';
import { createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import { createRealtimeFunction } from '../../../lambdas/realtime/handler.ts';
import { createWarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { createWindowsFunction } from '../../../lambdas/windows/handler.ts';
import { runLoad } from '../../../load/load-runner.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { type MappingRunner, silentLogger, startMappingRunner } from '../../../local/esm/index.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { type IngestStack, startIngestStack, WRITE_KEY } from '../ingest/ingest-stack.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';

const unused: TierReader = () => Promise.reject(new Error('the data is recent: only the hot tier'));

/** Funnel steps (default funnel) replayed from raw rows: an independent, plain transcription. */
function funnelTruth(rows: readonly { visitor: string; type: string; has_product: number; ts_ms: number }[]) {
  const steps: Array<[string, boolean]> = [
    ['page_view', false],
    ['page_view', true],
    ['add_to_cart', false],
    ['checkout_started', false],
    ['purchase', false],
  ];
  const counts = [0, 0, 0, 0, 0];
  const state = new Map<string, { step: number; started: number }>();
  for (const r of rows) {
    let s = state.get(r.visitor) ?? { step: -1, started: 0 };
    if (s.step >= 0 && r.ts_ms - s.started > 30 * 60_000) s = { step: -1, started: 0 };
    for (let next = s.step + 1; next < steps.length; next++) {
      const [type, product] = steps[next]!;
      if (r.type !== type || (product && !r.has_product)) break;
      counts[next]! += 1;
      s = { step: next, started: s.step < 0 ? r.ts_ms : s.started };
    }
    state.set(r.visitor, s);
  }
  return counts;
}

describe('every number of the query layer equals SQL over the raw archived events', () => {
  let ingest: IngestStack;
  let redis: TestRedis;
  let s3: LocalS3;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let runner: MappingRunner;
  let dirs: string[];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'spate-truth-s3-')), mkdtempSync(join(tmpdir(), 'spate-truth-ch-'))];
    ingest = await startIngestStack();
    redis = await startTestRedis();
    s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
    client = createClient({ url: endpoint.url });
    const guard = {
      breaker: { failureThreshold: 5, openMs: 500 },
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
    };
    const hot = { redis: { url: redis.url }, funnels: parseFunnelCatalog(undefined), ...guard };
    const made = {
      realtime: createRealtimeFunction(hot),
      windows: createWindowsFunction(hot),
      funnels: createFunnelsFunction(hot),
      warehouse: createWarehouseFunction({
        clickhouse: { url: endpoint.url, username: 'default', password: '', database: 'default' },
        ...guard,
      }),
      archive: createArchiveFunction({
        s3: { region: 'us-east-1', endpoint: s3.endpoint },
        bucket: LOCAL_BUCKETS.archive,
        prefix: 'events',
        ...guard,
      }),
    };
    for (const f of Object.values(made)) closers.push(() => f.close());
    runner = await startMappingRunner({
      brokers: ingest.brokers,
      logger: silentLogger,
      mappings: MAPPINGS.filter((m) => m.functionName in made).map((definition) => ({
        // A short window so the test does not wait out the archive's 10 s one.
        definition: { ...definition, batchingWindowMs: Math.min(definition.batchingWindowMs, 1000) },
        handler: made[definition.functionName as keyof typeof made].handler as never,
      })),
    });
  }, 120_000);

  afterAll(async () => {
    await runner?.stop();
    for (const close of closers) await close();
    await client?.close();
    await endpoint?.close();
    await s3?.close();
    await redis?.stop();
    await ingest?.close();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  it('counts per type, revenue, visitors, funnel steps and top products', async () => {
    const report = await runLoad({
      endpoint: ingest.gateway.httpUrl,
      writeKey: WRITE_KEY,
      rate: 400,
      durationS: 8,
      users: 300,
      tweetsRate: 0,
      seed: 7,
      spike: false,
      batchSize: 50,
      concurrency: 4,
    });
    expect(report.accepted).toBeGreaterThan(1000);
    const deadline = Date.now() + 240_000;
    for (;;) {
      const status = runner.status();
      if (status.every((s) => s.records >= report.accepted && s.lag === 0)) break;
      if (Date.now() > deadline) throw new Error(`mappings did not catch up: ${JSON.stringify(status)}`);
      await new Promise((r) => setTimeout(r, 500));
    }

    const cold: ColdTierConfig = {
      bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
      prefix: 'events',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    const now = Date.now();
    const range = { project: 'shop', fromMs: now - 3_600_000, toMs: now + 60_000 };
    const seconds = { fromSec: Math.floor(range.fromMs / 1000), toSec: Math.floor(range.toMs / 1000) };
    const raw = `(SELECT * FROM ${archiveSource(cold, { ...range, fromMs: now - 86_400_000 }, ['product Nullable(String)'])}
                  WHERE project = 'shop' LIMIT 1 BY kafka_topic, kafka_partition, kafka_offset)`;
    const sql = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
    // The archive's schema for the fields compared here, read by ClickHouse on its own.
    const rows = `(SELECT type, parseDateTime64BestEffort(timestamp, 3, 'UTC') AS ts, ifNull(is_bot, false) AS is_bot,
                          ifNull(user_id, ifNull(anonymous_id, '')) AS visitor,
                          JSONExtractString(ifNull(order, ''), 'currency') AS currency,
                          toInt64(round(JSONExtractFloat(ifNull(order, ''), 'revenue') * 100)) AS cents,
                          kafka_partition, kafka_offset
                   FROM ${raw})`;
    const [{ n }] = (await sql<{ n: string }>(`SELECT count() AS n FROM ${rows}`)) as [{ n: string }];
    expect(Number(n)).toBe(report.accepted);

    const readers = { hot: hotReader(redis.client), warm: unused, cold: unused };
    const warm = warmReader(client);
    const total = async (q: Parameters<typeof answerMetric>[0], checkWarm = true) => {
      const answer = await answerMetric(q, readers, now);
      expect(answer.tiers).toEqual(['hot']);
      const value = answer.points.reduce((s, p) => s + p.value, 0);
      if (checkWarm) expect([...(await warm(q)).values()].reduce((a, b) => a + b, 0)).toBe(value);
      return value;
    };

    const byType = await sql<{ type: string; n: string }>(
      `SELECT type, count() AS n FROM ${rows} GROUP BY type`,
    );
    expect(byType.length).toBeGreaterThan(3);
    for (const { type, n } of byType)
      expect(await total({ ...range, metric: 'events', type, stepSeconds: 60 })).toBe(Number(n));

    const revenue = await sql<{ currency: string; cents: string }>(
      `SELECT currency, sum(cents) AS cents FROM ${rows} WHERE type = 'purchase' GROUP BY currency`,
    );
    expect(revenue.length).toBeGreaterThan(0);
    for (const { currency, cents } of revenue)
      expect(await total({ ...range, metric: 'revenue', currency, stepSeconds: 60 })).toBe(Number(cents));

    const [{ v }] = (await sql<{ v: string }>(
      `SELECT uniqExact(visitor) AS v FROM ${rows} WHERE NOT is_bot AND visitor != ''`,
    )) as [{ v: string }];
    const day = 86_400_000;
    const visitorsQuery = {
      ...range,
      fromMs: Math.floor(now / day) * day,
      toMs: Math.floor(now / day) * day + day,
    };
    const visitors = await answerMetric(
      { ...visitorsQuery, metric: 'visitors', stepSeconds: 86_400 },
      readers,
      now,
    );
    expect(Math.abs(visitors.points[0]!.value - Number(v)) / Number(v)).toBeLessThanOrEqual(0.02);

    // Top products: the full tallies behind the top 10, per kind.
    const products = `(SELECT type, JSONExtractString(ifNull(product, ''), 'id') AS product_id,
                              ifNull(order, '') AS order_json
                       FROM ${raw})`;
    const tallies: Array<[WindowKind, string]> = [
      [
        WINDOW_KINDS.productViews,
        `SELECT product_id AS m, count() AS n FROM ${products} WHERE type = 'page_view' AND product_id != '' GROUP BY m`,
      ],
      [
        WINDOW_KINDS.addToCarts,
        `SELECT product_id AS m, count() AS n FROM ${products} WHERE type = 'add_to_cart' AND product_id != '' GROUP BY m`,
      ],
      [
        WINDOW_KINDS.purchases,
        `SELECT m, sum(q) AS n FROM (
           SELECT arrayJoin(if(length(JSONExtractArrayRaw(order_json, 'items')) > 0,
                    arrayMap(i -> (JSONExtractString(i, 'product_id'), ifNull(JSONExtract(i, 'quantity', 'Nullable(Int64)'), 1)),
                             JSONExtractArrayRaw(order_json, 'items')),
                    if(product_id != '', [(product_id, toInt64(1))], []))) AS item,
                  item.1 AS m, item.2 AS q
           FROM ${products} WHERE type = 'purchase') GROUP BY m`,
      ],
    ];
    for (const [kind, query] of tallies) {
      const truth = new Map((await sql<{ m: string; n: string }>(query)).map((r) => [r.m, Number(r.n)]));
      expect(truth.size).toBeGreaterThan(0);
      expect(await readWindowTally(redis.client, 'shop', kind, seconds)).toEqual(truth);
    }

    const funnelRows = await sql<{ visitor: string; type: string; has_product: number; ts_ms: string }>(
      `SELECT visitor, type, JSONExtractString(ifNull(product, ''), 'id') != '' AS has_product,
              toUnixTimestamp64Milli(parseDateTime64BestEffort(timestamp, 3, 'UTC')) AS ts_ms
       FROM (SELECT *, ifNull(user_id, ifNull(anonymous_id, '')) AS visitor
             FROM ${raw})
       WHERE NOT ifNull(is_bot, false) AND visitor != '' ORDER BY kafka_partition, kafka_offset`,
    );
    // As the funnel route and channel read it: the minute hashes summed per step of the definition.
    const funnel = funnelSnapshot(
      funnelFor(parseFunnelCatalog(undefined), 'shop'),
      3600,
      await readFunnelMinutes(redis.client, 'shop', seconds),
    ) as { steps: { users: number }[] };
    const steps = funnel.steps.map((s) => s.users);
    const truthSteps = funnelTruth(funnelRows.map((r) => ({ ...r, ts_ms: Number(r.ts_ms) })));
    expect(truthSteps[0]).toBeGreaterThan(0);
    expect(steps).toEqual(truthSteps.slice(0, steps.length));
    expect(steps.length).toBeGreaterThanOrEqual(truthSteps.filter((s) => s > 0).length);

    // Live breakdowns (the realtime aggregator's bounded minute hashes, read as the breakdowns
    // channel and route read them) against the warm tier's breakdown of the same minutes.
    const minuteMs = 60_000;
    // Nine minutes back: the load ran a moment ago, and the hot tier keeps ten.
    const recent = {
      fromMs: Math.floor(now / minuteMs) * minuteMs - 9 * minuteMs,
      toMs: Math.ceil((now + 1) / minuteMs) * minuteMs,
    };
    const hotMinutes = await readBreakdownMinutes(redis.client, 'shop', FIXED_DIMENSIONS, {
      fromSec: recent.fromMs / 1000,
      toSec: recent.toMs / 1000,
    });
    for (const dimension of FIXED_DIMENSIONS) {
      const hot = mergeTallyReadings(hotMinutes.get(dimension)!);
      const warmRows = await readBreakdown(
        client,
        undefined,
        {
          project: 'shop',
          metric: 'events',
          by: parseDimension(dimension, 'by'),
          filters: [],
          ...recent,
          limit: 1000,
        },
        [{ tier: 'warm', ...recent }],
      );
      const want = new Map(warmRows.map((r) => [r.key, r.value]));
      const got = new Map([...hot.values].map(([key, counts]) => [key, counts.events]));
      // Every event once, under its value or in "other"; whole wherever nothing went to "other".
      expect([...got.values()].reduce((a, b) => a + b, 0) + hot.other.events, dimension).toBe(
        report.accepted,
      );
      if (hot.other.events === 0) expect(got, dimension).toEqual(want);
      else
        for (const [key, n] of got) expect(n, `${dimension} ${key}`).toBeLessThanOrEqual(want.get(key) ?? 0);
    }
  }, 420_000);
});
