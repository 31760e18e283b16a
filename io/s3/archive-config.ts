import type { BreakerSettings } from '../../core/aggregation/circuit-breaker.ts';
import { type Env, EnvReader } from '../config/env-reader.ts';
import type { SinkRetry } from '../redis/hot-aggregator-config.ts';
import type { S3Settings } from './client.ts';

/** Settings of the archive function, read once. */
export interface ArchiveConfig {
  readonly s3: S3Settings;
  /** `SPATE_ARCHIVE_BUCKET`: the cold tier's bucket. */
  readonly bucket: string;
  /** Top-level prefix of the archive; `events` for events.raw. */
  readonly prefix: string;
  readonly breaker: BreakerSettings;
  readonly retry: SinkRetry;
}

export function readArchiveConfig(environment: Env): ArchiveConfig {
  const env = new EnvReader(environment);
  const endpoint = env.optional('SPATE_S3_ENDPOINT');
  return {
    s3: { region: env.string('AWS_REGION', 'us-east-1'), ...(endpoint ? { endpoint } : {}) },
    bucket: env.string('SPATE_ARCHIVE_BUCKET', 'spate-archive'),
    prefix: env.string('SPATE_ARCHIVE_PREFIX', 'events'),
    breaker: {
      failureThreshold: env.int('SPATE_SINK_BREAKER_FAILURES', 3, { min: 1, max: 1000 }),
      openMs: env.int('SPATE_SINK_BREAKER_OPEN_MS', 5000, { min: 100, max: 600_000 }),
    },
    retry: {
      attempts: env.int('SPATE_SINK_RETRY_ATTEMPTS', 3, { min: 1, max: 20 }),
      baseDelayMs: env.int('SPATE_SINK_RETRY_BASE_MS', 100, { min: 1, max: 60_000 }),
      maxDelayMs: env.int('SPATE_SINK_RETRY_MAX_MS', 2000, { min: 1, max: 300_000 }),
    },
  };
}
