import { describe, expect, it } from 'vitest';
import { readTallyHash } from '../../../core/aggregation/bounded-tally.ts';
import {
  BREAKDOWN_BOUND,
  BREAKDOWN_VISITORS_KEEP_SECONDS,
} from '../../../core/aggregation/breakdown-counters.ts';
import { parseDimension } from '../../../core/query/dimension.ts';
import type { Filter } from '../../../core/query/filter.ts';
import { hotFilteredNumbers, hotFilteredRead } from '../../../core/query/hot-filtered-overview.ts';

const MINUTE_MS = Date.parse('2026-01-15T10:00:00.000Z');
const NOW = MINUTE_MS + 5 * 60_000 + 17_000;
const filter = (dimension: string, value: string): Filter => ({
  dimension: parseDimension(dimension, 'filter'),
  value,
});
const range = (fromMs: number, toMs = NOW) => ({ fromMs, toMs });

describe('a filtered overview from the hot tier: which questions', () => {
  it('reads one value of a fixed dimension over whole minutes up to now or a minute', () => {
    expect(hotFilteredRead([filter('campaign', 'spring')], range(MINUTE_MS), NOW)).toEqual({
      dimension: 'campaign',
      value: 'spring',
      minutes: [0, 1, 2, 3, 4, 5].map((m) => MINUTE_MS / 1000 + 60 * m),
    });
    expect(
      hotFilteredRead([filter('country', 'DE')], range(MINUTE_MS, MINUTE_MS + 120_000), NOW)?.minutes,
    ).toEqual([MINUTE_MS / 1000, MINUTE_MS / 1000 + 60]);
  });

  it('leaves to the warm tier what the minute breakdowns cannot answer whole', () => {
    const one = [filter('campaign', 'spring')];
    expect(hotFilteredRead([...one, filter('os', 'iOS')], range(MINUTE_MS), NOW)).toBeUndefined();
    expect(hotFilteredRead([filter('prop.plan', 'pro')], range(MINUTE_MS), NOW)).toBeUndefined();
    // A dimension the dashboard does not filter by with a click keeps no visitors per value.
    expect(hotFilteredRead([filter('os', 'iOS')], range(MINUTE_MS), NOW)).toBeUndefined();
    expect(hotFilteredRead([filter('campaign', 'x'.repeat(201))], range(MINUTE_MS), NOW)).toBeUndefined();
    expect(hotFilteredRead(one, range(MINUTE_MS + 1000), NOW)).toBeUndefined();
    expect(hotFilteredRead(one, range(MINUTE_MS, NOW - 1000), NOW)).toBeUndefined();
    // The first minute's visitors are gone BREAKDOWN_VISITORS_KEEP_SECONDS after it ends.
    const expired = MINUTE_MS + 60_000 + BREAKDOWN_VISITORS_KEEP_SECONDS * 1000;
    expect(hotFilteredRead(one, range(MINUTE_MS, expired), expired)).toBeUndefined();
    expect(hotFilteredRead(one, range(MINUTE_MS, expired - 60_000), expired - 60_000)).toBeDefined();
  });
});

describe('a filtered overview from the hot tier: the numbers', () => {
  it('adds the value’s counts, revenue and types over the minutes', () => {
    const numbers = hotFilteredNumbers(
      'spring',
      [
        readTallyHash({ '#': '2', 'e:spring': '3', 't:page_view:spring': '3', 'e:brand': '9' }),
        readTallyHash({ '#': '1', 'e:brand': '4' }),
        readTallyHash({
          '#': '1',
          'e:spring': '2',
          'o:spring': '1',
          'r:EUR:spring': '1999',
          't:page_view:spring': '1',
          't:purchase:spring': '1',
        }),
      ],
      4,
    );
    expect(numbers).toEqual({
      events: 5,
      by_type: { page_view: 4, purchase: 1 },
      orders: 1,
      revenue: { EUR: 19.99 },
      unique_visitors: 4,
    });
  });

  it('answers nothing where a minute may hold the value in "other" or lost its types or revenue', () => {
    const full = String(BREAKDOWN_BOUND.values);
    expect(hotFilteredNumbers('spring', [readTallyHash({ '#': full, '*e': '9' })], 0)).toBeUndefined();
    expect(
      hotFilteredNumbers(
        'spring',
        [readTallyHash({ '#': '1', 'e:spring': '2', 't:click:spring': '1', '!t': '1' })],
        1,
      ),
    ).toBeUndefined();
    expect(
      hotFilteredNumbers(
        'spring',
        [readTallyHash({ '#': '1', 'e:spring': '1', 't:purchase:spring': '1', '!r': '1' })],
        1,
      ),
    ).toBeUndefined();
    // A minute with room left never saw the value: none of its events.
    expect(hotFilteredNumbers('spring', [readTallyHash({ '#': '3', 'e:brand': '9' })], 0)).toMatchObject({
      events: 0,
    });
  });
});
