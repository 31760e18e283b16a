import { redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';

/**
 * Which records of a partition were counted and which were copies, one byte per offset.
 *
 * Whether a record is the first sight of its id is the same answer for every consumer of the
 * partition (first-sights.ts), so the first consumer to reach an offset (the leader) looks the
 * ids up and writes the answers here, in the same atomic step as its first sights. The others
 * read their batch's bytes instead of looking every id up in every live segment: the lookups,
 * most of the dedup's Redis CPU, are paid once per record instead of once per consumer. A
 * consumer leads only for the records of its batch nobody judged yet (usually the batch's
 * tail: the consumers of a partition run side by side and reach new records in turns).
 *
 * Bytes of 506 offsets share a string, created at full size on its first write (a string
 * grown by SETRANGE would be given up to twice its length), expiring with the segment the
 * leader wrote to: about 1.2 bytes per record in the window, key included. 506: with Redis's
 * 5-byte string header and terminating zero a chunk fills a 512-byte allocation exactly, and
 * a quiet partition holds a few hundred bytes of verdicts, not kilobytes.
 */
export const VERDICT_CHUNK = 506;
export const COUNTED = 'c';
export const COPY = 'd';
/** An offset with no event (an undecodable record) inside a written range. */
const NO_EVENT = 'x';

export interface VerdictRange {
  readonly key: string;
  /** First offset the range covers. */
  readonly fromOffset: number;
  /** GETRANGE start and end, inclusive, in the chunk. */
  readonly start: number;
  readonly end: number;
}

/** The GETRANGE reads covering offsets [first, last]. */
export function verdictRanges(
  where: { topic: string; partition: number },
  first: number,
  last: number,
): VerdictRange[] {
  const out: VerdictRange[] = [];
  for (let chunk = Math.floor(first / VERDICT_CHUNK); chunk * VERDICT_CHUNK <= last; chunk++) {
    const base = chunk * VERDICT_CHUNK;
    const from = Math.max(first, base);
    const to = Math.min(last, base + VERDICT_CHUNK - 1);
    out.push({
      key: redisKeys.dedupVerdicts(where.topic, where.partition, chunk),
      fromOffset: from,
      start: from - base,
      end: to - base,
    });
  }
  return out;
}

/**
 * The verdicts left for `offsets`: offset -> counted (true) or a copy (false), for the offsets
 * some consumer already judged. The others are this consumer's to judge: it leads for them.
 */
export function readVerdicts(
  ranges: readonly VerdictRange[],
  bytes: readonly string[],
  offsets: readonly number[],
): Map<number, boolean> {
  const byOffset = new Map<number, string>();
  ranges.forEach((r, i) => {
    const text = bytes[i] ?? '';
    for (let j = 0; j < text.length; j++) byOffset.set(r.fromOffset + j, text[j]!);
  });
  const out = new Map<number, boolean>();
  for (const offset of offsets) {
    const verdict = byOffset.get(offset);
    if (verdict === COUNTED || verdict === COPY) out.set(offset, verdict === COUNTED);
  }
  return out;
}

/** Adds the verdicts of the batch's fresh records (in offset order) to the plan. */
export function planVerdicts(
  plan: RedisPlan,
  where: { topic: string; partition: number },
  fresh: readonly number[],
  counted: ReadonlySet<number>,
  expireAtSec: number,
): void {
  if (fresh.length === 0) return;
  const first = fresh[0]!;
  const last = fresh[fresh.length - 1]!;
  const bytes = Buffer.alloc(last - first + 1, NO_EVENT);
  for (const offset of fresh) bytes.write(counted.has(offset) ? COUNTED : COPY, offset - first, 'latin1');
  for (const r of verdictRanges(where, first, last)) {
    const slice = bytes.subarray(r.fromOffset - first, r.fromOffset - first + (r.end - r.start + 1));
    plan.writeRange(r.key, VERDICT_CHUNK, r.start, slice.toString('latin1'), expireAtSec);
  }
}
