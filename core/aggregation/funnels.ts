import type { Aggregation, StateSnapshot } from './aggregation.ts';
import { identityOfEvent, visitorOf } from './event-decoding.ts';
import { type FunnelCatalog, funnelFor } from './funnel-definition.ts';
import { advanceFunnel, decodeProgress, encodeProgress, type FunnelProgress } from './funnel-progress.ts';
import {
  decodeTrail,
  encodeTrail,
  extendTrail,
  JOURNEY_IDLE_MS,
  journeyStep,
  type Trail,
} from './journeys.ts';
import type { PositionedEvent } from './msk-batch.ts';
import { redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { bucketStart, HOT_TTL_SECONDS, HOUR, MINUTE } from './time-buckets.ts';

function counted(events: readonly PositionedEvent[], nowMs: number): PositionedEvent[] {
  const oldestMs = nowMs - HOT_TTL_SECONDS * 1000;
  return events.filter(
    ({ event, timeMs }) => !event.is_bot && visitorOf(event) !== null && timeMs > oldestMs,
  );
}

/**
 * Per-visitor funnel progress and journeys. The visitor's state is read before planning and
 * written back in the same atomic step as the counts, so a redelivered batch, rejected by the
 * gate, cannot advance anyone twice. Bots are left out: funnels describe people.
 */
export function funnelsAggregation(catalog: FunnelCatalog): Aggregation {
  return {
    consumer: 'funnels',
    identityOf: identityOfEvent,
    stateKeys(events) {
      const keys = new Set<string>();
      for (const { event } of events) {
        const visitor = visitorOf(event);
        if (visitor === null || event.is_bot) continue;
        keys.add(redisKeys.funnelProgress(event.project, visitor));
        keys.add(redisKeys.journeyTrail(event.project, visitor));
      }
      return [...keys];
    },
    plan(events, state: StateSnapshot, plan: RedisPlan, nowMs: number) {
      const progress = new Map<string, FunnelProgress | null>();
      const windowOf = new Map<string, number>();
      const trails = new Map<string, Trail | null>();
      for (const { event, timeMs } of counted(events, nowMs)) {
        const visitor = visitorOf(event)!;
        const p = event.project;
        const ts = timeMs;
        const progressKey = redisKeys.funnelProgress(p, visitor);
        const before = progress.has(progressKey)
          ? progress.get(progressKey)!
          : decodeProgress(state.get(progressKey));
        const funnel = funnelFor(catalog, p);
        const advance = advanceFunnel(funnel, before, event, ts);
        progress.set(progressKey, advance.progress);
        windowOf.set(progressKey, funnel.windowMs);
        const minute = bucketStart(ts, MINUTE);
        for (const step of advance.reached) {
          plan.hashIncrement(
            redisKeys.funnelSteps(p, minute),
            String(step),
            1,
            minute + MINUTE + HOT_TTL_SECONDS,
          );
        }

        const trailKey = redisKeys.journeyTrail(p, visitor);
        const trail = trails.has(trailKey) ? trails.get(trailKey)! : decodeTrail(state.get(trailKey));
        const extended = extendTrail(trail, journeyStep(event), ts);
        trails.set(trailKey, extended.trail);
        if (extended.journey !== null) {
          const hour = bucketStart(ts, HOUR);
          plan.sortedSetIncrement(
            redisKeys.journeys(p, hour),
            extended.journey,
            1,
            hour + HOUR + HOT_TTL_SECONDS,
          );
        }
      }
      for (const [key, value] of progress) {
        // Kept one window past processing, so a replay of old events still carries state from
        // batch to batch; an abandoned attempt frees its memory within the window.
        if (value !== null)
          plan.setString(key, encodeProgress(value), Math.max(value.startedMs, nowMs) + windowOf.get(key)!);
      }
      for (const [key, value] of trails) {
        if (value !== null)
          plan.setString(key, encodeTrail(value), Math.max(value.lastMs, nowMs) + JOURNEY_IDLE_MS);
      }
    },
  };
}
