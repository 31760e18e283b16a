import type { Migration } from '../migration.ts';

/**
 * Tweets carry the project of the write key that sent them (core/nlp/tweet-project.ts), so
 * `tweets_enriched` stores it, and the warm tier counts a tweet id once per project, as it does
 * an event id: two projects tracking one public tweet each keep their row.
 *
 * Rows stored before this column existed read the default project, the project every tier
 * gives a tweet that names none: which project they came from was not stored (their archived
 * records name it). Their identity claims, made under the scope '', are claimed again under
 * the default project, so a late copy that names no project is still recognised; a late copy
 * that names one is stored once under it (the claims under '' are left to expire). The column
 * is not in the sort key: a sort key can only grow at its end, where a project would not narrow
 * a read, and a project's tweets of a day are few enough to scan.
 *
 * The rollups (tweets_minute, tweets_hour) stayed totals over every project here; migration 9
 * (009-tweet-rollup-projects.ts) counts each project apart, the totals before it as the default's.
 */
export const tweetProjects: Migration = {
  version: 7,
  name: 'project of each stored tweet',
  statements: [
    `ALTER TABLE tweets_enriched ADD COLUMN IF NOT EXISTS project LowCardinality(String) DEFAULT 'default' AFTER id`,
    `INSERT INTO warehouse_ids SELECT 'tweets_enriched', project, id, ts FROM tweets_enriched`,
  ],
};
