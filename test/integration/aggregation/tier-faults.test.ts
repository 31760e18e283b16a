import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import type { MetricQuery } from '../../../core/query/metric-query.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { coldReader } from '../../../io/clickhouse/cold-reader.ts';
import { warmReader } from '../../../io/clickhouse/warm-reader.ts';
import { type ArchiveFunction, createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { type ChaosProxy, startChaosProxy } from './chaos-proxy.ts';
import { shopTraffic } from './event-stream.ts';
import { deliverWithFaults } from './fault-delivery.ts';

const SEED = 20_260_116;

describe('warm and cold tiers under faults', () => {
  let dirs: string[];
  let s3: LocalS3;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let chProxy: ChaosProxy;
  let s3Proxy: ChaosProxy;
  let warehouse: WarehouseFunction;
  let archive: ArchiveFunction;

  beforeAll(async () => {
    dirs = [mkdtempSync(join(tmpdir(), 'spate-faults-s3-')), mkdtempSync(join(tmpdir(), 'spate-faults-ch-'))];
    s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
    client = createClient({ url: endpoint.url });
    chProxy = await startChaosProxy(endpoint.port, seededRandom(SEED + 1));
    s3Proxy = await startChaosProxy(s3.port, seededRandom(SEED + 2));
    const guard = {
      breaker: { failureThreshold: 3, openMs: 50 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    };
    warehouse = createWarehouseFunction({
      clickhouse: {
        url: `http://127.0.0.1:${chProxy.port}`,
        username: 'default',
        password: '',
        database: 'default',
      },
      ...guard,
    });
    archive = createArchiveFunction({
      s3: { region: 'us-east-1', endpoint: `http://127.0.0.1:${s3Proxy.port}` },
      bucket: LOCAL_BUCKETS.archive,
      prefix: 'events',
      ...guard,
    });
  }, 60_000);

  afterAll(async () => {
    await warehouse?.close();
    await archive?.close();
    await chProxy?.close();
    await s3Proxy?.close();
    await client?.close();
    await endpoint?.close();
    await s3?.close();
    for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
  });

  it('stores every event once in ClickHouse, its rollups and the S3 archive as read back', async () => {
    const random = seededRandom(SEED);
    const partitions = shopTraffic(random, 3, 1500);
    const context = createLambdaContext('faults');
    const warmFailures = await deliverWithFaults(
      (e) => warehouse.handler(e, context),
      partitions,
      chProxy,
      random,
    );
    const coldFailures = await deliverWithFaults(
      (e) => archive.handler(e, context),
      partitions,
      s3Proxy,
      random,
    );
    expect(warmFailures).toBeGreaterThan(10);
    expect(coldFailures).toBeGreaterThan(5);
    expect(chProxy.cuts).toBeGreaterThan(3);

    const all = partitions.flat();
    const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
    const [stored] = await rows<{ n: string; ids: string }>(
      'SELECT count() AS n, uniqExact(event_id) AS ids FROM events',
    );
    expect({ n: Number(stored!.n), ids: Number(stored!.ids) }).toEqual({ n: all.length, ids: all.length });

    const now = Date.now();
    const fromMs = Math.floor(now / 3_600_000) * 3_600_000 - 3_600_000;
    const range = { project: 'shop', fromMs, toMs: fromMs + 3 * 3_600_000, stepSeconds: 3600 };
    const shop = all.filter((e) => e.project === 'shop');
    const sum = (m: ReadonlyMap<number, number>) => [...m.values()].reduce((a, b) => a + b, 0);
    const cold = coldReader(client, {
      bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
      prefix: 'events',
      credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    });
    const warm = warmReader(client);
    const questions: Array<[MetricQuery, number]> = [
      [{ ...range, metric: 'events' }, shop.length],
      [{ ...range, metric: 'events', type: 'purchase' }, shop.filter((e) => e.type === 'purchase').length],
      [
        { ...range, metric: 'revenue', currency: 'USD' },
        shop
          .filter((e) => e.order?.currency === 'USD')
          .reduce((s, e) => s + revenueMinorUnits(e.order!.revenue), 0),
      ],
    ];
    for (const [q, truth] of questions) {
      expect(sum(await warm(q))).toBe(truth);
      expect(sum(await cold(q))).toBe(truth);
    }
  }, 300_000);
});
