import type { BreakerSettings } from '../../core/aggregation/circuit-breaker.ts';
import { TWEETS_ARCHIVE_PREFIX } from '../../core/aggregation/tweet-archive.ts';
import { type Env, EnvReader } from '../config/env-reader.ts';
import type { SinkRetry } from '../redis/hot-aggregator-config.ts';
import type { S3Settings } from './client.ts';

/** Settings of an archive function, read once. */
export interface ArchiveConfig {
  readonly s3: S3Settings;
  /** `SPATE_ARCHIVE_BUCKET`: the cold tier's bucket. */
  readonly bucket: string;
  /** Top-level prefix of what this function archives; `events` for events.raw, `tweets` for tweets.enriched. */
  readonly prefix: string;
  readonly breaker: BreakerSettings;
  readonly retry: SinkRetry;
}

function readConfig(environment: Env, prefixVariable: string, defaultPrefix: string): ArchiveConfig {
  const env = new EnvReader(environment);
  const endpoint = env.optional('SPATE_S3_ENDPOINT');
  return {
    s3: { region: env.string('AWS_REGION', 'us-east-1'), ...(endpoint ? { endpoint } : {}) },
    bucket: env.string('SPATE_ARCHIVE_BUCKET', 'spate-archive'),
    prefix: env.string(prefixVariable, defaultPrefix),
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

/** The events archive (events.raw), under `SPATE_ARCHIVE_PREFIX` (default `events`). */
export function readArchiveConfig(environment: Env): ArchiveConfig {
  return readConfig(environment, 'SPATE_ARCHIVE_PREFIX', 'events');
}

/**
 * The tweets archive (tweets.enriched), in the same bucket under its own variable: every mapped
 * function shares one environment locally (and the cold sink's on AWS), so it cannot reuse
 * `SPATE_ARCHIVE_PREFIX`.
 */
export function readTweetsArchiveConfig(environment: Env): ArchiveConfig {
  return readConfig(environment, 'SPATE_TWEETS_ARCHIVE_PREFIX', TWEETS_ARCHIVE_PREFIX);
}
