import type { ClickHouseClient } from '@clickhouse/client';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Redis } from 'ioredis';
import { mergeTallyReadings } from '../../core/aggregation/bounded-tally.ts';
import { beforeHotTier, type CachedAnswer, uncached } from '../../core/query/answer-cache.ts';
import { answerKey } from '../../core/query/answer-key.ts';
import { breakdownCsv } from '../../core/query/breakdown-csv.ts';
import {
  addBreakdownRows,
  BREAKDOWN_METRICS,
  type BreakdownQuery,
  type BreakdownRow,
  type BreakdownSpan,
  breakdownSpans,
  parseLimit,
} from '../../core/query/breakdown-query.ts';
import { type Dimension, parseDimension } from '../../core/query/dimension.ts';
import type { Filter } from '../../core/query/filter.ts';
import { hotBreakdownDimension, hotBreakdownRows } from '../../core/query/hot-breakdown.ts';
import { readDeadlineMs, TierTimeout, withinDeadline } from '../../core/query/within-deadline.ts';
import { readArchiveDayBreakdown, readsArchiveDays } from '../../io/clickhouse/archive-breakdown-reader.ts';
import { readBreakdown } from '../../io/clickhouse/breakdown-reader.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import {
  dayBreakdownDimension,
  readDayBreakdown,
  sketchesVisitors,
} from '../../io/clickhouse/day-breakdown-reader.ts';
import { isMissingTable } from '../../io/clickhouse/missing-table.ts';
import { readBreakdownMinutes } from '../../io/redis/hot-read-model.ts';
import { oneOf, ParamError, timeRange } from './params.ts';
import { requestFilters } from './request-filters.ts';

export interface BreakdownDeps {
  readonly clickhouse: ClickHouseClient;
  /** The hot tier: ranges of the last minutes are answered from its live breakdowns when it has them whole. */
  readonly redis?: Redis;
  /** Where ClickHouse finds the S3 archive; without it the cold tier is reported unavailable. */
  readonly cold?: ColdTierConfig;
  readonly tierTimeoutMs: number;
  /** The query cache of whole warm and cold answers; without it every answer is read afresh. */
  readonly answers?: CachedAnswer;
}

type Query = Readonly<Record<string, string | undefined>>;
type Tier = 'hot' | 'warm' | 'cold';
interface Answer {
  readonly rows: BreakdownRow[];
  readonly tiers: Tier[];
  readonly degraded: Tier[];
  /** Not added up from spans read apart after a failure (and so fit to keep in the cache). */
  readonly exact: boolean;
  /** Visitors estimated by the sketch of days and rows (io/clickhouse/warm-dimensions.ts), the archive's days' too. */
  readonly sketched?: boolean;
}
type Result = APIGatewayProxyStructuredResultV2;

const DAY_MS = 86_400_000;
const TIER_STORE = { hot: 'redis', warm: 'clickhouse', cold: 's3' } as const;

/** A breakdown question from a request: every parameter checked, each error naming its parameter. */
export function breakdownQueryOf(
  project: string,
  q: Query,
  filters: readonly Filter[],
  nowMs: number,
): BreakdownQuery {
  const metric = oneOf(q, 'metric', BREAKDOWN_METRICS);
  const by = parseDimension(q.by, 'by');
  const range = timeRange(q, nowMs, DAY_MS);
  const currency = q.currency ?? 'EUR';
  if (metric === 'revenue' && !/^[A-Z]{3}$/.test(currency))
    throw new ParamError(
      `currency: must be a three-letter currency code, got "${currency}"`,
      'currency',
      'pattern',
    );
  return {
    project,
    metric,
    by,
    filters,
    fromMs: range.fromMs,
    toMs: range.toMs,
    limit: parseLimit(q.limit),
    ...(metric === 'revenue' ? { currency } : {}),
  };
}

/**
 * `GET /v1/metrics/breakdown`: metric per value of a dimension, largest first, from the tiers
 * the range needs: the hot tier's live breakdowns for whole recent minutes when they are whole
 * (core/query/hot-breakdown.ts), else the warm and cold tiers (core/query/breakdown-query.ts
 * breakdownSpans). A tier that fails or is slow is reported in `degraded` and the rest is
 * answered, as on the other metric routes.
 */
export function breakdownRoute(deps: BreakdownDeps) {
  const t = deps.tierTimeoutMs;
  const deadline = (spans: readonly BreakdownSpan[]) =>
    readDeadlineMs(
      spans.map((s) => s.tier),
      t,
    );
  const readDays = (q: BreakdownQuery, dimension: Dimension) =>
    withinDeadline(readDayBreakdown(deps.clickhouse, q, dimension), t, 'warm');
  const read = (q: BreakdownQuery, spans: readonly BreakdownSpan[]) =>
    withinDeadline(
      readBreakdown(deps.clickhouse, deps.cold, q, spans),
      deadline(spans),
      spans.map((s) => s.tier).join('+'),
    );

  /**
   * The hot tier's answer when it has one: a range of whole, still kept minutes, answered exactly
   * (no value of the metric pushed into "other" by the bound). Otherwise undefined, and the warm
   * tier answers, as it holds every event; a hot tier that fails says so in `degraded`.
   */
  async function fromHotTier(q: BreakdownQuery, nowMs: number, degraded: Tier[]) {
    const dimension = hotBreakdownDimension(q, nowMs);
    if (deps.redis === undefined || dimension === undefined) return undefined;
    try {
      const range = { fromSec: q.fromMs / 1000, toSec: q.toMs / 1000 };
      const minutes = await withinDeadline(
        readBreakdownMinutes(deps.redis, q.project, [dimension], range),
        t,
        'hot',
      );
      const hot = hotBreakdownRows(q, mergeTallyReadings(minutes.get(dimension) ?? []));
      return hot.exact ? hot.rows : undefined;
    } catch {
      degraded.push('hot');
      return undefined;
    }
  }

  async function answer(q: BreakdownQuery, nowMs: number): Promise<Answer> {
    const degraded: Tier[] = [];
    const hot = await fromHotTier(q, nowMs, degraded);
    if (hot) return { rows: hot, tiers: ['hot'], degraded: [], exact: true };
    const warm = await fromStoredTiers(q, nowMs);
    return { ...warm, degraded: [...degraded, ...warm.degraded] };
  }

  /**
   * A whole answer of the warm and cold tiers over a range before the hot tier's day is kept a
   * few seconds (core/query/answer-cache.ts): a wall of dashboards on one range costs one scan.
   */
  function fromStoredTiers(q: BreakdownQuery, nowMs: number): Promise<Answer> {
    const spans = breakdownSpans(q, nowMs);
    const tiers = spans.map((s) => s.tier);
    const key = beforeHotTier(q, nowMs) ? answerKey('breakdown', tiers, q) : undefined;
    const whole = (a: Answer) => a.degraded.length === 0 && a.exact;
    return (deps.answers ?? uncached)(key, () => readStoredTiers(q, spans), whole);
  }

  /**
   * Unfiltered, over more than a day reaching into the archive: its days by the breakdowns
   * compaction made of them (io/clickhouse/archive-breakdown-reader.ts), visitors by a sketch.
   * Undefined where the archive has none for the range (not compacted yet) or that read failed:
   * the rows answer. One that took its whole time is not followed by the slower rows: the warm
   * tier answers its part and the archive is listed as degraded.
   */
  async function fromArchiveDays(q: BreakdownQuery, spans: readonly BreakdownSpan[]) {
    if (!deps.cold || !readsArchiveDays(q, spans)) return undefined;
    const tiers = spans.map((s) => s.tier);
    try {
      const rows = await withinDeadline(
        readArchiveDayBreakdown(deps.clickhouse, deps.cold, q, spans),
        deadline(spans),
        tiers.join('+'),
      );
      return rows && { rows, tiers, degraded: [], exact: true, sketched: q.metric === 'visitors' };
    } catch (err) {
      if (!(err instanceof TierTimeout)) return undefined;
    }
    const warm = spans.filter((s) => s.tier === 'warm');
    const rows = warm.length > 0 ? await read(q, warm).catch(() => undefined) : undefined;
    return {
      rows: rows ?? [],
      tiers: rows ? (['warm'] as Tier[]) : [],
      degraded: spans.filter((s) => !rows || s.tier === 'cold').map((s) => s.tier),
      exact: true,
      sketched: rows !== undefined && sketchesVisitors(q, warm),
    };
  }

  async function readStoredTiers(q: BreakdownQuery, spans: readonly BreakdownSpan[]): Promise<Answer> {
    const archived = await fromArchiveDays(q, spans);
    if (archived) return archived;
    // Unfiltered, over the warm tier alone: by whole days from the day's breakdowns, visitors
    // over more than a day by a sketch (io/clickhouse/day-breakdown-reader.ts). Should those
    // be missing (a warm tier the warehouse function has not migrated yet), the rows answer; a
    // read that failed otherwise, or took its whole timeout, is not tried again from the rows.
    const days = dayBreakdownDimension(q, spans);
    try {
      const rows = days
        ? await readDays(q, days).catch((err: unknown) =>
            isMissingTable(err) ? read(q, spans) : Promise.reject(err),
          )
        : await read(q, spans);
      const sketched = sketchesVisitors(q, spans);
      return { rows, tiers: spans.map((s) => s.tier), degraded: [], exact: true, sketched };
    } catch {
      if (spans.length < 2) return { rows: [], tiers: [], degraded: spans.map((s) => s.tier), exact: true };
    }
    // One statement over both tiers failed: read each alone, to answer with the one that works.
    const parts = await Promise.all(spans.map((s) => read(q, [s]).catch(() => undefined)));
    const answered = spans.filter((_, i) => parts[i] !== undefined);
    const rows = parts.filter((p): p is BreakdownRow[] => p !== undefined);
    return {
      rows: rows.length === 1 ? rows[0]! : addBreakdownRows(rows, q.limit),
      tiers: answered.map((s) => s.tier),
      degraded: spans.filter((_, i) => parts[i] === undefined).map((s) => s.tier),
      exact: rows.length < 2,
      sketched: spans.some((s, i) => parts[i] !== undefined && sketchesVisitors(q, [s])),
    };
  }

  return async function breakdown(
    project: string,
    event: Pick<APIGatewayProxyEventV2, 'rawQueryString' | 'queryStringParameters'>,
    nowMs: number,
  ): Promise<Result> {
    const params = event.queryStringParameters ?? {};
    const format = oneOf(params, 'format', ['json', 'csv'] as const, 'json');
    const q = breakdownQueryOf(project, params, requestFilters(event), nowMs);
    const a = await answer(q, nowMs);
    const tiers = [...new Set(a.tiers)];
    const degraded = [...new Set(a.degraded)].map((tier) => ({ tier, store: TIER_STORE[tier] }));
    if (format === 'csv')
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/csv; charset=utf-8',
          'content-disposition': `attachment; filename="spate-${q.metric}-by-${q.by.name}.csv"`,
          'cache-control': 'no-store',
          // CSV has no place for them: which tiers answered, and which did not, travel as headers.
          'x-spate-tiers': tiers.join(','),
          'x-spate-degraded': degraded.map((d) => d.tier).join(','),
        },
        body: breakdownCsv(q.by.name, q.metric, a.rows),
      };
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({
        metric: q.metric,
        by: q.by.name,
        from: new Date(q.fromMs).toISOString(),
        to: new Date(q.toMs).toISOString(),
        ...(q.currency ? { currency: q.currency } : {}),
        filters: q.filters.map((f) => ({ dimension: f.dimension.name, value: f.value })),
        rows: a.rows,
        // Visitors are exact (distinct ids over the raw rows of every span), unless they come
        // from the sketch of days (more than a day of the warm tier alone, or of a range
        // reaching into compacted archive days) or a failed statement made the spans be read
        // apart and added: then `exact` is false.
        exact: a.exact && !a.sketched,
        tiers,
        degraded,
      }),
    };
  };
}
