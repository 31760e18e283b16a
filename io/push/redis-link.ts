import { Redis } from 'ioredis';

/**
 * A Redis connection for the read and push paths: when Redis is down a command fails after
 * `timeoutMs` at most (or at the first failed reconnect: no retries per request), so a
 * dashboard is told "degraded" instead of waiting on a queue that drains only when Redis is
 * back. Commands issued while a new connection is still being made wait for it (offline
 * queue), so a cold container's first request is not reported as an outage.
 */
export function connectLiveRedis(url: string, timeoutMs: number): Redis {
  const redis = new Redis(url, {
    enableOfflineQueue: true,
    maxRetriesPerRequest: 0,
    commandTimeout: timeoutMs,
    connectTimeout: timeoutMs,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  // ioredis reports connection errors as events; without a listener they crash the process.
  redis.on('error', () => undefined);
  return redis;
}
