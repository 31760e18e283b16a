import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClickHouseClient, createClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventWarehouseBatch } from '../../../core/aggregation/warehouse-row.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { insertBatch } from '../../../io/clickhouse/batch-writer.ts';
import { createWarehouseFunction, type WarehouseFunction } from '../../../lambdas/warehouse/handler.ts';
import { type ClickHouseEndpoint, startClickHouseEndpoint } from '../../../local/clickhouse/index.ts';
import { createLambdaContext } from '../../../local/lambda/context.ts';
import { enrichedEvent, mskEventOf } from '../../unit/aggregation/factories.ts';

const DAY_MS = 86_400_000;
const context = createLambdaContext('history-batch');
// The warm tier keeps 30 days by its server's clock and drops older rows as they are inserted,
// so the days that must be seen stored run forward from a few days back of the real date; the
// batch also carries history from 1996 on, which the tier does not keep but must not refuse.
const DAY0 = Math.floor(Date.now() / DAY_MS) * DAY_MS - 3 * DAY_MS;

/** `days` distinct days 24 days apart from DAY0 (300 days span 20 years), `perDay` events each. */
function spread(project: string, days: number, perDay: number, seed: number): EnrichedEvent[] {
  const random = seededRandom(seed);
  const events = Array.from({ length: days * perDay }, (_, i) =>
    enrichedEvent({
      project,
      type: random() < 0.3 ? 'add_to_cart' : 'page_view',
      user_id: `u${Math.floor(random() * 50)}`,
      timestamp: new Date(
        DAY0 + Math.floor(i / perDay) * 24 * DAY_MS + Math.floor(random() * DAY_MS),
      ).toISOString(),
    }),
  );
  // A batch is in arrival order, not time order.
  return events.sort(() => random() - 0.5);
}

/** 100 events on 100 days between 1996 and 2016. */
function pastHistory(project: string): EnrichedEvent[] {
  return Array.from({ length: 100 }, (_, i) =>
    enrichedEvent({ project, timestamp: new Date(Date.UTC(1996, 2, 1) + i * 73 * DAY_MS).toISOString() }),
  );
}

describe('a batch of history in the warm tier', () => {
  let dir: string;
  let endpoint: ClickHouseEndpoint;
  let client: ClickHouseClient;
  let warehouse: WarehouseFunction;
  const rows = async <T>(query: string) => (await client.query({ query, format: 'JSONEachRow' })).json<T>();
  /** Per stored day of a project from DAY0 on: rows, distinct ids, and what the hour rollup counts. */
  const storedDays = async (project: string) => {
    const raw = await rows<{ day: string; n: string; ids: string }>(
      `SELECT toString(toDate(ts)) AS day, count() AS n, uniqExact(event_id) AS ids FROM events
       WHERE project = '${project}' AND ts >= fromUnixTimestamp64Milli(toInt64(${DAY0}))
       GROUP BY day ORDER BY day`,
    );
    const [rollup] = await rows<{ n: string }>(
      `SELECT countMerge(events) AS n FROM events_hour
       WHERE project = '${project}' AND hour >= toDateTime(${DAY0 / 1000}, 'UTC')`,
    );
    return { days: raw.map((r) => [r.day, Number(r.n), Number(r.ids)]), rollup: Number(rollup!.n) };
  };
  const expectedDays = (events: readonly EnrichedEvent[]) => {
    const perDay = new Map<string, number>();
    for (const e of events) {
      if (Date.parse(e.timestamp) < DAY0) continue;
      const day = e.timestamp.slice(0, 10);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const days = [...perDay].sort(([a], [b]) => a.localeCompare(b)).map(([d, n]) => [d, n, n]);
    return { days, rollup: days.reduce((s, [, n]) => s + Number(n), 0) };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'spate-history-ch-'));
    endpoint = await startClickHouseEndpoint({ port: 0, dataDir: dir });
    client = createClient({ url: endpoint.url });
    warehouse = createWarehouseFunction({
      clickhouse: { url: endpoint.url, username: 'default', password: '', database: 'default' },
      breaker: { failureThreshold: 3, openMs: 50 },
      retry: { attempts: 2, baseDelayMs: 5, maxDelayMs: 20 },
    });
  }, 60_000);

  afterAll(async () => {
    await warehouse?.close();
    await client?.close();
    await endpoint?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('stores a batch over 300 day partitions whole and once; redelivered or re-sent, nothing changes', async () => {
    const recent = spread('history', 300, 2, 21);
    const shuffle = seededRandom(5);
    const batch = [...pastHistory('history'), ...recent].sort(() => shuffle() - 0.5);
    const first = mskEventOf(batch, { partition: 0, firstOffset: 0 });
    // History older than the tier keeps is not sent: ClickHouse would drop it on insert.
    expect((await warehouse.handler(first, context)).inserted).toBe(recent.length);
    const expected = expectedDays(recent);
    expect(expected.days).toHaveLength(300);
    expect(await storedDays('history')).toEqual(expected);

    // The mapping redelivers the batch, then the client sends it all again at new offsets.
    expect((await warehouse.handler(first, context)).inserted).toBe(0);
    const again = mskEventOf(batch, { partition: 0, firstOffset: batch.length });
    expect((await warehouse.handler(again, context)).inserted).toBe(0);
    expect(await storedDays('history')).toEqual(expected);

    // Live rows behind the history on the same partition land.
    const live = spread('history', 1, 5, 22);
    const after = await warehouse.handler(
      mskEventOf(live, { partition: 0, firstOffset: 2 * batch.length }),
      context,
    );
    expect(after.inserted).toBe(5);
    expect(await storedDays('history')).toEqual(expectedDays([...recent, ...live]));
  }, 120_000);

  it('completes a split insert that failed part-way on retry, each event once', async () => {
    for (const [project, landed] of [
      ['lost-reply', true],
      ['refused-block', false],
    ] as const) {
      const events = spread(project, 160, 1, project.length);
      const batch = eventWarehouseBatch({
        topic: 'events.raw',
        partition: 3,
        firstOffset: 0,
        lastOffset: events.length - 1,
        events: events.map((event, offset) => ({ event, offset, timeMs: Date.parse(event.timestamp) })),
        undecodable: [],
      });
      // Block two's rows either land and the reply is lost, or are refused: both fail the attempt
      // after block one is stored and block two is claimed.
      let inserts = 0;
      const failing = new Proxy(client, {
        get(target, name, receiver) {
          if (name !== 'insert') return Reflect.get(target, name, receiver);
          return async (params: Parameters<ClickHouseClient['insert']>[0]) => {
            inserts += 1;
            if (params.table !== 'events' || inserts !== 4) return target.insert(params);
            if (landed) await target.insert(params);
            throw new Error('the insert did not answer');
          };
        },
      });
      await expect(insertBatch(failing, batch)).rejects.toThrow('did not answer');
      const expected = expectedDays(events);
      const partly = await storedDays(project);
      expect(partly.rollup).toBe(landed ? 100 : 50);
      expect(await insertBatch(client, batch)).toBe(landed ? 60 : 110);
      expect(await storedDays(project)).toEqual(expected);
      expect(await insertBatch(client, batch)).toBe(0);
      expect(await storedDays(project)).toEqual(expected);
    }
  }, 120_000);
});
