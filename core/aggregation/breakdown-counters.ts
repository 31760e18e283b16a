import type { EnrichedEvent } from '../events/enriched-event.ts';
import { FIXED_DIMENSIONS, type FixedDimension } from '../query/dimension.ts';
import { addToTally, type BoundedTally, memberOf, OTHER_MEMBER, type TallyBound } from './bounded-tally.ts';
import { revenueMinorUnits, visitorOf } from './event-decoding.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { KEY_ROOT } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { MINUTE } from './time-buckets.ts';

/**
 * Live breakdowns: events, orders and revenue per value of each fixed dimension
 * (core/query/dimension.ts) per minute, in the hot tier, for the breakdowns channel and for
 * `/v1/metrics/breakdown` over the last minutes; for the OVERVIEW_DIMENSIONS also each value's
 * events per type and visitors, for a filtered overview of the live window
 * (core/query/hot-filtered-overview.ts). The key space is bounded whatever the traffic
 * (core/aggregation/bounded-tally.ts): a bot spraying 100,000 campaign names in a minute adds 50
 * values and "other" to that minute's campaign bucket, not 100,000 fields, and at most 50
 * visitor HyperLogLogs.
 *
 * The bound, per project and minute (BREAKDOWN_BOUND_BYTES, BREAKDOWN_VISITORS_BOUND_BYTES):
 *   - keys: one hash per dimension, 10, and one HyperLogLog per value with a place of the 5
 *     OVERVIEW_DIMENSIONS, 250;
 *   - fields per hash: 50 values and "other", each with events, orders and revenue in at most
 *     3 currencies (5 fields), each value of an overview dimension with its events in at most 8
 *     types, plus the marks and counters of currencies and types: at most 671
 *     (BREAKDOWN_FIELDS_PER_KEY; the other dimensions' hashes keep no types, at most 261);
 *   - bytes per hash: a field is at most 269 bytes of name (`t:`, a type of at most 66 bytes,
 *     `:` and a value of at most 200 bytes; a longer value counts as "other"), 20 of value and
 *     96 of Redis's own per field: 671 x 385 = 258,335 bytes and about 200 for the key;
 *   - bytes per HyperLogLog: at most Redis's dense form, 14,336 as allocated, and about 500
 *     for the key;
 *   - per project and minute: at most 10 x 258,535 = 2.6 MB of hashes, kept 11 minutes
 *     (BREAKDOWN_KEEP_SECONDS after the minute ends), at most about 28 MB; and 250 x 14,836 =
 *     3.7 MB of HyperLogLogs, kept 6 minutes (BREAKDOWN_VISITORS_KEEP_SECONDS), at most 7
 *     minutes' worth at once: about 26 MB.
 * A real minute's keys are far smaller: most values are a few bytes, most dimensions have a
 * handful of values, and a HyperLogLog stays in its sparse form (a few hundred bytes) until a
 * value has well over a thousand visitors in the minute.
 */
export const BREAKDOWN_BOUND: TallyBound = { values: 50, currencies: 3, types: 8 };
/** A value longer than this (bytes) counts as "other": it would make every field of its value long. */
export const BREAKDOWN_VALUE_BYTES = 200;
/** How long a minute's breakdown is kept after the minute ends: the live window and some to spare. */
export const BREAKDOWN_KEEP_SECONDS = 10 * MINUTE;
/**
 * How long a value's visitors of a minute are kept after the minute ends: the live window (five
 * minutes) and one to spare; only the filtered overview of the live window reads them.
 */
export const BREAKDOWN_VISITORS_KEEP_SECONDS = 6 * MINUTE;
/**
 * The dimensions whose values keep what a filtered overview needs beside their counts, events
 * per type and visitors: those the dashboard filters by with a click (its source, page,
 * country, device and campaign panels). Each costs the hot tier's Redis a HyperLogLog add and a
 * type's increment per event; a filtered overview by another dimension is the warm tier's.
 */
export const OVERVIEW_DIMENSIONS: ReadonlySet<FixedDimension> = new Set([
  'source',
  'campaign',
  'country',
  'device',
  'page',
]);

/**
 * Redis's own cost of a hash field (entry, two strings, the allocator's rounding of a long name
 * up to its size class), a generous figure.
 */
const FIELD_OVERHEAD_BYTES = 96;
const KEY_OVERHEAD_BYTES = 200;
/** The longest event type (core/events/event-types.ts: `x_` and 64 characters). */
const TYPE_BYTES = 66;
/**
 * A HyperLogLog's dense form, its largest: 16,384 six-bit registers and a 16-byte header, 12,304
 * bytes, in the allocator's 14 KiB size class.
 */
const HYPERLOGLOG_DENSE_BYTES = 14_336;

/** The most fields a breakdown hash can hold under BREAKDOWN_BOUND. */
export const BREAKDOWN_FIELDS_PER_KEY =
  (BREAKDOWN_BOUND.values + 1) * (2 + BREAKDOWN_BOUND.currencies) +
  BREAKDOWN_BOUND.values * BREAKDOWN_BOUND.types +
  BREAKDOWN_BOUND.currencies +
  BREAKDOWN_BOUND.types +
  5;
/** The longest field name: `t:{type}:{value}`. */
const FIELD_NAME_BYTES = 't:'.length + TYPE_BYTES + ':'.length + BREAKDOWN_VALUE_BYTES;
/** The most bytes one breakdown hash takes (field name, a 20-digit value and Redis's overhead each). */
export const BREAKDOWN_BOUND_BYTES_PER_KEY =
  BREAKDOWN_FIELDS_PER_KEY * (FIELD_NAME_BYTES + 20 + FIELD_OVERHEAD_BYTES) + KEY_OVERHEAD_BYTES;
/** The most bytes a project's breakdowns of one minute take: one hash per dimension. */
export const BREAKDOWN_BOUND_BYTES = FIXED_DIMENSIONS.length * BREAKDOWN_BOUND_BYTES_PER_KEY;
/** The most bytes one value's visitors of a minute take (its key holds the value). */
export const BREAKDOWN_VISITORS_BOUND_BYTES_PER_KEY =
  HYPERLOGLOG_DENSE_BYTES + KEY_OVERHEAD_BYTES + 100 + BREAKDOWN_VALUE_BYTES;
/** The most bytes a project's value visitors of one minute take: one HyperLogLog per value with a place. */
export const BREAKDOWN_VISITORS_BOUND_BYTES =
  OVERVIEW_DIMENSIONS.size * BREAKDOWN_BOUND.values * BREAKDOWN_VISITORS_BOUND_BYTES_PER_KEY;

/** Whether a value may take a place of its own in a breakdown; a longer one is always "other". */
export const breakdownKeepsValue = (value: string): boolean =>
  Buffer.byteLength(value) <= BREAKDOWN_VALUE_BYTES;

/** `{sp}:{p}:bd:{dimension}:{minute}`: the hash of core/aggregation/bounded-tally.ts. */
export const breakdownKey = (project: string, dimension: FixedDimension, minute: number): string =>
  `${KEY_ROOT}:${project}:bd:${dimension}:${minute}`;

/** `{sp}:{p}:bv:{dimension}:{minute}:{value}`: the HyperLogLog of a value's visitors (bots left out). */
export const breakdownVisitorsKey = (
  project: string,
  dimension: FixedDimension,
  minute: number,
  value: string,
): string => `${KEY_ROOT}:${project}:bv:${dimension}:${minute}:${value}`;

/**
 * The referring host as ClickHouse's domainWithoutWWW reads it in the warm and cold tiers
 * (io/clickhouse/event-rows.ts): the host of the URL, with or without a scheme, without
 * credentials, port or a leading `www.`; '' when there is none.
 */
export function referrerHost(referrer: string): string {
  const match = /^(?:[A-Za-z][A-Za-z0-9+.-]*:)?\/\/([^/?#]*)/.exec(referrer) ?? /^([^/?#]*)/.exec(referrer);
  let host = match?.[1] ?? '';
  host = host.slice(host.lastIndexOf('@') + 1).replace(/:\d*$/, '');
  return host.startsWith('www.') ? host.slice(4) : host;
}

/**
 * The event's value of a dimension, as core/aggregation/warehouse-row.ts and the event rows of
 * io/clickhouse/event-rows.ts make it, so the hot tier and the warm one give an event the same
 * key: '' where it is missing, 'unknown' for a missing device.
 */
export function dimensionValue(event: EnrichedEvent, dimension: FixedDimension): string {
  switch (dimension) {
    case 'type':
      return event.type;
    case 'source':
      return event.attribution?.source ?? '';
    case 'medium':
      return event.attribution?.medium ?? '';
    case 'campaign':
      return event.attribution?.campaign ?? '';
    case 'referrer':
      return referrerHost(event.page?.referrer ?? '');
    case 'device':
      return event.user_agent?.device_type ?? 'unknown';
    case 'browser':
      return event.user_agent?.browser ?? '';
    case 'os':
      return event.user_agent?.os ?? '';
    case 'country':
      return event.geo?.country ?? '';
    case 'page':
      return event.page?.path ?? '';
  }
}

/**
 * Adds a batch's events to the minute breakdowns of every fixed dimension. Bots count, as in the
 * warm tier's breakdowns of events, orders and revenue, but not as visitors; orders are
 * purchases, revenue is the order's. Events of minutes no longer kept are left to the warm tier.
 */
export function planBreakdowns(events: readonly PositionedEvent[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  const tallies = new Map<string, { tally: BoundedTally; visitors: Map<string, Set<number>> }>();
  for (const { event, timeMs } of events) {
    const second = Math.floor(timeMs / 1000);
    const minute = second - (((second % MINUTE) + MINUTE) % MINUTE);
    const expireAt = minute + MINUTE + BREAKDOWN_KEEP_SECONDS;
    if (expireAt <= nowSec) continue;
    const visitorsExpireAt = minute + MINUTE + BREAKDOWN_VISITORS_KEEP_SECONDS;
    const visitor = event.is_bot || visitorsExpireAt <= nowSec ? null : visitorOf(event);
    const visitorIndex = visitor === null ? 0 : plan.visitorIndex(visitor);
    const purchase = event.type === 'purchase';
    const order = purchase ? event.order : null;
    const counts = {
      orders: purchase ? 1 : 0,
      ...(order ? { revenue: { currency: order.currency, minor: revenueMinorUnits(order.revenue) } } : {}),
    };
    const typed = { ...counts, type: event.type };
    for (const dimension of FIXED_DIMENSIONS) {
      const key = breakdownKey(event.project, dimension, minute);
      let bucket = tallies.get(key);
      if (bucket === undefined) {
        bucket = { tally: plan.boundedTally(key, BREAKDOWN_BOUND, expireAt), visitors: new Map() };
        tallies.set(key, bucket);
      }
      const value = dimensionValue(event, dimension);
      const kept = breakdownKeepsValue(value);
      const overview = OVERVIEW_DIMENSIONS.has(dimension);
      addToTally(bucket.tally, kept ? memberOf(value) : OTHER_MEMBER, overview ? typed : counts);
      if (kept && overview && visitorIndex > 0) {
        let visitors = bucket.visitors.get(value);
        if (visitors === undefined) {
          const hll = breakdownVisitorsKey(event.project, dimension, minute, value);
          visitors = plan.tallyValueVisitorSet(key, value, hll, visitorsExpireAt);
          bucket.visitors.set(value, visitors);
        }
        visitors.add(visitorIndex);
      }
    }
  }
}
