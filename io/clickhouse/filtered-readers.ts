import type { ClickHouseClient } from '@clickhouse/client';
import { coldValueExpression } from '../../core/query/archive-scan.ts';
import { filterSql } from '../../core/query/filter.ts';
import type { TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';
import type { ColdTierConfig } from './cold-tier-config.ts';
import { coldEventRowsSql, warmEventRowsSql } from './event-rows.ts';
import { queryStepSeries, type StepSource } from './step-series.ts';

/** The span's time cut, inside the rows' statement too, so the warm table reads only its days. */
const WITHIN_SPAN = 'ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}';

function filteredSource(q: MetricQuery, rows: string): StepSource {
  const filters = filterSql(q.filters ?? []);
  // The cold scan's aggregates are those of event rows of any tier: count, sum, uniqExact.
  return {
    time: 'ts',
    value: coldValueExpression(q),
    from: `(${rows})`,
    filters: filters.conditions,
    params: filters.params,
  };
}

/**
 * Tier readers of a filtered metric query. The rollups the warm reader answers from keep no
 * dimension, so a filtered series reads event rows (event-rows.ts): the warm tier's raw table,
 * each event id once, and the archive as the cold reader reads it. Visitors are then exact
 * (uniqExact per step) where the rollups' are estimates.
 */
export function filteredReaders(
  client: ClickHouseClient,
  cold: ColdTierConfig | undefined,
): { readonly warm: TierReader; readonly cold: TierReader } {
  return {
    warm: (q) => queryStepSeries(client, q, filteredSource(q, warmEventRowsSql(WITHIN_SPAN))),
    cold: async (q) => {
      if (!cold) throw new Error('no cold tier configured');
      return queryStepSeries(client, q, filteredSource(q, coldEventRowsSql(cold, q, WITHIN_SPAN)));
    },
  };
}
