import { HOT_TTL_SECONDS } from './time-buckets.ts';

/**
 * Where a partition's first sights live. Ids are remembered in segments: each belongs to a
 * generation (a slice of processing time, an eighth of the dedup window) and is split into
 * 2^bits small Redis hashes (shards) by digest. A segment expires a window after its
 * generation ends, so an id is remembered for at least the window and at most an eighth more.
 *
 * Why segments of sized shards: Redis keeps a hash of up to 128 short fields as one compact
 * listpack (about 20 bytes a field here) and switches to a hash table (about 70) above that;
 * each key also costs about 110 bytes. A segment is sized from the traffic of the previous
 * generation to at most SHARD_FILL ids per shard, and when a burst fills it a new one, four times
 * larger, takes over. The partition's directory (one small hash) lists the segments:
 * field `gen.seg` holds the shard bits, `gen.seg.n` the ids recorded.
 *
 * Why processing time and not the event's timestamp: a copy sent without a timestamp, or with
 * a clock-corrected one, carries a different time than the original; its id is all it shares.
 */

/** A copy within the hot tier's life is recognised; older ones are past every hot aggregate. */
export const DEFAULT_DEDUP_WINDOW_SECONDS = HOT_TTL_SECONDS;
/**
 * Ids per shard a segment is sized for. Digests spread ids evenly (Poisson), so a full segment
 * has about one shard in 2,000 past 128 fields, in the larger encoding: memory, never counts.
 */
export const SHARD_FILL = 96;
/** Generations per dedup window: lookups span this many plus one, memory at most 1/8 more. */
export const GENERATIONS_PER_WINDOW = 8;
const MAX_BITS = 20;
/** A burst that fills a segment opens one this many bits wider. */
const GROWTH_BITS = 2;

export interface DedupSegment {
  readonly generation: number;
  readonly index: number;
  /** log2 of the shard count. */
  readonly bits: number;
  /** Ids recorded so far. */
  readonly count: number;
}

export interface DedupClock {
  readonly windowSeconds: number;
  readonly generationSeconds: number;
}

export function dedupClock(windowSeconds: number): DedupClock {
  if (!Number.isInteger(windowSeconds) || windowSeconds < GENERATIONS_PER_WINDOW)
    throw new Error(`dedup window: must be a whole number of seconds >= ${GENERATIONS_PER_WINDOW}`);
  return { windowSeconds, generationSeconds: Math.ceil(windowSeconds / GENERATIONS_PER_WINDOW) };
}

export function generationAt(clock: DedupClock, nowMs: number): number {
  return Math.floor(Math.floor(nowMs / 1000) / clock.generationSeconds);
}

/** Epoch seconds when a segment of `generation` and everything in it expires. */
export function segmentExpiry(clock: DedupClock, generation: number): number {
  return (generation + 1) * clock.generationSeconds + clock.windowSeconds;
}

export const segmentName = (s: { generation: number; index: number }) => `${s.generation}.${s.index}`;
export const segmentCountField = (s: { generation: number; index: number }) => `${segmentName(s)}.n`;

/** The directory hash as read (HGETALL); malformed fields are ignored, never trusted. */
export function parseDirectory(fields: Readonly<Record<string, string>>): DedupSegment[] {
  const out: DedupSegment[] = [];
  for (const [field, value] of Object.entries(fields)) {
    const match = /^(\d+)\.(\d+)$/.exec(field);
    if (!match) continue;
    const bits = Number(value);
    if (!Number.isInteger(bits) || bits < 0 || bits > MAX_BITS) continue;
    const generation = Number(match[1]);
    const index = Number(match[2]);
    const count = Number(fields[`${field}.n`] ?? 0);
    out.push({ generation, index, bits, count: Number.isFinite(count) ? count : 0 });
  }
  return out.sort((a, b) => a.generation - b.generation || a.index - b.index);
}

export function isLive(clock: DedupClock, segment: { generation: number }, nowMs: number): boolean {
  return segmentExpiry(clock, segment.generation) > Math.floor(nowMs / 1000);
}

/** Directory fields of segments whose ids have expired, for the apply step to remove. */
export function staleFields(clock: DedupClock, segments: readonly DedupSegment[], nowMs: number): string[] {
  return segments
    .filter((s) => !isLive(clock, s, nowMs))
    .flatMap((s) => [segmentName(s), segmentCountField(s)]);
}

const capacity = (bits: number) => SHARD_FILL * 2 ** bits;

/** The fewest shard bits that hold `ids` at the fill a segment is sized for. */
export function bitsFor(ids: number): number {
  let bits = 0;
  while (bits < MAX_BITS && capacity(bits) < ids) bits += 1;
  return bits;
}

/**
 * The segment this batch's new ids go to: the open one of the current generation while it has
 * room; else a new one, sized from the previous generation's traffic (so a steady stream fills
 * its shards to between half and all of SHARD_FILL) or wider than the full one (a burst).
 */
export function segmentForWrites(
  segments: readonly DedupSegment[],
  generation: number,
  incoming: number,
): { readonly segment: DedupSegment; readonly created: boolean } {
  const current = segments.filter((s) => s.generation === generation);
  const open = current[current.length - 1];
  if (open !== undefined && open.count + incoming <= capacity(open.bits))
    return { segment: open, created: false };
  const previous = segments
    .filter((s) => s.generation === generation - 1)
    .reduce((sum, s) => sum + s.count, 0);
  const bits =
    open === undefined
      ? bitsFor(Math.max(previous, incoming))
      : Math.max(Math.min(open.bits + GROWTH_BITS, MAX_BITS), bitsFor(incoming));
  return {
    segment: { generation, index: open === undefined ? 0 : open.index + 1, bits, count: 0 },
    created: true,
  };
}
