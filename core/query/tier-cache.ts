import { cacheKeyOf, type QueryCache, type TierReader } from './metric-answer.ts';
import type { Tier } from './tier-routing.ts';

/** Told of every cache lookup, to keep the hit rate. */
export type CacheLookupRecorder = (hit: boolean) => Promise<void>;

/**
 * A tier reader whose answers are kept in `cache`, keyed by the tier and the normalised query
 * (filters included, core/query/metric-answer.ts). Only the warm and cold tiers are wrapped:
 * their spans lie a day or more back and change little within a short TTL, while a hot span
 * changes every second and is one cheap Redis round trip anyway. Caching per span, not per
 * answer, keeps the common "last 7 days" query cached for its warm part while its last day
 * stays live. The cache is a help, never a dependency: a cache that fails is a miss, and a tier
 * that fails throws before anything is stored, so a degraded answer is never served again.
 */
export function cachedTierReader(
  tier: Exclude<Tier, 'hot'>,
  reader: TierReader,
  cache: QueryCache,
  recordLookup: CacheLookupRecorder,
): TierReader {
  return async (q) => {
    const key = `${tier}|${cacheKeyOf(q)}`;
    const hit = await cache.get(key).catch(() => undefined);
    await recordLookup(hit !== undefined).catch(() => undefined);
    if (hit !== undefined) return new Map(hit.map((p) => [p.t, p.value]));
    const answer = await reader(q);
    await cache
      .set(
        key,
        [...answer].map(([t, value]) => ({ t, value })),
      )
      .catch(() => undefined);
    return answer;
  };
}
