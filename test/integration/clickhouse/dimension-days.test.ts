import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWarehouseBatch } from '../../../core/aggregation/warehouse-row.ts';
import { insertBatch } from '../../../io/clickhouse/batch-writer.ts';
import { migrate } from '../../../io/clickhouse/migration.ts';
import { dimensionDays } from '../../../io/clickhouse/migrations/012-dimension-days.ts';
import { MIGRATIONS } from '../../../io/clickhouse/migrations/index.ts';
import { DIMENSION_DAYS, DIMENSION_DAYS_SINCE } from '../../../io/clickhouse/warm-dimensions.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';

const BEFORE = MIGRATIONS.filter((m) => m.version < dimensionDays.version);

describe('migration 12: the day breakdowns answer only for days they saw whole', () => {
  let dir: string;
  let endpoint: ClickHouseEndpoint;
  let offset = 0;
  const clients: ClickHouseClient[] = [];
  const database = async (name: string) => {
    const admin = createClient({ url: endpoint.url });
    await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${name}` });
    await admin.close();
    const client = createClient({ url: endpoint.url, database: name });
    clients.push(client);
    return client;
  };
  /** Events of the last hour (the warm tier keeps 31 days by the server's clock), stored as the warehouse function stores them. */
  const store = async (client: ClickHouseClient, project: string, n: number) => {
    const events = Array.from({ length: n }, (_, i) =>
      enrichedEvent({ project, timestamp: new Date(Date.now() - (i + 1) * 1000).toISOString() }),
    );
    const batch = eventWarehouseBatch({
      topic: 'events.raw',
      partition: 0,
      firstOffset: offset,
      lastOffset: offset + n - 1,
      events: events.map((event, i) => ({ event, offset: offset + i, timeMs: Date.parse(event.timestamp) })),
      undecodable: [],
    });
    offset += n;
    await insertBatch(client, batch);
  };
  const one = async <T>(client: ClickHouseClient, query: string) => {
    const [row] = await (await client.query({ query, format: 'JSONEachRow' })).json<T>();
    return row!;
  };
  const typeEvents = async (client: ClickHouseClient, project: string) =>
    Number(
      (
        await one<{ n: string }>(
          client,
          `SELECT sum(events) AS n FROM ${DIMENSION_DAYS} WHERE project = '${project}' AND dimension = 'type'`,
        )
      ).n,
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spate-dimension-days-'));
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dir });
  });
  afterAll(async () => {
    for (const c of clients) await c.close();
    await endpoint?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('on a store with events, marks the day after tomorrow and holds only what arrives after', async () => {
    const client = await database('upgraded');
    await migrate(client, BEFORE);
    await store(client, 'shop', 30);
    expect(await migrate(client, MIGRATIONS)).toEqual([dimensionDays.version]);
    // Days from the mark to the server's today: 2, or 1 should midnight have passed since the migration.
    const { days } = await one<{ days: number }>(
      client,
      `SELECT dateDiff('day', today(), (SELECT max(since) FROM ${DIMENSION_DAYS_SINCE})) AS days`,
    );
    expect([1, 2]).toContain(Number(days));
    expect(await typeEvents(client, 'shop')).toBe(0);
    await store(client, 'shop', 12);
    expect(await typeEvents(client, 'shop')).toBe(12);
  });

  it('on a new store, holds every day from the first', async () => {
    const client = await database('fresh');
    await migrate(client, MIGRATIONS);
    expect(
      await one<{ since: string }>(client, `SELECT max(since) AS since FROM ${DIMENSION_DAYS_SINCE}`),
    ).toEqual({ since: '1970-01-01' });
    await store(client, 'blog', 7);
    expect(await typeEvents(client, 'blog')).toBe(7);
  });
});
