import type { MSKEvent } from 'aws-lambda';
import type { Aggregation } from './aggregation.ts';
import { redisKeys } from './redis-keys.ts';
import type { RedisPlan } from './redis-plan.ts';
import { bucketStart, HOT_TTL_SECONDS, MINUTE, WINDOW_BUCKET_SECONDS } from './time-buckets.ts';

/** What the tweets aggregator reads of an enriched tweet (core/nlp/enrich.ts EnrichedTweet). */
export interface TweetFacts {
  readonly offset: number;
  readonly id: string;
  readonly timeMs: number;
  readonly sentimentScore: number;
  readonly sentimentLabel: string;
  readonly topics: readonly string[];
  readonly hashtags: readonly string[];
  readonly riskScore: number;
}

/** A tweet at or above this risk score raises a toxicity alert. */
export const TOXICITY_ALERT_SCORE = 0.7;
/** Sentiment sums are kept in integer ten-thousandths, the precision the NLP worker rounds to. */
const SCORE_SCALE = 10_000;

export function decodeTweet(text: string, offset: number): TweetFacts | { reason: string } {
  let v: Record<string, unknown>;
  try {
    v = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { reason: 'value: not JSON' };
  }
  if (v === null || typeof v !== 'object') return { reason: 'value: must be a JSON object' };
  if (typeof v.id !== 'string' || v.id === '') return { reason: 'id: must be a non-empty string' };
  const sentiment = v.sentiment as { score?: unknown; label?: unknown } | undefined;
  if (typeof sentiment?.score !== 'number' || typeof sentiment.label !== 'string')
    return { reason: 'sentiment: must carry a numeric score and a label' };
  const when = typeof v.createdAt === 'string' ? v.createdAt : v.enrichedAt;
  const timeMs = typeof when === 'string' ? Date.parse(when) : Number.NaN;
  if (!Number.isFinite(timeMs)) return { reason: 'createdAt/enrichedAt: must be an ISO 8601 date-time' };
  const entities = v.entities as { hashtags?: unknown } | undefined;
  const hashtags = Array.isArray(entities?.hashtags)
    ? entities.hashtags.filter((h): h is string => typeof h === 'string')
    : [];
  const topics = v.topics && typeof v.topics === 'object' ? Object.keys(v.topics) : [];
  const risk = v.risk as { score?: unknown } | undefined;
  return {
    offset,
    id: v.id,
    timeMs,
    sentimentScore: sentiment.score,
    sentimentLabel: sentiment.label,
    topics,
    hashtags: [...new Set(hashtags.map((h) => h.toLowerCase()))],
    riskScore: typeof risk?.score === 'number' ? risk.score : 0,
  };
}

export interface TweetBatch {
  readonly topic: string;
  readonly partition: number;
  readonly lastOffset: number;
  readonly events: readonly TweetFacts[];
  readonly undecodable: readonly { readonly offset: number; readonly reason: string }[];
}

export function tweetBatches(event: MSKEvent): TweetBatch[] {
  if (event.records === null || typeof event.records !== 'object')
    throw new Error('records: an MSK event must carry a records object');
  const out: TweetBatch[] = [];
  for (const records of Object.values(event.records)) {
    if (!Array.isArray(records) || records.length === 0) continue;
    const sorted = [...records].sort((a, b) => a.offset - b.offset);
    const events: TweetFacts[] = [];
    const undecodable: { offset: number; reason: string }[] = [];
    for (const r of sorted) {
      const decoded = decodeTweet(Buffer.from(r.value ?? '', 'base64').toString('utf8'), r.offset);
      if ('reason' in decoded) undecodable.push({ offset: r.offset, reason: decoded.reason });
      else events.push(decoded);
    }
    const first = sorted[0]!;
    out.push({
      topic: first.topic,
      partition: first.partition,
      lastOffset: sorted[sorted.length - 1]!.offset,
      events,
      undecodable,
    });
  }
  return out;
}

/**
 * Sentiment over time per topic and hashtag (count and score sum per minute, so a reader gets
 * the mean of any range), label counts, a hashtag top-N window, and toxicity alerts.
 */
export function planTweets(tweets: readonly TweetFacts[], plan: RedisPlan, nowMs: number): void {
  const nowSec = Math.floor(nowMs / 1000);
  for (const t of tweets) {
    const minute = bucketStart(t.timeMs, MINUTE);
    const expireAt = minute + MINUTE + HOT_TTL_SECONDS;
    if (expireAt <= nowSec) continue;
    const key = redisKeys.tweetMinute(minute);
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
        redisKeys.tweetHashtags(bucket),
        tag,
        1,
        bucket + WINDOW_BUCKET_SECONDS + HOT_TTL_SECONDS,
      );
    }
    if (t.riskScore >= TOXICITY_ALERT_SCORE) {
      plan.hashIncrement(key, 'a', 1, expireAt);
      plan.sortedSetIncrement(redisKeys.tweetAlerts(minute), t.id, t.riskScore, expireAt);
    }
  }
}

export const tweetsAggregation: Aggregation<TweetFacts> = {
  consumer: 'tweets',
  stateKeys: () => [],
  plan: (tweets, _state, plan, nowMs) => planTweets(tweets, plan, nowMs),
};
