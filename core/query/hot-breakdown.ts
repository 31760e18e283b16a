import type { MergedTally, TallyCounts } from '../aggregation/bounded-tally.ts';
import { BREAKDOWN_KEEP_SECONDS } from '../aggregation/breakdown-counters.ts';
import type { BreakdownQuery, BreakdownRow } from './breakdown-query.ts';
import type { FixedDimension } from './dimension.ts';

const MINUTE_MS = 60_000;

/**
 * Whether the hot tier's minute breakdowns (core/aggregation/breakdown-counters.ts) can answer
 * a breakdown: events, orders or revenue by a fixed dimension, with no filter (a minute bucket
 * keeps one dimension at a time), over whole minutes that are all still kept. Anything else is
 * the warm tier's (core/query/breakdown-query.ts).
 */
export function hotBreakdownDimension(q: BreakdownQuery, nowMs: number): FixedDimension | undefined {
  if (q.metric === 'visitors' || q.filters.length > 0 || q.by.kind !== 'fixed') return undefined;
  if (q.fromMs % MINUTE_MS !== 0 || q.toMs % MINUTE_MS !== 0) return undefined;
  // The minute starting at `from` is kept until BREAKDOWN_KEEP_SECONDS after it ends.
  if (q.fromMs + MINUTE_MS + BREAKDOWN_KEEP_SECONDS * 1000 <= nowMs) return undefined;
  return q.by.name;
}

function metricOf(q: Pick<BreakdownQuery, 'metric' | 'currency'>, counts: TallyCounts): number {
  if (q.metric === 'orders') return counts.orders;
  if (q.metric === 'revenue') return counts.revenue.get(q.currency ?? '') ?? 0;
  return counts.events;
}

export interface HotBreakdownAnswer {
  readonly rows: BreakdownRow[];
  /** The metric summed over the values that found no place of their own in some minute. */
  readonly other: number;
  /**
   * Every row is whole: nothing of this metric went to "other", and no revenue in the currency
   * asked for was left out for want of a currency place.
   */
  readonly exact: boolean;
}

/** The largest `limit` values of the metric over the minutes read, as the warm tier orders them. */
export function hotBreakdownRows(
  q: Pick<BreakdownQuery, 'metric' | 'currency' | 'limit'>,
  tally: MergedTally,
): HotBreakdownAnswer {
  const revenueLost =
    q.metric === 'revenue' &&
    tally.buckets.some((b) => b.revenueLeftOut > 0 && !b.currencies.has(q.currency ?? ''));
  const other = metricOf(q, tally.other);
  const rows = [...tally.values]
    .map(([key, counts]) => ({ key, value: metricOf(q, counts) }))
    .filter((r) => r.value > 0)
    .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, q.limit)
    .map((r) => (q.metric === 'revenue' ? { key: r.key, value: r.value / 100 } : r));
  return {
    rows,
    other: q.metric === 'revenue' ? other / 100 : other,
    exact: other === 0 && !revenueLost,
  };
}
