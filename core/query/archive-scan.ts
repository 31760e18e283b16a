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

const trimmed = (prefix: string) => prefix.replace(/^\/+|\/+$/g, '');

/**
 * The s3() path glob of a project's archive objects over [from, to): the hour partitions of
 * archive keys (core/aggregation/archive-key.ts) let ClickHouse list only the days asked for.
 */
export function archiveGlob(prefix: string, project: string, fromMs: number, toMs: number): string {
  return `${trimmed(prefix)}/project=${encodeURIComponent(project)}/dt=${dayGlob(fromMs, toMs)}/hour=*/*.ndjson.gz`;
}

/** The same for the tweet archive, whose objects belong to no project. */
export function tweetArchiveGlob(prefix: string, fromMs: number, toMs: number): string {
  return `${trimmed(prefix)}/dt=${dayGlob(fromMs, toMs)}/hour=*/*.ndjson.gz`;
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
