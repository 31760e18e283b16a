import * as crypto from 'node:crypto';

/**
 * What the hot tier remembers of an event id, to recognise a client's copy of it.
 *
 * The digest is the first 16 bytes of SHA-256 over the identity (project and event id): its
 * first 4 bytes pick the shard of a dedup segment (see dedup-directory.ts), the other 12 bytes
 * (96 bits) are stored as the field. Two different ids are confused only when their 96-bit
 * fields collide inside one shard of one partition's segment, which holds at most a few
 * million ids: for n ids the odds are below n² / 2^97, about 6·10⁻¹⁶ for n = 10⁷, and below
 * 10⁻⁹ summed over every segment of a hundred partitions for ten years. That is not a
 * probabilistic filter trading lost events for memory: a real event is dropped only on such a
 * collision, far rarer than a hardware memory error.
 */
export const DIGEST_BYTES = 16;
const SHARD_BYTES = 4;

/** Events of one project; copies carry the same event id (Segment `messageId`, Spate `event_id`). */
export function eventIdentity(project: string, eventId: string): string {
  return `${project}\u0000${eventId}`;
}

// The one-shot hash takes half the time of createHash() for inputs this short; Node before
// 20.12 (package.json allows 20.10) has only the latter.
const sha256: (text: string) => Buffer =
  typeof crypto.hash === 'function'
    ? (text) => crypto.hash('sha256', text, 'buffer')
    : (text) => crypto.createHash('sha256').update(text).digest();

export function eventDigest(identity: string): Buffer {
  return sha256(identity).subarray(0, DIGEST_BYTES);
}

/** The shard among 2^bits of a segment; the top bits of the digest, independent of the field. */
export function shardOf(digest: Buffer, bits: number): number {
  if (bits === 0) return 0;
  return digest.readUInt32BE(0) >>> (32 - bits);
}

/** The 12 bytes stored as the hash field. */
export function digestField(digest: Buffer): Buffer {
  return digest.subarray(SHARD_BYTES, DIGEST_BYTES);
}

/**
 * The offset a first sight is stored as. Kafka offsets outgrow 32 bits on a busy partition
 * within a year, and Redis stores a hash value in 6 bytes below 2^31 but 10 above, so offsets
 * are kept modulo 2^31. Two records of one partition share a tag only 2^31 offsets apart,
 * which cannot both fall in one dedup window (that would be 25,000 records a second on one
 * partition for a whole day).
 */
export const OFFSET_TAG_MODULUS = 2 ** 31;

export function offsetTag(offset: number): number {
  return offset % OFFSET_TAG_MODULUS;
}
