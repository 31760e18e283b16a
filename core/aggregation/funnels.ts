import type { Aggregation, StateSnapshot } from './aggregation.ts';
import { identityOfEvent, visitorOf } from './event-decoding.ts';
import { type FunnelCatalog, type FunnelDefinition, funnelFor } from './funnel-definition.ts';
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
import { type ProjectFunnel, revisionKey } from './project-funnel.ts';
import { redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { bucketStart, HOT_TTL_SECONDS, HOUR, MINUTE } from './time-buckets.ts';

function counted(events: readonly PositionedEvent[], nowMs: number): PositionedEvent[] {
  const oldestMs = nowMs - HOT_TTL_SECONDS * 1000;
  return events.filter(
    ({ event, timeMs }) => !event.is_bot && visitorOf(event) !== null && timeMs > oldestMs,
  );
}

/** The funnels projects defined at run time, as last read from their store. */
export interface ProjectFunnels {
  of(project: string): readonly ProjectFunnel[];
}

const NO_PROJECT_FUNNELS: ProjectFunnels = { of: () => [] };

/** A funnel an event advances, with the keys its counts and its visitors' progress live in. */
interface Track {
  readonly funnel: FunnelDefinition;
  readonly progressKey: string;
  readonly stepsKey: (minute: number) => string;
}

function tracksOf(
  catalog: FunnelCatalog,
  projectFunnels: ProjectFunnels,
  project: string,
  visitor: string,
  timeMs: number | null,
): Track[] {
  const tracks: Track[] = [
    {
      funnel: funnelFor(catalog, project),
      progressKey: redisKeys.funnelProgress(project, visitor),
      stepsKey: (minute) => redisKeys.funnelSteps(project, minute),
    },
  ];
  for (const f of projectFunnels.of(project)) {
    // A funnel counts from its creation (or last edit) on: an older event, replayed or late,
    // is left to the warm tier's answer over history.
    if (timeMs !== null && timeMs < f.revisionMs) continue;
    const revision = revisionKey(f);
    tracks.push({
      funnel: f.definition,
      progressKey: redisKeys.projectFunnelProgress(project, revision, visitor),
      stepsKey: (minute) => redisKeys.projectFunnelSteps(project, revision, minute),
    });
  }
  return tracks;
}

/**
 * Per-visitor funnel progress and journeys. The visitor's state is read before planning and
 * written back in the same atomic step as the counts, so a redelivered batch, rejected by the
 * gate, cannot advance anyone twice. Bots are left out: funnels describe people.
 */
export function funnelsAggregation(
  catalog: FunnelCatalog,
  projectFunnels: ProjectFunnels = NO_PROJECT_FUNNELS,
): Aggregation {
  return {
    consumer: 'funnels',
    identityOf: identityOfEvent,
    stateKeys(events) {
      const keys = new Set<string>();
      for (const { event } of events) {
        const visitor = visitorOf(event);
        if (visitor === null || event.is_bot) continue;
        for (const track of tracksOf(catalog, projectFunnels, event.project, visitor, null))
          keys.add(track.progressKey);
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
        const minute = bucketStart(ts, MINUTE);
        for (const { funnel, progressKey, stepsKey } of tracksOf(catalog, projectFunnels, p, visitor, ts)) {
          const before = progress.has(progressKey)
            ? progress.get(progressKey)!
            : decodeProgress(state.get(progressKey));
          const advance = advanceFunnel(funnel, before, event, ts);
          progress.set(progressKey, advance.progress);
          windowOf.set(progressKey, funnel.windowMs);
          for (const step of advance.reached)
            plan.hashIncrement(stepsKey(minute), String(step), 1, minute + MINUTE + HOT_TTL_SECONDS);
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
