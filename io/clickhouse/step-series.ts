import type { ClickHouseClient } from '@clickhouse/client';
import { type MetricQuery, stepOrigin } from '../../core/query/metric-query.ts';

/** Where a tier's rows come from, for one metric query: the rest of the statement is shared. */
export interface StepSource {
  /** The DateTime column (or expression) the rows are bucketed by. */
  readonly time: string;
  /** The aggregate that gives the metric's value per step. */
  readonly value: string;
  /** A table name or a parenthesised subquery. */
  readonly from: string;
  /** Filters of this source only (e.g. the project column of a rollup). */
  readonly filters?: readonly string[];
  /** Query parameters the source or its filters name, beyond those every series has. */
  readonly params?: Readonly<Record<string, string | number>>;
}

/**
 * Metric M over [from, to) at step S from one ClickHouse source, as a map of step start (ms)
 * to value. The warm and cold tiers differ only in their source; this is the one query.
 */
export async function queryStepSeries(
  client: ClickHouseClient,
  q: MetricQuery,
  source: StepSource,
): Promise<Map<number, number>> {
  const filters = [
    ...(source.filters ?? []),
    `${source.time} >= {from:DateTime64(3)}`,
    `${source.time} < {to:DateTime64(3)}`,
  ];
  if (q.metric === 'events' && q.type) filters.push('type = {type:String}');
  if (q.metric === 'revenue') filters.push("type = 'purchase'", 'currency = {currency:String}');
  const result = await client.query({
    // Steps start at the query's origin, not at the epoch: see stepOrigin.
    query: `SELECT {origin:Int64} + intDiv(toUnixTimestamp64Milli(toDateTime64(${source.time}, 3)) - {origin:Int64},
                                           {stepMs:Int64}) * {stepMs:Int64} AS t,
                   ${source.value} AS value
            FROM ${source.from} WHERE ${filters.join(' AND ')} GROUP BY t`,
    query_params: {
      ...source.params,
      project: q.project,
      from: q.fromMs / 1000,
      to: q.toMs / 1000,
      origin: stepOrigin(q),
      stepMs: q.stepSeconds * 1000,
      type: q.type ?? '',
      currency: q.currency ?? '',
    },
    format: 'JSONEachRow',
  });
  const rows = await result.json<{ t: string | number; value: string | number }>();
  return new Map(rows.map((r) => [Number(r.t), Number(r.value)]));
}
