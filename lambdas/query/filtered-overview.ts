import type { ClickHouseClient } from '@clickhouse/client';
import type { Redis } from 'ioredis';
import { beforeHotTier, type CachedAnswer, uncached } from '../../core/query/answer-cache.ts';
import { answerKey } from '../../core/query/answer-key.ts';
import { type BreakdownSpan, breakdownSpans } from '../../core/query/breakdown-query.ts';
import type { Filter } from '../../core/query/filter.ts';
import { hotFilteredNumbers, hotFilteredRead } from '../../core/query/hot-filtered-overview.ts';
import type { OverviewNumbers } from '../../core/query/overview-numbers.ts';
import { readDeadlineMs, withinDeadline } from '../../core/query/within-deadline.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { readValueMinutes } from '../../io/redis/hot-read-model.ts';
import { combineOverviews, filteredOverview } from './overview.ts';
import { type TimeRange, timeRange } from './params.ts';

export interface FilteredOverviewDeps {
  /** The hot tier: one value's whole recent minutes are answered from its live breakdowns. */
  readonly redis?: Redis;
  readonly clickhouse: ClickHouseClient;
  readonly cold?: ColdTierConfig;
  readonly tierTimeoutMs: number;
  /** The query cache of whole warm and cold answers; without it every answer is read afresh. */
  readonly answers?: CachedAnswer;
}

const TIER_STORE = { warm: 'clickhouse', cold: 's3' } as const;

/**
 * `GET /v1/metrics/overview` with filters: the same answer, of the events passing every filter.
 * One value of a dimension the dashboard filters by with a click (source, campaign, country,
 * device, page) over whole recent minutes (its filtered tiles) is answered by the hot tier's
 * live breakdowns when they hold it whole
 * (core/query/hot-filtered-overview.ts); any other question by the tiers a breakdown reads
 * (core/query/breakdown-query.ts breakdownSpans), the hot tier's day from the warm tier, which
 * the answer says. `active_now` (the hot tier's visitors of the last minute) cannot be filtered: null.
 */
export function filteredOverviewRoute(deps: FilteredOverviewDeps) {
  const t = deps.tierTimeoutMs;

  /**
   * The hot tier's numbers, or undefined where it cannot answer whole (a value that found no
   * place in a minute, a range it does not keep) or does not answer in time: the warm tier does.
   */
  async function hotNumbers(
    project: string,
    range: TimeRange,
    filters: readonly Filter[],
    nowMs: number,
  ): Promise<OverviewNumbers | undefined> {
    const read = hotFilteredRead(filters, range, nowMs);
    if (deps.redis === undefined || read === undefined) return undefined;
    try {
      const { buckets, visitors } = await withinDeadline(
        readValueMinutes(deps.redis, project, read.dimension, read.value, read.minutes),
        t,
        'hot',
      );
      return hotFilteredNumbers(read.value, buckets, visitors);
    } catch {
      return undefined;
    }
  }

  /**
   * A span's numbers. A span before the hot tier's day is kept a few seconds
   * (core/query/answer-cache.ts); the warm span of a range up to now is read every time.
   */
  function spanNumbers(project: string, span: BreakdownSpan, filters: readonly Filter[], nowMs: number) {
    const read = () =>
      withinDeadline(
        filteredOverview(deps.clickhouse, deps.cold, project, span, filters),
        readDeadlineMs([span.tier], t),
        span.tier,
      );
    const question = { project, fromMs: span.fromMs, toMs: span.toMs, filters };
    const key = beforeHotTier(span, nowMs)
      ? answerKey('filtered-overview', [span.tier], question)
      : undefined;
    return (deps.answers ?? uncached)(key, read);
  }

  return async function overview(
    project: string,
    q: Readonly<Record<string, string | undefined>>,
    filters: readonly Filter[],
    nowMs: number,
  ) {
    const range = timeRange(q, nowMs, 5 * 60_000);
    const answer = {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
    };
    const described = {
      active_now: null,
      filters: filters.map((f) => ({ dimension: f.dimension.name, value: f.value })),
    };
    const hot = await hotNumbers(project, range, filters, nowMs);
    if (hot) return { ...answer, ...hot, ...described, tiers: ['hot'], degraded: [] };
    const spans = breakdownSpans(range, nowMs);
    const parts = await Promise.all(
      spans.map((span) => spanNumbers(project, span, filters, nowMs).catch(() => undefined)),
    );
    const answered = parts.filter((p): p is OverviewNumbers => p !== undefined);
    return {
      ...answer,
      ...combineOverviews(answered),
      ...described,
      tiers: spans.filter((_, i) => parts[i] !== undefined).map((s) => s.tier),
      degraded: spans
        .filter((_, i) => parts[i] === undefined)
        .map((s) => ({ tier: s.tier, store: TIER_STORE[s.tier] })),
    };
  };
}
