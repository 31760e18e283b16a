import { describe, expect, it } from 'vitest';
import { answerMetric, type QueryCache, type TierReader } from '../../../core/query/metric-answer.ts';
import {
  type MetricQuery,
  stepStarts,
  validateMetricQuery,
  WARM_KEEP_MS,
  WARM_SPAN_MS,
} from '../../../core/query/metric-query.ts';
import { routeByAge, type Tier } from '../../../core/query/tier-routing.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-03-31T12:00:00Z');
const q = (fromMs: number, toMs: number, stepSeconds = 3600): MetricQuery => ({
  project: 'shop',
  metric: 'events',
  fromMs,
  toMs,
  stepSeconds,
});

describe('steps', () => {
  // 2026-03-31 is day 20543 since the epoch (odd), 2026-04-01 is even: epoch-aligned 2-day
  // steps would cut one of these ranges in two.
  it.each([
    ['an odd day', Date.parse('2026-03-31T00:00:00Z')],
    ['an even day', Date.parse('2026-04-01T00:00:00Z')],
    ["a year's last day", Date.parse('2026-12-31T00:00:00Z')],
  ])('start at from, so two days from %s are one step', (_, fromMs) => {
    expect(stepStarts({ fromMs, toMs: fromMs + 2 * DAY, stepSeconds: 2 * 86_400 })).toEqual([fromMs]);
  });

  it('floor from only to the grain the tiers keep: the minute for steps of whole minutes', () => {
    const from = Date.parse('2026-03-31T10:17:42.250Z');
    expect(stepStarts({ fromMs: from, toMs: from + 2 * HOUR, stepSeconds: 3600 })).toEqual([
      Date.parse('2026-03-31T10:17:00Z'),
      Date.parse('2026-03-31T11:17:00Z'),
      Date.parse('2026-03-31T12:17:00Z'),
    ]);
    expect(stepStarts({ fromMs: from, toMs: from + 20_000, stepSeconds: 10 })[0]).toBe(
      Date.parse('2026-03-31T10:17:42Z'),
    );
  });

  it("route tiers on the query's own grid", () => {
    const from = NOW - 40 * DAY + 17 * 60_000;
    for (const span of routeByAge(q(from, NOW), NOW)) expect((span.fromMs - from) % HOUR).toBe(0);
  });
});

describe('routing by age', () => {
  it('sends the last day to Redis, the last month to the rollups, older to the archive', () => {
    expect(routeByAge(q(NOW - 40 * DAY, NOW), NOW)).toEqual([
      { tier: 'cold', fromMs: NOW - 40 * DAY, toMs: NOW - 30 * DAY },
      { tier: 'warm', fromMs: NOW - 30 * DAY, toMs: NOW - DAY + HOUR },
      { tier: 'hot', fromMs: NOW - DAY + HOUR, toMs: NOW },
    ]);
    expect(routeByAge(q(NOW - HOUR, NOW), NOW).map((s) => s.tier)).toEqual(['hot']);
    expect(routeByAge(q(NOW - 3 * DAY, NOW - 2 * DAY), NOW).map((s) => s.tier)).toEqual(['warm']);
  });

  it.each([
    ['seconds', 1],
    ['minutes', 60],
    ['hours', 3600],
    ['days', 86_400],
  ])(
    'reads the last 30 days in steps of %s from the warm tier alone, however `from` falls on the grid',
    (_, step) => {
      // The warm tier keeps a day more than it answers (WARM_KEEP_MS): the step holding the
      // boundary is whole there, so no sliver of the range goes to the archive.
      for (const now of [NOW, NOW + 17 * 60_000 + 42_123]) {
        const spans = routeByAge(q(now - 30 * DAY, now, step), now);
        expect(spans[0]).toMatchObject({ tier: 'warm', fromMs: now - 30 * DAY });
        expect(spans.map((s) => s.tier)).not.toContain('cold');
      }
    },
  );

  it('starts the warm tier after a step that reaches past what it keeps', () => {
    const week = 7 * 86_400;
    const from = NOW - 40 * DAY;
    // Steps from `from`: one starts at NOW - 33 days and holds the boundary, but reaches 2 days
    // past the warm tier's 31; the next, at NOW - 26 days, is the warm tier's first.
    expect(routeByAge(q(from, NOW, week), NOW)).toEqual([
      { tier: 'cold', fromMs: from, toMs: NOW - 26 * DAY },
      { tier: 'warm', fromMs: NOW - 26 * DAY, toMs: NOW },
    ]);
    expect(WARM_KEEP_MS - WARM_SPAN_MS).toBe(DAY);
  });

  it('rejects bad queries, naming the field and the rule', () => {
    expect(() => validateMetricQuery({ ...q(NOW, NOW - 1) })).toThrow(/from\/to: must be integer/);
    expect(() => validateMetricQuery({ ...q(NOW - HOUR, NOW, 30), metric: 'visitors' })).toThrow(
      /multiple of 60/,
    );
    expect(() => validateMetricQuery({ ...q(NOW - HOUR, NOW), metric: 'revenue' })).toThrow(
      /currency: revenue needs/,
    );
    expect(() => validateMetricQuery({ ...q(NOW - DAY, NOW, 1) })).toThrow(/more than 10000 points/);
    expect(() => validateMetricQuery({ ...q(NOW - DAY, NOW), project: 'a b' })).toThrow(/project:/);
  });
});

describe('answering a metric', () => {
  it('merges tier answers into every step, zero-filled, and serves repeats from the cache', async () => {
    const asked: Tier[] = [];
    const reader =
      (tier: Tier, value: number): TierReader =>
      async (part) => {
        asked.push(tier);
        return new Map([[part.fromMs - (part.fromMs % HOUR), value]]);
      };
    const store = new Map<string, unknown>();
    const cache: QueryCache = {
      get: async (k) => store.get(k) as never,
      set: async (k, v) => {
        store.set(k, v);
      },
    };
    const readers = { hot: reader('hot', 5), warm: reader('warm', 7), cold: reader('cold', 9) };
    const query = q(NOW - DAY - 2 * HOUR, NOW);
    const first = await answerMetric(query, readers, NOW, cache);
    expect(first.tiers).toEqual(['warm', 'hot']);
    expect(first.points).toHaveLength(26);
    expect(first.points[0]).toEqual({ t: NOW - DAY - 2 * HOUR, value: 7 });
    expect(first.points.filter((p) => p.value === 5)).toHaveLength(1);
    expect(first.points.filter((p) => p.value === 0)).toHaveLength(24);
    const second = await answerMetric(query, readers, NOW, cache);
    expect(second.cached).toBe(true);
    expect(second.points).toEqual(first.points);
    expect(asked).toEqual(['warm', 'hot']);
  });
});
