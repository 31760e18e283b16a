import { createClient } from '@clickhouse/client';
import {
  CLICKHOUSE_CREDENTIALS,
  type ClickHouseConfig,
  readClickHouseConfig,
} from '../clickhouse/clickhouse-config.ts';
import { type ColdTierConfig, readColdTierConfig } from '../clickhouse/cold-tier-config.ts';
import { type Env, EnvReader } from '../config/env-reader.ts';
import { withSecretSettings } from '../config/secret-setting.ts';
import { readArchiveConfig } from './archive-config.ts';
import { createS3Client, type S3Settings } from './client.ts';
import type { CompactionDeps } from './compaction.ts';

/** Settings of a compaction run, read once. */
export interface CompactionConfig {
  /** The S3 client's view of the archive: it lists and deletes. */
  readonly s3: S3Settings;
  readonly bucket: string;
  /** ClickHouse's view of the archive: it reads the sources and writes the Parquet object. */
  readonly cold: ColdTierConfig;
  readonly clickhouse: ClickHouseConfig;
  /** `SPATE_COMPACTION_MAX_SOURCES`: most objects one compacted object is made of at once. */
  readonly maxSources: number;
  /** `SPATE_COMPACTION_MAX_MIB`: most MiB of sources one compacted object is made of at once. */
  readonly maxBytes: number;
}

export function readCompactionConfig(environment: Env): CompactionConfig {
  const env = new EnvReader(environment);
  const archive = readArchiveConfig(environment);
  return {
    s3: archive.s3,
    bucket: archive.bucket,
    cold: readColdTierConfig(environment),
    clickhouse: readClickHouseConfig(env),
    maxSources: env.int('SPATE_COMPACTION_MAX_SOURCES', 400, { min: 2, max: 5000 }),
    maxBytes: env.int('SPATE_COMPACTION_MAX_MIB', 512, { min: 1, max: 65_536 }) * 1024 * 1024,
  };
}

/** As readCompactionConfig, with the ClickHouse credentials read from their secret on AWS. */
export async function loadCompactionConfig(environment: Env): Promise<CompactionConfig> {
  return readCompactionConfig(await withSecretSettings(environment, CLICKHOUSE_CREDENTIALS));
}

/** The clients a compaction run uses, made from its config; close() when done. */
export function connectCompaction(config: CompactionConfig): CompactionDeps & { close(): Promise<void> } {
  const s3 = createS3Client(config.s3);
  // A month of a busy project is one statement: longer than a query's usual budget.
  const clickhouse = createClient({
    url: config.clickhouse.url,
    username: config.clickhouse.username,
    password: config.clickhouse.password,
    database: config.clickhouse.database,
    request_timeout: 900_000,
    // Headers while the statement runs keep an idle connection from being cut on the way.
    clickhouse_settings: { send_progress_in_http_headers: 1, http_headers_progress_interval_ms: '60000' },
  });
  return {
    s3,
    clickhouse,
    bucket: config.bucket,
    cold: config.cold,
    async close() {
      await clickhouse.close();
      s3.destroy();
    },
  };
}
