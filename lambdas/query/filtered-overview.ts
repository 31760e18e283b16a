import type { ClickHouseClient } from '@clickhouse/client';
import { breakdownSpans } from '../../core/query/breakdown-query.ts';
import type { Filter } from '../../core/query/filter.ts';
import { withinDeadline } from '../../core/query/within-deadline.ts';
import type { ColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { combineOverviews, filteredOverview, type OverviewNumbers } from './overview.ts';
import { timeRange } from './params.ts';

export interface FilteredOverviewDeps {
  readonly clickhouse: ClickHouseClient;
  readonly cold?: ColdTierConfig;
  readonly tierTimeoutMs: number;
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
  return async function overview(
    project: string,
    q: Readonly<Record<string, string | undefined>>,
    filters: readonly Filter[],
    nowMs: number,
  ) {
    const range = timeRange(q, nowMs, 5 * 60_000);
    const spans = breakdownSpans(range, nowMs);
    const parts = await Promise.all(
      spans.map((span) =>
        withinDeadline(
          filteredOverview(deps.clickhouse, deps.cold, project, span, filters),
          // A scan of the archive takes longer than a read of the warm table: four tier timeouts.
          span.tier === 'cold' ? 4 * t : t,
          span.tier,
        ).catch(() => undefined),
      ),
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
