import type { Redis } from 'ioredis';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';
import { bucketsBetween, MINUTE } from '../../../core/aggregation/time-buckets.ts';
import type { CounterHash } from '../../../core/push/snapshots.ts';
import { repliesOf, type SecondRange } from './replies.ts';

/**
 * The funnels aggregator's minute hashes (field = step index, value = visitors reaching it) of
 * the minutes covering the range, oldest first; core/push/snapshots.ts funnelSnapshot sums them.
 */
export async function readFunnelMinutes(
  redis: Redis,
  project: string,
  range: SecondRange,
): Promise<CounterHash[]> {
  const pipeline = redis.pipeline();
  for (const m of bucketsBetween(range.fromSec, range.toSec, MINUTE))
    pipeline.hgetall(redisKeys.funnelSteps(project, m));
  return repliesOf<CounterHash>(await pipeline.exec());
}

/**
 * The same minute hashes of one revision of a project's own funnel (core/aggregation/project-funnel.ts),
 * which the funnels aggregator keeps apart from the deploy-time funnel's.
 */
export async function readProjectFunnelMinutes(
  redis: Redis,
  project: string,
  revision: string,
  range: SecondRange,
): Promise<CounterHash[]> {
  const pipeline = redis.pipeline();
  for (const m of bucketsBetween(range.fromSec, range.toSec, MINUTE))
    pipeline.hgetall(redisKeys.projectFunnelSteps(project, revision, m));
  return repliesOf<CounterHash>(await pipeline.exec());
}
