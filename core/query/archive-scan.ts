import { COMPACTED_NAME_PREFIX } from '../aggregation/archive-key.ts';
import type { MetricQuery } from './metric-query.ts';

const DAY_MS = 86_400_000;
/** More days than this in one cold scan is read as every day, with a `*` glob. */
const MAX_LISTED_DAYS = 400;

/** The `dt=` part of an archive glob covering [from, to): the days listed, or `*` past a limit. */
function dayGlob(fromMs: number, toMs: number): string {
  const days: string[] = [];
  for (let d = fromMs - (((fromMs % DAY_MS) + DAY_MS) % DAY_MS); d < toMs; d += DAY_MS) {
    days.push(new Date(d).toISOString().slice(0, 10));
    if (days.length > MAX_LISTED_DAYS) break;
  }
  return days.length > MAX_LISTED_DAYS ? '*' : days.length === 1 ? days[0]! : `{${days.join(',')}}`;
}

/** The `month=` part of a glob of compacted months covering [from, to), or `*` past a limit. */
function monthGlob(fromMs: number, toMs: number): string {
  const months: string[] = [];
  const from = new Date(fromMs);
  for (let i = 0; months.length <= MAX_LISTED_DAYS; i += 1) {
    const monthStartMs = Date.UTC(from.getUTCFullYear(), from.getUTCMonth() + i);
    if (monthStartMs >= toMs) break;
    months.push(new Date(monthStartMs).toISOString().slice(0, 7));
  }
  return months.length > MAX_LISTED_DAYS ? '*' : months.length === 1 ? months[0]! : `{${months.join(',')}}`;
}

const trimmed = (prefix: string) => prefix.replace(/^\/+|\/+$/g, '');

/**
 * The s3() path glob of a project's archive objects over [from, to): the hour partitions of
 * archive keys (core/aggregation/archive-key.ts) let ClickHouse list only the days asked for.
 */
export function archiveGlob(prefix: string, project: string, fromMs: number, toMs: number): string {
  return `${trimmed(prefix)}/project=${encodeURIComponent(project)}/dt=${dayGlob(fromMs, toMs)}/hour=*/*.ndjson.gz`;
}

/**
 * The s3() globs of the Parquet objects that compaction (io/s3/compaction.ts) made of a
 * project's archive over [from, to): compacted days and compacted months. Read together with
 * archiveGlob's objects that are not compacted yet.
 */
export function compactedArchiveGlobs(
  prefix: string,
  project: string | undefined,
  fromMs: number,
  toMs: number,
): { readonly days: string; readonly months: string } {
  const root = `${trimmed(prefix)}/${project === undefined ? '' : `project=${encodeURIComponent(project)}/`}`;
  return {
    days: `${root}dt=${dayGlob(fromMs, toMs)}/${COMPACTED_NAME_PREFIX}*.parquet`,
    months: `${root}month=${monthGlob(fromMs, toMs)}/${COMPACTED_NAME_PREFIX}*.parquet`,
  };
}

/**
 * A glob that matches exactly these keys: their common prefix, then each rest as one
 * alternative. ClickHouse lists under the part before the first brace (so a month's keys list
 * only that month), then keeps the keys that match.
 */
export function exactKeysGlob(keys: readonly string[]): string {
  if (keys.length === 1) return keys[0]!;
  let common = keys[0]!;
  for (const key of keys) while (!key.startsWith(common)) common = common.slice(0, -1);
  return `${common}{${keys.map((k) => k.slice(common.length)).join(',')}}`;
}

/** The same for the tweet archive, whose objects belong to no project. */
export function tweetArchiveGlob(prefix: string, fromMs: number, toMs: number): string {
  return `${trimmed(prefix)}/dt=${dayGlob(fromMs, toMs)}/hour=*/*.ndjson.gz`;
}

/**
 * Archived rows stamped within a day of [from, to), by their time's text: `timestamp` is UTC in
 * toISOString's form (core/events/clock-skew.ts), so it sorts as the times do. A compacted object's
 * rows are in time order, so ClickHouse skips the row groups outside (Parquet's statistics), and
 * a range within a month reads its days, not the month. The day's margin keeps the copies of an
 * event that its retries stamped a little apart side by side for the readers' dedup.
 */
export function timestampAroundSql(fromMs: number, toMs: number): string {
  const day = (ms: number) => sqlString(new Date(ms).toISOString().slice(0, 10));
  return `timestamp >= ${day(fromMs - DAY_MS)} AND timestamp < ${day(toMs + 2 * DAY_MS)}`;
}

/** A SQL string literal; backslash and quote escaped as ClickHouse reads them. */
export function sqlString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** What a cold scan aggregates per step; each reads the archived event's JSON fields. */
export function coldValueExpression(q: Pick<MetricQuery, 'metric'>): string {
  if (q.metric === 'visitors') return "uniqExactIf(visitor, NOT is_bot AND visitor != '')";
  if (q.metric === 'revenue') return 'sum(revenue_minor)';
  return 'count()';
}

/** The name of a `name Type` column definition. */
export function columnName(definition: string): string {
  return definition.trim().split(/\s+/, 1)[0]!.replace(/^`|`$/g, '');
}

/**
 * An archived row's field as SQL, read from its JSON text in column `json`, with the type and
 * the meaning JSONEachRow gives it: a `Nullable(String)` field that holds an object or an array
 * reads as its JSON text, one that is missing or null as NULL. Compacted objects keep each row's
 * JSON text, so fields beyond their typed columns read from it the same way.
 */
export function jsonFieldSql(definition: string, json = 'raw'): string {
  const name = columnName(definition);
  const type = definition.trim().split(/\s+/).slice(1).join(' ');
  const key = sqlString(name);
  if (type === 'Nullable(String)' || type === 'String') {
    const text = `if(JSONType(${json}, ${key}) IN ('Object', 'Array'), JSONExtractRaw(${json}, ${key}), JSONExtract(${json}, ${key}, 'Nullable(String)'))`;
    return type === 'String' ? `ifNull(${text}, '')` : text;
  }
  return `JSONExtract(${json}, ${key}, ${sqlString(type)})`;
}
