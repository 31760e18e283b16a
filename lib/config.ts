/**
 * The one typed configuration of a Spate deployment. Everything that differs between a
 * cheap dev account and production is decided here at synth time, never as CloudFormation
 * parameters, so a bad value fails `cdk synth` with a message naming the field.
 */

import { DEFAULT_KAFKA_VERSION } from './streaming/kafka-versions.ts';

export type StreamingConfig =
  | { readonly mode: 'serverless' }
  | {
      readonly mode: 'provisioned';
      /** e.g. kafka.m7g.large */
      readonly brokerInstanceType: string;
      /** A multiple of the number of availability zones. */
      readonly brokerCount: number;
      readonly storageGiB: number;
      /** One of SUPPORTED_KAFKA_VERSIONS (lib/streaming/kafka-versions.ts); MSK refuses retired ones. */
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
  /**
   * vCPUs of the account's G-instance quota this deployment may use, in the market it uses:
   * "Running On-Demand G and VT instances" (L-DB2E81BA) or, with `spot`, "All G and VT Spot
   * Instance Requests" (L-3819A6DF). New accounts have 0 of both. Synth fails when the GPU
   * hosts the service can ask for (maxTasks + 1 for a rollout) need more; `npx spate preflight`
   * checks the account really has it.
   */
  readonly gpuVcpuQuota: number;
}

export interface IngestConfig {
  readonly rateLimit: number;
  readonly burstLimit: number;
  /** Optional custom domain; the certificate must be in the stack's region. */
  readonly domain?: { readonly name: string; readonly certificateArn: string };
  readonly memoryMiB: number;
  /**
   * Traffic is expected around the clock: no request for 15 minutes raises `IngestStopped`.
   * Off (dev), an idle API is normal and nothing alarms on it.
   */
  readonly expectSteadyTraffic: boolean;
  /**
   * Browser origins allowed to post events, per project: `{ "shop": ["https://shop.example"] }`,
   * or `["*"]` for any origin. Servers and mobile apps send no Origin and are not affected.
   * @default none: no browser page may post (a preflight is refused)
   */
  readonly corsOrigins?: Readonly<Record<string, readonly string[]>>;
}

export interface SpateConfig {
  readonly name: 'dev' | 'prod';
  /** Availability zones the VPC spans; also the MSK broker spread. */
  readonly maxAzs: number;
  /**
   * The zones by name (maxAzs of them, one region). Not every zone offers MSK brokers, g5/g6 or
   * Graviton instances; `npx spate preflight` checks these. Unset, CloudFormation takes the
   * region's first zones (Fn::GetAZs) whatever they offer, and synth warns.
   */
  readonly availabilityZones?: readonly string[];
  /**
   * API Gateway's account-level CloudWatch Logs role, which WebSocket access logging needs:
   * "create" makes the role and sets it on the account (kept after `cdk destroy`, as other APIs
   * of the account may log through it); "existing" trusts that the account has one already
   * (preflight checks it).
   */
  readonly apiGatewayCloudWatchRole: 'create' | 'existing';
  /**
   * The Kafka event source mappings share one provisioned poller group. Provisioned mode (which
   * Kafka retries and the on-failure topic need) bills event poller units per hour whether
   * events flow or not; shared, the mappings hold one between them instead of one each, and
   * share its throughput.
   */
  readonly sharedPollerGroup: boolean;
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
  // Two small brokers (about $70 a month) instead of MSK Serverless ($0.75 an hour per cluster,
  // about $570 a month whatever flows): dev's traffic fits, and the version is held to the
  // same supported list as prod's.
  streaming: {
    mode: 'provisioned',
    brokerInstanceType: 'kafka.t3.small',
    brokerCount: 2,
    storageGiB: 50,
    kafkaVersion: DEFAULT_KAFKA_VERSION,
  },
  hot: { mode: 'serverless', maxDataGiB: 1, maxEcpuPerSecond: 5000 },
  warehouse: { mode: 'self-hosted', instanceType: 't4g.medium', dataVolumeGiB: 30, backupRetentionDays: 7 },
  apiGatewayCloudWatchRole: 'create',
  sharedPollerGroup: true,
  nlp: {
    instanceType: 'g5.xlarge',
    minTasks: 0,
    maxTasks: 1,
    spot: true,
    lagPerTask: 50_000,
    // Two g5.xlarge (4 vCPUs each): the task, and its replacement during a rollout.
    gpuVcpuQuota: 8,
  },
  ingest: { rateLimit: 500, burstLimit: 1000, memoryMiB: 512, expectSteadyTraffic: false },
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
    kafkaVersion: DEFAULT_KAFKA_VERSION,
  },
  hot: { mode: 'replication-group', nodeType: 'cache.r7g.large', replicas: 2 },
  warehouse: { mode: 'self-hosted', instanceType: 'r7g.xlarge', dataVolumeGiB: 500, backupRetentionDays: 35 },
  apiGatewayCloudWatchRole: 'create',
  // Each mapping keeps its own pollers: a surge on one topic does not slow the others.
  sharedPollerGroup: false,
  nlp: {
    instanceType: 'g6.xlarge',
    minTasks: 1,
    maxTasks: 8,
    spot: false,
    lagPerTask: 20_000,
    // Nine g6.xlarge (4 vCPUs each): eight tasks and one more during a rollout.
    gpuVcpuQuota: 36,
  },
  ingest: { rateLimit: 10_000, burstLimit: 20_000, memoryMiB: 1024, expectSteadyTraffic: true },
  archiveExpirationDays: 2555,
  logRetentionDays: 90,
};

export const PRESETS: Readonly<Record<SpateConfig['name'], SpateConfig>> = {
  dev: DEV_CONFIG,
  prod: PROD_CONFIG,
};
