import type { Redis } from 'ioredis';
import { readTallyHash, type TallyReading } from '../../../core/aggregation/bounded-tally.ts';
import { breakdownKey } from '../../../core/aggregation/breakdown-counters.ts';
import { bucketsBetween, MINUTE } from '../../../core/aggregation/time-buckets.ts';
import type { FixedDimension } from '../../../core/query/dimension.ts';
import { repliesOf, type SecondRange } from './replies.ts';

/**
 * The realtime aggregator's minute breakdowns (core/aggregation/breakdown-counters.ts) of each
 * dimension over the minutes covering the range, oldest first, in one pipelined round trip.
 */
export async function readBreakdownMinutes(
  redis: Redis,
  project: string,
  dimensions: readonly FixedDimension[],
  range: SecondRange,
): Promise<Map<FixedDimension, TallyReading[]>> {
  const minutes = bucketsBetween(range.fromSec, range.toSec, MINUTE);
  const pipeline = redis.pipeline();
  for (const dimension of dimensions)
    for (const m of minutes) pipeline.hgetall(breakdownKey(project, dimension, m));
  const hashes = repliesOf<Record<string, string>>(await pipeline.exec());
  return new Map(
    dimensions.map((dimension, d) => [
      dimension,
      hashes.slice(d * minutes.length, (d + 1) * minutes.length).map(readTallyHash),
    ]),
  );
}
