import { parseWriteKeySet, type WriteKeySet } from '../../core/auth/write-keys.ts';
import type { BreakerPolicy } from '../../core/limits/circuit-breaker.ts';
import type { RateLimitPolicy } from '../../core/limits/token-bucket.ts';
import { ConfigError, type Env, EnvReader } from './env-reader.ts';
import { type KafkaConfig, readKafkaConfig } from './kafka-config.ts';

/** The ingest function's settings, read once per container. */
export interface IngestConfig {
  readonly kafka: KafkaConfig;
  readonly kafkaCompression: 'gzip' | 'none';
  /** Longest wait for Kafka's acknowledgement before answering 503. */
  readonly produceTimeoutMs: number;
  /** `SPATE_WRITE_KEYS`: JSON `{"<project>": "<sha256 hex of the write key>"}` (or a list of hashes). */
  readonly writeKeys: WriteKeySet;
  readonly rateLimit: RateLimitPolicy;
  readonly breaker: BreakerPolicy;
  /** A MaxMind-format (.mmdb) city or country database, when the operator provides one. */
  readonly geoDatabasePath: string | undefined;
}

export function readIngestConfig(environment: Env): IngestConfig {
  const env = new EnvReader(environment);
  const keysJson = env.optional('SPATE_WRITE_KEYS');
  if (keysJson === undefined) {
    throw new ConfigError(
      'SPATE_WRITE_KEYS is required: JSON {"<project>": "<sha256 hex of its write key>"}',
    );
  }
  let writeKeys: WriteKeySet;
  try {
    writeKeys = parseWriteKeySet(keysJson);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  return {
    kafka: readKafkaConfig(env, 'spate-ingest'),
    kafkaCompression: env.oneOf('SPATE_KAFKA_COMPRESSION', ['gzip', 'none'], 'gzip'),
    produceTimeoutMs: env.int('SPATE_PRODUCE_TIMEOUT_MS', 5000, { min: 100, max: 60_000 }),
    writeKeys,
    rateLimit: {
      ratePerS: env.int('SPATE_RATE_LIMIT_PER_S', 50_000, { min: 1 }),
      burst: env.int('SPATE_RATE_LIMIT_BURST', 100_000, { min: 1 }),
    },
    breaker: {
      failureThreshold: env.int('SPATE_BREAKER_FAILURES', 3, { min: 1, max: 1000 }),
      openMs: env.int('SPATE_BREAKER_OPEN_MS', 5000, { min: 100, max: 600_000 }),
    },
    geoDatabasePath: env.optional('SPATE_GEO_DB'),
  };
}
