import { mergeTallyReadings, type TallyReading } from '../aggregation/bounded-tally.ts';
import {
  BREAKDOWN_BOUND,
  BREAKDOWN_VISITORS_KEEP_SECONDS,
  breakdownKeepsValue,
  OVERVIEW_DIMENSIONS,
} from '../aggregation/breakdown-counters.ts';
import { bucketsBetween, MINUTE } from '../aggregation/time-buckets.ts';
import type { FixedDimension } from './dimension.ts';
import type { Filter } from './filter.ts';
import type { OverviewNumbers } from './overview-numbers.ts';
import type { TimeRange } from './whole-days.ts';

const MINUTE_MS = MINUTE * 1000;

/** What the hot tier reads for a filtered overview: one value's minute buckets. */
export interface HotFilteredRead {
  readonly dimension: FixedDimension;
  readonly value: string;
  /** The minutes' starts, epoch seconds, oldest first. */
  readonly minutes: readonly number[];
}

/**
 * Whether the hot tier's minute breakdowns (core/aggregation/breakdown-counters.ts) can answer
 * an overview filtered to one value of a dimension whose values keep their types and visitors
 * (OVERVIEW_DIMENSIONS: source, campaign, country, device, page): a bucket keeps one dimension, so
 * one filter; whole minutes, so a range that starts on a minute and ends on one or now (the
 * current minute holds its events so far); and a range whose first minute still has its
 * visitors (BREAKDOWN_VISITORS_KEEP_SECONDS). The dashboard asks for its filtered tiles so
 * (dashboard/src/live-window.ts); any other range is the warm tier's, exact to the second.
 */
export function hotFilteredRead(
  filters: readonly Filter[],
  range: TimeRange,
  nowMs: number,
): HotFilteredRead | undefined {
  const [filter] = filters;
  if (filters.length !== 1 || filter?.dimension.kind !== 'fixed') return undefined;
  if (!OVERVIEW_DIMENSIONS.has(filter.dimension.name)) return undefined;
  if (!breakdownKeepsValue(filter.value)) return undefined;
  if (range.fromMs % MINUTE_MS !== 0) return undefined;
  if (range.toMs % MINUTE_MS !== 0 && range.toMs < nowMs) return undefined;
  // The first minute's visitors expire BREAKDOWN_VISITORS_KEEP_SECONDS after it ends; a second spare.
  if (range.fromMs + MINUTE_MS + BREAKDOWN_VISITORS_KEEP_SECONDS * 1000 <= nowMs + 1000) return undefined;
  const minutes = bucketsBetween(range.fromMs / 1000, Math.ceil(range.toMs / 1000), MINUTE);
  return { dimension: filter.dimension.name, value: filter.value, minutes };
}

/**
 * The value's numbers over the buckets read, or undefined where they are not whole: a bucket
 * that filled up without the value (its events, if any, are in "other"), a bucket that left
 * some of the value's types or some revenue out for want of a place. Visitors are the union of
 * the value's HyperLogLogs, an estimate as the unfiltered hot overview's are.
 */
export function hotFilteredNumbers(
  value: string,
  buckets: readonly TallyReading[],
  visitors: number,
): OverviewNumbers | undefined {
  for (const bucket of buckets) {
    const counts = bucket.values.get(value);
    if (counts === undefined) {
      if (bucket.admitted >= BREAKDOWN_BOUND.values) return undefined;
      continue;
    }
    let typed = 0;
    for (const n of counts.byType.values()) typed += n;
    if (typed !== counts.events || bucket.revenueLeftOut > 0) return undefined;
  }
  const whole = mergeTallyReadings(buckets).values.get(value);
  return {
    events: whole?.events ?? 0,
    by_type: Object.fromEntries(whole?.byType ?? []),
    orders: whole?.orders ?? 0,
    revenue: Object.fromEntries(
      [...(whole?.revenue ?? [])].map(([currency, minor]) => [currency, minor / 100]),
    ),
    unique_visitors: visitors,
  };
}
