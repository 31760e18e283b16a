import type { ClickHouseClient } from '@clickhouse/client';
import type { TierReader } from '../../core/query/metric-answer.ts';
import { type MetricQuery, stepOrigin } from '../../core/query/metric-query.ts';
import { queryStepSeries } from './step-series.ts';

function valueExpression(q: MetricQuery): string {
  if (q.metric === 'visitors') return 'uniqMerge(visitors)';
  if (q.metric === 'revenue') return 'sumMerge(revenue_minor)';
  return 'countMerge(events)';
}

/**
 * Answers from the minute rollup (hour rollup when every step is whole clock hours). Visitors are
 * unique within each step, as the hot tier gives them.
 */
export function warmReader(client: ClickHouseClient): TierReader {
  return async (q) => {
    const hourly = q.stepSeconds % 3600 === 0 && stepOrigin(q) % 3_600_000 === 0;
    const table = hourly ? 'events_hour' : 'events_minute';
    const bucket = hourly ? 'hour' : 'minute';
    return queryStepSeries(client, q, {
      time: bucket,
      value: valueExpression(q),
      from: table,
      filters: ['project = {project:String}'],
    });
  };
}
