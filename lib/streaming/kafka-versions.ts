/**
 * The Apache Kafka versions MSK accepts for new provisioned clusters, as CfnCluster's
 * `KafkaVersion` spells them. MSK refuses to create a cluster on a version past its end of
 * support (3.6.0 and older), so the config check allows only these; `npx spate preflight`
 * asks MSK which versions the target region offers (kafka:ListKafkaVersions) before a deploy.
 * When MSK retires one, drop it here and docs/deploy.md says how to upgrade a running cluster.
 */
export const SUPPORTED_KAFKA_VERSIONS = ['3.8.x', '3.9.x'] as const;

export type KafkaVersion = (typeof SUPPORTED_KAFKA_VERSIONS)[number];

/** What a new provisioned cluster gets unless the config names another supported version. */
export const DEFAULT_KAFKA_VERSION: KafkaVersion = '3.9.x';

export function isSupportedKafkaVersion(v: string): v is KafkaVersion {
  return (SUPPORTED_KAFKA_VERSIONS as readonly string[]).includes(v);
}
