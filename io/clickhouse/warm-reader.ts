import type { ClickHouseClient } from '@clickhouse/client';
import type { TierReader } from '../../core/query/metric-answer.ts';
import type { MetricQuery } from '../../core/query/metric-query.ts';

function valueExpression(q: MetricQuery): string {
  if (q.metric === 'visitors') return 'uniqMerge(visitors)';
  if (q.metric === 'revenue') return 'sumMerge(revenue_minor)';
  return 'countMerge(events)';
}

/**
 * Answers from the minute rollup (hour rollup when the step is whole hours). Visitors are
 * unique within each step, as the hot tier gives them.
 */
export function warmReader(client: ClickHouseClient): TierReader {
  return async (q) => {
    const hourly = q.stepSeconds % 3600 === 0;
    const table = hourly ? 'events_hour' : 'events_minute';
    const bucket = hourly ? 'hour' : 'minute';
    const filters = [
      `project = {project:String}`,
      `${bucket} >= {from:DateTime64(3)}`,
      `${bucket} < {to:DateTime64(3)}`,
    ];
    if (q.metric === 'events' && q.type) filters.push('type = {type:String}');
    if (q.metric === 'revenue') filters.push("type = 'purchase'", 'currency = {currency:String}');
    const result = await client.query({
      query: `SELECT toUnixTimestamp(toStartOfInterval(${bucket}, INTERVAL {step:UInt32} SECOND)) * 1000 AS t,
                     ${valueExpression(q)} AS value
              FROM ${table} WHERE ${filters.join(' AND ')} GROUP BY t`,
      query_params: {
        project: q.project,
        from: q.fromMs / 1000,
        to: q.toMs / 1000,
        step: q.stepSeconds,
        type: q.type ?? '',
        currency: q.currency ?? '',
      },
      format: 'JSONEachRow',
    });
    const rows = await result.json<{ t: string | number; value: string | number }>();
    return new Map(rows.map((r) => [Number(r.t), Number(r.value)]));
  };
}
