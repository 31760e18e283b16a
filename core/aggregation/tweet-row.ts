import type { EnrichedTweet } from '../nlp/enriched-tweet.ts';
import type { RecordBatch } from './msk-batch.ts';
import type { PositionedTweet } from './tweet-decoding.ts';
import { tweetHashtags, tweetRiskScore, tweetTopics } from './tweet-decoding.ts';
import { clickhouseTime, type WarehouseBatch } from './warehouse-row.ts';

/** A row of the warm tier's `tweets_enriched` table (io/clickhouse/migrations/004-tweets.ts). */
export interface TweetRow {
  readonly id: string;
  /** The project of the write key that sent it; the default project for a tweet that named none. */
  readonly project: string;
  /** When it was posted (createdAt), else when it was enriched; the time the rollups use. */
  readonly ts: string;
  readonly enriched_at: string;
  readonly lang: string;
  readonly user_id: string;
  readonly sentiment_score: number;
  readonly sentiment_label: string;
  readonly sentiment_model: string;
  readonly topics: readonly string[];
  readonly topic_scores: readonly number[];
  readonly hashtags: readonly string[];
  readonly mentions: readonly string[];
  readonly risk_score: number;
  readonly risk_flags: readonly string[];
  /** The id of the tweet this one nearly repeats; empty when it is original. */
  readonly duplicate_of: string;
  readonly retweet: boolean;
  readonly text: string;
  readonly kafka_topic: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

/** `lang` is a LanguageTag from the worker; a bare code from an older producer is accepted too. */
function languageOf(tweet: EnrichedTweet): string {
  const lang = tweet.lang as unknown;
  if (typeof lang === 'string') return lang;
  if (lang && typeof lang === 'object' && typeof (lang as { lang?: unknown }).lang === 'string')
    return (lang as { lang: string }).lang;
  return 'und';
}

export function tweetRow(
  tweet: EnrichedTweet,
  timeMs: number,
  topic: string,
  partition: number,
  offset: number,
): TweetRow {
  const topics = tweetTopics(tweet);
  const enrichedMs = Date.parse(tweet.enrichedAt);
  const entities = tweet.entities as { mentions?: unknown } | undefined;
  return {
    id: tweet.id,
    project: tweet.project,
    ts: clickhouseTime(timeMs),
    enriched_at: clickhouseTime(Number.isFinite(enrichedMs) ? enrichedMs : timeMs),
    lang: languageOf(tweet),
    user_id: typeof tweet.user === 'string' ? tweet.user : '',
    sentiment_score: tweet.sentiment.score,
    sentiment_label: tweet.sentiment.label,
    sentiment_model: typeof tweet.sentiment.model === 'string' ? tweet.sentiment.model : '',
    topics: topics.map(([t]) => t),
    topic_scores: topics.map(([, s]) => s),
    hashtags: tweetHashtags(tweet),
    mentions: strings(entities?.mentions),
    risk_score: tweetRiskScore(tweet),
    risk_flags: strings((tweet.risk as { flags?: unknown } | undefined)?.flags),
    duplicate_of: typeof tweet.duplicateOf === 'string' ? tweet.duplicateOf : '',
    retweet: tweet.retweet === true,
    text: typeof tweet.text === 'string' ? tweet.text : '',
    kafka_topic: topic,
    kafka_partition: partition,
    kafka_offset: offset,
  };
}

/** A tweets.enriched batch as rows of the `tweets_enriched` table. */
export function tweetWarehouseBatch(batch: RecordBatch<PositionedTweet>): WarehouseBatch<TweetRow> {
  return {
    table: 'tweets_enriched',
    topic: batch.topic,
    partition: batch.partition,
    // As for events: two projects may track one public tweet, and each stores it.
    identityColumns: { scope: 'project', id: 'id' },
    rows: batch.events.map(({ tweet, timeMs, offset }) => {
      const row = tweetRow(tweet, timeMs, batch.topic, batch.partition, offset);
      return { offset, row, identity: { scope: row.project, id: row.id }, ts: row.ts };
    }),
  };
}
