import { PUSH_INTERVAL_MS } from '../../core/push/push-throttle.ts';
import { FRESH_SNAPSHOT_MS, UNWATCHED_REFRESH_MS } from '../../core/push/snapshot-freshness.ts';
import { ConfigError, type Env, EnvReader } from '../config/env-reader.ts';
import { withSecretSettings } from '../config/secret-setting.ts';
import { REDIS_PASSWORD, type RedisConfig, readRedisConfig } from '../redis/redis-config.ts';

/**
 * Settings of the push functions that keep connections and push frames (the $connect and channel
 * routes, the broadcaster), read once at start. Dashboard tokens are checked by the $connect
 * authorizer alone (io/config/dashboard-token-key.ts), so these never hold the signing key.
 */
export interface PushConfig {
  readonly redis: RedisConfig;
  /** @connections endpoint: the stage's callback URL on AWS, the local gateway's otherwise. */
  readonly managementUrl: string | undefined;
  readonly region: string;
  /** Posts in flight at once during a fan-out. */
  readonly fanOutConcurrency: number;
  readonly pushIntervalMs: number;
  /** How often channels nobody watches are recorded for the query API's snapshot; 0: never. */
  readonly unwatchedRefreshMs: number;
  /** How long a Redis command may take before the caller treats the hot tier as down. */
  readonly redisTimeoutMs: number;
  /** The longest the broadcaster waits for the hot-tier aggregators to apply its batch. */
  readonly catchUpMs: number;
}

export function readPushConfig(environment: Env): PushConfig {
  const env = new EnvReader(environment);
  const managementUrl = env.optional('SPATE_WS_MANAGEMENT_URL');
  if (managementUrl !== undefined && !/^https?:\/\//.test(managementUrl))
    throw new ConfigError(`SPATE_WS_MANAGEMENT_URL must be an http(s) URL, got "${managementUrl}"`);
  return {
    redis: readRedisConfig(env),
    managementUrl,
    region: env.string('AWS_REGION', 'us-east-1'),
    fanOutConcurrency: env.int('SPATE_PUSH_CONCURRENCY', 64, { min: 1, max: 1000 }),
    pushIntervalMs: env.int('SPATE_PUSH_INTERVAL_MS', PUSH_INTERVAL_MS, { min: 100, max: 60_000 }),
    // Past the query API's freshness span a recorded snapshot is never served: no use going slower.
    unwatchedRefreshMs: env.int('SPATE_UNWATCHED_REFRESH_MS', UNWATCHED_REFRESH_MS, {
      min: 0,
      max: FRESH_SNAPSHOT_MS,
    }),
    redisTimeoutMs: env.int('SPATE_PUSH_REDIS_TIMEOUT_MS', 1000, { min: 50, max: 30_000 }),
    // The aggregators read the same records as they arrive and apply them within tens of
    // milliseconds when they keep up; when they are seconds behind, waiting longer buys nothing
    // and only delays every push.
    catchUpMs: env.int('SPATE_PUSH_CATCH_UP_MS', 300, { min: 0, max: 10_000 }),
  };
}

/** As readPushConfig, with the store password read from its secret on AWS. */
export async function loadPushConfig(environment: Env): Promise<PushConfig> {
  return readPushConfig(await withSecretSettings(environment, [REDIS_PASSWORD]));
}
