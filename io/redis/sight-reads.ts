import type { ChainableCommander } from 'ioredis';
import type { DedupSegment } from '../../core/aggregation/dedup-directory.ts';
import { type PartitionRef, type Sighting, sightLookups } from '../../core/aggregation/first-sights.ts';

export interface PendingSights {
  /** The stored first sights (digest hex -> offset tag) from the pipeline's replies. */
  found(replies: readonly [Error | null, unknown][], from?: number): Map<string, number>;
}

/**
 * Queues on `pipeline` the reads that find a batch's stored first sights: one HMGET per shard
 * touched, so their number follows the segments' shards, not the batch size.
 */
export function readFirstSights(
  pipeline: ChainableCommander,
  where: PartitionRef,
  segments: readonly DedupSegment[],
  sightings: readonly Sighting<unknown>[],
): PendingSights {
  const start = (pipeline as unknown as { length: number }).length;
  const lookups = sightLookups(where, segments, sightings);
  for (const lookup of lookups) pipeline.hmget(lookup.key, ...lookup.fields);
  return {
    found(replies, from = start) {
      const out = new Map<string, number>();
      lookups.forEach((lookup, i) => {
        const [err, values] = replies[from + i] ?? [new Error(`no reply for ${lookup.key}`), null];
        if (err) throw err;
        (values as (string | null)[]).forEach((value, j) => {
          if (value !== null) out.set(lookup.digests[j]!, Number(value));
        });
      });
      return out;
    },
  };
}
