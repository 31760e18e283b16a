import type { Migration } from '../migration.ts';

/**
 * Funnels projects define at run time (core/aggregation/project-funnel.ts). One row per save;
 * the row of the highest revision is the funnel as it is, a delete is a row marked deleted.
 * Read with FINAL: a project's funnels are a handful of rows, and a read must see the last save.
 * Kept here rather than in S3 or Redis: the query function and the funnels aggregator both
 * reach ClickHouse already, the warm tier answers a funnel over history from the same server,
 * and nothing expires it (the hot tier's keys do).
 */
export const PROJECT_FUNNELS_TABLE = `CREATE TABLE IF NOT EXISTS project_funnels (
  project LowCardinality(String),
  id String,
  name String,
  steps String,
  created_ms UInt64,
  revision UInt64,
  deleted UInt8
)
ENGINE = ReplacingMergeTree(revision)
ORDER BY (project, id)`;

export const projectFunnels: Migration = {
  version: 8,
  name: 'funnels defined at run time',
  statements: [PROJECT_FUNNELS_TABLE],
};
