import type { EnrichedEvent } from '../events/enriched-event.ts';
import { eventTimeMs } from './event-decoding.ts';

export type ArchiveFormat = 'ndjson.gz';

const HOUR_MS = 3_600_000;

/**
 * `<prefix>/[project=P/]dt=YYYY-MM-DD/hour=HH/<topic>-<partition>-<first>-<last>.ndjson.gz`:
 * Hive-style partitions that ClickHouse's s3() and Athena both prune on, and a name made of
 * the offset range so a retried batch overwrites its own object instead of adding a copy.
 * Events are partitioned by project as well; tweets belong to no project. Offsets are
 * zero-padded so names sort in offset order.
 */
export function archiveKey(parts: {
  readonly prefix?: string;
  readonly project?: string;
  readonly hourStartMs: number;
  readonly topic: string;
  readonly partition: number;
  readonly firstOffset: number;
  readonly lastOffset: number;
}): string {
  const iso = new Date(parts.hourStartMs).toISOString();
  const dt = iso.slice(0, 10);
  const hour = iso.slice(11, 13);
  const pad = (n: number) => String(n).padStart(20, '0');
  const name = `${parts.topic}-${parts.partition}-${pad(parts.firstOffset)}-${pad(parts.lastOffset)}.ndjson.gz`;
  const project = parts.project === undefined ? '' : `project=${encodeURIComponent(parts.project)}/`;
  return `${parts.prefix ?? 'events'}/${project}dt=${dt}/hour=${hour}/${name}`;
}

/** Level of a compacted object: one UTC day, or one UTC month of a project's archive. */
export type CompactedLevel = 'day' | 'month';

/**
 * `<prefix>/[project=P/]dt=YYYY-MM-DD/compacted-<id>.parquet` (a day) or
 * `<prefix>/[project=P/]month=YYYY-MM/compacted-<id>.parquet` (a month): where compaction
 * (io/s3/compaction.ts) puts the Parquet object that replaces a period's small objects. The id
 * is derived from the keys it replaces, so a compaction run twice on the same objects writes
 * the same key. `period` is `YYYY-MM-DD` for a day, `YYYY-MM` for a month.
 */
export function compactedKey(parts: {
  readonly prefix?: string;
  readonly project?: string;
  readonly level: CompactedLevel;
  readonly period: string;
  readonly id: string;
}): string {
  const project = parts.project === undefined ? '' : `project=${encodeURIComponent(parts.project)}/`;
  const partition = parts.level === 'day' ? `dt=${parts.period}` : `month=${parts.period}`;
  return `${parts.prefix ?? 'events'}/${project}${partition}/${COMPACTED_NAME_PREFIX}${parts.id}.parquet`;
}

/** File names of compacted objects start with this; the cold reader's globs match on it. */
export const COMPACTED_NAME_PREFIX = 'compacted-';

/** File names of a compacted object's day breakdowns start with this (no `compacted-` glob matches them). */
export const DAY_BREAKDOWNS_NAME_PREFIX = 'breakdowns-';

/**
 * Where the day breakdowns of the compacted object at `compactedKey` lie
 * (io/clickhouse/archive-day-breakdowns.ts): beside it, under the same id, so that an object's
 * breakdowns are found, and deleted, from its key alone.
 */
export function dayBreakdownsKey(compactedKey: string): string {
  const slash = compactedKey.lastIndexOf('/') + 1;
  const name = compactedKey.slice(slash);
  if (!name.startsWith(COMPACTED_NAME_PREFIX) || !name.endsWith('.parquet'))
    throw new Error(`not a compacted object's key: ${compactedKey}`);
  const id = name.slice(COMPACTED_NAME_PREFIX.length, -'.parquet'.length);
  return `${compactedKey.slice(0, slash)}${DAY_BREAKDOWNS_NAME_PREFIX}${id}.native.zst`;
}

/** Where an archived row came from, so replay and cold reads keep offsets. */
export interface ArchivePosition {
  readonly kafka_topic: string;
  readonly kafka_partition: number;
  readonly kafka_offset: number;
}

/** The archived row of events.raw: the enriched event with where it came from. */
export interface ArchivedEvent extends EnrichedEvent, ArchivePosition {}

export interface ArchiveObject<R extends object = EnrichedEvent> {
  readonly key: string;
  readonly rows: readonly (R & ArchivePosition)[];
}

/** A record to archive: its offset, its time (which hour it lands in) and its project, if any. */
export interface ArchiveItem<R extends object> {
  readonly offset: number;
  readonly timeMs: number;
  readonly project?: string;
  readonly record: R;
}

/** Groups one partition batch into objects per project (when records have one) and hour. */
export function planArchive<R extends object>(
  batch: { readonly topic: string; readonly partition: number; readonly items: readonly ArchiveItem<R>[] },
  prefix: string,
): ArchiveObject<R>[] {
  const groups = new Map<string, { project?: string; hourStartMs: number; rows: (R & ArchivePosition)[] }>();
  for (const { offset, timeMs, project, record } of batch.items) {
    const hourStartMs = timeMs - (((timeMs % HOUR_MS) + HOUR_MS) % HOUR_MS);
    const id = `${project ?? ''}\u0000${project === undefined ? 0 : 1}\u0000${hourStartMs}`;
    const group = groups.get(id) ?? { ...(project === undefined ? {} : { project }), hourStartMs, rows: [] };
    group.rows.push({
      ...record,
      kafka_topic: batch.topic,
      kafka_partition: batch.partition,
      kafka_offset: offset,
    });
    groups.set(id, group);
  }
  return [...groups.values()].map((g) => ({
    key: archiveKey({
      prefix,
      ...(g.project === undefined ? {} : { project: g.project }),
      hourStartMs: g.hourStartMs,
      topic: batch.topic,
      partition: batch.partition,
      firstOffset: g.rows[0]!.kafka_offset,
      lastOffset: g.rows[g.rows.length - 1]!.kafka_offset,
    }),
    rows: g.rows,
  }));
}

/** Groups one events.raw partition batch into objects per project and event hour. */
export function planArchiveObjects(
  batch: {
    readonly topic: string;
    readonly partition: number;
    readonly events: readonly { readonly offset: number; readonly event: EnrichedEvent }[];
  },
  prefix?: string,
): ArchiveObject[] {
  return planArchive(
    {
      topic: batch.topic,
      partition: batch.partition,
      items: batch.events.map(({ offset, event }) => ({
        offset,
        timeMs: eventTimeMs(event),
        project: event.project,
        record: event,
      })),
    },
    prefix ?? 'events',
  );
}
