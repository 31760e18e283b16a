import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import type { MSKEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import { planCompaction, utcDay } from '../../../core/archive/compaction-plan.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { createS3Client } from '../../../io/s3/client.ts';
import {
  type CompactionDeps,
  compactArchive,
  listArchiveObjects,
  writeCompactedObject,
} from '../../../io/s3/compaction.ts';
import { type ArchiveFunction, createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createFunnelsFunction } from '../../../lambdas/funnels/handler.ts';
import { type AggregatorFunction, createRealtimeFunction } from '../../../lambdas/realtime/handler.ts';
import { CompactedArchiveError, readArchiveBatches } from '../../../lambdas/replay-archive.ts';
import { feedReplay, type ReplayTarget } from '../../../lambdas/replay-cli.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { createWindowsFunction } from '../../../lambdas/windows/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { shopTraffic } from './event-stream.ts';
import { startTestRedis, type TestRedis } from './redis-server.ts';
import { hotSnapshot } from './redis-snapshot.ts';

const DAY_MS = 86_400_000;
const PARTITIONS = 2;
const PER_PARTITION = 600;

/**
 * Replay from an archive that compaction has partly merged into Parquet: the hot tier and the
 * warm tier come back exactly as they were. The events are of the last minutes (the hot tier
 * keeps a day, the warm tier 30), so compaction's "today" is the UTC day after them: every
 * object is before it, whatever the date and the machine's time zone.
 */
describe('spate replay --from-s3 over a compacted archive, against s3rver, chDB and redis-server', () => {
  let dirs: string[];
  let s3: LocalS3;
  let endpoint: ClickHouseEndpoint;
  let redis: TestRedis;
  let client: ClickHouseClient;
  let s3Client: S3Client;
  let archive: ArchiveFunction;
  let hot: AggregatorFunction[];
  const warehouses: WarehouseFunction[] = [];
  let cold: ColdTierConfig;
  let deps: CompactionDeps;

  beforeAll(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'spate-rc-s3-')), mkdtempSync(join(tmpdir(), 'spate-rc-ch-'))];
    s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
    redis = await startTestRedis();
    client = createClient({ url: endpoint.url });
    s3Client = createS3Client({ region: 'us-east-1', endpoint: s3.endpoint });
    const sink = {
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
    };
    archive = createArchiveFunction({
      s3: { region: 'us-east-1', endpoint: s3.endpoint },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'events',
      ...sink,
    });
    const config = { redis: { url: redis.url }, ...sink, funnels: parseFunnelCatalog(undefined) };
    hot = [createRealtimeFunction(config), createWindowsFunction(config), createFunnelsFunction(config)];
    cold = {
      bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
      prefix: 'events',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    };
    deps = { s3: s3Client, clickhouse: client, bucket: LOCAL_BUCKETS.archive, cold };
  }, 60_000);

  afterAll(async () => {
    for (const f of [...(hot ?? []), ...warehouses]) await f.close();
    await archive?.close();
    s3Client?.destroy();
    await client?.close();
    await endpoint?.close();
    await redis?.stop();
    await s3?.close();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  /** The hot functions and a warehouse writing its own database: a warm tier of its own. */
  async function targets(database: string): Promise<ReplayTarget[]> {
    await client.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
    const warehouse = createWarehouseFunction({
      clickhouse: { url: endpoint.url, username: 'default', password: '', database },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
    });
    warehouses.push(warehouse);
    return [...hot, warehouse].map((f, i) => ({ name: `f${i}`, handler: f.handler }));
  }

  /** What the warm tier holds: rows, and the rollups' counts, revenue and visitors, per project and type. */
  async function warm(database: string) {
    const rows = async (query: string) =>
      (await client.query({ query, format: 'JSONEachRow' })).json<Record<string, unknown>>();
    return {
      rows: await rows(
        `SELECT project, type, count() AS n, uniqExact(event_id) AS ids
         FROM ${database}.events GROUP BY project, type ORDER BY project, type`,
      ),
      minute: await rows(
        `SELECT project, type, countMerge(events) AS n, sumMerge(revenue_minor) AS revenue
         FROM ${database}.events_minute GROUP BY project, type ORDER BY project, type`,
      ),
      hour: await rows(
        `SELECT project, uniqMerge(visitors) AS v FROM ${database}.events_hour GROUP BY project ORDER BY project`,
      ),
    };
  }

  const kinds = async (project: string) => {
    const counts: Record<string, number> = {};
    for (const o of await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events'))
      if (o.project === project)
        counts[o.kind === 'batch' ? 'batch' : 'compacted'] =
          (counts[o.kind === 'batch' ? 'batch' : 'compacted'] ?? 0) + 1;
    return counts;
  };

  it('restores the hot and warm tiers exactly, each offset once, with part of the archive compacted', async () => {
    const partitions = shopTraffic(seededRandom(23), PARTITIONS, PER_PARTITION);
    const events: EnrichedEvent[] = partitions.flat();
    const cut = (size: number): MSKEvent[] =>
      partitions.flatMap((list, partition) =>
        Array.from({ length: Math.ceil(list.length / size) }, (_, i) =>
          mskEventOf(list.slice(i * size, (i + 1) * size), { partition, firstOffset: i * size }),
        ),
      );

    // As the mappings deliver them: the tiers, and the archive (with a redelivery cut at other offsets).
    const live = await feedReplay(await targets('live'), cut(200));
    expect(live.records).toBe(events.length);
    const applied = await hotSnapshot(redis.client);
    expect(applied.size).toBeGreaterThan(100);
    const warmLive = await warm('live');
    expect(warmLive.rows.reduce((n, r) => n + Number(r.n), 0)).toBe(events.length);
    const archiver = [{ name: 'archive', handler: archive.handler }];
    await feedReplay(archiver, cut(150));
    await feedReplay(archiver, cut(90).slice(0, 3));

    // Before compaction: the NDJSON objects alone.
    await redis.client.flushall();
    const before = await readArchiveBatches(s3Client, LOCAL_BUCKETS.archive, 'events/', 500);
    expect({ events: before.events, compacted: before.compacted }).toEqual({
      events: events.length,
      compacted: 0,
    });
    await feedReplay(await targets('before'), before.batches);
    expect(await hotSnapshot(redis.client)).toEqual(applied);
    expect(await warm('before')).toEqual(warmLive);

    // Shop compacted, its sources deleted; blog's compacted object written but the run stopped
    // before its delete (its sources stay); then a shop batch redelivered next to its compacted object.
    const lastMs = Math.max(...events.map((e) => Date.parse(e.timestamp)));
    const beforeDay = utcDay(lastMs + DAY_MS);
    const report = await compactArchive(deps, { beforeDay, project: 'shop' });
    expect(report.written.length).toBeGreaterThan(0);
    const blogJobs = planCompaction(await listArchiveObjects(s3Client, LOCAL_BUCKETS.archive, 'events'), {
      prefix: 'events',
      beforeDay,
      project: 'blog',
    });
    expect(blogJobs.length).toBeGreaterThan(0);
    for (const job of blogJobs) await writeCompactedObject(deps, job);
    const blogBatches = (await kinds('blog')).batch ?? 0;
    await feedReplay(archiver, cut(150).slice(1, 2));
    expect(await kinds('shop')).toEqual({ batch: expect.any(Number), compacted: report.written.length });
    expect((await kinds('shop')).batch).toBeLessThan(blogBatches);
    expect(await kinds('blog')).toEqual({ batch: blogBatches, compacted: blogJobs.length });

    // Without ClickHouse, a replay that would miss the compacted rows says so and reads nothing.
    await expect(readArchiveBatches(s3Client, LOCAL_BUCKETS.archive, 'events/', 500)).rejects.toThrow(
      CompactedArchiveError,
    );
    await expect(readArchiveBatches(s3Client, LOCAL_BUCKETS.archive, 'events/', 500)).rejects.toThrow(
      /SPATE_CLICKHOUSE_URL/,
    );

    // With it: every offset once, and both tiers exactly as they were.
    await redis.client.flushall();
    const reader = { clickhouse: client, cold };
    const after = await readArchiveBatches(s3Client, LOCAL_BUCKETS.archive, 'events/', 500, reader);
    expect(after.events).toBe(events.length);
    expect(after.compacted).toBe(report.written.length + blogJobs.length);
    for (const batch of after.batches)
      for (const records of Object.values(batch.records)) {
        const offsets = records.map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      }
    await feedReplay(await targets('after'), after.batches);
    expect(await hotSnapshot(redis.client)).toEqual(applied);
    expect(await warm('after')).toEqual(warmLive);
    // Replayed again: already applied, nothing changes.
    await feedReplay(await targets('after'), after.batches);
    expect(await hotSnapshot(redis.client)).toEqual(applied);
    expect(await warm('after')).toEqual(warmLive);

    // A narrower prefix reads only its rows of a compacted month or day: a project, a day, an hour.
    const shop = events.filter((e) => e.project === 'shop');
    const first = shop[0]!.timestamp;
    const day = `events/project=shop/dt=${first.slice(0, 10)}/`;
    const hour = `${day}hour=${first.slice(11, 13)}/`;
    const count = async (prefix: string) =>
      (await readArchiveBatches(s3Client, LOCAL_BUCKETS.archive, prefix, 500, reader)).events;
    expect(await count('events/project=shop/')).toBe(shop.length);
    expect(await count(day)).toBe(shop.filter((e) => e.timestamp.startsWith(first.slice(0, 10))).length);
    expect(await count(hour)).toBe(shop.filter((e) => e.timestamp.startsWith(first.slice(0, 13))).length);
    expect(await count('events/project=blog/')).toBe(events.length - shop.length);
    expect(await count('events/project=nobody/')).toBe(0);
  }, 120_000);

  it('reads a day or an hour of a compacted month, and of a compacted day, from fixed dates', async () => {
    // Fixed UTC instants of one project on a partition of its own: a closed month, and a day of the next.
    const times = [
      '2019-01-05T03:10:00Z',
      '2019-01-05T03:50:00Z',
      '2019-01-05T07:00:00Z',
      '2019-01-20T23:59:59.999Z',
      '2019-01-31T12:00:00Z',
      '2019-02-02T00:00:00Z',
      '2019-02-02T05:30:00Z',
      '2019-02-03T05:30:00Z',
    ];
    const old = times.map((timestamp, i) =>
      enrichedEvent({ project: 'old', timestamp, user_id: `o${i}`, type: 'page_view' }),
    );
    await archive.handler(mskEventOf(old, { partition: 7 }), createLambdaContext('archive'));
    const report = await compactArchive(deps, { beforeDay: '2019-02-03', project: 'old' });
    // January as a month object, February 2nd as a day object; February 3rd is left as it was.
    expect(report.written.map((k) => k.replace(/compacted-[0-9a-f]+/, 'compacted-*'))).toEqual([
      'events/project=old/month=2019-01/compacted-*.parquet',
      'events/project=old/dt=2019-02-02/compacted-*.parquet',
    ]);
    const reader = { clickhouse: client, cold };
    const offsets = async (prefix: string) =>
      (await readArchiveBatches(s3Client, LOCAL_BUCKETS.archive, prefix, 500, reader)).batches.flatMap((b) =>
        Object.values(b.records).flatMap((records) => records.map((r) => r.offset)),
      );
    expect(await offsets('events/project=old/')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(await offsets('events/project=old/dt=2019-01')).toEqual([0, 1, 2, 3, 4]);
    expect(await offsets('events/project=old/month=2019-01/')).toEqual([0, 1, 2, 3, 4]);
    expect(await offsets('events/project=old/dt=2019-01-05/')).toEqual([0, 1, 2]);
    expect(await offsets('events/project=old/dt=2019-01-05/hour=03/')).toEqual([0, 1]);
    expect(await offsets('events/project=old/dt=2019-01-2')).toEqual([3]);
    expect(await offsets('events/project=old/dt=2019-02-02/')).toEqual([5, 6]);
    expect(await offsets('events/project=old/dt=2019-02-02/hour=05/')).toEqual([6]);
    expect(await offsets('events/project=old/dt=2019-02-')).toEqual([5, 6, 7]);
    expect(await offsets('events/project=old/dt=2019-02-03/')).toEqual([7]);
    expect(await offsets('events/project=old/dt=2019-03-')).toEqual([]);
  }, 60_000);
});
