import { InputError } from '../errors/spate-error.ts';
import { type Dimension, dimensionSql, type SqlPart } from './dimension.ts';
import { type Filter, filterSql } from './filter.ts';
import { routeByAge } from './tier-routing.ts';

/** What a breakdown counts per key: events, distinct visitors, revenue, or orders (purchases). */
export const BREAKDOWN_METRICS = ['events', 'visitors', 'revenue', 'orders'] as const;
export type BreakdownMetric = (typeof BREAKDOWN_METRICS)[number];

export const DEFAULT_BREAKDOWN_LIMIT = 10;
export const MAX_BREAKDOWN_LIMIT = 1000;

/** Metric M of project P over [from, to), per value of dimension `by`, of the events passing every filter. */
export interface BreakdownQuery {
  readonly project: string;
  readonly metric: BreakdownMetric;
  readonly by: Dimension;
  readonly filters: readonly Filter[];
  readonly fromMs: number;
  readonly toMs: number;
  /** The largest `limit` keys are answered. */
  readonly limit: number;
  /** revenue: the currency summed; purchases in other currencies are left out. */
  readonly currency?: string;
}

export interface BreakdownRow {
  /** The dimension's value; '' for events that lack it (no campaign, no country, ...). */
  readonly key: string;
  /** Events, visitors, orders; revenue in major units (49.98), as the overview answers it. */
  readonly value: number;
}

/** `limit` from outside: a whole number from 1 to MAX_BREAKDOWN_LIMIT. */
export function parseLimit(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_BREAKDOWN_LIMIT;
  const n = /^\d{1,7}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= MAX_BREAKDOWN_LIMIT))
    throw new InputError(`limit: must be a whole number from 1 to ${MAX_BREAKDOWN_LIMIT}, got "${raw}"`, {
      code: 'invalid_parameter',
      field: 'limit',
      rule: 'range',
    });
  return n;
}

/** What each key's value is, over event rows (io/clickhouse/event-rows.ts). */
function valueSql(metric: BreakdownMetric): string {
  // Exact in every tier this reads: the warm tier's raw rows and the archive both hold every
  // visitor id, so there is no need for the rollups' approximate uniq. Bots left out as elsewhere.
  if (metric === 'visitors') return "uniqExactIf(visitor, NOT is_bot AND visitor != '')";
  if (metric === 'revenue') return 'sum(revenue_minor)';
  return 'count()';
}

/**
 * The one statement of a breakdown over event rows from one or more tier spans (each a SELECT
 * of the project's rows over its span, with the columns of io/clickhouse/event-rows.ts). Reading
 * the spans in one statement rather than one per tier keeps two things exact that a sum of
 * per-tier answers would not: visitors seen in both spans count once, and the top `limit` keys
 * are those of the whole range, not the union of each span's top keys. `value` replaces the
 * metric's own aggregate (a sketch of visitors over rows that keep their hash).
 */
export function breakdownSql(
  q: BreakdownQuery,
  spans: readonly SqlPart[],
  value = valueSql(q.metric),
): SqlPart {
  if (spans.length === 0) throw new Error('breakdownSql: no span to read');
  const key = dimensionSql(q.by, 'by_property');
  const filters = filterSql(q.filters);
  const conditions = [...filters.conditions];
  if (q.metric === 'orders' || q.metric === 'revenue') conditions.push("type = 'purchase'");
  if (q.metric === 'revenue') conditions.push('currency = {currency:String}');
  const params: Record<string, string | number> = {
    ...Object.assign({}, ...spans.map((s) => s.params)),
    ...key.params,
    ...filters.params,
    project: q.project,
    limit: q.limit,
    ...(q.metric === 'revenue' ? { currency: q.currency ?? '' } : {}),
  };
  const sql = `SELECT ${key.sql} AS key, ${value} AS value
FROM (${spans.map((s) => s.sql).join('\nUNION ALL\n')})
${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}\n` : ''}GROUP BY key
HAVING value > 0
ORDER BY value DESC, key ASC
LIMIT {limit:UInt32}`;
  return { sql, params };
}

/** ClickHouse's rows as the answer's: numbers (64-bit counts arrive as text), revenue in major units. */
export function breakdownRows(
  q: Pick<BreakdownQuery, 'metric'>,
  rows: readonly { key: string; value: string | number }[],
): BreakdownRow[] {
  return rows.map((r) => ({
    key: r.key,
    value: q.metric === 'revenue' ? Number(r.value) / 100 : Number(r.value),
  }));
}

/** A part of a breakdown's range and the tier that reads it. */
export interface BreakdownSpan {
  readonly tier: 'warm' | 'cold';
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Which tier reads which part of [from, to): older than the warm tier keeps from the archive,
 * the rest from the warm tier, split where the metric routes split (routeByAge, at whole
 * seconds). The hot tier's breakdowns (core/query/hot-breakdown.ts) answer only whole recent
 * minutes, unfiltered, and only when whole; any other part of its day is read from the warm tier,
 * which holds every event the stream delivered and trails it by seconds (the warehouse mapping's
 * batch window). The answer lists `warm` for it, the tier that did answer, so a caller can tell
 * that the last seconds may be missing rather than believe the hot tier counted them.
 */
export function breakdownSpans(q: Pick<BreakdownQuery, 'fromMs' | 'toMs'>, nowMs: number): BreakdownSpan[] {
  const spans: BreakdownSpan[] = [];
  for (const s of routeByAge(
    { project: '', metric: 'events', fromMs: q.fromMs, toMs: q.toMs, stepSeconds: 1 },
    nowMs,
  )) {
    const tier = s.tier === 'cold' ? 'cold' : 'warm';
    const last = spans.at(-1);
    if (last?.tier === tier && last.toMs === s.fromMs) spans[spans.length - 1] = { ...last, toMs: s.toMs };
    else spans.push({ tier, fromMs: s.fromMs, toMs: s.toMs });
  }
  return spans;
}

/**
 * Rows of spans read apart (only after one statement over them all failed), added per key and
 * cut to `limit` again. Not exact in general: a visitor seen in two spans counts twice, and a
 * key just outside one span's top `limit` is missing from its sum; the answer says so.
 */
export function addBreakdownRows(parts: readonly (readonly BreakdownRow[])[], limit: number): BreakdownRow[] {
  const sums = new Map<string, number>();
  for (const rows of parts) for (const r of rows) sums.set(r.key, (sums.get(r.key) ?? 0) + r.value);
  return [...sums]
    .map(([key, value]) => ({ key, value: Math.round(value * 100) / 100 }))
    .sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, limit);
}
