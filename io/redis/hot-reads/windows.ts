import type { Redis } from 'ioredis';
import { redisKeys, type WindowKind } from '../../../core/aggregation/redis-keys.ts';
import { bucketsBetween, WINDOW_BUCKET_SECONDS } from '../../../core/aggregation/time-buckets.ts';
import { mergeTallies, tallyFromPairs } from '../../../core/aggregation/window-merge.ts';
import { repliesOf, type SecondRange } from './replies.ts';

/**
 * A top-N window's tally: the windows aggregator's 10-second buckets that cover the range,
 * merged, in one pipelined round trip. The sliding 5-minute window is this over the last 300 s.
 */
export async function readWindowTally(
  redis: Redis,
  project: string,
  kind: WindowKind,
  range: SecondRange,
): Promise<Map<string, number>> {
  const pipeline = redis.pipeline();
  for (const b of bucketsBetween(range.fromSec, range.toSec, WINDOW_BUCKET_SECONDS))
    pipeline.zrange(redisKeys.window(project, kind, b), '0', '-1', 'WITHSCORES');
  return mergeTallies(repliesOf<string[]>(await pipeline.exec()).map(tallyFromPairs));
}
