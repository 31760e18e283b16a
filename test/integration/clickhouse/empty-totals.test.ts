import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';

let dataDir: string;
let endpoint: ClickHouseEndpoint;
let client: ClickHouseClient;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'spate-ch-totals-'));
  endpoint = await startClickHouseEndpoint({ port: 0, dataDir });
  client = createClient({ url: endpoint.url });
});

afterAll(async () => {
  await client?.close();
  await endpoint?.close();
  await rm(dataDir, { recursive: true, force: true });
});

const TOTALS = (rows: number) =>
  `SELECT number % 2 AS k, count() AS n FROM numbers(${rows}) GROUP BY k WITH TOTALS ORDER BY k`;

describe('ClickHouse endpoint: JSON answers WITH TOTALS', () => {
  it('answers a query that found no rows as ClickHouse does: empty data, zero totals', async () => {
    const result = await client.query({ query: TOTALS(0), format: 'JSON' });
    const body = (await result.json()) as unknown as { data: unknown[]; totals: unknown; rows: number };
    expect(body.data).toEqual([]);
    expect(body.totals).toEqual({ k: 0, n: 0 });
    expect(body.rows).toBe(0);
    // Through the query text too, as curl would ask.
    const raw = await fetch(`${endpoint.url}/?query=${encodeURIComponent(`${TOTALS(0)} FORMAT JSON`)}`);
    expect((JSON.parse(await raw.text()) as { rows: number }).rows).toBe(0);
  });

  it('leaves an answer with rows as the engine wrote it', async () => {
    const result = await client.query({ query: TOTALS(3), format: 'JSON' });
    const body = (await result.json()) as unknown as { data: unknown[]; totals: unknown };
    expect(body.data).toEqual([
      { k: 0, n: 2 },
      { k: 1, n: 1 },
    ]);
    expect(body.totals).toEqual({ k: 0, n: 3 });
  });
});
