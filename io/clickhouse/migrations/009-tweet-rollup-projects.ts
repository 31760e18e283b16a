import type { Migration } from '../migration.ts';

/**
 * The tweet rollups (tweets_minute, tweets_hour) count each project apart: the project joins
 * their key, so a project's dashboard reads its own figures. Rows rolled up before this migration
 * were totals over every project and stay as they are, read as the default project's
 * (DEFAULT_TWEET_PROJECT, core/nlp/tweet-project.ts): which projects they mixed is not kept.
 *
 * Done in place, on tables that keep taking inserts, so that no count is lost or repeated:
 * 1. The view groups by project first. Its target has no `project_key` yet, so the column is
 *    dropped on insert and the per-project rows merge into the totals as before.
 * 2. `project_key` joins the table and the end of its sorting key, in one ALTER: from here the
 *    view writes each row's project. A key can only grow at its end without rebuilding the table
 *    (a project's read scans its topics' rows, a few per bucket), and only by a column added in
 *    the same ALTER with no default: parts written before it read and merge the type's default,
 *    '' (a default set afterwards would race the merges that write '' meanwhile). So '' is the
 *    default project's key, the one that needs no rewrite of those parts: the view stores the
 *    default project as '' too, and tweetProjectOf refuses '' as a project's name.
 * 3. `project` reads the key back as the project's name, for readers to filter and group by.
 * No row is rewritten or moved, so nothing is counted twice, and each statement is idempotent,
 * so a migration cut short reruns. MODIFY QUERY needs no experimental setting since ClickHouse
 * 24.1 (the server image runs 25.8, chDB 26.x).
 */
const perProject = (name: string, bucket: string, fn: string) => [
  // 0.7 is the hot tier's toxicity alert score (core/aggregation/tweets.ts TOXICITY_ALERT_SCORE).
  `ALTER TABLE ${name}_mv MODIFY QUERY
   SELECT if(project = 'default', '', project) AS project_key,
          topic, sentiment_label, ${fn}(ts) AS ${bucket},
          countState() AS tweets,
          sumState(toInt64(round(sentiment_score * 10000))) AS score_sum,
          countStateIf(risk_score >= 0.7) AS toxic,
          uniqStateIf(user_id, user_id != '') AS authors
   FROM tweets_enriched
   ARRAY JOIN arrayPushFront(topics, '') AS topic
   GROUP BY project_key, topic, sentiment_label, ${bucket}`,
  `ALTER TABLE ${name}
     ADD COLUMN IF NOT EXISTS project_key LowCardinality(String) FIRST,
     MODIFY ORDER BY (topic, sentiment_label, ${bucket}, project_key)`,
  `ALTER TABLE ${name}
     ADD COLUMN IF NOT EXISTS project LowCardinality(String)
       ALIAS if(project_key = '', 'default', project_key) FIRST`,
];

export const tweetRollupProjects: Migration = {
  version: 9,
  name: 'tweet rollups per project',
  statements: [
    ...perProject('tweets_minute', 'minute', 'toStartOfMinute'),
    ...perProject('tweets_hour', 'hour', 'toStartOfHour'),
  ],
};
