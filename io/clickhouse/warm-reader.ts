import type { ClickHouseClient } from '@clickhouse/client';
import type { TierReader } from '../../core/query/metric-answer.ts';
import { type MetricQuery, stepOrigin } from '../../core/query/metric-query.ts';
import { queryStepSeries, type StepSource } from './step-series.ts';

function valueExpression(q: MetricQuery): string {
  if (q.metric === 'visitors') return 'uniqMerge(visitors)';
  if (q.metric === 'revenue') return 'sumMerge(revenue_minor)';
  return 'countMerge(events)';
}

const ROLLUPS = {
  minute: { table: 'events_minute', start: 'toStartOfMinute', ms: 60_000 },
  hour: { table: 'events_hour', start: 'toStartOfHour', ms: 3_600_000 },
} as const;

/**
 * A rollup's rows over [from, to) where its buckets lie whole inside, and the pieces of buckets
 * at the range's ends made from the raw rows in the same form: each a state of the rollup's own
 * aggregates (migration 2), as its materialized view makes them, so the two add up. A piece at
 * the start is stamped `from` (the step that holds it), one at the end its bucket's start. Read
 * from the rollup alone, a range starting in the middle of a minute lost that minute, and one
 * ending in the middle of one counted all of it.
 */
function rollupWithEdges(bucket: keyof typeof ROLLUPS): string {
  const { table, start } = ROLLUPS[bucket];
  return `(SELECT toDateTime64(${bucket}, 3, 'UTC') AS at, type, currency, events, visitors, revenue_minor
  FROM ${table}
  WHERE project = {project:String} AND ${bucket} >= {whole_from:DateTime64(3)} AND ${bucket} < {whole_to:DateTime64(3)}
UNION ALL
SELECT greatest(toDateTime64(${start}(ts), 3, 'UTC'), {from:DateTime64(3)}) AS at, type, currency,
       countState() AS events,
       uniqStateIf(visitor, NOT is_bot AND visitor != '') AS visitors,
       sumState(revenue_minor) AS revenue_minor
  FROM events
  WHERE project = {project:String} AND ts >= {from:DateTime64(3)} AND ts < {to:DateTime64(3)}
    AND (ts < {whole_from:DateTime64(3)} OR ts >= {whole_to:DateTime64(3)})
  GROUP BY at, type, currency)`;
}

/** Rollup rows of a range as a step series or an overview reads them: a source, its time column, filters and parameters. */
export type RollupRows = Omit<StepSource, 'value'> & { readonly filters: readonly string[] };

/**
 * The minute or hour rollup's rows over `range`: the table itself where the range starts and
 * ends on its buckets, else rollupWithEdges. Every reader of the rollups reads them through here.
 */
export function rollupRows(
  bucket: keyof typeof ROLLUPS,
  range: { readonly fromMs: number; readonly toMs: number },
): RollupRows {
  const { table, ms } = ROLLUPS[bucket];
  const whole = { fromMs: Math.ceil(range.fromMs / ms) * ms, toMs: Math.floor(range.toMs / ms) * ms };
  if (whole.fromMs === range.fromMs && whole.toMs === range.toMs)
    return { time: bucket, from: table, filters: ['project = {project:String}'] };
  return {
    time: 'at',
    from: rollupWithEdges(bucket),
    filters: [],
    params: { whole_from: whole.fromMs / 1000, whole_to: whole.toMs / 1000 },
  };
}

/**
 * Answers from the minute rollup (hour rollup when every step is whole clock hours), with the
 * pieces of buckets at the range's ends from the raw rows. Visitors are unique within each
 * step, as the hot tier gives them.
 */
export function warmReader(client: ClickHouseClient): TierReader {
  return async (q) => {
    const bucket = q.stepSeconds % 3600 === 0 && stepOrigin(q) % 3_600_000 === 0 ? 'hour' : 'minute';
    return queryStepSeries(client, q, { ...rollupRows(bucket, q), value: valueExpression(q) });
  };
}
