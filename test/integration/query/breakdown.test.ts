import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueMinorUnits } from '../../../core/aggregation/event-decoding.ts';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { FIXED_DIMENSIONS } from '../../../core/query/dimension.ts';
import { archiveSource } from '../../../io/clickhouse/cold-reader.ts';
import { breakdownRoute } from '../../../lambdas/query/breakdown.ts';
import { PROJECT } from '../push/push-stack.ts';
import { dayOfTraffic, KEY_OF } from './breakdown-traffic.ts';
import { breakdownTruth as truth } from './breakdown-truth.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

const DAY_MS = 86_400_000;
// The query function is given this clock. The days below are whole UTC days counted back from
// it, because the warm tier's retention (the warehouse function's cut, ClickHouse's TTL) follows
// the real clock: 3 days back is the warm tier's on any date, 40 days back only the archive's.
// Every expectation is computed from the seeded events, never from the clock.
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
const WARM_DAY = TODAY - 3 * DAY_MS;
const COLD_DAY = TODAY - 40 * DAY_MS;

const warmEvents = dayOfTraffic(1, WARM_DAY, 600);
const coldEvents = dayOfTraffic(2, COLD_DAY, 600);
// Within the hot tier's range (the last 24 h), which breakdowns read from the warm tier.
const recentEvents = dayOfTraffic(3, NOW - 10 * 60_000, 20).map((e, i) => ({
  ...e,
  timestamp: new Date(NOW - 10 * 60_000 + i * 1000).toISOString(),
}));

let api: QueryApiStack;

beforeAll(async () => {
  api = await startQueryApiStack('breakdown', { now: () => NOW });
  const all = [...coldEvents, ...warmEvents, ...recentEvents];
  // Every event reaches both sinks, as from events.raw; a client then sends a third of them again
  // at new offsets: each tier must count those once.
  await api.deliver(all);
  await api.deliver(all.filter((_, i) => i % 3 === 0));
}, 120_000);

afterAll(() => api?.close());

async function get(path: string) {
  const response = await api.fetch(path);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: response.headers.get('content-type')?.startsWith('application/json')
      ? (JSON.parse(text) as Record<string, unknown>)
      : {},
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (start: number) => `from=${iso(start)}&to=${iso(start + DAY_MS)}`;

describe('GET /v1/metrics/breakdown', () => {
  it('answers every dimension exactly from the warm tier, each event id once', async () => {
    for (const by of [...FIXED_DIMENSIONS, 'prop.plan', 'prop.seats']) {
      const { status, body } = await get(
        `/v1/metrics/breakdown?metric=events&by=${by}&${day(WARM_DAY)}&limit=1000`,
      );
      expect(status, by).toBe(200);
      expect(body, by).toMatchObject({ tiers: ['warm'], degraded: [], exact: true });
      expect(body.rows, by).toEqual(truth(warmEvents, 'events', KEY_OF[by]!));
      expect((body.rows as unknown[]).length, by).toBeGreaterThan(1);
    }
    for (const metric of ['visitors', 'orders', 'revenue'] as const) {
      const { body } = await get(`/v1/metrics/breakdown?metric=${metric}&by=source&${day(WARM_DAY)}`);
      expect(body.rows, metric).toEqual(truth(warmEvents, metric, KEY_OF.source!, undefined, 10));
    }
  });

  it('answers every dimension exactly from the archive, each event id once', async () => {
    for (const by of [...FIXED_DIMENSIONS, 'prop.plan', 'prop.seats']) {
      const { status, body } = await get(
        `/v1/metrics/breakdown?metric=events&by=${by}&${day(COLD_DAY)}&limit=1000`,
      );
      expect(status, by).toBe(200);
      expect(body, by).toMatchObject({ tiers: ['cold'], degraded: [] });
      expect(body.rows, by).toEqual(truth(coldEvents, 'events', KEY_OF[by]!));
      expect((body.rows as unknown[]).length, by).toBeGreaterThan(1);
    }
    // The archive does hold the client's copies: the answers above counted each id once.
    const archived = await api.archive.client.query({
      query: `SELECT count() AS n FROM ${archiveSource(api.archive.cold, { project: PROJECT, fromMs: COLD_DAY, toMs: COLD_DAY + DAY_MS })}
              WHERE project = {project:String}`,
      query_params: { project: PROJECT },
      format: 'JSONEachRow',
    });
    const [{ n }] = (await archived.json<{ n: string }>()) as [{ n: string }];
    expect(Number(n)).toBeGreaterThan(coldEvents.filter((e) => e.project === PROJECT).length);
    for (const metric of ['visitors', 'orders', 'revenue'] as const) {
      const { body } = await get(`/v1/metrics/breakdown?metric=${metric}&by=device&${day(COLD_DAY)}`);
      expect(body.rows, metric).toEqual(truth(coldEvents, metric, KEY_OF.device!, undefined, 10));
    }
  });

  it('counts a visitor seen in both tiers once over a range that spans them', async () => {
    const { body } = await get(
      `/v1/metrics/breakdown?metric=visitors&by=os&from=${iso(COLD_DAY)}&to=${iso(WARM_DAY + DAY_MS)}`,
    );
    expect(body).toMatchObject({ tiers: ['cold', 'warm'], degraded: [], exact: true });
    expect(body.rows).toEqual(truth([...coldEvents, ...warmEvents], 'visitors', KEY_OF.os!, undefined, 10));
  });

  it('applies every filter (AND), on a property too, in both tiers', async () => {
    const filter = (e: EnrichedEvent) =>
      e.user_agent.device_type === 'mobile' &&
      e.attribution.source === 'google' &&
      e.properties?.plan === 'pro';
    const filters = 'filter=device:mobile&filter=source%3Agoogle&filter=prop.plan:pro';
    for (const [start, events] of [
      [WARM_DAY, warmEvents],
      [COLD_DAY, coldEvents],
    ] as const) {
      const { body } = await get(`/v1/metrics/breakdown?metric=orders&by=campaign&${filters}&${day(start)}`);
      const expected = truth(events, 'orders', KEY_OF.campaign!, filter);
      expect(expected.length).toBeGreaterThan(0);
      expect(body.rows).toEqual(expected);
      expect(body.filters).toEqual([
        { dimension: 'device', value: 'mobile' },
        { dimension: 'source', value: 'google' },
        { dimension: 'prop.plan', value: 'pro' },
      ]);
    }
  });

  it('answers the largest `limit` keys only', async () => {
    const { body } = await get(`/v1/metrics/breakdown?metric=events&by=page&limit=2&${day(WARM_DAY)}`);
    expect(body.rows).toEqual(truth(warmEvents, 'events', KEY_OF.page!).slice(0, 2));
    expect(body.rows).toHaveLength(2);
  });

  it('reads the hot tier’s range from the warm tier and says so', async () => {
    const { body } = await get(`/v1/metrics/breakdown?metric=events&by=type&from=${iso(NOW - 3_600_000)}`);
    expect(body).toMatchObject({ tiers: ['warm'], degraded: [] });
    expect(body.rows).toEqual(truth(recentEvents, 'events', KEY_OF.type!));
  });

  it('answers CSV with a header row on format=csv', async () => {
    const { status, headers, text } = await get(
      `/v1/metrics/breakdown?metric=orders&by=campaign&format=csv&${day(WARM_DAY)}`,
    );
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(headers.get('x-spate-tiers')).toBe('warm');
    const lines = text.trimEnd().split('\r\n');
    expect(lines[0]).toBe('campaign,orders');
    const quoted = (k: string) => (k.includes(',') ? `"${k}"` : k.startsWith('=') ? `'${k}` : k);
    expect(lines.slice(1)).toEqual(
      truth(warmEvents, 'orders', KEY_OF.campaign!, undefined, 10).map((r) => `${quoted(r.key)},${r.value}`),
    );
  });

  it('answers 400 naming the parameter and the rule for bad input', async () => {
    const cases: Array<[string, string, string]> = [
      ['metric=weather&by=os', 'metric', 'enum'],
      ['by=os', 'metric', 'required'],
      ['metric=events&by=planet', 'by', 'enum'],
      ['metric=events&by=prop.a.b', 'by', 'pattern'],
      ['metric=events&by=os&filter=google', 'filter', 'format'],
      ['metric=events&by=os&filter=planet:mars', 'filter', 'enum'],
      ["metric=events&by=os&filter=prop.x'y:1", 'filter', 'pattern'],
      ['metric=events&by=os&limit=0', 'limit', 'range'],
      ['metric=revenue&by=os&currency=euro', 'currency', 'pattern'],
      ['metric=events&by=os&format=xml', 'format', 'enum'],
    ];
    for (const [query, field, rule] of cases) {
      const { status, body } = await get(`/v1/metrics/breakdown?${query}`);
      expect(status, query).toBe(400);
      expect(body, query).toMatchObject({ field, rule });
      expect(body.message, query).toMatch(new RegExp(`^${field}: `));
    }
  });
});

describe('filters on GET /v1/metrics/timeseries', () => {
  const count = (events: readonly EnrichedEvent[], keep: (e: EnrichedEvent) => boolean) =>
    events.filter((e) => e.project === PROJECT && keep(e)).length;

  it('answers a filtered series exactly from the warm tier’s and the archive’s event rows', async () => {
    const keep = (e: EnrichedEvent) => e.geo?.country === 'DE' && e.user_agent.device_type === 'mobile';
    for (const [start, events, tier] of [
      [WARM_DAY, warmEvents, 'warm'],
      [COLD_DAY, coldEvents, 'cold'],
    ] as const) {
      const { status, body } = await get(
        `/v1/metrics/timeseries?metric=events&step=1d&filter=country:DE&filter=device:mobile&${day(start)}`,
      );
      expect(status).toBe(200);
      expect(body).toMatchObject({ tiers: [tier], degraded: [] });
      expect(body.points).toEqual([{ t: start, value: count(events, keep) }]);
      expect(count(events, keep)).toBeLessThan(count(events, () => true));
      const visitors = await get(
        `/v1/metrics/timeseries?metric=visitors&step=1d&filter=prop.plan:pro&${day(start)}`,
      );
      const pro = truth(
        events,
        'visitors',
        () => '',
        (e) => e.properties?.plan === 'pro',
      );
      expect(visitors.body.points).toEqual([{ t: start, value: pro[0]!.value }]);
    }
  });

  it('reads a filtered series of the hot tier’s range from the warm tier and says so', async () => {
    const { body } = await get(
      `/v1/metrics/timeseries?metric=events&step=1h&filter=source:google&from=${iso(NOW - 3_600_000)}`,
    );
    expect(body).toMatchObject({ tiers: ['warm'], degraded: [] });
    const google = count(recentEvents, (e) => e.attribution.source === 'google');
    expect(google).toBeGreaterThan(0);
    expect(google).toBeLessThan(count(recentEvents, () => true));
    expect((body.points as Array<{ value: number }>).reduce((n, p) => n + p.value, 0)).toBe(google);
  });

  it('answers 400 for a bad filter', async () => {
    const { status, body } = await get('/v1/metrics/timeseries?metric=events&filter=weather:rain');
    expect(status).toBe(400);
    expect(body).toMatchObject({ field: 'filter', rule: 'enum' });
  });
});

describe('filters on GET /v1/metrics/overview', () => {
  it('answers the overview of the filtered events exactly, from the warm tier and the archive', async () => {
    const keep = (e: EnrichedEvent) =>
      e.project === PROJECT && e.attribution.medium === 'cpc' && e.user_agent.os === 'iOS';
    for (const [start, events, tier] of [
      [WARM_DAY, warmEvents, 'warm'],
      [COLD_DAY, coldEvents, 'cold'],
    ] as const) {
      const { status, body } = await get(
        `/v1/metrics/overview?filter=medium:cpc&filter=os:iOS&${day(start)}`,
      );
      expect(status).toBe(200);
      const kept = events.filter(keep);
      const purchases = kept.filter((e) => e.type === 'purchase');
      expect(purchases.length).toBeGreaterThan(0);
      const revenue: Record<string, number> = {};
      for (const e of purchases)
        revenue[e.order!.currency] = (revenue[e.order!.currency] ?? 0) + revenueMinorUnits(e.order!.revenue);
      expect(body).toMatchObject({
        events: kept.length,
        orders: purchases.length,
        revenue: Object.fromEntries(Object.entries(revenue).map(([c, minor]) => [c, minor / 100])),
        unique_visitors: truth(kept, 'visitors', () => '')[0]!.value,
        active_now: null,
        tiers: [tier],
        degraded: [],
      });
    }
  });
});

describe('a breakdown with a tier down', () => {
  it('answers the part the warm tier holds and lists the cold tier as degraded', async () => {
    // No archive configured: the cold tier cannot answer, as when S3 is unreachable.
    const breakdown = breakdownRoute({ clickhouse: api.archive.client, tierTimeoutMs: 15_000 });
    const query = { metric: 'events', by: 'browser', from: iso(COLD_DAY), to: iso(WARM_DAY + DAY_MS) };
    const result = await breakdown(
      PROJECT,
      { rawQueryString: new URLSearchParams(query).toString(), queryStringParameters: query },
      NOW,
    );
    expect(result.statusCode).toBe(200);
    expect(JSON.parse(result.body as string)).toMatchObject({
      rows: truth(warmEvents, 'events', KEY_OF.browser!, undefined, 10),
      exact: true,
      tiers: ['warm'],
      degraded: [{ tier: 'cold', store: 's3' }],
    });
  });
});
