import type { Redis } from 'ioredis';
import { readTallyHash, type TallyReading } from '../../../core/aggregation/bounded-tally.ts';
import { breakdownKey, breakdownVisitorsKey } from '../../../core/aggregation/breakdown-counters.ts';
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

/**
 * One value's minute breakdowns of one dimension and the union of its visitors over those
 * minutes (core/aggregation/breakdown-counters.ts breakdownVisitorsKey), in one round trip.
 */
export async function readValueMinutes(
  redis: Redis,
  project: string,
  dimension: FixedDimension,
  value: string,
  minutes: readonly number[],
): Promise<{ readonly buckets: TallyReading[]; readonly visitors: number }> {
  const pipeline = redis.pipeline();
  for (const m of minutes) pipeline.hgetall(breakdownKey(project, dimension, m));
  pipeline.pfcount(...minutes.map((m) => breakdownVisitorsKey(project, dimension, m, value)));
  const replies = repliesOf<Record<string, string> | number>(await pipeline.exec());
  return {
    buckets: replies.slice(0, minutes.length).map((h) => readTallyHash(h as Record<string, string>)),
    visitors: replies[minutes.length] as number,
  };
}
