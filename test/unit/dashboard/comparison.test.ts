import { describe, expect, it } from 'vitest';
import {
  comparisonLine,
  formatChange,
  percentChange,
  shiftedRange,
} from '../../../dashboard/src/comparison.ts';
import {
  averageOrderValue,
  baselineFigure,
  conversionRate,
  leadingCurrency,
  percent,
  tileFigure,
  tileOverview,
} from '../../../dashboard/src/comparison-figures.ts';

describe('change against an earlier period', () => {
  it('is a signed whole percentage, with a minus sign', () => {
    expect(comparisonLine(112, { day: 100, week: 115.5 })).toBe('+12% vs yesterday · \u22123% vs last week');
    expect(formatChange(percentChange(50, 100))).toBe('\u221250%');
    expect(formatChange(percentChange(25_000, 100))).toBe('+24,900%');
    expect(formatChange(percentChange(100.2, 100))).toBe('0%');
  });

  it('says "new" from a zero baseline, 0% from zero to zero, and a dash when either is unknown', () => {
    expect(percentChange(5, 0)).toEqual({ kind: 'new' });
    expect(formatChange(percentChange(0, 0))).toBe('0%');
    expect(formatChange(percentChange(0, 40))).toBe('\u2212100%');
    expect(comparisonLine(5, { day: 0 })).toBe('new vs yesterday · — vs last week');
    expect(comparisonLine(undefined, { day: 3, week: 4 })).toBe('— vs yesterday · — vs last week');
    expect(formatChange(percentChange(Number.NaN, 4))).toBe('—');
    expect(formatChange(percentChange(3, null))).toBe('—');
  });

  it('shifts a range back by whole days in UTC, whatever the zone', () => {
    const to = Date.UTC(2026, 2, 29, 1, 30); // the night European clocks go forward
    expect(shiftedRange(to - 300_000, to, 86_400_000)).toEqual({
      from: '2026-03-28T01:25:00.000Z',
      to: '2026-03-28T01:30:00.000Z',
    });
    expect(shiftedRange(to - 60_000, to, 7 * 86_400_000).from).toBe('2026-03-22T01:29:00.000Z');
  });
});

describe('derived tiles and the figures compared', () => {
  it('conversion rate is orders per visitor, unknown without visitors', () => {
    expect(conversionRate(3, 120)).toBe(0.025);
    expect(conversionRate(0, 50)).toBe(0);
    expect(conversionRate(3, 0)).toBeUndefined();
    expect(conversionRate(undefined, 10)).toBeUndefined();
    expect(percent(0.025)).toBe('2.5%');
    expect(percent(undefined)).toBe('—');
  });

  it('average order value is revenue per order in its one currency, unknown with several', () => {
    expect(averageOrderValue({ EUR: 150 }, 4)).toEqual({ EUR: 37.5 });
    expect(averageOrderValue({ EUR: 150, USD: 20 }, 4)).toBeUndefined();
    expect(averageOrderValue({}, 0)).toBeUndefined();
    expect(averageOrderValue({ EUR: 10 }, 0)).toBeUndefined();
  });

  it('adds the derived fields, and events per second over the window where the answer has none', () => {
    const live = tileOverview({
      events: 600,
      events_per_s: 3.5,
      orders: 2,
      unique_visitors: 40,
      revenue: { EUR: 90 },
    });
    expect(live).toMatchObject({
      events_per_s: 3.5,
      conversion_rate: 0.05,
      average_order_value: { EUR: 45 },
    });
    expect(tileOverview({ events: 600, orders: 0, unique_visitors: 0, revenue: {} })).toMatchObject({
      events_per_s: 2,
      conversion_rate: undefined,
      average_order_value: undefined,
    });
    // A query API answer says the range it covers: a filtered window of 5 minutes and 37 s.
    const filtered = { events: 674, from: '2026-01-15T10:00:00.000Z', to: '2026-01-15T10:05:37.000Z' };
    expect(tileOverview(filtered)?.events_per_s).toBe(2);
    expect(tileOverview({ ...filtered, to: 'soon' })?.events_per_s).toBe(2.2);
    expect(tileOverview(undefined)).toBeUndefined();
  });

  it('compares money in the current leading currency, counting its absence earlier as none', () => {
    const now = tileOverview({ events: 10, orders: 2, unique_visitors: 8, revenue: { EUR: 80, USD: 5 } });
    const currency = leadingCurrency(now?.revenue);
    expect(currency).toBe('EUR');
    expect(tileFigure('revenue', now, currency)).toBe(80);
    const earlier = {
      window: { events: 5, orders: 1, unique_visitors: 4, revenue: { USD: 12 } },
      minute: undefined,
    };
    expect(baselineFigure('revenue', earlier, currency)).toBe(0);
    expect(baselineFigure('events', earlier, currency)).toBe(5);
    expect(baselineFigure('conversion_rate', earlier, currency)).toBe(0.25);
    expect(baselineFigure('events_per_s', earlier, currency)).toBe(0);
    expect(tileFigure('revenue', tileOverview({ revenue: {} }), undefined)).toBe(0);
  });

  it('compares "Active now" with the visitors of the earlier period\'s last minute', () => {
    const earlier = {
      window: { unique_visitors: 90, active_now: 7 },
      minute: { unique_visitors: 12, active_now: 7 },
    };
    expect(baselineFigure('active_now', earlier, undefined)).toBe(12);
    expect(
      baselineFigure('active_now', { window: earlier.window, minute: undefined }, undefined),
    ).toBeUndefined();
  });
});
