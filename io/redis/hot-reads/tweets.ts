import type { Redis } from 'ioredis';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { bucketsBetween, MINUTE, WINDOW_BUCKET_SECONDS } from '../../../core/aggregation/time-buckets.ts';
import { mergeTallies, tallyFromPairs } from '../../../core/aggregation/window-merge.ts';
import type { CounterHash } from '../../../core/push/snapshots.ts';
import type { AlertMinute } from '../../../core/push/tweet-snapshots.ts';
import { repliesOf, type SecondRange } from './replies.ts';

/** The tweets aggregator's minute hashes of one project. Each read is one pipelined round trip. */
export async function readTweetMinutes(
  redis: Redis,
  project: string,
  range: SecondRange,
): Promise<{ fromMinute: number; minutes: CounterHash[] }> {
  const minutes = bucketsBetween(range.fromSec, range.toSec, MINUTE);
  const pipeline = redis.pipeline();
  for (const m of minutes) pipeline.hgetall(redisKeys.tweetMinute(project, m));
  return {
    fromMinute: minutes[0] ?? range.fromSec,
    minutes: repliesOf<CounterHash>(await pipeline.exec()),
  };
}

/** Hashtags of the 10-second buckets covering the range, merged. */
export async function readHashtagWindow(
  redis: Redis,
  project: string,
  range: SecondRange,
): Promise<Map<string, number>> {
  const pipeline = redis.pipeline();
  for (const b of bucketsBetween(range.fromSec, range.toSec, WINDOW_BUCKET_SECONDS))
    pipeline.zrange(redisKeys.tweetHashtags(project, b), '0', '-1', 'WITHSCORES');
  return mergeTallies(repliesOf<string[]>(await pipeline.exec()).map(tallyFromPairs));
}

/** Toxicity alerts per minute: tweet ids scored by risk. */
export async function readAlertMinutes(
  redis: Redis,
  project: string,
  range: SecondRange,
): Promise<AlertMinute[]> {
  const minutes = bucketsBetween(range.fromSec, range.toSec, MINUTE);
  const pipeline = redis.pipeline();
  for (const m of minutes) pipeline.zrange(redisKeys.tweetAlerts(project, m), '0', '-1', 'WITHSCORES');
  return repliesOf<string[]>(await pipeline.exec()).map((pairs, i) => ({
    minute: minutes[i] as number,
    scores: tallyFromPairs(pairs),
  }));
}
