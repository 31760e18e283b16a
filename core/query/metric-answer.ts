import { filtersKey } from './filter.ts';
import { type MetricQuery, type Point, stepStarts, validateMetricQuery } from './metric-query.ts';
import { routeByAge, type Tier } from './tier-routing.ts';

/** A tier's answer for part of the range: values per step start; missing steps are zero. */
export type TierReader = (q: MetricQuery) => Promise<ReadonlyMap<number, number>>;

export interface QueryCache {
  get(key: string): Promise<Point[] | undefined>;
  set(key: string, points: readonly Point[]): Promise<void>;
}

export interface Answer {
  readonly points: Point[];
  readonly tiers: Tier[];
  readonly cached: boolean;
}

export function cacheKeyOf(q: MetricQuery): string {
  return [
    q.project,
    q.metric,
    q.type ?? '',
    q.currency ?? '',
    q.fromMs,
    q.toMs,
    q.stepSeconds,
    filtersKey(q.filters ?? []),
  ].join('|');
}

/** Every step of the range, each from the tier that holds its age, zeros where none had data. */
export function mergeSeries(q: MetricQuery, parts: readonly ReadonlyMap<number, number>[]): Point[] {
  const merged = new Map<number, number>();
  for (const part of parts) for (const [t, v] of part) merged.set(t, (merged.get(t) ?? 0) + v);
  return stepStarts(q).map((t) => ({ t, value: merged.get(t) ?? 0 }));
}

export async function answerMetric(
  query: MetricQuery,
  readers: Readonly<Record<Tier, TierReader>>,
  nowMs: number,
  cache?: QueryCache,
): Promise<Answer> {
  const q = validateMetricQuery(query);
  const spans = routeByAge(q, nowMs);
  const key = cacheKeyOf(q);
  const hit = await cache?.get(key);
  if (hit) return { points: hit, tiers: spans.map((s) => s.tier), cached: true };
  const parts = await Promise.all(
    spans.map((s) => readers[s.tier]({ ...q, fromMs: s.fromMs, toMs: s.toMs })),
  );
  const points = mergeSeries(q, parts);
  await cache?.set(key, points);
  return { points, tiers: spans.map((s) => s.tier), cached: false };
}
