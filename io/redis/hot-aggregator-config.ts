import type { BreakerSettings } from '../../core/aggregation/circuit-breaker.ts';
import { DEFAULT_DEDUP_WINDOW_SECONDS } from '../../core/aggregation/dedup-directory.ts';
import { type FunnelCatalog, parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import { ConfigError, type Env, EnvReader } from '../config/env-reader.ts';
import { withSecretSettings } from '../config/secret-setting.ts';
import { REDIS_PASSWORD, type RedisConfig, readRedisConfig } from './redis-config.ts';

export interface SinkRetry {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** Settings of a hot-tier aggregator function (realtime, windows, funnels), read once. */
export interface HotAggregatorConfig {
  readonly redis: RedisConfig;
  readonly breaker: BreakerSettings;
  readonly retry: SinkRetry;
  /** `SPATE_FUNNELS`: JSON `{"<project>": ["page_view", "page_view+product", ...]}`. */
  readonly funnels: FunnelCatalog;
  /**
   * `SPATE_DEDUP_WINDOW_HOURS` (default 24, the hot tier's life): how long an event id is
   * remembered, so a client's copy sent within it is not counted again. Absent: the default.
   */
  readonly dedupWindowSeconds?: number;
}

export function readHotAggregatorConfig(environment: Env): HotAggregatorConfig {
  const env = new EnvReader(environment);
  let funnels: FunnelCatalog;
  try {
    funnels = parseFunnelCatalog(env.optional('SPATE_FUNNELS'), 'SPATE_FUNNELS');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    redis: readRedisConfig(env),
    breaker: {
      failureThreshold: env.int('SPATE_SINK_BREAKER_FAILURES', 3, { min: 1, max: 1000 }),
      openMs: env.int('SPATE_SINK_BREAKER_OPEN_MS', 5000, { min: 100, max: 600_000 }),
    },
    retry: {
      attempts: env.int('SPATE_SINK_RETRY_ATTEMPTS', 3, { min: 1, max: 20 }),
      baseDelayMs: env.int('SPATE_SINK_RETRY_BASE_MS', 100, { min: 1, max: 60_000 }),
      maxDelayMs: env.int('SPATE_SINK_RETRY_MAX_MS', 2000, { min: 1, max: 300_000 }),
    },
    funnels,
    dedupWindowSeconds:
      env.int('SPATE_DEDUP_WINDOW_HOURS', DEFAULT_DEDUP_WINDOW_SECONDS / 3600, { min: 1, max: 168 }) * 3600,
  };
}

/** As readHotAggregatorConfig, with the store password read from its secret on AWS. */
export async function loadHotAggregatorConfig(environment: Env): Promise<HotAggregatorConfig> {
  return readHotAggregatorConfig(await withSecretSettings(environment, [REDIS_PASSWORD]));
}
