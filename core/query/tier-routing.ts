import { HOT_SPAN_MS, type MetricQuery, stepOf, WARM_SPAN_MS } from './metric-query.ts';

export type Tier = 'hot' | 'warm' | 'cold';

export interface TierSpan {
  readonly tier: Tier;
  readonly fromMs: number;
  readonly toMs: number;
}

/**
 * Splits a query's range by the age of the data: the last 24 h from Redis, up to 30 days from
 * ClickHouse rollups, older from ClickHouse reading the S3 archive. Boundaries are moved to a
 * step boundary (of the query's own grid, which starts at `from`) so that no step is answered
 * half by one tier and half by another; each span starts at `from` or on that grid, so a tier
 * reader that aligns its steps to its span's `from` lands on the query's grid.
 */
export function routeByAge(q: MetricQuery, nowMs: number): TierSpan[] {
  const step = q.stepSeconds * 1000;
  const align = (t: number) => stepOf(q, t);
  const hotFrom = align(nowMs - HOT_SPAN_MS) + step;
  const warmFrom = align(nowMs - WARM_SPAN_MS) + step;
  const spans: TierSpan[] = [
    { tier: 'cold', fromMs: q.fromMs, toMs: Math.min(q.toMs, warmFrom) },
    { tier: 'warm', fromMs: Math.max(q.fromMs, warmFrom), toMs: Math.min(q.toMs, hotFrom) },
    { tier: 'hot', fromMs: Math.max(q.fromMs, hotFrom), toMs: q.toMs },
  ];
  return spans.filter((s) => s.fromMs < s.toMs);
}
