/**
 * Compaction of the cold tier: the archive function writes one small gzip NDJSON object per
 * (project, hour, partition batch); years of history are thousands of them, and a cold read
 * that lists and fetches each one cannot answer in time. Compaction merges them into one
 * Parquet object per project and closed month (per day for the month under way), which
 * ClickHouse writes to S3 itself.
 *
 * Design:
 * - The plan is pure (core/archive/compaction-plan.ts): from a listing of the archive, which
 *   sources make which compacted object. Objects of `beforeDay` and later (today's, by default)
 *   are left to the archive function. A compacted object's key is derived from the keys it
 *   replaces, so a run repeated on the same sources writes the same key with the same rows.
 * - One job: ClickHouse reads exactly the planned sources (a glob that lists each key, so a
 *   batch written after the listing is not read), keeps each event id once (the copy with the
 *   lowest offset, the one every reader keeps), and writes the Parquet object. Only once that
 *   write has returned are the sources deleted, and only the planned ones.
 * - Readers (io/clickhouse/cold-reader.ts) read the compacted objects and every NDJSON object not
 *   compacted yet, and dedup by (project, event id), as they always did for overlapping batches.
 *   So every moment is safe: before the write the sources alone answer; between the write and
 *   the delete (or after a crash there) a row is in two objects and counts once; after the
 *   delete the compacted object alone answers.
 * - A late batch for a compacted period is a new NDJSON object next to the compacted one; both
 *   are read, and the next run merges them (the old compacted object is then a source, deleted
 *   after the new one is written). A batch redelivered after its object was compacted and
 *   deleted rewrites the same rows under the same key: read twice, counted once, merged later.
 * - Two runs at once: one that finds a source already deleted by the other simply reads less;
 *   it deletes only keys whose rows are in an object that was written before they went.
 * - A re-run over a finished compaction plans nothing: each period is one compacted object.
 * Each compacted row keeps its JSON text (`raw`), so fields beyond the typed columns are kept,
 * and the key of the NDJSON object it came from (`archive_key`): what the object covers.
 *
 * Day breakdowns: once a compacted object is written, its day breakdowns are written beside it
 * (io/clickhouse/archive-day-breakdowns.ts), then the sources and their breakdowns are deleted.
 * A breakdown reads a day from them only when the day's only object is that compacted one
 * (core/archive/day-breakdown-plan.ts), so no moment of a run makes a reader count an event
 * twice: while the sources remain, the day has two objects and is read from its rows. A
 * compacted object without breakdowns (a run stopped between the writes, or one older than
 * breakdowns) gets them from the next run.
 */

import { DeleteObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { ClickHouseClient } from '@clickhouse/client';
import { type ArchivedEvent, dayBreakdownsKey } from '../../core/aggregation/archive-key.ts';
import {
  type ArchiveObjectRef,
  type CompactionJob,
  parseArchiveObject,
  planCompaction,
} from '../../core/archive/compaction-plan.ts';
import { compactedWithoutBreakdowns } from '../../core/archive/day-breakdown-plan.ts';
import { columnName, exactKeysGlob, jsonFieldSql, sqlString } from '../../core/query/archive-scan.ts';
import { archiveDayBreakdownsSql } from '../clickhouse/archive-day-breakdowns.ts';
import { ARCHIVE_COLUMNS, ARCHIVED_IDENTITY, s3Source } from '../clickhouse/cold-reader.ts';
import type { ColdTierConfig } from '../clickhouse/cold-tier-config.ts';

/** The columns of a compacted object: the typed fields readers filter on, the row's JSON and its source. */
export const COMPACTED_COLUMNS: readonly string[] = [...ARCHIVE_COLUMNS, 'raw String', 'archive_key String'];

export interface CompactionDeps {
  readonly s3: S3Client;
  /** ClickHouse, which reads and writes the archive with s3() (the cold tier's engine). */
  readonly clickhouse: ClickHouseClient;
  /** The archive bucket as the S3 client names it. */
  readonly bucket: string;
  /** The archive as ClickHouse reaches it; its prefix is the archive compacted (`events`). */
  readonly cold: ColdTierConfig;
}

export interface CompactionOptions {
  /** `YYYY-MM-DD`: objects of this day and later are left alone. */
  readonly beforeDay: string;
  readonly project?: string;
  readonly maxSources?: number;
  readonly maxBytes?: number;
  /** No job starts after this instant (epoch ms): a Lambda stops before its timeout. */
  readonly deadlineMs?: number;
  /** Called after each job. */
  readonly onJob?: (job: CompactionJob, ms: number) => void;
}

export interface CompactionReport {
  /** Archive objects listed under the prefix before the run. */
  readonly listed: number;
  readonly jobs: number;
  /** Jobs planned but not started (the deadline came first). */
  readonly left: number;
  readonly written: readonly string[];
  readonly deleted: number;
  /** Compacted objects of earlier runs given their day breakdowns in this one. */
  readonly summarized: number;
}

/** Every key under the prefix, with its object's size, in key order. */
export async function listArchiveKeys(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<{ readonly key: string; readonly bytes: number }[]> {
  const root = `${prefix.replace(/^\/+|\/+$/g, '')}/`;
  const keys: { key: string; bytes: number }[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: root, ContinuationToken: token }),
    );
    for (const item of page.Contents ?? []) if (item.Key) keys.push({ key: item.Key, bytes: item.Size ?? 0 });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The archive objects of a listing (batches and compacted objects), in key order. */
function archiveObjectsOf(
  prefix: string,
  keys: readonly { key: string; bytes: number }[],
): ArchiveObjectRef[] {
  return keys.flatMap(({ key, bytes }) => parseArchiveObject(prefix, key, bytes) ?? []);
}

/** Every archive object under the prefix, with its size, in key order. */
export async function listArchiveObjects(
  s3: S3Client,
  bucket: string,
  prefix: string,
): Promise<ArchiveObjectRef[]> {
  return archiveObjectsOf(prefix, await listArchiveKeys(s3, bucket, prefix));
}

/**
 * The statement that writes one job's compacted object: each source row once (the lowest offset
 * of each event id, as readers keep it), ordered by time so Parquet's row-group statistics let a
 * reader skip what a range does not need.
 */
export function compactionSql(cold: ColdTierConfig, job: CompactionJob): string {
  const parts: string[] = [];
  if (job.batchKeys.length > 0)
    parts.push(`SELECT line AS raw, replaceRegexpOne(_path, '^[^/]*/', '') AS archive_key
                FROM ${s3Source(cold, exactKeysGlob(job.batchKeys), 'line String', 'LineAsString', 'gzip')}
                WHERE line != ''`);
  if (job.compactedKeys.length > 0)
    parts.push(`SELECT raw, archive_key
                FROM ${s3Source(cold, exactKeysGlob(job.compactedKeys), 'raw String, archive_key String', 'Parquet', null)}`);
  const typed = ARCHIVE_COLUMNS.map((c) => `${jsonFieldSql(c)} AS \`${columnName(c)}\``).join(',\n       ');
  const names = COMPACTED_COLUMNS.map((c) => `\`${columnName(c)}\``).join(', ');
  const target = s3Source(cold, job.target, COMPACTED_COLUMNS.join(', '), 'Parquet', null);
  return `INSERT INTO FUNCTION ${target}
SELECT ${names} FROM (
  SELECT ${typed}, raw, archive_key
  FROM (${parts.join('\n  UNION ALL\n  ')})
  ORDER BY kafka_topic, kafka_partition, kafka_offset
  LIMIT 1 BY project, ${ARCHIVED_IDENTITY}
)
ORDER BY timestamp, kafka_topic, kafka_partition, kafka_offset
SETTINGS s3_truncate_on_insert = 1, output_format_parquet_compression_method = 'zstd'`;
}

/** Writes one job's compacted object; the sources are untouched. Returns once it is in S3. */
export async function writeCompactedObject(deps: CompactionDeps, job: CompactionJob): Promise<void> {
  await deps.clickhouse.command({ query: compactionSql(deps.cold, job) });
}

/**
 * Writes the day breakdowns of the compacted object at `key`, beside it
 * (io/clickhouse/archive-day-breakdowns.ts). Until they are there, readers read its rows.
 */
export async function writeDayBreakdowns(deps: CompactionDeps, key: string): Promise<void> {
  await deps.clickhouse.command({ query: archiveDayBreakdownsSql(deps.cold, key, dayBreakdownsKey(key)) });
}

/**
 * Deletes one job's sources, and the day breakdowns of the compacted ones: call only after its
 * compacted object and its breakdowns are written. A source's breakdowns deleted before the
 * source itself (one request deletes both, in no set order) leave it read by its rows, as is
 * every day of two compacted objects (core/archive/day-breakdown-plan.ts).
 */
export async function deleteCompactedSources(deps: CompactionDeps, job: CompactionJob): Promise<number> {
  const sources = [...job.batchKeys, ...job.compactedKeys];
  const keys = [...sources, ...job.compactedKeys.map(dayBreakdownsKey)];
  for (let i = 0; i < keys.length; i += 1000) {
    const chunk = keys.slice(i, i + 1000);
    const result = await deps.s3.send(
      new DeleteObjectsCommand({
        Bucket: deps.bucket,
        Delete: { Objects: chunk.map((Key) => ({ Key })), Quiet: true },
      }),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0)
      throw new Error(
        `${job.target}: ${failed.length} sources not deleted (${failed[0]?.Key}: ${failed[0]?.Code}); a later run deletes them`,
      );
  }
  // The sources, not their breakdowns (which an object compacted before them never had).
  return sources.length;
}

/**
 * The archived rows of one compacted object, as the NDJSON objects it replaced held them (each
 * event id once), in (topic, partition, offset) order: what a replay from the archive reads from
 * a compacted period. `within`: only the rows whose NDJSON object's key starts with it (a day or
 * an hour of a compacted month).
 */
export async function readCompactedRows(
  clickhouse: ClickHouseClient,
  cold: Pick<ColdTierConfig, 'bucketUrl' | 'credentials'>,
  key: string,
  within?: string,
): Promise<ArchivedEvent[]> {
  const where = within === undefined ? '' : `WHERE startsWith(archive_key, ${sqlString(within)})`;
  const result = await clickhouse.query({
    query: `SELECT raw FROM ${s3Source(cold, key, 'raw String, archive_key String, kafka_topic String, kafka_partition UInt32, kafka_offset UInt64', 'Parquet', null)}
            ${where}
            ORDER BY kafka_topic, kafka_partition, kafka_offset`,
    format: 'JSONEachRow',
  });
  return (await result.json<{ raw: string }>()).map((row) => JSON.parse(row.raw) as ArchivedEvent);
}

/** One compaction run over the archive of `deps.cold.prefix`: list, plan, then write-and-delete each job. */
export async function compactArchive(
  deps: CompactionDeps,
  options: CompactionOptions,
): Promise<CompactionReport> {
  const keys = await listArchiveKeys(deps.s3, deps.bucket, deps.cold.prefix);
  const objects = archiveObjectsOf(deps.cold.prefix, keys);
  const jobs = planCompaction(objects, {
    prefix: deps.cold.prefix,
    beforeDay: options.beforeDay,
    ...(options.project === undefined ? {} : { project: options.project }),
    ...(options.maxSources === undefined ? {} : { maxSources: options.maxSources }),
    ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
  });
  const written: string[] = [];
  let deleted = 0;
  for (const job of jobs) {
    if (options.deadlineMs !== undefined && Date.now() >= options.deadlineMs) break;
    const started = Date.now();
    await writeCompactedObject(deps, job);
    await writeDayBreakdowns(deps, job.target);
    written.push(job.target);
    deleted += await deleteCompactedSources(deps, job);
    options.onJob?.(job, Date.now() - started);
  }
  // Compacted objects left without day breakdowns (made before they existed, or by a run cut
  // short between the two writes) get them now, in the time left.
  const unsummarized = compactedWithoutBreakdowns(
    objects.filter((o) => options.project === undefined || o.project === options.project),
    keys.map((k) => k.key),
    jobs,
  );
  let summarized = 0;
  for (const key of unsummarized) {
    if (options.deadlineMs !== undefined && Date.now() >= options.deadlineMs) break;
    await writeDayBreakdowns(deps, key);
    summarized += 1;
  }
  return {
    listed: objects.length,
    jobs: jobs.length,
    left: jobs.length - written.length,
    written,
    deleted,
    summarized,
  };
}
