import type { Migration } from '../migration.ts';

/**
 * Rollups of tweets per minute or hour, topic and sentiment label. A tweet counts once under
 * topic '' (every tweet, whatever its topics) and once under each of its topics, so totals and
 * per-topic figures come from the same table without double counting. Scores are summed in
 * integer ten-thousandths (the precision the NLP worker rounds to), as in the hot tier, so
 * sums are exact and a mean is score_sum / tweets / 10000.
 */
const rollup = (name: string, bucket: string, fn: string) => [
  `CREATE TABLE IF NOT EXISTS ${name} (
    topic LowCardinality(String),
    sentiment_label LowCardinality(String),
    ${bucket} DateTime('UTC') CODEC(DoubleDelta, LZ4),
    tweets AggregateFunction(count),
    score_sum AggregateFunction(sum, Int64),
    toxic AggregateFunction(count),
    authors AggregateFunction(uniq, String)
  )
  ENGINE = AggregatingMergeTree
  PARTITION BY toDate(${bucket})
  ORDER BY (topic, sentiment_label, ${bucket})
  TTL ${bucket} + INTERVAL 30 DAY
  SETTINGS non_replicated_deduplication_window = 10000`,
  // 0.7 is the hot tier's toxicity alert score (core/aggregation/tweets.ts TOXICITY_ALERT_SCORE).
  `CREATE MATERIALIZED VIEW IF NOT EXISTS ${name}_mv TO ${name} AS
   SELECT topic, sentiment_label, ${fn}(ts) AS ${bucket},
          countState() AS tweets,
          sumState(toInt64(round(sentiment_score * 10000))) AS score_sum,
          countStateIf(risk_score >= 0.7) AS toxic,
          uniqStateIf(user_id, user_id != '') AS authors
   FROM tweets_enriched
   ARRAY JOIN arrayPushFront(topics, '') AS topic
   GROUP BY topic, sentiment_label, ${bucket}`,
];

/**
 * One row per enriched tweet of tweets.enriched, sorted for the questions asked of raw tweets
 * (a language's tweets of a sentiment over a time range), partitioned by day so TTL drops
 * whole parts. Codecs as for `events`: time delta-encoded, short hot columns LZ4, text ZSTD.
 * Its offsets feed the same high-water ledger as `events`, under its own topic.
 */
export const tweetsTable: Migration = {
  version: 4,
  name: 'tweets_enriched table and its rollups',
  statements: [
    `CREATE TABLE IF NOT EXISTS tweets_enriched (
      id String CODEC(LZ4),
      ts DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4),
      enriched_at DateTime64(3, 'UTC') CODEC(DoubleDelta, LZ4),
      lang LowCardinality(String),
      user_id String CODEC(LZ4),
      sentiment_score Float64 CODEC(LZ4),
      sentiment_label LowCardinality(String),
      sentiment_model LowCardinality(String),
      topics Array(LowCardinality(String)),
      topic_scores Array(Float32) CODEC(LZ4),
      hashtags Array(String) CODEC(LZ4),
      mentions Array(String) CODEC(ZSTD(3)),
      risk_score Float64 CODEC(LZ4),
      risk_flags Array(LowCardinality(String)),
      duplicate_of String CODEC(LZ4),
      retweet Bool,
      text String CODEC(ZSTD(3)),
      kafka_topic LowCardinality(String),
      kafka_partition UInt16 CODEC(LZ4),
      kafka_offset UInt64 CODEC(Delta, LZ4)
    )
    ENGINE = MergeTree
    PARTITION BY toDate(ts)
    ORDER BY (lang, sentiment_label, ts, id)
    TTL toDateTime(ts) + INTERVAL 30 DAY
    SETTINGS non_replicated_deduplication_window = 10000`,
    `CREATE MATERIALIZED VIEW IF NOT EXISTS tweets_enriched_high_water_mv TO events_high_water AS
     SELECT kafka_topic, kafka_partition, max(kafka_offset) AS high_water
     FROM tweets_enriched GROUP BY kafka_topic, kafka_partition`,
    ...rollup('tweets_minute', 'minute', 'toStartOfMinute'),
    ...rollup('tweets_hour', 'hour', 'toStartOfHour'),
  ],
};
