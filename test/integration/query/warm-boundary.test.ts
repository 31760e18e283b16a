import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { WARM_KEEP_DAYS } from '../../../core/query/metric-query.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
// The query function is given this clock; the events are placed relative to it (the warm
// tier's TTL follows the real clock, and they are well inside it).
const NOW = Date.now();
const FROM = NOW - 30 * DAY_MS;

/**
 * A day of events from a second after the 30-day boundary on (the first in the piece of a minute
 * the range starts with), and some of three days ago: the warm tier
 * holds them all, the archive none (delivered to the warm tier only), so an answer that read a
 * sliver of the range from the archive would say `cold` among its tiers.
 */
function traffic(): EnrichedEvent[] {
  const at = (ms: number, i: number) =>
    enrichedEvent({
      project: PROJECT,
      type: i % 4 === 0 ? 'purchase' : 'page_view',
      user_id: `u${i % 9}`,
      timestamp: new Date(ms).toISOString(),
      geo: { country: i % 3 === 0 ? 'DE' : 'FR', region: null, city: null },
      order: i % 4 === 0 ? { id: `o${i}`, revenue: 12.5, currency: 'EUR' } : null,
    });
  return [
    ...Array.from({ length: 40 }, (_, i) => at(FROM + 1000 + i * 30 * MINUTE_MS, i)),
    ...Array.from({ length: 20 }, (_, i) => at(NOW - 3 * DAY_MS + i * MINUTE_MS, 40 + i)),
  ];
}

describe('the last 30 days, to the millisecond', () => {
  let stack: QueryApiStack;
  const events = traffic();
  const range = `from=${new Date(FROM).toISOString()}&to=${new Date(NOW).toISOString()}`;
  const get = async (path: string) => {
    const response = await stack.fetch(path);
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };

  beforeAll(async () => {
    stack = await startQueryApiStack('warm-boundary', { now: () => NOW });
    await stack.deliver(events, { warmOnly: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('keeps a day more in the warm tier than it answers for', async () => {
    const ttl = async (table: string) => {
      const result = await stack.archive.client.query({
        query: `SELECT create_table_query FROM system.tables WHERE name = {table:String}`,
        query_params: { table },
        format: 'JSONEachRow',
      });
      const [row] = await result.json<{ create_table_query: string }>();
      return /TTL .*?toIntervalDay\((\d+)\)/.exec(row?.create_table_query ?? '')?.[1];
    };
    for (const table of [
      'events',
      'events_minute',
      'events_hour',
      'tweets_enriched',
      'tweets_minute',
      'tweets_hour',
    ])
      expect({ table, days: await ttl(table) }).toEqual({ table, days: String(WARM_KEEP_DAYS) });
    // The identity index keeps its day beyond the raw tables, so a claim never leaves before its row.
    expect(await ttl('warehouse_ids')).toBe(String(WARM_KEEP_DAYS + 1));
  });

  it('answers a breakdown from the warm tier alone, every event counted', async () => {
    const answer = await get(`/v1/metrics/breakdown?metric=events&by=country&${range}`);
    expect(answer).toMatchObject({
      tiers: ['warm'],
      degraded: [],
      rows: [
        { key: 'FR', value: events.filter((e) => e.geo?.country === 'FR').length },
        { key: 'DE', value: events.filter((e) => e.geo?.country === 'DE').length },
      ],
    });
  });

  it('answers a daily series and the overview without the archive', async () => {
    const series = await get(`/v1/metrics/timeseries?metric=events&step=86400&${range}`);
    expect(series.tiers).not.toContain('cold');
    const points = series.points as { t: number; value: number }[];
    expect(points.reduce((sum, p) => sum + p.value, 0)).toBe(events.length);
    const overview = await get(`/v1/metrics/overview?${range}`);
    expect(overview.tiers).not.toContain('cold');
    expect(overview).toMatchObject({ events: events.length, orders: 15 });
  });
});
