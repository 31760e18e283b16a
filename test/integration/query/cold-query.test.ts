import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseFunnelCatalog } from '../../../core/aggregation/funnel-definition.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import type { ColdTierConfig } from '../../../io/clickhouse/cold-tier-config.ts';
import { connectLiveRedis } from '../../../io/push/redis-link.ts';
import { type ArchiveFunction, createArchiveFunction } from '../../../lambdas/archive/handler.ts';
import { createQueryRoutes, QUERY_ROUTE_KEYS } from '../../../lambdas/query/routes.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { startGateway } from '../../../local/gateway/index.ts';
import type { RunningGateway } from '../../../local/gateway/types.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { LOCAL_BUCKETS } from '../../../local/s3/buckets.ts';
import { type LocalS3, startLocalS3 } from '../../../local/s3/index.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';
import { PROJECT, SECRET, tokenFor } from '../push/push-stack.ts';

const DAY_MS = 86_400_000;
// A whole day 40 days ago: older than the warm tier keeps, so only the archive holds it.
const DAY = Math.floor((Date.now() - 40 * DAY_MS) / DAY_MS) * DAY_MS;

function oldEvents(): EnrichedEvent[] {
  return Array.from({ length: 60 }, (_, i) =>
    enrichedEvent({
      project: i % 10 === 9 ? 'other' : PROJECT,
      type: i % 3 === 0 ? 'purchase' : 'page_view',
      user_id: `u${i % 7}`,
      is_bot: i === 4,
      timestamp: new Date(DAY + i * 60_000).toISOString(),
      order: i % 3 === 0 ? { id: `o${i}`, revenue: 10.5, currency: 'EUR' } : null,
    }),
  );
}

let dirs: string[];
let s3: LocalS3;
let endpoint: ClickHouseEndpoint;
let clickhouse: ClickHouseClient;
let archive: ArchiveFunction;
let redis: TestRedis;
let gateway: RunningGateway;
let closeRedis: () => void;
const events = oldEvents();
const mine = events.filter((e) => e.project === PROJECT);

beforeAll(async () => {
  dirs = [mkdtempSync(join(tmpdir(), 'spate-qcold-s3-')), mkdtempSync(join(tmpdir(), 'spate-qcold-ch-'))];
  s3 = await startLocalS3({ port: 0, dataDir: dirs[0]! });
  endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dirs[1]! });
  clickhouse = createClient({ url: endpoint.url });
  redis = await startTestRedis();
  archive = createArchiveFunction({
    s3: { region: 'us-east-1', endpoint: s3.endpoint },
    bucket: LOCAL_BUCKETS.archive,
    prefix: 'events',
    breaker: { failureThreshold: 3, openMs: 1000 },
    retry: { attempts: 3, baseDelayMs: 10, maxDelayMs: 100 },
  });
  await archive.handler(mskEventOf(events, { partition: 1, firstOffset: 0 }), createLambdaContext('archive'));
  const cold: ColdTierConfig = {
    bucketUrl: `${s3.endpoint}/${LOCAL_BUCKETS.archive}`,
    prefix: 'events',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
  };
  const live = connectLiveRedis(redis.url, 2000);
  closeRedis = () => live.disconnect();
  const route = createQueryRoutes({
    redis: live,
    clickhouse,
    cold,
    kafkaAdmin: () => Promise.reject(new Error('no broker in this test')),
    tokenKey: async () => SECRET,
    funnels: parseFunnelCatalog(undefined),
    tierTimeoutMs: 10_000,
  });
  gateway = await startGateway({
    httpRoutes: QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: route })),
    log: () => undefined,
  });
}, 120_000);

afterAll(async () => {
  await gateway?.close();
  closeRedis?.();
  await archive?.close();
  await clickhouse?.close();
  await endpoint?.close();
  await s3?.close();
  await redis?.stop();
  for (const d of dirs ?? []) rmSync(d, { recursive: true, force: true });
});

async function get(path: string) {
  const response = await fetch(`${gateway.httpUrl}${path}`, {
    headers: { authorization: `Bearer ${tokenFor()}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

const iso = (ms: number) => new Date(ms).toISOString();

describe('query API over the cold tier', () => {
  it('answers an old overview from the archive, not as degraded', async () => {
    const { status, body } = await get(`/v1/metrics/overview?from=${iso(DAY)}&to=${iso(DAY + DAY_MS)}`);
    expect(status).toBe(200);
    const purchases = mine.filter((e) => e.type === 'purchase').length;
    expect(body).toMatchObject({
      events: mine.length,
      by_type: { purchase: purchases, page_view: mine.length - purchases },
      orders: purchases,
      revenue: { EUR: Math.round(purchases * 1050) / 100 },
      unique_visitors: new Set(mine.filter((e) => !e.is_bot).map((e) => e.user_id)).size,
      tiers: ['cold'],
      degraded: [],
    });
  }, 60_000);

  it('answers an old time series from the archive', async () => {
    const { status, body } = await get(
      `/v1/metrics/timeseries?metric=events&from=${iso(DAY - DAY_MS)}&to=${iso(DAY + DAY_MS)}&step=1d`,
    );
    expect(status).toBe(200);
    expect(body).toMatchObject({
      tiers: ['cold'],
      degraded: [],
      points: [
        { t: DAY - DAY_MS, value: 0 },
        { t: DAY, value: mine.length },
      ],
    });
  }, 60_000);
});
