import type { Redis } from 'ioredis';
import { KEY_ROOT } from '../../../core/aggregation/redis-keys.ts';

/**
 * Everything in a database but the bookkeeping (gates, and the dedup segments, whose layout
 * follows how batches were cut), in a comparable form (HLLs by their count).
 */
export async function hotSnapshot(redis: Redis): Promise<Map<string, unknown>> {
  const bookkeeping = [`${KEY_ROOT}:gate:`, `${KEY_ROOT}:dd:`];
  const keys = (await redis.keys(`${KEY_ROOT}:*`))
    .filter((k) => !bookkeeping.some((prefix) => k.startsWith(prefix)))
    .sort();
  const out = new Map<string, unknown>();
  for (const key of keys) {
    const type = await redis.type(key);
    if (type === 'hash') out.set(key, await redis.hgetall(key));
    else if (type === 'zset') out.set(key, await redis.zrange(key, '0', '-1', 'WITHSCORES'));
    else if (key.includes(':u:') && !key.includes(':f:u:') && !key.includes(':j:u:'))
      out.set(key, await redis.pfcount(key));
    else out.set(key, await redis.get(key));
  }
  return out;
}
