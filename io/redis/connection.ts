import { Redis } from 'ioredis';
import type { RedisConfig } from './redis-config.ts';

/**
 * One connection per process. Commands queue while it reconnects; a request that cannot be
 * served within a few retries fails, so the handler fails the batch and it is redelivered.
 */
export function connectRedis(config: RedisConfig): Redis {
  const redis = new Redis(config.url, { maxRetriesPerRequest: 3, enableAutoPipelining: false });
  // ioredis reports connection errors as events; without a listener they crash the process.
  redis.on('error', () => undefined);
  return redis;
}
