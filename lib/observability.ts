import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { type CapacityMetrics, capacityAlarms } from './capacity-alarms.ts';
import {
  addCompactionAlarms,
  addFunctionAlarms,
  addIngestAlarms,
  addNlpAlarms,
  addPushAlarms,
  addWarehouseAlarms,
  type ObservedFunction,
} from './part-alarms.ts';

export interface ObservabilityProps {
  readonly ingestApi: apigw.IHttpApi;
  /** Stage throttle (requests/s); the surge alarm fires at 80% of it. */
  readonly ingestRateLimit: number;
  /**
   * Traffic is expected around the clock: 15 minutes without a request raise `IngestStopped`.
   * @default false: an idle API is normal (dev), and nothing alarms on it
   */
  readonly expectSteadyTraffic?: boolean;
  /**
   * Capacity and liveness of the stores and services.
   * @default none
   */
  readonly capacity?: CapacityMetrics;
  readonly pushApi: apigw.IWebSocketApi;
  readonly pushStageName: string;
  readonly functions: readonly ObservedFunction[];
  /**
   * The daily archive compaction: one run a day, so any error alarms (the per-function alarms
   * fire on sustained errors of steady traffic).
   * @default none deployed
   */
  readonly compaction?: lambda.IFunction;
  /** Functions writing the warm tier: each failed invocation is a failed ClickHouse insert (after retries). */
  readonly warehouseWriters: readonly lambda.IFunction[];
  /** Events written to events.dlq (Ingest.metricEventsRejected). */
  readonly eventsRejected: cloudwatch.IMetric;
  /** Frames the broadcaster could not post (Push.metricPushErrors). */
  readonly pushErrors: cloudwatch.IMetric;
  /** NLP workers' consumer lag (Nlp.metricConsumerLag). */
  readonly nlpLag: cloudwatch.IMetric;
  /** NLP backlog (records) that pages someone. */
  readonly nlpLagThreshold: number;
  /** OffsetLag (records) of an aggregator that pages someone. @default 100000 */
  readonly offsetLagThreshold?: number;
  readonly alarmEmail?: string;
}

/** One dashboard and the alarms of DESIGN.md's promises, all notifying one encrypted SNS topic. */
export class Observability extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Spate alarm topic' });
    key.grant(new iam.ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
    this.topic = new sns.Topic(this, 'Alarms', {
      displayName: 'Spate alarms',
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    const notify = new actions.SnsAction(this.topic);
    const alarm = (name: string, a: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric }) => {
      const created = new cloudwatch.Alarm(this, name, a);
      created.addAlarmAction(notify);
      created.addOkAction(notify);
      this.alarms.push(created);
      return created;
    };

    const ingest = addIngestAlarms(alarm, {
      api: props.ingestApi,
      rateLimit: props.ingestRateLimit,
      expectSteadyTraffic: props.expectSteadyTraffic ?? false,
      eventsRejected: props.eventsRejected,
    });
    const functions = addFunctionAlarms(alarm, props.functions, props.offsetLagThreshold ?? 100_000);
    const push = addPushAlarms(alarm, {
      api: props.pushApi,
      stageName: props.pushStageName,
      pushErrors: props.pushErrors,
    });
    addNlpAlarms(alarm, props.nlpLag, props.nlpLagThreshold);
    for (const [name, options] of capacityAlarms(props.capacity ?? {})) alarm(name, options);
    const warehouse = addWarehouseAlarms(alarm, props.warehouseWriters);
    const compaction = props.compaction ? addCompactionAlarms(alarm, props.compaction) : undefined;

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Ingest requests', left: [ingest.requests], width: 12 }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Aggregator offset lag', left: functions.lag, width: 12 }),
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: [...functions.errors, ...(compaction ? [compaction.errors] : [])],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'DLQ and insert errors',
            left: [props.eventsRejected, ...warehouse.insertErrors],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Push errors', left: [push.errors], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'NLP consumer lag', left: [props.nlpLag], width: 8 }),
        ],
      ],
    });
  }
}
