import type { EnrichedEvent } from '../events/enriched-event.ts';
import type { Aggregation } from './aggregation.ts';
import { identityOfEvent, revenueMinorUnits } from './event-decoding.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { redisKeys, WINDOW_KINDS, type WindowKind } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { planSessions, sessionStateKeys } from './session-plan.ts';
import { bucketStart, HOT_TTL_SECONDS, WINDOW_BUCKET_SECONDS } from './time-buckets.ts';

/** What one event adds to the top-N buckets: (kind, member, weight). */
export function windowContributions(event: EnrichedEvent): Array<[WindowKind, string, number]> {
  const out: Array<[WindowKind, string, number]> = [];
  switch (event.type) {
    case 'page_view':
      if (event.product) out.push([WINDOW_KINDS.productViews, event.product.id, 1]);
      if (event.page?.path) out.push([WINDOW_KINDS.pages, event.page.path, 1]);
      out.push([WINDOW_KINDS.referrers, event.attribution?.source ?? '(direct)', 1]);
      break;
    case 'add_to_cart':
      if (event.product) out.push([WINDOW_KINDS.addToCarts, event.product.id, 1]);
      break;
    case 'purchase': {
      const items = event.order?.items ?? [];
      for (const item of items) out.push([WINDOW_KINDS.purchases, item.product_id, item.quantity ?? 1]);
      if (items.length === 0 && event.product) out.push([WINDOW_KINDS.purchases, event.product.id, 1]);
      break;
    }
    default:
      break;
  }
  return out;
}

/**
 * Small 10-second buckets (sorted sets for top-N, a hash for revenue) that the reader merges
 * over the last five minutes each second: writes stay one increment per event and key, and a
 * sliding window never has to subtract what falls out of it.
 */
export function planWindows(events: readonly PositionedEvent[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  for (const { event, timeMs } of events) {
    const bucket = bucketStart(timeMs, WINDOW_BUCKET_SECONDS);
    const expireAt = bucket + WINDOW_BUCKET_SECONDS + HOT_TTL_SECONDS;
    if (expireAt <= nowSec) continue;
    const p = event.project;
    for (const [kind, member, weight] of windowContributions(event)) {
      plan.sortedSetIncrement(redisKeys.window(p, kind, bucket), member, weight, expireAt);
    }
    if (event.type === 'purchase' && event.order) {
      plan.hashIncrement(
        redisKeys.windowRevenue(p, bucket),
        event.order.currency,
        revenueMinorUnits(event.order.revenue),
        expireAt,
      );
    }
  }
}

/** The windows and, sharing their consumer, gate and dedup, the live sessions (session-plan.ts). */
export const windowsAggregation: Aggregation = {
  consumer: 'windows',
  identityOf: identityOfEvent,
  stateKeys: sessionStateKeys,
  plan: (events, state, plan, nowMs) => {
    planWindows(events, plan, nowMs);
    planSessions(events, state, plan, nowMs);
  },
};
