import type { Aggregation } from './aggregation.ts';
import { planBreakdowns } from './breakdown-counters.ts';
import { identityOfEvent, revenueMinorUnits, visitorOf } from './event-decoding.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { counterFields, redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { DAY, HOT_TTL_SECONDS, HOUR, MINUTE, SECOND } from './time-buckets.ts';

/** The keys of one project-second; events of a batch arrive mostly in time order, so reused. */
interface SecondKeys {
  readonly project: string;
  readonly second: number;
  readonly secondKey: string;
  readonly secondExpiry: number;
  readonly minuteKey: string;
  readonly minuteExpiry: number;
  readonly uniquesKey: string;
  readonly minute: number;
}

function keysOf(project: string, second: number): SecondKeys {
  const minute = second - (second % MINUTE);
  return {
    project,
    second,
    secondKey: redisKeys.counters(project, 's', second),
    secondExpiry: second + SECOND + HOT_TTL_SECONDS,
    minuteKey: redisKeys.counters(project, 'm', minute),
    minuteExpiry: minute + MINUTE + HOT_TTL_SECONDS,
    uniquesKey: redisKeys.uniques(project, 'm', minute),
    minute,
  };
}

/**
 * 1-second tumbling counters per project and event type, orders and revenue per currency,
 * the same per minute, and visitors per minute/hour/day in HyperLogLogs (bots left out).
 * Events older than the hot tier keeps are left to the warm tier.
 */
export function planRealtime(events: readonly PositionedEvent[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  const touchedMinutes = new Map<string, { project: string; minute: number }>();
  let keys: SecondKeys | undefined;
  for (const { event, timeMs } of events) {
    const second = Math.floor(timeMs / 1000);
    if (second + SECOND + HOT_TTL_SECONDS <= nowSec) continue;
    const p = event.project;
    if (keys === undefined || keys.second !== second || keys.project !== p) keys = keysOf(p, second);
    const typeField = counterFields.type(event.type);
    plan.hashIncrement(keys.secondKey, typeField, 1, keys.secondExpiry);
    plan.hashIncrement(keys.minuteKey, typeField, 1, keys.minuteExpiry);
    if (event.type === 'purchase' && event.order) {
      const revenueField = counterFields.revenue(event.order.currency);
      const cents = revenueMinorUnits(event.order.revenue);
      plan.hashIncrement(keys.secondKey, counterFields.orders, 1, keys.secondExpiry);
      plan.hashIncrement(keys.secondKey, revenueField, cents, keys.secondExpiry);
      plan.hashIncrement(keys.minuteKey, counterFields.orders, 1, keys.minuteExpiry);
      plan.hashIncrement(keys.minuteKey, revenueField, cents, keys.minuteExpiry);
    }
    const visitor = visitorOf(event);
    if (visitor === null || event.is_bot) continue;
    plan.hyperLogLogAdd(keys.uniquesKey, visitor, keys.minuteExpiry);
    if (!touchedMinutes.has(keys.uniquesKey))
      touchedMinutes.set(keys.uniquesKey, { project: p, minute: keys.minute });
  }
  // Visitors go into the minute HyperLogLog only; the hour and day ones are unions of their
  // minutes, merged once per batch per touched minute instead of three adds per event.
  for (const [minuteKey, { project, minute }] of touchedMinutes) {
    const hour = minute - (minute % HOUR);
    const day = minute - (minute % DAY);
    plan.hyperLogLogMerge(redisKeys.uniques(project, 'h', hour), minuteKey, hour + HOUR + HOT_TTL_SECONDS);
    plan.hyperLogLogMerge(redisKeys.uniques(project, 'd', day), minuteKey, day + DAY + HOT_TTL_SECONDS);
  }
}

export const realtimeAggregation: Aggregation = {
  consumer: 'realtime',
  identityOf: identityOfEvent,
  stateKeys: () => [],
  plan: (events, _state, plan, nowMs) => {
    planRealtime(events, plan, nowMs);
    // The live breakdowns count the same events in the same atomic step (breakdown-counters.ts).
    planBreakdowns(events, plan, nowMs);
  },
};
