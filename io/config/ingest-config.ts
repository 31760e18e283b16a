import type { BreakerPolicy } from '../../core/limits/circuit-breaker.ts';
import type { OriginPolicy } from '../../core/limits/origin-policy.ts';
import type { RateLimitPolicy } from '../../core/limits/token-bucket.ts';
import { REDIS_PASSWORD, readRedisConfig } from '../redis/redis-config.ts';
import { readCorsOrigins } from './cors-origins.ts';
import { type Env, EnvReader } from './env-reader.ts';
import { type KafkaConfig, readKafkaConfig } from './kafka-config.ts';
import { optionalSecretSource, type SecretSource } from './secret-setting.ts';
import { type WriteKeySource, writeKeySource } from './write-key-source.ts';

/** The ingest function's settings, read once per container. */
export interface IngestConfig {
  readonly kafka: KafkaConfig;
  readonly kafkaCompression: 'gzip' | 'none';
  /** Longest wait for Kafka's acknowledgement before answering 503. */
  readonly produceTimeoutMs: number;
  /** The write keys as they are now (io/config/write-key-source.ts). */
  readonly writeKeys: WriteKeySource;
  /** Which web pages may post for which project (SPATE_CORS_ORIGINS, io/config/cors-origins.ts). */
  readonly origins: OriginPolicy;
  readonly rateLimit: RateLimitPolicy;
  /**
   * History's pace per write key (`/v1/import`), besides the key's limit: imported events share
   * events.raw's partitions with live ones, so an import paced under the pipeline's spare
   * capacity never leaves live events queued behind it.
   */
  readonly historyRateLimit: RateLimitPolicy;
  /**
   * Where the write keys' shared token buckets live (the hot store), so the limit holds across
   * containers; absent when no SPATE_REDIS_URL is set: each container then counts alone.
   */
  readonly rateLimitStore: RateLimitStoreConfig | undefined;
  readonly breaker: BreakerPolicy;
  /** A MaxMind-format (.mmdb) city or country database, when the operator provides one. */
  readonly geoDatabasePath: string | undefined;
}

export interface RateLimitStoreConfig {
  /** SPATE_REDIS_URL, with SPATE_REDIS_PASSWORD in it when that is set. */
  readonly url: string;
  /** On AWS: the password from SPATE_REDIS_SECRET_ARN, read when the store is first used. */
  readonly password: SecretSource | undefined;
  /** SPATE_RATE_LIMIT_STORE_TIMEOUT_MS: longest wait for the store before this container's own bucket decides. */
  readonly timeoutMs: number;
}

export function readIngestConfig(environment: Env): IngestConfig {
  const env = new EnvReader(environment);
  const writeKeys = writeKeySource(environment);
  return {
    kafka: readKafkaConfig(env, 'spate-ingest'),
    kafkaCompression: env.oneOf('SPATE_KAFKA_COMPRESSION', ['gzip', 'none'], 'gzip'),
    produceTimeoutMs: env.int('SPATE_PRODUCE_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
    writeKeys,
    origins: readCorsOrigins(environment),
    rateLimit: {
      ratePerS: env.int('SPATE_RATE_LIMIT_PER_S', 50_000, { min: 1 }),
      burst: env.int('SPATE_RATE_LIMIT_BURST', 100_000, { min: 1 }),
    },
    historyRateLimit: {
      ratePerS: env.int('SPATE_IMPORT_RATE_PER_S', 1000, { min: 1 }),
      burst: env.int('SPATE_IMPORT_RATE_BURST', 10_000, { min: 1 }),
    },
    rateLimitStore: readRateLimitStore(environment, env),
    breaker: {
      failureThreshold: env.int('SPATE_BREAKER_FAILURES', 3, { min: 1, max: 1000 }),
      openMs: env.int('SPATE_BREAKER_OPEN_MS', 5000, { min: 100, max: 600_000 }),
    },
    geoDatabasePath: env.optional('SPATE_GEO_DB'),
  };
}

function readRateLimitStore(environment: Env, env: EnvReader): RateLimitStoreConfig | undefined {
  if (env.optional('SPATE_REDIS_URL') === undefined) return undefined;
  const plainPassword = env.optional(REDIS_PASSWORD.variable) !== undefined;
  return {
    url: readRedisConfig(env).url,
    password: plainPassword ? undefined : optionalSecretSource(environment, REDIS_PASSWORD),
    // The store answers within a millisecond or two in the VPC; past this it is treated as down.
    timeoutMs: env.int('SPATE_RATE_LIMIT_STORE_TIMEOUT_MS', 100, { min: 1, max: 10_000 }),
  };
}
