import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EnrichedEvent } from '../../../core/events/enriched-event.ts';
import { FIXED_DIMENSIONS, type FixedDimension, parseDimension } from '../../../core/query/dimension.ts';
import { seededRandom } from '../../../core/seeded-random.ts';
import { dayBreakdownSql } from '../../../io/clickhouse/day-breakdown-reader.ts';
import { DIMENSION_DAYS, DIMENSION_DAYS_SINCE } from '../../../io/clickhouse/warm-dimensions.ts';
import { enrichedEvent } from '../../unit/aggregation/factories.ts';
import { PROJECT } from '../push/push-stack.ts';
import { breakdownTruth } from './breakdown-truth.ts';
import { type QueryApiStack, startQueryApiStack } from './query-api-stack.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
// The query function is given this clock; the days below are whole UTC days counted back from
// it (the warm tier's retention follows the real clock), and every expectation is computed from
// the seeded events, never from the clock.
const NOW = Date.now();
const TODAY = Math.floor(NOW / DAY_MS) * DAY_MS;
const FIRST_DAY = TODAY - 5 * DAY_MS;
// Two whole days and the pieces of two more: 13:00 on the first day to 07:30 on the fourth.
const RANGE = { fromMs: FIRST_DAY + 13 * HOUR_MS, toMs: FIRST_DAY + 3 * DAY_MS + 7.5 * HOUR_MS };
// The day breakdowns' first whole day: of RANGE's whole days, the first is read from rows, the second from the table.
const SINCE_DAY = new Date(FIRST_DAY + 2 * DAY_MS).toISOString().slice(0, 10);

const VISITS = [
  { source: 'google', medium: 'cpc', campaign: 'spring', referrer: 'https://www.google.com/' },
  { source: 'newsletter', medium: 'email', campaign: 'launch, day 1', referrer: undefined },
  { source: 'facebook', medium: 'social', campaign: null, referrer: 'https://m.facebook.com/x' },
  { source: '(direct)', medium: '(none)', campaign: null, referrer: undefined },
];
const AGENTS = [
  { browser: 'Chrome', browser_version: '131', os: 'Android', device_type: 'mobile' as const },
  { browser: 'Safari', browser_version: '18', os: 'macOS', device_type: 'desktop' as const },
  { browser: 'Firefox', browser_version: '133', os: 'Linux', device_type: 'desktop' as const },
];

/** Four days of seeded shop traffic, every dimension varied, 400 visitors coming back. */
function traffic(n: number): EnrichedEvent[] {
  const random = seededRandom(11);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const { referrer, ...visit } = pick(VISITS);
    const purchase = random() < 0.2;
    const path = pick(['/', '/shoes', '/shoes/red', '/checkout']);
    const visitor = Math.floor(random() * 400);
    return enrichedEvent({
      project: random() < 0.9 ? PROJECT : 'other',
      type: purchase ? 'purchase' : pick(['page_view', 'add_to_cart'] as const),
      user_id: visitor % 4 === 0 ? null : `u${visitor}`,
      anonymous_id: visitor % 4 === 0 ? `a${visitor}` : null,
      is_bot: random() < 0.05,
      timestamp: new Date(FIRST_DAY + Math.floor((i / n) * 4 * DAY_MS)).toISOString(),
      page: { path, url: `https://shop.example${path}`, ...(referrer ? { referrer } : {}) },
      order: purchase
        ? {
            id: `o${i}`,
            revenue: Math.round(random() * 20_000) / 100,
            currency: random() < 0.7 ? 'EUR' : 'USD',
          }
        : null,
      user_agent: pick(AGENTS),
      geo: random() < 0.1 ? null : { country: pick(['DE', 'FR', 'US']), region: null, city: null },
      attribution: { ...visit, term: null, content: null, click_ids: {} },
      // A property of a few values, a number, an object, and events without any.
      properties:
        random() < 0.25
          ? null
          : {
              plan: pick(['free', 'pro', 'team, annual']),
              ...(random() < 0.5 ? { seats: Math.floor(random() * 4) } : {}),
              ...(random() < 0.2 ? { cart: { items: Math.floor(random() * 3) } } : {}),
            },
    });
  });
}

/** A property's value as the warm tier reads it (core/query/dimension.ts dimensionSql): text as itself, anything else as JSON, '' when missing. */
const propertyOf = (name: string) => (e: EnrichedEvent) => {
  const value = e.properties?.[name];
  return value === undefined ? '' : typeof value === 'string' ? value : JSON.stringify(value);
};
const PROPERTIES = ['prop.plan', 'prop.seats', 'prop.cart'] as const;

/** Each dimension's value as the warm tier stores it (io/clickhouse/event-rows.ts). */
const VALUE_OF: Record<FixedDimension, (e: EnrichedEvent) => string> = {
  type: (e) => e.type,
  source: (e) => e.attribution?.source ?? '',
  medium: (e) => e.attribution?.medium ?? '',
  campaign: (e) => e.attribution?.campaign ?? '',
  referrer: (e) => (e.page?.referrer ? new URL(e.page.referrer).hostname.replace(/^www\./, '') : ''),
  device: (e) => e.user_agent?.device_type ?? 'unknown',
  browser: (e) => e.user_agent?.browser ?? '',
  os: (e) => e.user_agent?.os ?? '',
  country: (e) => e.geo?.country ?? '',
  page: (e) => e.page?.path ?? '',
};

/** The breakdown of the project's events in `range`, from the events themselves. */
const truth = (
  events: readonly EnrichedEvent[],
  metric: 'events' | 'orders' | 'revenue' | 'visitors',
  by: FixedDimension | (typeof PROPERTIES)[number],
  range: { fromMs: number; toMs: number },
) =>
  breakdownTruth(
    events,
    metric,
    by.startsWith('prop.') ? propertyOf(by.slice(5)) : VALUE_OF[by as FixedDimension],
    (e) => {
      const t = Date.parse(e.timestamp);
      return t >= range.fromMs && t < range.toMs;
    },
  );

describe('breakdowns of the warm tier by whole days (the breakdown projections)', () => {
  let stack: QueryApiStack;
  const events = traffic(6000);
  const breakdown = async (
    metric: string,
    by: string,
    range: { fromMs: number; toMs: number },
    filter = '',
  ) => {
    const response = await stack.fetch(
      `/v1/metrics/breakdown?metric=${metric}&by=${by}&from=${new Date(range.fromMs).toISOString()}&to=${new Date(range.toMs).toISOString()}&limit=1000${filter}`,
    );
    expect(response.status).toBe(200);
    return (await response.json()) as {
      rows: { key: string; value: number }[];
      tiers: string[];
      exact: boolean;
    };
  };

  const sql = async (query: string) => stack.archive.client.command({ query });

  beforeAll(async () => {
    stack = await startQueryApiStack('day-breakdown', { now: () => NOW });
    await stack.deliver(events, { warmOnly: true });
    // A client's copies of all of them: stored once, so counted once in every day's breakdown.
    await stack.deliver(events, { warmOnly: true });
    // As if the day breakdowns (migration 12) had come two days into this traffic: the days
    // before are the rows' to answer, and the table holds none of them.
    await sql(`TRUNCATE TABLE ${DIMENSION_DAYS_SINCE}`);
    await sql(`INSERT INTO ${DIMENSION_DAYS_SINCE} VALUES ('${SINCE_DAY}')`);
    for (let day = FIRST_DAY; day < Date.parse(SINCE_DAY); day += DAY_MS)
      await sql(`ALTER TABLE ${DIMENSION_DAYS} DROP PARTITION '${new Date(day).toISOString().slice(0, 10)}'`);
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** ClickHouse's plan of the statement that answers `metric` by `by` over RANGE. */
  const planOf = async (metric: 'events' | 'visitors', by: string) => {
    const q = { project: PROJECT, metric, by: parseDimension(by, 'by'), filters: [], ...RANGE, limit: 10 };
    const statement = dayBreakdownSql(q, q.by);
    const result = await stack.archive.client.query({
      query: `EXPLAIN ${statement.sql}`,
      query_params: statement.params,
      format: 'JSONEachRow',
    });
    return (await result.json<{ explain: string }>()).map((r) => r.explain).join('\n');
  };

  it('answers events, orders and revenue by every dimension and property exactly, whole days and the pieces at the ends', async () => {
    // A property's '' row is the events without it.
    for (const by of [...FIXED_DIMENSIONS, ...PROPERTIES])
      for (const metric of ['events', 'orders', 'revenue'] as const) {
        const answer = await breakdown(metric, by, RANGE);
        expect({ by, metric, rows: answer.rows }).toEqual({
          by,
          metric,
          rows: truth(events, metric, by, RANGE),
        });
        expect(answer).toMatchObject({ tiers: ['warm'], exact: true });
      }
  });

  it('reads the whole days of counts from the dimension projection, of visitors and properties from the day breakdowns', async () => {
    expect(await planOf('events', 'country')).toContain('ReadFromMergeTree (breakdown_country)');
    expect(await planOf('visitors', 'page')).toContain(`ReadFromMergeTree (default.${DIMENSION_DAYS})`);
    expect(await planOf('events', 'prop.plan')).toContain(`ReadFromMergeTree (default.${DIMENSION_DAYS})`);
  });

  it('estimates visitors over more than a day and says so; counts them exactly over a day', async () => {
    for (const by of [...FIXED_DIMENSIONS, ...PROPERTIES]) {
      const estimate = await breakdown('visitors', by, RANGE);
      expect(estimate.exact).toBe(false);
      const want = truth(events, 'visitors', by, RANGE);
      expectClose(estimate.rows, want);
      const day = { fromMs: FIRST_DAY + DAY_MS, toMs: FIRST_DAY + 2 * DAY_MS };
      const exact = await breakdown('visitors', by, day);
      expect(exact).toMatchObject({ exact: true, rows: truth(events, 'visitors', by, day) });
    }
  });

  it('estimates filtered visitors over more than a day the same way, from the rows', async () => {
    const germanMobile = (e: EnrichedEvent) =>
      e.geo?.country === 'DE' && e.user_agent?.device_type === 'mobile';
    const filter = '&filter=country:DE&filter=device:mobile';
    for (const by of ['page', 'source', 'prop.plan'] as const) {
      const estimate = await breakdown('visitors', by, RANGE, filter);
      expect(estimate).toMatchObject({ exact: false, tiers: ['warm'] });
      const keyOf = by.startsWith('prop.') ? propertyOf(by.slice(5)) : VALUE_OF[by as FixedDimension];
      const inRange = (e: EnrichedEvent) =>
        Date.parse(e.timestamp) >= RANGE.fromMs && Date.parse(e.timestamp) < RANGE.toMs && germanMobile(e);
      expectClose(estimate.rows, breakdownTruth(events, 'visitors', keyOf, inRange));
      const day = { fromMs: FIRST_DAY + DAY_MS, toMs: FIRST_DAY + 2 * DAY_MS };
      const inDay = (e: EnrichedEvent) =>
        Date.parse(e.timestamp) >= day.fromMs && Date.parse(e.timestamp) < day.toMs && germanMobile(e);
      expect(await breakdown('visitors', by, day, filter)).toMatchObject({
        exact: true,
        rows: breakdownTruth(events, 'visitors', keyOf, inDay),
      });
    }
  });

  it('answers from the rows on a warm tier without the day breakdowns (not migrated yet)', async () => {
    await sql(`RENAME TABLE ${DIMENSION_DAYS} TO ${DIMENSION_DAYS}_away`);
    // A range of its own: answers to RANGE may still be in the query cache.
    const range = { ...RANGE, fromMs: RANGE.fromMs + HOUR_MS };
    try {
      const byPlan = await breakdown('events', 'prop.plan', range);
      expect(byPlan).toMatchObject({ tiers: ['warm'], degraded: [], exact: true });
      expect(byPlan.rows).toEqual(truth(events, 'events', 'prop.plan', range));
      const visitors = await breakdown('visitors', 'page', range);
      expect(visitors).toMatchObject({ tiers: ['warm'], degraded: [], exact: false });
      expectClose(visitors.rows, truth(events, 'visitors', 'page', range));
    } finally {
      await sql(`RENAME TABLE ${DIMENSION_DAYS}_away TO ${DIMENSION_DAYS}`);
    }
  });
});

/** Sketched rows against the truth: the same keys, each within 2% (the sketch's error is about 0.5%), at least one visitor. */
function expectClose(
  rows: readonly { key: string; value: number }[],
  want: readonly { key: string; value: number }[],
) {
  expect(rows.map((r) => r.key).sort()).toEqual(want.map((r) => r.key).sort());
  for (const row of want) {
    const got = rows.find((r) => r.key === row.key)!.value;
    expect(Math.abs(got - row.value)).toBeLessThanOrEqual(Math.max(1, row.value * 0.02));
  }
}
