import type { MSKEvent } from 'aws-lambda';
import type { Aggregation } from './aggregation.ts';
import { eventIdentity } from './event-digest.ts';
import { decodeBatches, type RecordBatch } from './msk-batch.ts';
import { redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { bucketStart, HOT_TTL_SECONDS, MINUTE, WINDOW_BUCKET_SECONDS } from './time-buckets.ts';
import {
  decodeEnrichedTweet,
  tweetFlaggedToxicity,
  tweetHashtags,
  tweetRiskScore,
  tweetTopics,
} from './tweet-decoding.ts';

/** What the tweets aggregator reads of an enriched tweet (core/nlp/enrich.ts EnrichedTweet). */
export interface TweetFacts {
  readonly offset: number;
  /** Whose dashboards count it: the project of the write key that sent it (core/nlp/tweet-project.ts). */
  readonly project: string;
  readonly id: string;
  readonly timeMs: number;
  readonly sentimentScore: number;
  readonly sentimentLabel: string;
  readonly topics: readonly string[];
  readonly hashtags: readonly string[];
  readonly riskScore: number;
  /** The highest toxicity probability the worker flagged (offensive, hate); 0 or absent when none. */
  readonly flaggedToxicity?: number;
}

/** A tweet at or above this risk score raises a toxicity alert, as does one the worker flagged toxic. */
export const TOXICITY_ALERT_SCORE = 0.7;
/** Sentiment sums are kept in integer ten-thousandths, the precision the NLP worker rounds to. */
const SCORE_SCALE = 10_000;

export function decodeTweet(text: string, offset: number): TweetFacts | { reason: string } {
  const decoded = decodeEnrichedTweet(text);
  if (!decoded.ok) return { reason: decoded.reason };
  const { tweet } = decoded;
  return {
    offset,
    project: tweet.project,
    id: tweet.id,
    timeMs: decoded.timeMs,
    sentimentScore: tweet.sentiment.score,
    sentimentLabel: tweet.sentiment.label,
    topics: tweetTopics(tweet).map(([topic]) => topic),
    hashtags: tweetHashtags(tweet),
    riskScore: tweetRiskScore(tweet),
    flaggedToxicity: tweetFlaggedToxicity(tweet),
  };
}

export type TweetBatch = RecordBatch<TweetFacts>;

export function tweetBatches(event: MSKEvent): TweetBatch[] {
  return decodeBatches(event, (text, offset) => {
    const decoded = decodeTweet(text, offset);
    return 'reason' in decoded ? { ok: false, reason: decoded.reason } : { ok: true, value: decoded };
  });
}

/**
 * Sentiment over time per topic and hashtag (count and score sum per minute, so a reader gets
 * the mean of any range), label counts, a hashtag top-N window, and toxicity alerts, each per
 * project.
 */
export function planTweets(tweets: readonly TweetFacts[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  for (const t of tweets) {
    const minute = bucketStart(t.timeMs, MINUTE);
    const expireAt = minute + MINUTE + HOT_TTL_SECONDS;
    if (expireAt <= nowSec) continue;
    const key = redisKeys.tweetMinute(t.project, minute);
    const score = Math.round(t.sentimentScore * SCORE_SCALE);
    plan.hashIncrement(key, 'n', 1, expireAt);
    plan.hashIncrement(key, `n:${t.sentimentLabel}`, 1, expireAt);
    for (const topic of t.topics) {
      plan.hashIncrement(key, `t:${topic}:n`, 1, expireAt);
      plan.hashIncrement(key, `t:${topic}:s`, score, expireAt);
    }
    const bucket = bucketStart(t.timeMs, WINDOW_BUCKET_SECONDS);
    for (const tag of t.hashtags) {
      plan.hashIncrement(key, `h:${tag}:n`, 1, expireAt);
      plan.hashIncrement(key, `h:${tag}:s`, score, expireAt);
      plan.sortedSetIncrement(
        redisKeys.tweetHashtags(t.project, bucket),
        tag,
        1,
        bucket + WINDOW_BUCKET_SECONDS + HOT_TTL_SECONDS,
      );
    }
    // An alert from the risk rules (spam, threats, insults) or the toxicity model, scored by the stronger.
    const alertScore = Math.max(
      t.riskScore >= TOXICITY_ALERT_SCORE ? t.riskScore : 0,
      t.flaggedToxicity ?? 0,
    );
    if (alertScore > 0) {
      plan.hashIncrement(key, 'a', 1, expireAt);
      plan.sortedSetIncrement(redisKeys.tweetAlerts(t.project, minute), t.id, alertScore, expireAt);
    }
  }
}

export const tweetsAggregation: Aggregation<TweetFacts> = {
  consumer: 'tweets',
  // As for events: two projects may track one public tweet, and each counts it.
  identityOf: (t) => eventIdentity(t.project, t.id),
  stateKeys: () => [],
  plan: (tweets, _state, plan, nowMs) => planTweets(tweets, plan, nowMs),
};
