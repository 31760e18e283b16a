import { Redis } from 'ioredis';

/**
 * A Redis connection for the read and push paths: when Redis is down a command fails at once
 * (no offline queue) or after `timeoutMs`, so a dashboard is told "degraded" instead of
 * waiting on a queue that drains only when Redis is back.
 */
export function connectLiveRedis(url: string, timeoutMs: number): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // ioredis reports connection errors as events; without a listener they crash the process.
  redis.on('error', () => undefined);
  return redis;
}
