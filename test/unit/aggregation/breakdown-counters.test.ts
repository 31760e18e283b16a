import { describe, expect, it } from 'vitest';
import { mergeTallyReadings, readTallyHash } from '../../../core/aggregation/bounded-tally.ts';
import {
  BREAKDOWN_BOUND,
  BREAKDOWN_KEEP_SECONDS,
  BREAKDOWN_VISITORS_KEEP_SECONDS,
  breakdownKey,
  breakdownVisitorsKey,
  dimensionValue,
  planBreakdowns,
  referrerHost,
} from '../../../core/aggregation/breakdown-counters.ts';
import { partitionBatches } from '../../../core/aggregation/msk-batch.ts';
import { encodePlan, RedisPlan } from '../../../core/aggregation/redis-plan.ts';
import type { BreakdownQuery } from '../../../core/query/breakdown-query.ts';
import { parseDimension } from '../../../core/query/dimension.ts';
import { hotBreakdownDimension, hotBreakdownRows } from '../../../core/query/hot-breakdown.ts';
import { enrichedEvent, mskEventOf } from './factories.ts';

const T = Date.parse('2026-01-15T10:00:30.000Z');
const MINUTE = Date.parse('2026-01-15T10:00:00.000Z') / 1000;

const campaign = (name: string, overrides = {}) =>
  enrichedEvent({
    timestamp: new Date(T - 10_000).toISOString(),
    attribution: {
      source: 'google',
      medium: 'cpc',
      campaign: name,
      term: null,
      content: null,
      click_ids: {},
    },
    ...overrides,
  });

describe('live breakdowns: what a batch adds', () => {
  it('reads the referring host as ClickHouse domainWithoutWWW does', () => {
    expect(referrerHost('https://www.google.com/search?q=shoes')).toBe('google.com');
    expect(referrerHost('http://user:pw@news.ycombinator.com:8080/item')).toBe('news.ycombinator.com');
    expect(referrerHost('//cdn.example.org/a')).toBe('cdn.example.org');
    expect(referrerHost('example.com/path')).toBe('example.com');
    expect(referrerHost('')).toBe('');
  });

  it('gives an event the keys the warm tier gives it', () => {
    const event = campaign('spring', {
      page: { path: '/shoes', url: 'https://shop.example/shoes', referrer: 'https://www.bing.com/' },
      geo: { country: 'FR', region: null, city: null },
      user_agent: { browser: null, browser_version: null, os: 'iOS', device_type: 'mobile' },
    });
    expect(
      ['type', 'source', 'medium', 'campaign', 'referrer', 'device', 'browser', 'os', 'country', 'page'].map(
        (d) => dimensionValue(event, d as never),
      ),
    ).toEqual(['page_view', 'google', 'cpc', 'spring', 'bing.com', 'mobile', '', 'iOS', 'FR', '/shoes']);
    expect(dimensionValue(enrichedEvent(), 'campaign')).toBe('');
  });

  it('offers values largest first, sends overlong ones to "other" and leaves minutes no longer kept', () => {
    const events = [
      campaign('b'),
      campaign('a'),
      campaign('b'),
      campaign('x'.repeat(201)),
      campaign('c', {
        type: 'purchase',
        order: { id: 'o1', revenue: 12.34, currency: 'EUR' },
      }),
      campaign('old', { timestamp: new Date(T - (BREAKDOWN_KEEP_SECONDS + 120) * 1000).toISOString() }),
    ];
    const [batch] = partitionBatches(mskEventOf(events));
    const plan = new RedisPlan();
    planBreakdowns(batch!.events, plan, T);
    const key = breakdownKey('shop', 'campaign', MINUTE);
    expect([...plan.boundedTallies.keys()]).toHaveLength(10);
    expect(plan.expiries.get(key)).toBe(MINUTE + 60 + BREAKDOWN_KEEP_SECONDS);
    const { keys, args } = encodePlan(plan);
    const ref = String(keys.indexOf(key) + 1);
    const at = args.findIndex((a, i) => a === 'B' && args[i + 1] === ref);
    expect(args.slice(at + 2, at + 2 + 4 + 4 * 7 + 2)).toEqual([
      ...[
        String(BREAKDOWN_BOUND.values),
        String(BREAKDOWN_BOUND.currencies),
        String(BREAKDOWN_BOUND.types),
        '4',
      ],
      ...['vb', '2', '0', '0', '1', 'page_view', '2'],
      ...['va', '1', '0', '0', '1', 'page_view', '1'],
      ...['vc', '1', '1', '1', 'EUR', '1234', '1', 'purchase', '1'],
      ...['x', '1', '0', '0', '1', 'page_view', '1'],
    ]);
    // Each value's visitors, for the apply step to add while the value has a place; none for
    // the overlong value, which is "other" wherever it goes.
    const visitors = (value: string) =>
      plan.tallyValueVisitors.get(breakdownVisitorsKey('shop', 'campaign', MINUTE, value));
    expect(visitors('b')).toEqual({
      tally: key,
      value: 'b',
      expireAtSec: MINUTE + 60 + BREAKDOWN_VISITORS_KEEP_SECONDS,
      visitors: new Set([1]),
    });
    expect(plan.visitors).toEqual(['u1']);
    // Only the dimensions the dashboard filters by with a click keep their values' visitors.
    const kept = new Set([...plan.tallyValueVisitors.keys()].map((k) => k.split(':')[3]));
    expect(kept).toEqual(new Set(['source', 'campaign', 'country', 'device', 'page']));
    // And only they keep events per type: the others' tallies send none.
    const os = plan.boundedTallies.get(breakdownKey('shop', 'os', MINUTE));
    expect([...(os?.members.values() ?? [])].map((c) => c.byType.size)).toEqual([0]);
    expect(visitors('x'.repeat(201))).toBeUndefined();
  });

  it('leaves bots out of a value’s visitors and counts their events', () => {
    const [batch] = partitionBatches(
      mskEventOf([campaign('a', { is_bot: true }), campaign('a', { user_id: 'u2' })]),
    );
    const plan = new RedisPlan();
    planBreakdowns(batch!.events, plan, T);
    expect(
      plan.tallyValueVisitors.get(breakdownVisitorsKey('shop', 'campaign', MINUTE, 'a'))?.visitors,
    ).toEqual(new Set([1]));
    expect(plan.visitors).toEqual(['u2']);
    expect(plan.boundedTallies.get(breakdownKey('shop', 'campaign', MINUTE))?.members.get('va')?.events).toBe(
      2,
    );
  });
});

describe('live breakdowns: what a reader answers', () => {
  const query = (over: Partial<BreakdownQuery> = {}): BreakdownQuery => ({
    project: 'shop',
    metric: 'events',
    by: parseDimension('campaign', 'by'),
    filters: [],
    fromMs: MINUTE * 1000,
    toMs: MINUTE * 1000 + 120_000,
    limit: 10,
    ...over,
  });

  it('answers from the hot tier only whole, kept minutes of a fixed dimension, unfiltered, not visitors', () => {
    const now = MINUTE * 1000 + 120_000;
    expect(hotBreakdownDimension(query(), now)).toBe('campaign');
    expect(hotBreakdownDimension(query({ metric: 'visitors' }), now)).toBeUndefined();
    expect(hotBreakdownDimension(query({ by: parseDimension('prop.plan', 'by') }), now)).toBeUndefined();
    expect(
      hotBreakdownDimension(
        query({ filters: [{ dimension: parseDimension('os', 'f'), value: 'iOS' }] }),
        now,
      ),
    ).toBeUndefined();
    expect(hotBreakdownDimension(query({ fromMs: MINUTE * 1000 + 1000 }), now)).toBeUndefined();
    expect(hotBreakdownDimension(query(), now + BREAKDOWN_KEEP_SECONDS * 1000)).toBeUndefined();
  });

  it('says a metric is whole only when none of it went to "other" or lost its currency', () => {
    const tally = mergeTallyReadings([
      readTallyHash({ '#': '2', 'e:a': '5', 'e:b': '7', 'o:b': '2', 'r:EUR:b': '1999', '*e': '40' }),
      readTallyHash({ '#': '1', 'e:a': '3', $: '1', '$:EUR': '1', '!r': '4' }),
    ]);
    expect(hotBreakdownRows(query(), tally)).toEqual({
      rows: [
        { key: 'a', value: 8 },
        { key: 'b', value: 7 },
      ],
      other: 40,
      exact: false,
    });
    expect(hotBreakdownRows(query({ metric: 'orders' }), tally)).toEqual({
      rows: [{ key: 'b', value: 2 }],
      other: 0,
      exact: true,
    });
    // The first minute kept no currency mark and left none out; the second kept EUR.
    expect(hotBreakdownRows(query({ metric: 'revenue', currency: 'EUR' }), tally).exact).toBe(true);
    expect(hotBreakdownRows(query({ metric: 'revenue', currency: 'USD' }), tally)).toMatchObject({
      rows: [],
      exact: false,
    });
  });
});
