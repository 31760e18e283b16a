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
   * The verdicts other consumers of the partition left for records past the high-water
   * (verdict-log.ts): offset -> counted. This consumer judges the records without one.
   */
  readonly verdicts: ReadonlyMap<number, boolean>;
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

/** The records past the high-water that no consumer of the partition judged yet. */
export function undecidedEvents<E extends { readonly offset: number }>(
  fresh: readonly E[],
  verdicts: ReadonlyMap<number, boolean>,
): E[] {
  return fresh.filter((e) => !verdicts.has(e.offset));
}

/**
 * The hot tier's whole decision for one batch, pure: the records past the high-water, of
 * those the first sights of their ids (by the verdicts other consumers left, and for the rest
 * by this consumer's own judgement), their effect on the aggregates, and the first sights and
 * verdicts this consumer adds. `sightings` are of the undecided records (undecidedEvents), in
 * offset order; with every record judged already, none are needed. The io side reads, calls
 * this, and applies the plan in one atomic step.
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
  const { verdicts } = reading;
  if (fresh.every((e) => verdicts.has(e.offset))) {
    const counted = fresh.filter((e) => verdicts.get(e.offset));
    aggregation.plan(counted, reading.state, plan, nowMs);
    return {
      plan,
      verdict: { counted, copies: fresh.length - counted.length, unrecorded: [] },
      fresh: fresh.length,
    };
  }
  // A copy of a judged record is found by its stored first sight, as any other copy.
  const judged = judgeSightings(sightings, reading.stored);
  const judgedCounted = new Set(judged.counted.map((e) => e.offset));
  const counted = fresh.filter((e) => verdicts.get(e.offset) ?? judgedCounted.has(e.offset));
  aggregation.plan(counted, reading.state, plan, nowMs);
  const opened = planFirstSights(plan, batch, clock, reading.segments, judged.unrecorded, nowMs);
  const expireAt = segmentExpiry(clock, generationAt(clock, nowMs));
  // Every fresh record's verdict, the judged ones again with their values: one contiguous write.
  planVerdicts(
    plan,
    batch,
    fresh.map((e) => e.offset),
    new Set(counted.map((e) => e.offset)),
    expireAt,
  );
  return {
    plan,
    verdict: { counted, copies: fresh.length - counted.length, unrecorded: judged.unrecorded },
    fresh: fresh.length,
    ...(opened ? { opened } : {}),
  };
}
