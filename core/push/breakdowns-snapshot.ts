import type { MergedTally, TallyCounts } from '../aggregation/bounded-tally.ts';
import type { FixedDimension } from '../query/dimension.ts';
import type { JsonObject } from './merge-patch.ts';

/** Values per dimension on the breakdowns channel: a panel's worth, largest by events first. */
export const BREAKDOWN_CHANNEL_ROWS = 10;

const money = (minor: number) => Math.round(minor) / 100;

function countsJson(counts: TallyCounts): JsonObject {
  const revenue: JsonObject = {};
  for (const [currency, minor] of [...counts.revenue].sort(([a], [b]) => (a < b ? -1 : 1)))
    revenue[currency] = money(minor);
  return { events: counts.events, orders: counts.orders, revenue };
}

/**
 * The breakdowns channel: per fixed dimension, its largest values over the live window by
 * events, each with its orders and revenue, and "other" (values that found no place in the
 * hot tier's bounded buckets, core/aggregation/bounded-tally.ts). Keyed by dimension, so a
 * delta carries only the dimensions that moved.
 */
export function breakdownsSnapshot(
  windowSeconds: number,
  tallies: ReadonlyMap<FixedDimension, MergedTally>,
): JsonObject {
  const dimensions: JsonObject = {};
  for (const [dimension, tally] of tallies) {
    const rows = [...tally.values]
      .sort(([a, x], [b, y]) => y.events - x.events || (a < b ? -1 : a > b ? 1 : 0))
      .slice(0, BREAKDOWN_CHANNEL_ROWS)
      .map(([key, counts]) => ({ key, ...countsJson(counts) }));
    dimensions[dimension] = { rows, other: countsJson(tally.other) };
  }
  return { window_s: windowSeconds, dimensions };
}
