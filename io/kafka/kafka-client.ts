import { generateAuthToken } from 'aws-msk-iam-sasl-signer-js';
import { Kafka, type LogEntry, logLevel } from 'kafkajs';
import type { KafkaConfig } from '../config/kafka-config.ts';

// Warnings about choices made on purpose here (bounded idempotent retries, see RecordProducer).
const EXPECTED_WARNINGS = ['Limiting retries for the idempotent producer'];

export type KafkaLog = (level: 'error' | 'warn', message: string, detail: Record<string, unknown>) => void;

export interface KafkaClientOptions {
  /** Where kafkajs's own warnings and errors go (the process's structured logger). */
  readonly log?: KafkaLog;
  /** Longest wait for one request to a broker. */
  readonly requestTimeoutMs?: number;
}

/**
 * A kafkajs client for MSK (TLS + IAM, tokens signed with the function's role) or for the
 * plain local broker. Connection retries are few and short: the caller has a deadline, and a
 * circuit breaker above decides when to try again.
 */
export function createKafka(config: KafkaConfig, options: KafkaClientOptions = {}): Kafka {
  const log = options.log;
  const iam = config.auth === 'msk-iam';
  const region = config.region;
  if (iam && !region) throw new Error('AWS_REGION is required for SPATE_KAFKA_AUTH=msk-iam');
  return new Kafka({
    clientId: config.clientId,
    brokers: [...config.brokers],
    connectionTimeout: 1000,
    requestTimeout: options.requestTimeoutMs ?? 5000,
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
    ...(iam && region
      ? {
          ssl: true,
          sasl: {
            mechanism: 'oauthbearer' as const,
            oauthBearerProvider: async () => ({ value: (await generateAuthToken({ region })).token }),
          },
        }
      : {}),
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log: entry }: LogEntry) => {
        if (!log || EXPECTED_WARNINGS.some((w) => entry.message.startsWith(w))) return;
        const { message, timestamp: _, logger: __, ...detail } = entry;
        log(level === logLevel.ERROR ? 'error' : 'warn', `kafka: ${message}`, detail);
      },
  });
}
