import type { Aggregation } from './aggregation.ts';
import { eventTimeMs, revenueMinorUnits, visitorOf } from './event-decoding.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { counterFields, redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { bucketStart, DAY, HOT_TTL_SECONDS, HOUR, MINUTE, SECOND } from './time-buckets.ts';

/**
 * 1-second tumbling counters per project and event type, orders and revenue per currency,
 * the same per minute, and visitors per minute/hour/day in HyperLogLogs (bots left out).
 * Events older than the hot tier keeps are left to the warm tier.
 */
export function planRealtime(events: readonly PositionedEvent[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  for (const { event } of events) {
    const ts = eventTimeMs(event);
    const second = bucketStart(ts, SECOND);
    if (second + SECOND + HOT_TTL_SECONDS <= nowSec) continue;
    const minute = bucketStart(ts, MINUTE);
    const p = event.project;
    const grains = [
      [redisKeys.counters(p, 's', second), second + SECOND + HOT_TTL_SECONDS],
      [redisKeys.counters(p, 'm', minute), minute + MINUTE + HOT_TTL_SECONDS],
    ] as const;
    for (const [key, expireAt] of grains) {
      plan.hashIncrement(key, counterFields.type(event.type), 1, expireAt);
      if (event.type === 'purchase' && event.order) {
        plan.hashIncrement(key, counterFields.orders, 1, expireAt);
        plan.hashIncrement(
          key,
          counterFields.revenue(event.order.currency),
          revenueMinorUnits(event.order.revenue),
          expireAt,
        );
      }
    }
    const visitor = visitorOf(event);
    if (visitor === null || event.is_bot) continue;
    const hour = bucketStart(ts, HOUR);
    const day = bucketStart(ts, DAY);
    plan.hyperLogLogAdd(redisKeys.uniques(p, 'm', minute), visitor, minute + MINUTE + HOT_TTL_SECONDS);
    plan.hyperLogLogAdd(redisKeys.uniques(p, 'h', hour), visitor, hour + HOUR + HOT_TTL_SECONDS);
    plan.hyperLogLogAdd(redisKeys.uniques(p, 'd', day), visitor, day + DAY + HOT_TTL_SECONDS);
  }
}

export const realtimeAggregation: Aggregation = {
  consumer: 'realtime',
  stateKeys: () => [],
  plan: (events, _state, plan, nowMs) => planRealtime(events, plan, nowMs),
};
