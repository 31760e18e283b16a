import type { EnrichedEvent } from '../events/enriched-event.ts';
import { FIXED_DIMENSIONS, type FixedDimension } from '../query/dimension.ts';
import { addToTally, type BoundedTally, memberOf, OTHER_MEMBER, type TallyBound } from './bounded-tally.ts';
import { revenueMinorUnits } from './event-decoding.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { KEY_ROOT } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { MINUTE } from './time-buckets.ts';

/**
 * Live breakdowns: events, orders and revenue per value of each fixed dimension
 * (core/query/dimension.ts) per minute, in the hot tier, for the breakdowns channel and for
 * `/v1/metrics/breakdown` over the last minutes. The key space is bounded whatever the traffic
 * (core/aggregation/bounded-tally.ts): a bot spraying 100,000 campaign names in a minute adds
 * 50 values and "other" to that minute's campaign bucket, not 100,000 fields.
 *
 * The bound, per project and minute (BREAKDOWN_BOUND_BYTES):
 *   - keys: one hash per dimension, 10;
 *   - fields per hash: 50 values and "other", each with events, orders and revenue in at most
 *     3 currencies (5 fields), plus 3 currency marks and 3 counters: at most 261;
 *   - bytes per hash: a field is at most 206 bytes of name (`r:EUR:` and a value of at most 200
 *     bytes; a longer value counts as "other"), 20 of value and 64 of Redis's own per field,
 *     so 261 x 290 = 75,690 bytes and about 200 for the key: 75,890;
 *   - per project and minute: 10 x 75,890 = 758,900 bytes (under 0.75 MiB), kept 11 minutes
 *     (BREAKDOWN_KEEP_SECONDS after the minute ends): at most about 8 MiB per project in all.
 * A real minute's hashes are far smaller: most values are a few bytes and most dimensions have
 * a handful of values.
 */
export const BREAKDOWN_BOUND: TallyBound = { values: 50, currencies: 3 };
/** A value longer than this (bytes) counts as "other": it would make every field of its value long. */
export const BREAKDOWN_VALUE_BYTES = 200;
/** How long a minute's breakdown is kept after the minute ends: the live window and some to spare. */
export const BREAKDOWN_KEEP_SECONDS = 10 * MINUTE;

/** Redis's own cost of a hash field (entry, two strings, allocator rounding), a generous figure. */
const FIELD_OVERHEAD_BYTES = 64;
const KEY_OVERHEAD_BYTES = 200;

/** The most fields a breakdown hash can hold under BREAKDOWN_BOUND. */
export const BREAKDOWN_FIELDS_PER_KEY =
  (BREAKDOWN_BOUND.values + 1) * (2 + BREAKDOWN_BOUND.currencies) + BREAKDOWN_BOUND.currencies + 3;
/** The most bytes one breakdown hash takes (field name, a 20-digit value and Redis's overhead each). */
export const BREAKDOWN_BOUND_BYTES_PER_KEY =
  BREAKDOWN_FIELDS_PER_KEY * ('r:EUR:'.length + BREAKDOWN_VALUE_BYTES + 20 + FIELD_OVERHEAD_BYTES) +
  KEY_OVERHEAD_BYTES;
/** The most bytes a project's breakdowns of one minute take: one hash per dimension. */
export const BREAKDOWN_BOUND_BYTES = FIXED_DIMENSIONS.length * BREAKDOWN_BOUND_BYTES_PER_KEY;

/** `{sp}:{p}:bd:{dimension}:{minute}`: the hash of core/aggregation/bounded-tally.ts. */
export const breakdownKey = (project: string, dimension: FixedDimension, minute: number): string =>
  `${KEY_ROOT}:${project}:bd:${dimension}:${minute}`;

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
 * warm tier's breakdowns of events, orders and revenue; orders are purchases, revenue is the
 * order's. Events of minutes no longer kept are left to the warm tier.
 */
export function planBreakdowns(events: readonly PositionedEvent[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  const tallies = new Map<string, BoundedTally>();
  for (const { event, timeMs } of events) {
    const second = Math.floor(timeMs / 1000);
    const minute = second - (((second % MINUTE) + MINUTE) % MINUTE);
    const expireAt = minute + MINUTE + BREAKDOWN_KEEP_SECONDS;
    if (expireAt <= nowSec) continue;
    const purchase = event.type === 'purchase';
    const order = purchase ? event.order : null;
    const add = {
      orders: purchase ? 1 : 0,
      ...(order ? { revenue: { currency: order.currency, minor: revenueMinorUnits(order.revenue) } } : {}),
    };
    for (const dimension of FIXED_DIMENSIONS) {
      const key = breakdownKey(event.project, dimension, minute);
      let tally = tallies.get(key);
      if (tally === undefined) {
        tally = plan.boundedTally(key, BREAKDOWN_BOUND, expireAt);
        tallies.set(key, tally);
      }
      const value = dimensionValue(event, dimension);
      const member = Buffer.byteLength(value) > BREAKDOWN_VALUE_BYTES ? OTHER_MEMBER : memberOf(value);
      addToTally(tally, member, add);
    }
  }
}
