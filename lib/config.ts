/**
 * The one typed configuration of a Spate deployment. Everything that differs between a
 * cheap dev account and production is decided here at synth time, never as CloudFormation
 * parameters, so a bad value fails `cdk synth` with a message naming the field.
 */

export type StreamingConfig =
  | { readonly mode: 'serverless' }
  | {
      readonly mode: 'provisioned';
      /** e.g. kafka.m7g.large */
      readonly brokerInstanceType: string;
      /** A multiple of the number of availability zones. */
      readonly brokerCount: number;
      readonly storageGiB: number;
      readonly kafkaVersion: string;
    };

export type HotStoreConfig =
  | { readonly mode: 'serverless'; readonly maxDataGiB: number; readonly maxEcpuPerSecond: number }
  | { readonly mode: 'replication-group'; readonly nodeType: string; readonly replicas: number };

export type WarehouseConfig =
  | {
      readonly mode: 'self-hosted';
      readonly instanceType: string;
      readonly dataVolumeGiB: number;
      /** Days the AWS Backup plan keeps each daily snapshot of the data volume. */
      readonly backupRetentionDays: number;
    }
  | {
      readonly mode: 'external';
      /** HTTPS URL of the ClickHouse service, e.g. a ClickHouse Cloud endpoint. */
      readonly url: string;
      /** Name of an existing Secrets Manager secret holding {username, password}. */
      readonly credentialsSecretName: string;
    };

export interface NlpConfig {
  /** g5.* or g6.* instances: the ECS GPU-optimised AMI and the worker's CUDA build target them. */
  readonly instanceType: string;
  readonly minTasks: number;
  readonly maxTasks: number;
  readonly spot: boolean;
  /** Consumer lag (records) per task the service scales to hold. */
  readonly lagPerTask: number;
}

export interface IngestConfig {
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Optional custom domain; the certificate must be in the stack's region. */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  readonly memoryMiB: number;
}

export interface SpateConfig {
  readonly name: 'dev' | 'prod';
  /** Availability zones the VPC spans; also the MSK broker spread. */
  readonly maxAzs: number;
  /** NAT gateways, at least 1 (public AWS APIs such as @connections); one per AZ survives an AZ loss. */
  readonly natGateways: number;
  /** Interface VPC endpoints for AWS APIs (about $7.30 per endpoint per AZ per month); off sends that traffic via NAT. */
  readonly interfaceEndpoints: boolean;
  readonly streaming: StreamingConfig;
  readonly hot: HotStoreConfig;
  readonly warehouse: WarehouseConfig;
  readonly nlp: NlpConfig;
  readonly ingest: IngestConfig;
  /** Days after which archived objects expire; 0 keeps them forever. */
  readonly archiveExpirationDays: number;
  readonly logRetentionDays: number;
  /** Where alarm notifications are mailed; none subscribes nobody. */
  readonly alarmEmail?: string;
  /**
   * Funnel steps per project (SPATE_FUNNELS of the hot aggregators, broadcaster and query
   * function); none uses the built-in default funnel.
   */
  readonly funnels?: Readonly<Record<string, readonly string[]>>;
}

export const DEV_CONFIG: SpateConfig = {
  name: 'dev',
  maxAzs: 2,
  natGateways: 1,
  interfaceEndpoints: false,
  streaming: { mode: 'serverless' },
  hot: { mode: 'serverless', maxDataGiB: 1, maxEcpuPerSecond: 5000 },
  warehouse: { mode: 'self-hosted', instanceType: 't4g.medium', dataVolumeGiB: 30, backupRetentionDays: 7 },
  nlp: { instanceType: 'g5.xlarge', minTasks: 0, maxTasks: 1, spot: true, lagPerTask: 50_000 },
  ingest: { rateLimit: 500, burstLimit: 1000, memoryMiB: 512 },
  archiveExpirationDays: 365,
  logRetentionDays: 14,
};

export const PROD_CONFIG: SpateConfig = {
  name: 'prod',
  maxAzs: 3,
  natGateways: 3,
  interfaceEndpoints: true,
  streaming: {
    mode: 'provisioned',
    brokerInstanceType: 'kafka.m7g.large',
    brokerCount: 3,
    storageGiB: 1000,
    kafkaVersion: '3.6.0',
  },
  hot: { mode: 'replication-group', nodeType: 'cache.r7g.large', replicas: 2 },
  warehouse: { mode: 'self-hosted', instanceType: 'r7g.xlarge', dataVolumeGiB: 500, backupRetentionDays: 35 },
  nlp: { instanceType: 'g6.xlarge', minTasks: 1, maxTasks: 8, spot: false, lagPerTask: 20_000 },
  ingest: { rateLimit: 10_000, burstLimit: 20_000, memoryMiB: 1024 },
  archiveExpirationDays: 2555,
  logRetentionDays: 90,
};

export const PRESETS: Readonly<Record<SpateConfig['name'], SpateConfig>> = {
  dev: DEV_CONFIG,
  prod: PROD_CONFIG,
};
