import { HOT_SPAN_MS, type MetricQuery, stepOf, WARM_KEEP_MS, WARM_SPAN_MS } from './metric-query.ts';

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
 *
 * The hot boundary moves to the step after it (the step holding it is the warm tier's, which
 * holds every event too). The warm boundary moves to the step holding it: the warm tier keeps
 * a day more than it answers for (WARM_KEEP_MS), so that step is whole there, and "the last 30
 * days" is the warm tier's alone rather than a sliver of the archive and the rest. A step
 * longer than that margin reaches past what the warm tier keeps, and starts after instead.
 */
export function routeByAge(q: MetricQuery, nowMs: number): TierSpan[] {
  const step = q.stepSeconds * 1000;
  const align = (t: number) => stepOf(q, t);
  const hotFrom = align(nowMs - HOT_SPAN_MS) + step;
  const warmStep = align(nowMs - WARM_SPAN_MS);
  const warmFrom = warmStep >= nowMs - WARM_KEEP_MS ? warmStep : warmStep + step;
  const spans: TierSpan[] = [
    { tier: 'cold', fromMs: q.fromMs, toMs: Math.min(q.toMs, warmFrom) },
    { tier: 'warm', fromMs: Math.max(q.fromMs, warmFrom), toMs: Math.min(q.toMs, hotFrom) },
    { tier: 'hot', fromMs: Math.max(q.fromMs, hotFrom), toMs: q.toMs },
  ];
  return spans.filter((s) => s.fromMs < s.toMs);
}
