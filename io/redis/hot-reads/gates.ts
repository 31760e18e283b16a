import type { Redis } from 'ioredis';
import { redisKeys } from '../../../core/aggregation/redis-keys.ts';

/** A consumer's offset gate on one topic-partition. */
export interface GateName {
  readonly consumer: string;
  readonly topic: string;
  readonly partition: number;
}

/**
 * The high-water offsets the aggregators' gates hold (null where a gate was never moved), in
 * the order asked, in one round trip: how far each has applied its topic-partition.
 */
export async function readHighWaters(redis: Redis, gates: readonly GateName[]): Promise<(string | null)[]> {
  if (gates.length === 0) return [];
  return redis.mget(...gates.map((g) => redisKeys.gate(g.consumer, g.topic, g.partition)));
}
