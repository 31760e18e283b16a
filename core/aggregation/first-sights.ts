import {
  type DedupClock,
  type DedupSegment,
  generationAt,
  isLive,
  segmentCountField,
  segmentExpiry,
  segmentForWrites,
  segmentName,
  staleFields,
} from './dedup-directory.ts';
import { digestField, eventDigest, offsetTag, shardOf } from './event-digest.ts';
import { redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';

/**
 * Every hot aggregate counts an event id once. Copies of one event (a client's retry, an
 * import run twice) share the Kafka key, so they reach one partition, in order, at new
 * offsets. The first record of an id on the partition is its first sight: stored as
 * digest -> offset, it tells every consumer of the partition (realtime, windows, funnels, each
 * with its own offset gate) which record is the one to count, so they all agree on the same
 * copy and one store serves them all; the first of them to reach a record also leaves its
 * verdict (verdict-log.ts), which the others read instead of looking the id up again.
 *
 * An event that reached ingest without an id got a server-assigned one, so a client's retry
 * of it carries a different id and is counted again: only ids the client sends are recognised.
 * Likewise a copy under another Kafka key (the user id set on the retry only) or sent after the
 * topic gained partitions may land on another partition, whose first sights it does not meet.
 */
export interface Sighting<E> {
  readonly event: E;
  readonly digest: Buffer;
  /** The digest as a map key, made once per event. */
  readonly hex: string;
  readonly tag: number;
}

export function sightingsOf<E extends { readonly offset: number }>(
  events: readonly E[],
  identityOf: (e: E) => string,
): Sighting<E>[] {
  return events.map((event) => {
    const digest = eventDigest(identityOf(event));
    return { event, digest, hex: digest.toString('hex'), tag: offsetTag(event.offset) };
  });
}

/** First sights found in the store for a batch: digest (hex) -> offset tag. */
export type StoredSights = ReadonlyMap<string, number>;

export interface SightVerdict<E> {
  /** Events every aggregate counts: first sights, in offset order. */
  readonly counted: E[];
  /** Records recognised as copies of an id already counted. */
  readonly copies: number;
  /** First sights the store does not hold yet. */
  readonly unrecorded: Sighting<E>[];
}

/**
 * An event counts when its id was never seen, or when the stored first sight is this very
 * record (another consumer of the partition recorded it first). Events must be in offset order.
 */
export function judgeSightings<E>(sightings: readonly Sighting<E>[], stored: StoredSights): SightVerdict<E> {
  const inBatch = new Map<string, number>();
  const counted: E[] = [];
  const unrecorded: Sighting<E>[] = [];
  let copies = 0;
  for (const s of sightings) {
    const first = inBatch.get(s.hex) ?? stored.get(s.hex);
    if (first === undefined) unrecorded.push(s);
    if (first === undefined || first === s.tag) {
      counted.push(s.event);
      inBatch.set(s.hex, s.tag);
    } else copies += 1;
  }
  return { counted, copies, unrecorded };
}

export interface PartitionRef {
  readonly topic: string;
  readonly partition: number;
}

/** One HMGET: the fields of one shard, with the digests they stand for. */
export interface SightLookup {
  readonly key: string;
  readonly fields: Buffer[];
  readonly digests: string[];
}

/** The reads that find a batch's stored first sights in the given segments. */
export function sightLookups(
  where: PartitionRef,
  segments: readonly DedupSegment[],
  sightings: readonly Sighting<unknown>[],
): SightLookup[] {
  const out: SightLookup[] = [];
  const fields = sightings.map((s) => digestField(s.digest));
  for (const segment of segments) {
    const name = segmentName(segment);
    // By shard number: a batch touches each of a segment's shards many times over.
    const byShard = new Map<number, SightLookup>();
    sightings.forEach((s, i) => {
      const shard = shardOf(s.digest, segment.bits);
      let lookup = byShard.get(shard);
      if (lookup === undefined) {
        lookup = {
          key: redisKeys.dedupShard(where.topic, where.partition, name, shard),
          fields: [],
          digests: [],
        };
        byShard.set(shard, lookup);
        out.push(lookup);
      }
      lookup.fields.push(fields[i]!);
      lookup.digests.push(s.hex);
    });
  }
  return out;
}

export const liveSegments = (clock: DedupClock, segments: readonly DedupSegment[], nowMs: number) =>
  segments.filter((s) => isLive(clock, s, nowMs));

/**
 * Adds recording the batch's new first sights to the plan, so they are stored in the same
 * atomic step as the counts and the offset gate: a failed batch leaves neither, a redelivered
 * one is stopped by the gate before it reaches either.
 */
export function planFirstSights(
  plan: RedisPlan,
  where: PartitionRef,
  clock: DedupClock,
  segments: readonly DedupSegment[],
  unrecorded: readonly Sighting<unknown>[],
  nowMs: number,
): void {
  const directory = redisKeys.dedupDirectory(where.topic, where.partition);
  for (const field of staleFields(clock, segments, nowMs)) plan.hashDelete(directory, field);
  if (unrecorded.length === 0) return;
  const generation = generationAt(clock, nowMs);
  const { segment, created } = segmentForWrites(segments, generation, unrecorded.length);
  const name = segmentName(segment);
  const expireAt = segmentExpiry(clock, generation);
  // Consumers of the partition may open the same segment at once; all must agree on its size,
  // or one would look for an id in the wrong shard. The apply step checks the claim first.
  if (created) plan.claimField(directory, name, String(segment.bits));
  plan.hashIncrement(directory, segmentCountField(segment), unrecorded.length, expireAt);
  for (const s of unrecorded) {
    const shard = redisKeys.dedupShard(where.topic, where.partition, name, shardOf(s.digest, segment.bits));
    plan.hashSet(shard, digestField(s.digest), String(s.tag), expireAt);
  }
}
