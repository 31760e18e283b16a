import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { migrate } from '../../../io/clickhouse/migration.ts';
import { MIGRATIONS } from '../../../io/clickhouse/migrations/index.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { mskEventOf } from '../../unit/aggregation/factories.ts';
import { shopTraffic } from './event-stream.ts';

describe('warehouse function against the ClickHouse endpoint', () => {
  let dataDir: string;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let warehouse: WarehouseFunction;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'spate-warehouse-'));
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir });
    client = createClient({ url: endpoint.url });
    warehouse = createWarehouseFunction({
      clickhouse: { url: endpoint.url, username: 'default', password: '', database: 'default' },
      breaker: { failureThreshold: 3, openMs: 1000 },
      retry: { attempts: 3, baseDelayMs: 50, maxDelayMs: 500 },
    });
  });

  afterAll(async () => {
    await warehouse?.close();
    await client?.close();
    await endpoint?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const rows = async <T>(query: string): Promise<T[]> =>
    (await client.query({ query, format: 'JSONEachRow' })).json<T>();

  it('inserts each batch once, however often it is delivered, and fills the rollups', async () => {
    const [p0, p1] = shopTraffic(seededRandom(7), 2, 600);
    const batches = [
      mskEventOf(p0!.slice(0, 400), { partition: 0 }),
      mskEventOf(p0!.slice(400), { partition: 0, firstOffset: 400 }),
      mskEventOf(p1!, { partition: 1 }),
    ];
    for (const msk of batches) await warehouse.handler(msk, createLambdaContext('warehouse'));
    // Redelivery of every batch, as after a failed invocation.
    for (const msk of batches) await warehouse.handler(msk, createLambdaContext('warehouse'));

    const all = [...p0!, ...p1!];
    const [{ n }] = (await rows<{ n: string }>('SELECT count() AS n FROM events')) as [{ n: string }];
    expect(Number(n)).toBe(all.length);

    const byType = await rows<{ project: string; type: string; n: string; rev: string }>(
      `SELECT project, type, countMerge(events) AS n, sumMerge(revenue_minor) AS rev
       FROM events_minute GROUP BY project, type ORDER BY project, type`,
    );
    const truth = new Map<string, { n: number; rev: number }>();
    for (const e of all) {
      const t = truth.get(`${e.project}/${e.type}`) ?? { n: 0, rev: 0 };
      t.n += 1;
      t.rev += e.order ? revenueMinorUnits(e.order.revenue) : 0;
      truth.set(`${e.project}/${e.type}`, t);
    }
    expect(
      new Map(byType.map((r) => [`${r.project}/${r.type}`, { n: Number(r.n), rev: Number(r.rev) }])),
    ).toEqual(truth);

    const [hourly] = await rows<{ v: string }>(
      `SELECT uniqMerge(visitors) AS v FROM events_hour WHERE project = 'shop'`,
    );
    const visitors = new Set(all.filter((e) => e.project === 'shop' && !e.is_bot).map((e) => e.user_id)).size;
    expect(Math.abs(Number(hourly!.v) - visitors) / visitors).toBeLessThan(0.02);
  });

  it('applies migrations once: a second run at start changes nothing', async () => {
    expect(await migrate(client, MIGRATIONS)).toEqual([]);
    const versions = await rows<{ version: number }>(
      'SELECT version FROM schema_migrations ORDER BY version',
    );
    expect(versions.map((v) => Number(v.version))).toEqual(MIGRATIONS.map((m) => m.version));
  });
});
