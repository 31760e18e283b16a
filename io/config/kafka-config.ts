import type { EnvReader } from './env-reader.ts';

/** How a process reaches Kafka: MSK with IAM auth on AWS, the plain local broker on a laptop. */
export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly auth: 'none' | 'msk-iam';
  /** Region for MSK IAM signing. */
  readonly region: string | undefined;
}

export function readKafkaConfig(env: EnvReader, clientId: string): KafkaConfig {
  return {
    brokers: env.list('SPATE_KAFKA_BROKERS', ['127.0.0.1:19092']),
    clientId: env.string('SPATE_KAFKA_CLIENT_ID', clientId),
    auth: env.oneOf('SPATE_KAFKA_AUTH', ['none', 'msk-iam'], 'none'),
    region: env.optional('AWS_REGION'),
  };
}
