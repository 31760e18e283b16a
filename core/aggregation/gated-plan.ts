import type { Aggregation, StateSnapshot } from './aggregation.ts';
import type { DedupClock, DedupSegment } from './dedup-directory.ts';
import {
  judgeSightings,
  planFirstSights,
  type Sighting,
  type SightVerdict,
  type StoredSights,
} from './first-sights.ts';
import { unappliedEvents } from './offset-gate.ts';
import { RedisPlan } from './redis-plan.ts';

/** What the gate needs of a decoded topic-partition batch. */
export interface GatedBatch<E> {
  readonly topic: string;
  readonly partition: number;
  readonly lastOffset: number;
  readonly events: readonly E[];
}

/** What the gate read before planning. */
export interface GateReading {
  readonly highWater: number;
  /** The partition's dedup segments (the directory). */
  readonly segments: readonly DedupSegment[];
  /** First sights stored for the batch's ids in the live segments. */
  readonly stored: StoredSights;
  readonly state: StateSnapshot;
}

export interface GatedPlan<E> {
  readonly plan: RedisPlan;
  readonly verdict: SightVerdict<E>;
  /** Records past the high-water. */
  readonly fresh: number;
}

/**
 * The hot tier's whole decision for one batch, pure: the records past the high-water, of
 * those the first sights of their ids, their effect on the aggregates and the first sights to
 * record. The io side reads, calls this, and applies the plan in one atomic step.
 */
export function planGatedBatch<E extends { readonly offset: number }>(
  aggregation: Aggregation<E>,
  clock: DedupClock,
  batch: GatedBatch<E>,
  sightings: readonly Sighting<E>[],
  reading: GateReading,
  nowMs: number,
): GatedPlan<E> {
  const fresh = new Set(unappliedEvents(batch.events, reading.highWater));
  const verdict = judgeSightings(
    sightings.filter((s) => fresh.has(s.event)),
    reading.stored,
  );
  const plan = new RedisPlan();
  aggregation.plan(verdict.counted, reading.state, plan, nowMs);
  planFirstSights(plan, batch, clock, reading.segments, verdict.unrecorded, nowMs);
  return { plan, verdict, fresh: fresh.size };
}
