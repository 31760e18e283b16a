import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq, ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { AggregatorEntry, SinkAccess } from './catalog.ts';
import { SpateFunction } from './spate-function.ts';
import type { Streaming } from './streaming/streaming.ts';

/** What a sink offers an aggregator: environment to find it and a grant to use it. */
export interface SinkBinding {
  readonly environment: Record<string, string>;
  grant(fn: lambda.IFunction): void;
}

export interface AggregatorsProps {
  readonly entries: readonly AggregatorEntry[];
  readonly streaming: Streaming;
  readonly vpc: ec2.IVpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly logRetentionDays: number;
  readonly sinks: Readonly<Record<SinkAccess, SinkBinding>>;
  /** @default 1024 */
  readonly memoryMiB?: number;
}

/**
 * MSK mappings take the window in whole seconds and gather for 500 ms when none is set, so
 * a window up to 500 ms is that default and anything longer is rounded up to seconds.
 */
export function batchingWindow(ms: number): { maxBatchingWindow?: Duration } {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`batchingWindowMs must be >= 0 (got ${ms})`);
  if (ms > 300_000) throw new Error(`batchingWindowMs must be at most 300000 for MSK (got ${ms})`);
  return ms <= 500 ? {} : { maxBatchingWindow: Duration.seconds(Math.ceil(ms / 1000)) };
}

const START = { TRIM_HORIZON: lambda.StartingPosition.TRIM_HORIZON, LATEST: lambda.StartingPosition.LATEST };

/**
 * One function per mapping of core/mappings.ts, each fed by its own MSK event source
 * mapping and consumer group, so each concern scales (and fails) alone.
 */
export class Aggregators extends Construct {
  readonly functions = new Map<string, SpateFunction>();

  constructor(scope: Construct, id: string, props: AggregatorsProps) {
    super(scope, id);
    for (const { mapping, entry, access } of props.entries) {
      const sinkEnv = Object.assign({}, ...access.map((a) => props.sinks[a].environment)) as Record<
        string,
        string
      >;
      const fn = new SpateFunction(this, `${mapping.functionName}-${mapping.topic}`, {
        entry,
        service: mapping.functionName,
        vpc: props.vpc,
        securityGroups: [props.securityGroup],
        logRetentionDays: props.logRetentionDays,
        memoryMiB: props.memoryMiB ?? 1024,
        timeout: Duration.minutes(2),
        environment: {
          SPATE_KAFKA_BROKERS: props.streaming.bootstrapBrokers,
          SPATE_KAFKA_AUTH: 'msk-iam',
          SPATE_TOPIC: mapping.topic,
          ...sinkEnv,
        },
      });
      for (const a of access) props.sinks[a].grant(fn.function);
      props.streaming.grantConsume(fn.function, [mapping.topic], mapping.groupId);
      props.streaming.grantProduce(fn.function, [mapping.onFailureTopic]);
      fn.function.addEventSource(
        new ManagedKafkaEventSource({
          clusterArn: props.streaming.clusterArn,
          topic: mapping.topic,
          consumerGroupId: mapping.groupId,
          batchSize: mapping.batchSize,
          ...batchingWindow(mapping.batchingWindowMs),
          startingPosition: START[mapping.startingPosition],
          onFailure: new KafkaDlq(mapping.onFailureTopic),
          retryAttempts: mapping.maxRetries,
          // Provisioned pollers are what give Kafka mappings retries and a Kafka failure destination.
          provisionedPollerConfig: { minimumPollers: 1, maximumPollers: 10 },
          metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT, lambda.MetricType.ERROR_COUNT] },
        }),
      );
      fn.node.addDependency(props.streaming.topicsReady);
      this.functions.set(`${mapping.functionName}:${mapping.topic}`, fn);
    }
  }
}
