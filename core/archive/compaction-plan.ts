import { createHash } from 'node:crypto';
import { COMPACTED_NAME_PREFIX, type CompactedLevel, compactedKey } from '../aggregation/archive-key.ts';

/**
 * Which archive objects compaction merges into which Parquet object: pure, from a listing.
 * io/s3/compaction.ts explains the design and carries the plan out.
 */

/** What an archive key says about its object. */
export type ArchiveObjectKind = 'batch' | CompactedLevel;

export interface ArchiveObjectRef {
  readonly key: string;
  /** `batch`: a gzip NDJSON object of the archive function; `day`/`month`: a compacted Parquet one. */
  readonly kind: ArchiveObjectKind;
  /** The project, decoded; absent for archives that belong to no project (tweets). */
  readonly project?: string;
  /** `YYYY-MM-DD` for batch and day objects; absent for a month object. */
  readonly day?: string;
  /** `YYYY-MM`. */
  readonly month: string;
  readonly bytes: number;
}

const trimmed = (prefix: string) => prefix.replace(/^\/+|\/+$/g, '');

const BATCH = /^dt=(\d{4}-\d{2})-(\d{2})\/hour=\d{2}\/[^/]+\.ndjson\.gz$/;
const DAY = new RegExp(`^dt=(\\d{4}-\\d{2})-(\\d{2})/${COMPACTED_NAME_PREFIX}[0-9a-f]+\\.parquet$`);
const MONTH = new RegExp(`^month=(\\d{4}-\\d{2})/${COMPACTED_NAME_PREFIX}[0-9a-f]+\\.parquet$`);

/**
 * The archive object a key names under `prefix`, or undefined for a key that is none of the
 * three kinds (compaction leaves such objects alone).
 */
export function parseArchiveObject(prefix: string, key: string, bytes = 0): ArchiveObjectRef | undefined {
  const root = `${trimmed(prefix)}/`;
  if (!key.startsWith(root)) return undefined;
  let rest = key.slice(root.length);
  let project: string | undefined;
  const projectPart = /^project=([^/]*)\//.exec(rest);
  if (projectPart) {
    try {
      project = decodeURIComponent(projectPart[1]!);
    } catch {
      return undefined;
    }
    rest = rest.slice(projectPart[0].length);
  }
  const withProject = project === undefined ? {} : { project };
  const batch = BATCH.exec(rest);
  if (batch)
    return { key, kind: 'batch', ...withProject, day: `${batch[1]}-${batch[2]}`, month: batch[1]!, bytes };
  const day = DAY.exec(rest);
  if (day) return { key, kind: 'day', ...withProject, day: `${day[1]}-${day[2]}`, month: day[1]!, bytes };
  const month = MONTH.exec(rest);
  if (month) return { key, kind: 'month', ...withProject, month: month[1]!, bytes };
  return undefined;
}

/** One compaction: read `sources`, write them as one Parquet object at `target`, then delete them. */
export interface CompactionJob {
  readonly target: string;
  readonly level: CompactedLevel;
  readonly project?: string;
  /** `YYYY-MM-DD` for a day, `YYYY-MM` for a month. */
  readonly period: string;
  /** gzip NDJSON sources, in key order. */
  readonly batchKeys: readonly string[];
  /** Parquet sources (earlier compactions), in key order. */
  readonly compactedKeys: readonly string[];
  readonly bytes: number;
}

export interface CompactionPlanOptions {
  /** Archive prefix the keys were listed under (`events`). */
  readonly prefix: string;
  /**
   * `YYYY-MM-DD`: objects of this day and later are left alone, being still written to. A month
   * that ends before it is compacted as a whole, a day before it in a later month on its own.
   */
  readonly beforeDay: string;
  /** Most source objects one job reads (keeps its statement and its memory bounded). @default 400 */
  readonly maxSources?: number;
  /**
   * Most bytes of sources one job reads: a month larger than this keeps one object per day, so
   * a busy project's months are never sorted in one statement. @default 512 MiB
   */
  readonly maxBytes?: number;
  /** Only this project's objects. */
  readonly project?: string;
}

const DEFAULT_MAX_SOURCES = 400;
const DEFAULT_MAX_BYTES = 512 * 1024 * 1024;

function nextMonth(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** The UTC day of an instant, `YYYY-MM-DD`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A compacted object's id: a digest of the keys it replaces, so the same sources give the same key. */
export function compactionId(sourceKeys: readonly string[]): string {
  return createHash('sha256')
    .update([...sourceKeys].sort().join('\n'))
    .digest('hex')
    .slice(0, 20);
}

/** Consecutive runs of at most `count` items and, unless one alone is larger, `bytes` bytes. */
function chunked(items: readonly ArchiveObjectRef[], count: number, bytes: number): ArchiveObjectRef[][] {
  const out: ArchiveObjectRef[][] = [];
  let run: ArchiveObjectRef[] = [];
  let size = 0;
  for (const item of items) {
    if (run.length > 0 && (run.length >= count || size + item.bytes > bytes)) {
      out.push(run);
      run = [];
      size = 0;
    }
    run.push(item);
    size += item.bytes;
  }
  if (run.length > 0) out.push(run);
  return out;
}

const totalBytes = (objects: readonly ArchiveObjectRef[]) => objects.reduce((n, o) => n + o.bytes, 0);

/**
 * The jobs that bring a listing to one Parquet object per closed month (or per past day of the
 * month under way), oldest first. A period whose only object is already its compacted object
 * needs nothing, so a second run over a finished compaction plans nothing.
 *
 * Months: a month that ended before `beforeDay`, or that already has a month object, is one
 * period, unless it has more than `maxSources` objects: then its days are compacted first, and
 * a later run merges the day objects; a month of more than `maxBytes` keeps its day objects. A
 * day with more than `maxSources` batch objects (or `maxBytes`) is
 * compacted in chunks of that many, which a later run merges too.
 */
export function planCompaction(
  objects: readonly ArchiveObjectRef[],
  options: CompactionPlanOptions,
): CompactionJob[] {
  const maxSources = Math.max(2, options.maxSources ?? DEFAULT_MAX_SOURCES);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  const prefix = trimmed(options.prefix);
  // Per project (or none) and month: the objects old enough to compact.
  const months = new Map<string, { project?: string; month: string; objects: ArchiveObjectRef[] }>();
  for (const o of objects) {
    if (options.project !== undefined && o.project !== options.project) continue;
    if (o.day !== undefined && o.day >= options.beforeDay) continue;
    const id = `${o.project === undefined ? '-' : `+${o.project}`}\u0000${o.month}`;
    const group = months.get(id) ?? {
      ...(o.project === undefined ? {} : { project: o.project }),
      month: o.month,
      objects: [],
    };
    group.objects.push(o);
    months.set(id, group);
  }

  const jobs: CompactionJob[] = [];
  const job = (
    project: string | undefined,
    level: CompactedLevel,
    period: string,
    sources: readonly ArchiveObjectRef[],
  ): CompactionJob => {
    const keys = sources.map((s) => s.key).sort();
    return {
      target: compactedKey({
        prefix,
        ...(project === undefined ? {} : { project }),
        level,
        period,
        id: compactionId(keys),
      }),
      level,
      ...(project === undefined ? {} : { project }),
      period,
      batchKeys: sources
        .filter((s) => s.kind === 'batch')
        .map((s) => s.key)
        .sort(),
      compactedKeys: sources
        .filter((s) => s.kind !== 'batch')
        .map((s) => s.key)
        .sort(),
      bytes: sources.reduce((n, s) => n + s.bytes, 0),
    };
  };
  const done = (sources: readonly ArchiveObjectRef[], level: CompactedLevel) =>
    sources.length === 1 && sources[0]!.kind === level;

  for (const { project, month, objects: members } of months.values()) {
    const closed = nextMonth(month) <= options.beforeDay.slice(0, 7);
    const hasMonthObject = members.some((o) => o.kind === 'month');
    if ((closed || hasMonthObject) && members.length <= maxSources && totalBytes(members) <= maxBytes) {
      if (!done(members, 'month')) jobs.push(job(project, 'month', month, members));
      continue;
    }
    // Day by day; a month object (too many objects around it) stays until they are fewer.
    const days = new Map<string, ArchiveObjectRef[]>();
    for (const o of members) {
      if (o.day === undefined) continue;
      days.set(o.day, [...(days.get(o.day) ?? []), o]);
    }
    for (const [day, dayObjects] of days) {
      if (done(dayObjects, 'day')) continue;
      if (dayObjects.length <= maxSources && totalBytes(dayObjects) <= maxBytes) {
        jobs.push(job(project, 'day', day, dayObjects));
        continue;
      }
      // Too many for one job: the batch objects in chunks; the day's compacted objects wait.
      const batches = dayObjects.filter((o) => o.kind === 'batch').sort((a, b) => (a.key < b.key ? -1 : 1));
      for (const chunk of chunked(batches, maxSources, maxBytes)) jobs.push(job(project, 'day', day, chunk));
    }
  }
  return jobs.sort((a, b) =>
    a.period !== b.period ? (a.period < b.period ? -1 : 1) : a.target < b.target ? -1 : 1,
  );
}
