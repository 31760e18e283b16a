import type { Aggregation, StateSnapshot } from './aggregation.ts';
import { type DedupClock, type DedupSegment, generationAt, segmentExpiry } from './dedup-directory.ts';
import {
  judgeSightings,
  planFirstSights,
  type Sighting,
  type SightVerdict,
  type StoredSights,
} from './first-sights.ts';
import { unappliedEvents } from './offset-gate.ts';
import { RedisPlan } from './redis-plan.ts';
import { planVerdicts } from './verdict-log.ts';

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
  /**
   * The counted offsets among the records past the high-water when another consumer of the
   * partition already judged every one of them (verdict-log.ts); null when this one leads.
   */
  readonly decided: ReadonlySet<number> | null;
}

export interface GatedPlan<E> {
  readonly plan: RedisPlan;
  readonly verdict: SightVerdict<E>;
  /** Records past the high-water. */
  readonly fresh: number;
  /** The dedup segment the plan opens (its first sights start it), when it opens one. */
  readonly opened?: DedupSegment;
}

/** The records of a batch past the high-water: the ones a plan is made of. */
export function freshEvents<E extends { readonly offset: number }>(
  batch: GatedBatch<E>,
  highWater: number,
): E[] {
  return unappliedEvents(batch.events, highWater);
}

/**
 * The hot tier's whole decision for one batch, pure: the records past the high-water, of
 * those the first sights of their ids, their effect on the aggregates, and (when this consumer
 * leads) the first sights and verdicts to record. `sightings` are of the fresh records; a
 * follower, with `decided` read, needs none. The io side reads, calls this, and applies the
 * plan in one atomic step.
 */
export function planGatedBatch<E extends { readonly offset: number }>(
  aggregation: Aggregation<E>,
  clock: DedupClock,
  batch: GatedBatch<E>,
  sightings: readonly Sighting<E>[],
  reading: GateReading,
  nowMs: number,
): GatedPlan<E> {
  const fresh = freshEvents(batch, reading.highWater);
  const plan = new RedisPlan();
  const { decided } = reading;
  if (decided !== null) {
    const counted = fresh.filter((e) => decided.has(e.offset));
    aggregation.plan(counted, reading.state, plan, nowMs);
    return {
      plan,
      verdict: { counted, copies: fresh.length - counted.length, unrecorded: [] },
      fresh: fresh.length,
    };
  }
  const verdict = judgeSightings(sightings, reading.stored);
  aggregation.plan(verdict.counted, reading.state, plan, nowMs);
  const opened = planFirstSights(plan, batch, clock, reading.segments, verdict.unrecorded, nowMs);
  const counted = new Set(verdict.counted.map((e) => e.offset));
  const expireAt = segmentExpiry(clock, generationAt(clock, nowMs));
  planVerdicts(
    plan,
    batch,
    fresh.map((e) => e.offset),
    counted,
    expireAt,
  );
  return { plan, verdict, fresh: fresh.length, ...(opened ? { opened } : {}) };
}
