import { type FunnelCatalog, parseFunnelCatalog } from '../../core/aggregation/funnel-definition.ts';
import {
  CLICKHOUSE_CREDENTIALS,
  type ClickHouseConfig,
  readClickHouseConfig,
} from '../../io/clickhouse/clickhouse-config.ts';
import { type ColdTierConfig, readColdTierConfig } from '../../io/clickhouse/cold-tier-config.ts';
import { dashboardTokenKey } from '../../io/config/dashboard-token-key.ts';
import { ConfigError, type Env, EnvReader } from '../../io/config/env-reader.ts';
import { type KafkaConfig, readKafkaConfig } from '../../io/config/kafka-config.ts';
import { type SecretSource, withSecretSettings } from '../../io/config/secret-setting.ts';
import { REDIS_PASSWORD, type RedisConfig, readRedisConfig } from '../../io/redis/redis-config.ts';

/** Settings of the query function, read once per instance. */
export interface QueryConfig {
  readonly redis: RedisConfig;
  readonly clickhouse: ClickHouseConfig;
  /** How ClickHouse reads the S3 archive, for data older than the warm tier keeps. */
  readonly cold: ColdTierConfig;
  readonly kafka: KafkaConfig;
  /**
   * The dashboard token key as it is now (io/config/dashboard-token-key.ts), asked on every
   * request: rotating the key turns away every link handed out, within the secret cache's age.
   */
  readonly tokenKey: SecretSource;
  readonly funnels: FunnelCatalog;
  /** A tier slower than this counts as down for this request. */
  readonly tierTimeoutMs: number;
  /** The WebSocket URL dashboards connect to, told to them in the snapshot answer. */
  readonly wsUrl: string | undefined;
}

export function readQueryConfig(environment: Env): QueryConfig {
  const env = new EnvReader(environment);
  let funnels: FunnelCatalog;
  try {
    funnels = parseFunnelCatalog(env.optional('SPATE_FUNNELS'), 'SPATE_FUNNELS');
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    redis: readRedisConfig(env),
    clickhouse: readClickHouseConfig(env),
    cold: readColdTierConfig(environment),
    kafka: readKafkaConfig(env, 'spate-query'),
    tokenKey: dashboardTokenKey(environment),
    funnels,
    tierTimeoutMs: env.int('SPATE_QUERY_TIER_TIMEOUT_MS', 1500, { min: 50, max: 25_000 }),
    wsUrl: env.optional('SPATE_WS_URL'),
  };
}

/**
 * As readQueryConfig, with the store credentials read from their secrets on AWS, once: the
 * connections are made with them. The token key is not among them: resolved here it would be
 * a fixed value for the container's life, and a rotated key would go unnoticed.
 */
export async function loadQueryConfig(environment: Env): Promise<QueryConfig> {
  return readQueryConfig(await withSecretSettings(environment, [REDIS_PASSWORD, ...CLICKHOUSE_CREDENTIALS]));
}
