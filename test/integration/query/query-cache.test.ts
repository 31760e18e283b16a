import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

// biome-ignore lint/suspicious/noExplicitAny: answers are read field by field, each asserted.
type Answer = Record<string, any>;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// The query function's clock. The warm day is three whole UTC days back, inside the warm tier's
// retention, which follows the real clock; expectations come from the events sent.
const NOW = Date.now();
const WARM_DAY = Math.floor(NOW / DAY_MS) * DAY_MS - 3 * DAY_MS;

let api: QueryApiStack;

beforeAll(async () => {
  api = await startQueryApiStack('query-cache', {
    now: () => NOW,
    // Longer than the test: what is read again within it comes from the cache.
    queryCacheTtlMs: 120_000,
  });
}, 120_000);

afterAll(() => api?.close());

async function get(path: string) {
  const response = await api.fetch(path);
  return { status: response.status, body: (await response.json()) as Answer };
}

async function store(events: readonly EnrichedEvent[]) {
  await api.deliver(events, { warmOnly: true });
}

const dayEvents = (n: number, country: string) =>
  Array.from({ length: n }, (_, i) =>
    enrichedEvent({
      project: PROJECT,
      user_id: `u${i}`,
      timestamp: new Date(WARM_DAY + i * 10 * 60_000).toISOString(),
      geo: { country, region: null, city: null },
    }),
  );

const total = (body: Answer) =>
  (body.points as Array<{ value: number }>).reduce((sum, p) => sum + p.value, 0);

describe('the query cache', () => {
  const series = `/v1/metrics/timeseries?metric=events&step=1h&from=${new Date(WARM_DAY).toISOString()}&to=${new Date(WARM_DAY + DAY_MS).toISOString()}`;

  it('answers a second identical warm query from the cache, the same as the first', async () => {
    await store([...dayEvents(30, 'DE'), ...dayEvents(20, 'FR')]);
    const first = await get(series);
    expect(first.status).toBe(200);
    expect(first.body.tiers).toEqual(['warm']);
    expect(total(first.body)).toBe(50);
    // The warm tier changes; within the TTL the answer does not: it is the cached one.
    await store(dayEvents(10, 'DE'));
    const second = await get(series);
    expect(second.body.points).toEqual(first.body.points);
    expect(second.body.tiers).toEqual(['warm']);
    // Another range is read afresh and sees the new events.
    const other = await get(series.replace('step=1h', 'step=2h'));
    expect(total(other.body)).toBe(60);
  });

  it('keys answers by their filters, and never caches the hot tier', async () => {
    const germany = await get(`${series}&filter=country:DE`);
    expect(total(germany.body)).toBe(40);
    const france = await get(`${series}&filter=country:FR`);
    expect(total(france.body)).toBe(20);
    expect((await get(`${series}&filter=country:FR`)).body.points).toEqual(france.body.points);
    const hot = `/v1/metrics/timeseries?metric=events&step=1m&from=${new Date(NOW - HOUR_MS).toISOString()}`;
    expect((await get(hot)).body.tiers).toEqual(['hot']);
    await get(hot);
  });

  it('shows its hit rate in /v1/ops', async () => {
    const ops = await get('/v1/ops');
    expect(ops.status).toBe(200);
    // Lookups: the series (miss, hit), the 2 h series (miss), Germany (miss), France (miss,
    // hit); the hot reads none.
    expect(ops.body.query_cache).toEqual({ hits: 2, misses: 4, hit_rate: 2 / 6 });
  });
});
