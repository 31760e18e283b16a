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

/**
 * The lookups of a batch's ids in the live segments, packed for one script call
 * (io/redis/gate-read-script.ts): a round trip and a command whatever the batch's size and the
 * number of shards it touches. Entry i is 16 bytes, the 1-based index of its shard in `keys`
 * (after `keyBase` keys the call declares first) as a big-endian uint32 and the 12-byte field,
 * and stands for `digests[i]`; a shard's entries are together, for one HMGET each.
 */
export interface SightLookup {
  readonly keys: string[];
  readonly entries: Buffer;
  readonly digests: string[];
}

export const SIGHT_ENTRY_BYTES = 16;

/** The lookups that find a batch's stored first sights in the given segments. */
export function sightLookup(
  where: PartitionRef,
  segments: readonly DedupSegment[],
  sightings: readonly Sighting<unknown>[],
  keyBase = 0,
): SightLookup {
  const keys: string[] = [];
  const entries = Buffer.allocUnsafe(SIGHT_ENTRY_BYTES * segments.length * sightings.length);
  const digests: string[] = [];
  let at = 0;
  for (const segment of segments) {
    const name = segmentName(segment);
    // By shard, each shard's entries together: the script reads them with one HMGET.
    const byShard = new Map<number, Sighting<unknown>[]>();
    for (const s of sightings) {
      const shard = shardOf(s.digest, segment.bits);
      const group = byShard.get(shard);
      if (group === undefined) byShard.set(shard, [s]);
      else group.push(s);
    }
    for (const [shard, group] of byShard) {
      keys.push(redisKeys.dedupShard(where.topic, where.partition, name, shard));
      const index = keyBase + keys.length;
      for (const s of group) {
        entries.writeUInt32BE(index, at);
        digestField(s.digest).copy(entries, at + 4);
        at += SIGHT_ENTRY_BYTES;
        digests.push(s.hex);
      }
    }
  }
  return { keys, entries, digests };
}

/** The stored first sights a lookup found, from the (entry index, offset tag) pairs it returned. */
export function foundSights(lookup: SightLookup, pairs: readonly number[]): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < pairs.length; i += 2) {
    const digest = lookup.digests[pairs[i]!];
    if (digest === undefined) throw new Error(`first-sight lookup: no entry ${pairs[i]}`);
    out.set(digest, pairs[i + 1]!);
  }
  return out;
}

/** Whether two lists of live segments are the same segments at the same sizes. */
export function sameSegments(a: readonly DedupSegment[], b: readonly DedupSegment[]): boolean {
  return (
    a.length === b.length &&
    a.every((s, i) => s.generation === b[i]!.generation && s.index === b[i]!.index && s.bits === b[i]!.bits)
  );
}

export const liveSegments = (clock: DedupClock, segments: readonly DedupSegment[], nowMs: number) =>
  segments.filter((s) => isLive(clock, s, nowMs));

/**
 * Adds recording the batch's new first sights to the plan, so they are stored in the same
 * atomic step as the counts and the offset gate: a failed batch leaves neither, a redelivered
 * one is stopped by the gate before it reaches either. Returns the segment this plan opens, if
 * it opens one.
 */
export function planFirstSights(
  plan: RedisPlan,
  where: PartitionRef,
  clock: DedupClock,
  segments: readonly DedupSegment[],
  unrecorded: readonly Sighting<unknown>[],
  nowMs: number,
): DedupSegment | undefined {
  const directory = redisKeys.dedupDirectory(where.topic, where.partition);
  for (const field of staleFields(clock, segments, nowMs)) plan.hashDelete(directory, field);
  if (unrecorded.length === 0) return undefined;
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
  return created ? segment : undefined;
}
