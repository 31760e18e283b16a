import { Duration } from 'aws-cdk-lib';
import type * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq, ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { Sink } from '../core/mappings.ts';
import type { AggregatorEntry } from './catalog.ts';
import { SpateFunction } from './spate-function.ts';
import type { Streaming } from './streaming/streaming.ts';

/**
 * What a sink offers a function that writes it: the environment to find it, the security
 * groups to reach it, and the IAM rights to use it. Each is given only to the functions whose
 * mapping lists the sink in `writes`.
 */
export interface SinkBinding {
  readonly environment: Readonly<Record<string, string>>;
  /** @default none */
  readonly securityGroups?: readonly ec2.ISecurityGroup[];
  /** @default no IAM right (the sink needs none) */
  grant?(grantee: iam.IGrantable): void;
}

export interface AggregatorsProps {
  readonly entries: readonly AggregatorEntry[];
  readonly streaming: Streaming;
  readonly vpc: ec2.IVpc;
  /** Groups every aggregator is in (AWS APIs over HTTPS). */
  readonly securityGroups: readonly ec2.ISecurityGroup[];
  readonly logRetentionDays: number;
  readonly sinks: Readonly<Record<Sink, SinkBinding>>;
  /** @default 1024 */
  readonly memoryMiB?: number;
  /** Pollers per mapping; Kafka retries and the on-failure destination need provisioned pollers. @default 1..10 */
  readonly pollers?: { readonly minimum: number; readonly maximum: number };
  /**
   * One provisioned poller group shared by every mapping: they share event poller units (billed
   * per hour, idle or not) instead of each holding its own, at the price of sharing their
   * throughput under load.
   * @default undefined: each mapping has its own pollers
   */
  readonly pollerGroupName?: string;
}

/**
 * MSK mappings take the window in whole seconds and gather for 500 ms when none is set: a
 * window of 0 is sent as 0 (invoke as soon as a poll returns records), one up to 500 ms is
 * that default, and anything longer is rounded up to seconds.
 */
export function batchingWindow(ms: number): { maxBatchingWindow?: Duration } {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`batchingWindowMs must be >= 0 (got ${ms})`);
  if (ms > 300_000) throw new Error(`batchingWindowMs must be at most 300000 for MSK (got ${ms})`);
  if (ms === 0) return { maxBatchingWindow: Duration.seconds(0) };
  return ms <= 500 ? {} : { maxBatchingWindow: Duration.seconds(Math.ceil(ms / 1000)) };
}

const START = { TRIM_HORIZON: lambda.StartingPosition.TRIM_HORIZON, LATEST: lambda.StartingPosition.LATEST };

/** Logical-id-safe name of a mapping: one function per (function, topic). */
export const aggregatorId = (entry: AggregatorEntry): string =>
  `${entry.mapping.functionName}-${entry.mapping.topic}`;

/**
 * One function per mapping of core/mappings.ts, each fed by its own MSK event source
 * mapping and consumer group, so each concern scales (and fails) alone.
 */
export class Aggregators extends Construct {
  /** By `functionName:topic`. */
  readonly functions = new Map<string, SpateFunction>();

  constructor(scope: Construct, id: string, props: AggregatorsProps) {
    super(scope, id);
    const pollers = props.pollers ?? { minimum: 1, maximum: 10 };
    for (const entry of props.entries) {
      const { mapping } = entry;
      const sinks = [...new Set(mapping.writes)].map((w) => props.sinks[w]);
      const fn = new SpateFunction(this, aggregatorId(entry), {
        entry: entry.entry,
        service: mapping.functionName,
        vpc: props.vpc,
        securityGroups: [...props.securityGroups, ...sinks.flatMap((s) => s.securityGroups ?? [])],
        logRetentionDays: props.logRetentionDays,
        memoryMiB: props.memoryMiB ?? 1024,
        timeout: Duration.minutes(2),
        environment: Object.assign({}, ...sinks.map((s) => s.environment)) as Record<string, string>,
      });
      for (const sink of sinks) sink.grant?.(fn.function);
      // The mapping reads as the function's role, and writes failed batches to the on-failure topic as it too.
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
          provisionedPollerConfig: {
            minimumPollers: pollers.minimum,
            maximumPollers: pollers.maximum,
            ...(props.pollerGroupName ? { pollerGroupName: props.pollerGroupName } : {}),
          },
          metricsConfig: { metrics: [lambda.MetricType.EVENT_COUNT, lambda.MetricType.ERROR_COUNT] },
        }),
      );
      fn.node.addDependency(props.streaming.topicsReady);
      this.functions.set(`${mapping.functionName}:${mapping.topic}`, fn);
    }
  }
}
