import type { Redis } from 'ioredis';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { bucketsBetween, MINUTE, WINDOW_BUCKET_SECONDS } from '../../core/aggregation/time-buckets.ts';
import { mergeTallies, tallyFromPairs } from '../../core/aggregation/window-merge.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import type { CounterHash } from '../../core/push/snapshots.ts';
import { type AlertMinute, alertsSnapshot, tweetsSnapshot } from '../../core/push/tweet-snapshots.ts';

/** The live tweets panel looks back this far: sentiment moves by the minute, not the second. */
export const TWEET_WINDOW_SECONDS = 30 * MINUTE;
/** Top hashtags slide over the same five minutes as the other top lists. */
export const HASHTAG_WINDOW_SECONDS = 5 * MINUTE;

export interface TweetRange {
  /** Epoch seconds, [from, to). */
  readonly fromSec: number;
  readonly toSec: number;
}

function unwrap<T>(replies: Array<[Error | null, unknown]> | null): T[] {
  return (replies ?? []).map(([err, value]) => {
    if (err) throw err;
    return value as T;
  });
}

/** Reads of the tweets aggregator's keys of one project. Each read is one pipelined round trip. */
export async function readTweetMinutes(
  redis: Redis,
  project: string,
  range: TweetRange,
): Promise<{ fromMinute: number; minutes: CounterHash[] }> {
  const minutes = bucketsBetween(range.fromSec, range.toSec, MINUTE);
  const pipeline = redis.pipeline();
  for (const m of minutes) pipeline.hgetall(redisKeys.tweetMinute(project, m));
  return {
    fromMinute: minutes[0] ?? range.fromSec,
    minutes: unwrap<CounterHash>(await pipeline.exec()),
  };
}

export async function readHashtagWindow(
  redis: Redis,
  project: string,
  range: TweetRange,
): Promise<Map<string, number>> {
  const pipeline = redis.pipeline();
  for (const b of bucketsBetween(range.fromSec, range.toSec, WINDOW_BUCKET_SECONDS))
    pipeline.zrange(redisKeys.tweetHashtags(project, b), '0', '-1', 'WITHSCORES');
  return mergeTallies(unwrap<string[]>(await pipeline.exec()).map(tallyFromPairs));
}

export async function readAlertMinutes(
  redis: Redis,
  project: string,
  range: TweetRange,
): Promise<AlertMinute[]> {
  const minutes = bucketsBetween(range.fromSec, range.toSec, MINUTE);
  const pipeline = redis.pipeline();
  for (const m of minutes) pipeline.zrange(redisKeys.tweetAlerts(project, m), '0', '-1', 'WITHSCORES');
  return unwrap<string[]>(await pipeline.exec()).map((pairs, i) => ({
    minute: minutes[i] as number,
    scores: tallyFromPairs(pairs),
  }));
}

/** A project's tweets channel: the last `windowSeconds` up to now, hashtags over the last five minutes. */
export async function liveTweets(
  redis: Redis,
  project: string,
  nowMs: number,
  windowSeconds = TWEET_WINDOW_SECONDS,
) {
  const nowSec = Math.floor(nowMs / 1000);
  const hashtagSeconds = Math.min(HASHTAG_WINDOW_SECONDS, windowSeconds);
  const [minutes, tally] = await Promise.all([
    readTweetMinutes(redis, project, { fromSec: nowSec - windowSeconds + 1, toSec: nowSec + 1 }),
    readHashtagWindow(redis, project, { fromSec: nowSec - hashtagSeconds + 1, toSec: nowSec + 1 }),
  ]);
  return tweetsSnapshot({ ...minutes, windowSeconds, hashtagWindow: { seconds: hashtagSeconds, tally } });
}

/** A project's alerts channel: toxicity alerts of the last `windowSeconds`. */
export async function liveAlerts(
  redis: Redis,
  project: string,
  nowMs: number,
  windowSeconds = TWEET_WINDOW_SECONDS,
): Promise<JsonObject> {
  const nowSec = Math.floor(nowMs / 1000);
  const minutes = await readAlertMinutes(redis, project, {
    fromSec: nowSec - windowSeconds + 1,
    toSec: nowSec + 1,
  });
  return alertsSnapshot(windowSeconds, minutes);
}
