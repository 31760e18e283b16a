import type { ClickHouseClient } from '@clickhouse/client';
import { beforeHotTier, type CachedAnswer, uncached } from '../../core/query/answer-cache.ts';
import { answerKey } from '../../core/query/answer-key.ts';
import { type BreakdownSpan, breakdownSpans } from '../../core/query/breakdown-query.ts';
import type { Filter } from '../../core/query/filter.ts';
import { readDeadlineMs, withinDeadline } from '../../core/query/within-deadline.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { combineOverviews, filteredOverview, type OverviewNumbers } from './overview.ts';
import { timeRange } from './params.ts';

export interface FilteredOverviewDeps {
  readonly clickhouse: ClickHouseClient;
  readonly cold?: ColdTierConfig;
  readonly tierTimeoutMs: number;
  /** The query cache of whole warm and cold answers; without it every answer is read afresh. */
  readonly answers?: CachedAnswer;
}

const TIER_STORE = { warm: 'clickhouse', cold: 's3' } as const;

/**
 * `GET /v1/metrics/overview` with filters: the same answer, of the events passing every filter.
 * Served from the tiers a breakdown reads (core/query/breakdown-query.ts breakdownSpans): the
 * hot tier keeps no dimension, so its range is read from the warm tier and the answer says
 * `warm`. `active_now` (the hot tier's visitors of the last minute) cannot be filtered: null.
 */
export function filteredOverviewRoute(deps: FilteredOverviewDeps) {
  const t = deps.tierTimeoutMs;

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
    const spans = breakdownSpans(range, nowMs);
    const parts = await Promise.all(
      spans.map((span) => spanNumbers(project, span, filters, nowMs).catch(() => undefined)),
    );
    const answered = parts.filter((p): p is OverviewNumbers => p !== undefined);
    return {
      from: new Date(range.fromMs).toISOString(),
      to: new Date(range.toMs).toISOString(),
      ...combineOverviews(answered),
      active_now: null,
      filters: filters.map((f) => ({ dimension: f.dimension.name, value: f.value })),
      tiers: spans.filter((_, i) => parts[i] !== undefined).map((s) => s.tier),
      degraded: spans
        .filter((_, i) => parts[i] === undefined)
        .map((s) => ({ tier: s.tier, store: TIER_STORE[s.tier] })),
    };
  };
}
