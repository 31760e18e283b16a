import { TWEETS_ARCHIVE_PREFIX } from '../../core/aggregation/tweet-archive.ts';
import { DEFAULT_TWEET_PROJECT } from '../../core/nlp/tweet-project.ts';
import { sqlString, tweetArchiveGlob } from '../../core/query/archive-scan.ts';
import { s3Source } from './cold-reader.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';

/** The archived tweet fields a cold scan reads; objects (topics, risk) arrive as JSON text. */
const TWEET_STRUCTURE = [
  'project Nullable(String)',
  'id String',
  'createdAt Nullable(String)',
  'enrichedAt Nullable(String)',
  'user Nullable(String)',
  'sentiment Tuple(score Float64, label String, model String)',
  'topics Nullable(String)',
  'risk Nullable(String)',
  'kafka_topic String',
  'kafka_partition UInt32',
  'kafka_offset UInt64',
].join(', ');

/**
 * Archived tweets over [from, to) as rows, each tweet id once per project: a tweet the firehose
 * sent twice is enriched twice and archived at two offsets, and a redelivered batch cut at other
 * offsets leaves overlapping objects; the copy kept is the first on its partition, as in the
 * warm tier. Columns: project (the default project for a record that names none, as every
 * tier reads it: core/nlp/tweet-project.ts), id, ts (posted, else enriched), user,
 * sentiment_label, sentiment_score, topics (the topic names), risk_score.
 */
export function archivedTweetsSql(
  config: Pick<ColdTierConfig, 'bucketUrl' | 'credentials'>,
  range: { readonly fromMs: number; readonly toMs: number },
  prefix: string = TWEETS_ARCHIVE_PREFIX,
): string {
  if (!Number.isSafeInteger(range.fromMs) || !Number.isSafeInteger(range.toMs) || range.fromMs >= range.toMs)
    throw new Error('from/to: must be integer epoch milliseconds with from before to');
  // The tweet archive is not compacted (io/s3/compaction.ts compacts the events archive).
  const source = s3Source(config, tweetArchiveGlob(prefix, range.fromMs, range.toMs), TWEET_STRUCTURE);
  return `SELECT project, id, ts, user, sentiment_label, sentiment_score, topics, risk_score FROM (
            SELECT ifNull(project, ${sqlString(DEFAULT_TWEET_PROJECT)}) AS project, id,
                   parseDateTime64BestEffort(ifNull(createdAt, enrichedAt), 3, 'UTC') AS ts,
                   ifNull(user, '') AS user, sentiment.label AS sentiment_label,
                   sentiment.score AS sentiment_score, JSONExtractKeys(ifNull(topics, '{}')) AS topics,
                   JSONExtractFloat(ifNull(risk, '{}'), 'score') AS risk_score
            FROM ${source}
            ORDER BY kafka_topic, kafka_partition, kafka_offset
            LIMIT 1 BY project, id)
          WHERE ts >= fromUnixTimestamp64Milli(toInt64(${range.fromMs}), 'UTC')
            AND ts < fromUnixTimestamp64Milli(toInt64(${range.toMs}), 'UTC')`;
}
