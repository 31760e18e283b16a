import type { BreakerSettings } from '../../core/aggregation/circuit-breaker.ts';
import { type Env, EnvReader } from '../config/env-reader.ts';
import { type SecretSetting, withSecretSettings } from '../config/secret-setting.ts';
import type { SinkRetry } from '../redis/hot-aggregator-config.ts';

export interface ClickHouseConfig {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly database: string;
}

export interface WarehouseConfig {
  readonly clickhouse: ClickHouseConfig;
  readonly breaker: BreakerSettings;
  readonly retry: SinkRetry;
}

/**
 * `SPATE_CLICKHOUSE_USER` and `SPATE_CLICKHOUSE_PASSWORD` (the server's defaults locally), or on
 * AWS `SPATE_CLICKHOUSE_SECRET_ARN`, the `{username, password}` secret of the ClickHouse user.
 */
export const CLICKHOUSE_CREDENTIALS: readonly SecretSetting[] = [
  { variable: 'SPATE_CLICKHOUSE_USER', arnVariable: 'SPATE_CLICKHOUSE_SECRET_ARN', jsonField: 'username' },
  {
    variable: 'SPATE_CLICKHOUSE_PASSWORD',
    arnVariable: 'SPATE_CLICKHOUSE_SECRET_ARN',
    jsonField: 'password',
  },
];

export function readClickHouseConfig(env: EnvReader): ClickHouseConfig {
  return {
    url: env.string('SPATE_CLICKHOUSE_URL', 'http://127.0.0.1:18123'),
    username: env.string('SPATE_CLICKHOUSE_USER', 'default'),
    password: env.optional('SPATE_CLICKHOUSE_PASSWORD') ?? '',
    database: env.string('SPATE_CLICKHOUSE_DATABASE', 'default'),
  };
}

export function readWarehouseConfig(environment: Env): WarehouseConfig {
  const env = new EnvReader(environment);
  return {
    clickhouse: readClickHouseConfig(env),
    breaker: {
      failureThreshold: env.int('SPATE_SINK_BREAKER_FAILURES', 3, { min: 1, max: 1000 }),
      openMs: env.int('SPATE_SINK_BREAKER_OPEN_MS', 5000, { min: 100, max: 600_000 }),
    },
    retry: {
      attempts: env.int('SPATE_SINK_RETRY_ATTEMPTS', 3, { min: 1, max: 20 }),
      baseDelayMs: env.int('SPATE_SINK_RETRY_BASE_MS', 200, { min: 1, max: 60_000 }),
      maxDelayMs: env.int('SPATE_SINK_RETRY_MAX_MS', 5000, { min: 1, max: 300_000 }),
    },
  };
}

/** As readWarehouseConfig, with the ClickHouse credentials read from their secret on AWS. */
export async function loadWarehouseConfig(environment: Env): Promise<WarehouseConfig> {
  return readWarehouseConfig(await withSecretSettings(environment, CLICKHOUSE_CREDENTIALS));
}
