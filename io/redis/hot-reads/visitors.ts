import type { Redis } from 'ioredis';
import { redisKeys, type UniqueGrain } from '../../../core/aggregation/redis-keys.ts';
import { bucketsBetween, DAY, HOUR, MINUTE } from '../../../core/aggregation/time-buckets.ts';
import type { SecondRange } from './replies.ts';

const GRAIN_SECONDS: Record<UniqueGrain, number> = { m: MINUTE, h: HOUR, d: DAY };

/**
 * Distinct visitors (bots left out) in the `grain` buckets that cover [fromSec, toSec): one
 * PFCOUNT over their HyperLogLogs, their union. A bucket that starts before `fromSec` counts
 * whole, so a caller wanting exact edges picks a grain that divides its range.
 */
export async function countVisitors(
  redis: Redis,
  project: string,
  grain: UniqueGrain,
  range: SecondRange,
): Promise<number> {
  const keys = bucketsBetween(range.fromSec, range.toSec, GRAIN_SECONDS[grain]).map((b) =>
    redisKeys.uniques(project, grain, b),
  );
  return keys.length === 0 ? 0 : redis.pfcount(...keys);
}

/** Active now: visitors seen in the minute of `nowMs` or the one before. */
export function countActiveNow(redis: Redis, project: string, nowMs: number): Promise<number> {
  const nowSec = Math.floor(nowMs / 1000);
  return countVisitors(redis, project, 'm', { fromSec: nowSec - MINUTE, toSec: nowSec + 1 });
}
