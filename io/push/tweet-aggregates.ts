import type { Redis } from 'ioredis';
import { MINUTE } from '../../core/aggregation/time-buckets.ts';
import type { JsonObject } from '../../core/push/merge-patch.ts';
import { alertsSnapshot, tweetsSnapshot } from '../../core/push/tweet-snapshots.ts';
import {
  lastSeconds,
  readAlertMinutes,
  readHashtagWindow,
  readTweetMinutes,
} from '../redis/hot-read-model.ts';

/** The live tweets panel looks back this far: sentiment moves by the minute, not the second. */
export const TWEET_WINDOW_SECONDS = 30 * MINUTE;
/** Top hashtags slide over the same five minutes as the other top lists. */
export const HASHTAG_WINDOW_SECONDS = 5 * MINUTE;

/** A project's tweets channel: the last `windowSeconds` up to now, hashtags over the last five minutes. */
export async function liveTweets(
  redis: Redis,
  project: string,
  nowMs: number,
  windowSeconds = TWEET_WINDOW_SECONDS,
) {
  const hashtagSeconds = Math.min(HASHTAG_WINDOW_SECONDS, windowSeconds);
  const [minutes, tally] = await Promise.all([
    readTweetMinutes(redis, project, lastSeconds(nowMs, windowSeconds)),
    readHashtagWindow(redis, project, lastSeconds(nowMs, hashtagSeconds)),
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
  const minutes = await readAlertMinutes(redis, project, lastSeconds(nowMs, windowSeconds));
  return alertsSnapshot(windowSeconds, minutes);
}
