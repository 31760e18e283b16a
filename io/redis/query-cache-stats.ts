import type { Redis } from 'ioredis';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import { bucketStart, HOT_TTL_SECONDS, HOUR } from '../../core/aggregation/time-buckets.ts';

/** The query cache's lookups over the current and the previous hour, for /v1/ops. */
export interface QueryCacheHitRate {
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses); null before the first lookup. */
  readonly hit_rate: number | null;
}

/**
 * Counts a lookup in Redis rather than in the process: the query function runs in many
 * containers, and /v1/ops, answered by any one of them, reports the rate of them all. Hourly
 * hashes keep the rate recent and bound the keys.
 */
export function queryCacheLookupRecorder(redis: Redis, now: () => number) {
  return async (hit: boolean): Promise<void> => {
    const hour = bucketStart(now(), HOUR);
    const key = redisKeys.queryCacheLookups(hour);
    await redis
      .multi()
      .hincrby(key, hit ? 'hit' : 'miss', 1)
      .expire(key, HOUR + HOT_TTL_SECONDS)
      .exec();
  };
}

export async function readQueryCacheHitRate(redis: Redis, nowMs: number): Promise<QueryCacheHitRate> {
  const hour = bucketStart(nowMs, HOUR);
  const [current, previous] = await Promise.all([
    redis.hgetall(redisKeys.queryCacheLookups(hour)),
    redis.hgetall(redisKeys.queryCacheLookups(hour - HOUR)),
  ]);
  const hits = Number(current.hit ?? 0) + Number(previous.hit ?? 0);
  const misses = Number(current.miss ?? 0) + Number(previous.miss ?? 0);
  return { hits, misses, hit_rate: hits + misses === 0 ? null : hits / (hits + misses) };
}
