import {
  CLICKHOUSE_CREDENTIALS,
  type ClickHouseConfig,
  readClickHouseConfig,
} from '../../io/clickhouse/clickhouse-config.ts';
import { type Env, EnvReader } from '../../io/config/env-reader.ts';
import { withSecretSettings } from '../../io/config/secret-setting.ts';
import { type HotAggregatorConfig, readHotAggregatorConfig } from '../../io/redis/hot-aggregator-config.ts';
import { REDIS_PASSWORD } from '../../io/redis/redis-config.ts';

/** Settings of the funnels function: a hot aggregator's, and where projects' funnels are kept. */
export interface FunnelsConfig extends HotAggregatorConfig {
  /**
   * The ClickHouse holding projects' run-time funnels (io/clickhouse/project-funnel-store.ts).
   * Absent when SPATE_CLICKHOUSE_URL is not set: only the deploy-time catalog counts, rather
   * than a funnels function that cannot reach the store failing every batch.
   */
  readonly clickhouse?: ClickHouseConfig;
  /** How long the projects' funnels read are trusted. @default PROJECT_FUNNELS_TTL_MS */
  readonly projectFunnelsTtlMs?: number;
}

export function readFunnelsConfig(environment: Env): FunnelsConfig {
  const env = new EnvReader(environment);
  const hot = readHotAggregatorConfig(environment);
  return env.optional('SPATE_CLICKHOUSE_URL') === undefined
    ? hot
    : { ...hot, clickhouse: readClickHouseConfig(env) };
}

/** As readFunnelsConfig, with the store credentials read from their secrets on AWS. */
export async function loadFunnelsConfig(environment: Env): Promise<FunnelsConfig> {
  return readFunnelsConfig(
    await withSecretSettings(environment, [REDIS_PASSWORD, ...CLICKHOUSE_CREDENTIALS]),
  );
}
