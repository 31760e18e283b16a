import type { Filter } from './filter.ts';

/** The question the query layer answers: metric M of project P over [from, to) at step S. */
export const METRICS = ['events', 'revenue', 'visitors'] as const;
export type Metric = (typeof METRICS)[number];

export interface MetricQuery {
  readonly project: string;
  readonly metric: Metric;
  /** events: only this event type; all types when absent. */
  readonly type?: string;
  /** revenue: the currency summed (minor units); required for revenue. */
  readonly currency?: string;
  readonly fromMs: number;
  readonly toMs: number;
  readonly stepSeconds: number;
  /** Only events passing every filter (read from event rows: no rollup keeps dimensions). */
  readonly filters?: readonly Filter[];
}

export interface Point {
  /** Start of the step, epoch ms. */
  readonly t: number;
  readonly value: number;
}

export const HOT_SPAN_MS = 24 * 3_600_000;
/** What the warm tier answers: the last 30 days. */
export const WARM_SPAN_MS = 30 * 24 * 3_600_000;
/**
 * What the warm tier keeps (its tables' TTL, io/clickhouse/migrations/011-warm-margin.ts): a
 * day more than it answers, so that routing may floor the warm boundary to a query's grid
 * (core/query/tier-routing.ts) and a range that starts at the boundary never needs the archive.
 */
export const WARM_KEEP_DAYS = 31;
export const WARM_KEEP_MS = WARM_KEEP_DAYS * 24 * 3_600_000;
const MAX_POINTS = 10_000;

/** Checks a query from outside; the error names the field and the rule. */
export function validateMetricQuery(q: MetricQuery): MetricQuery {
  if (typeof q.project !== 'string' || !/^[A-Za-z0-9_.-]{1,128}$/.test(q.project))
    throw new Error('project: must be 1-128 letters, digits, dot, dash or underscore');
  if (!METRICS.includes(q.metric)) throw new Error(`metric: must be one of ${METRICS.join(', ')}`);
  if (!Number.isInteger(q.fromMs) || !Number.isInteger(q.toMs) || q.fromMs >= q.toMs)
    throw new Error('from/to: must be integer epoch milliseconds with from before to');
  if (!Number.isInteger(q.stepSeconds) || q.stepSeconds < 1)
    throw new Error('step: must be a whole number of seconds');
  if (q.metric === 'visitors' && q.stepSeconds % 60 !== 0)
    throw new Error('step: visitors are kept per minute, so the step must be a multiple of 60 s');
  if (q.metric === 'revenue' && !(typeof q.currency === 'string' && /^[A-Z]{3}$/.test(q.currency)))
    throw new Error('currency: revenue needs a three-letter currency code');
  if ((q.toMs - q.fromMs) / (q.stepSeconds * 1000) > MAX_POINTS)
    throw new Error(`step: the range would give more than ${MAX_POINTS} points; use a larger step`);
  return q;
}

type StepGrid = Pick<MetricQuery, 'fromMs' | 'toMs' | 'stepSeconds'>;

/**
 * Where the first step starts. Steps are aligned to `from`, as range queries are in
 * Prometheus, Grafana and ClickHouse's `WITH FILL ... STEP`: "visitors over these two days"
 * is one step whatever the calendar day, not two steps each counting the same visitors.
 * `from` is only floored to the tiers' grain (a whole minute for steps of whole minutes, since
 * the rollups and HyperLogLogs are per minute; a whole second otherwise), so every step is
 * made of whole buckets.
 */
export function stepOrigin(q: Pick<MetricQuery, 'fromMs' | 'stepSeconds'>): number {
  const grain = q.stepSeconds % 60 === 0 ? 60_000 : 1000;
  return q.fromMs - (((q.fromMs % grain) + grain) % grain);
}

/** The start of the step holding `t`, on the grid of `q`. */
export function stepOf(q: Pick<MetricQuery, 'fromMs' | 'stepSeconds'>, t: number): number {
  const origin = stepOrigin(q);
  const step = q.stepSeconds * 1000;
  return origin + Math.floor((t - origin) / step) * step;
}

/** Step starts covering [from, to), the first at the step origin. */
export function stepStarts(q: StepGrid): number[] {
  const step = q.stepSeconds * 1000;
  const out: number[] = [];
  for (let t = stepOrigin(q); t < q.toMs; t += step) out.push(t);
  return out;
}
