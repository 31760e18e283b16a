import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { redisKeys } from '../../core/aggregation/redis-keys.ts';
import type { AnswerStore } from '../../core/query/answer-cache.ts';

/**
 * Whole answers kept in Redis as JSON for `ttlMs`, so every container of the query function
 * serves what one of them read. The key space stays bounded: every key expires with the TTL,
 * and a key is a hash of the question, whatever the length of its filters' values.
 */
export function redisAnswerStore(redis: Redis, ttlMs: number): AnswerStore {
  const keyOf = (key: string) =>
    redisKeys.cachedQuery(`a:${createHash('sha256').update(key).digest('base64url')}`);
  return {
    async get(key) {
      const text = await redis.get(keyOf(key));
      return text === null ? undefined : (JSON.parse(text) as unknown);
    },
    async set(key, answer) {
      await redis.set(keyOf(key), JSON.stringify(answer), 'PX', ttlMs);
    },
  };
}
