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
import { POWERTOOLS_NAMESPACE } from './spate-function.ts';

export interface ObservedFunction {
  readonly name: string;
  readonly fn: lambda.IFunction;
  /** Fed by an MSK event source mapping: its OffsetLag is watched. */
  readonly consumesKafka: boolean;
}

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
  /** Functions writing the warm tier: each failed invocation is a failed ClickHouse insert (after retries). */
  readonly warehouseWriters: readonly lambda.IFunction[];
  readonly nlpLag: cloudwatch.IMetric;
  /** NLP backlog (records) that pages someone. */
  readonly nlpLagThreshold: number;
  /** OffsetLag (records) of an aggregator that pages someone. @default 100000 */
  readonly offsetLagThreshold?: number;
  readonly alarmEmail?: string;
}

/**
 * Emitted by the handlers through Powertools Metrics (EMF) in the Spate namespace, with the
 * `service` dimension each handler names itself (lambdas/ingest/observability.ts,
 * lambdas/broadcast/handler.ts); the alarms below read them by these names.
 */
export const APP_METRICS = {
  /** Every rejected event is written to events.dlq with its reason. */
  dlqRecords: { metricName: 'EventsRejected', service: 'spate-ingest' },
  pushErrors: { metricName: 'PushErrors', service: 'spate-broadcast' },
} as const;

const appMetric = (m: { metricName: string; service: string }) =>
  new cloudwatch.Metric({
    namespace: POWERTOOLS_NAMESPACE,
    metricName: m.metricName,
    dimensionsMap: { service: m.service },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
  });

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

    const api = props.ingestApi;
    const requests = api.metricCount({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
    if (props.expectSteadyTraffic) {
      // API Gateway publishes no Count for a period without requests: the zero is filled in, so
      // silence is a low value, not missing data.
      alarm('IngestStopped', {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(requests, 0)',
          usingMetrics: { requests },
          label: 'Ingest requests (0 when none)',
          period: Duration.minutes(5),
        }),
        alarmDescription: 'No events reached the ingest API for 15 minutes',
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 3,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }
    alarm('IngestSurge', {
      metric: api.metricCount({ period: Duration.minutes(1), statistic: cloudwatch.Stats.SUM }),
      alarmDescription:
        'Ingest requests above 80% of the stage throttle: raise the limit before clients see 429',
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: Math.round(props.ingestRateLimit * 60 * 0.8),
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const ratio = (label: string, errors: cloudwatch.IMetric) =>
      new cloudwatch.MathExpression({
        expression: '100 * errors / MAX([requests, 1])',
        usingMetrics: { errors, requests },
        label,
        period: Duration.minutes(5),
      });
    alarm('Ingest4xxRatio', {
      metric: ratio(
        '4xx %',
        api.metricClientError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      ),
      alarmDescription: 'More than 10% of ingest requests rejected (bad keys, bad payloads, throttling)',
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 10,
      evaluationPeriods: 3,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('Ingest5xxRatio', {
      metric: ratio(
        '5xx %',
        api.metricServerError({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
      ),
      alarmDescription: 'More than 1% of ingest requests failed on our side',
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 1,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });

    const lagThreshold = props.offsetLagThreshold ?? 100_000;
    const lagWidgets: cloudwatch.IMetric[] = [];
    const errorWidgets: cloudwatch.IMetric[] = [];
    for (const { name, fn, consumesKafka } of props.functions) {
      const safe = name.replace(/[^A-Za-z0-9]/g, '');
      const errors = fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM });
      errorWidgets.push(errors);
      alarm(`${safe}Errors`, {
        metric: errors,
        alarmDescription: `${name}: function errors`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 5,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      alarm(`${safe}Throttles`, {
        metric: fn.metricThrottles({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
        alarmDescription: `${name}: invocations throttled (concurrency limit)`,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      if (consumesKafka) {
        const lag = fn.metric('OffsetLag', {
          period: Duration.minutes(1),
          statistic: cloudwatch.Stats.MAXIMUM,
        });
        lagWidgets.push(lag);
        alarm(`${safe}OffsetLag`, {
          metric: lag,
          alarmDescription: `${name}: event source mapping falling behind its topic`,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: lagThreshold,
          evaluationPeriods: 5,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        });
      }
    }

    const dlq = appMetric(APP_METRICS.dlqRecords);
    alarm('DlqGrowth', {
      metric: dlq,
      alarmDescription: 'Rejected events are piling up on events.dlq (more than 100 in 5 minutes, twice)',
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 100,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    const wsDimensions = { ApiId: props.pushApi.apiId, Stage: props.pushStageName };
    const wsErrors = new cloudwatch.MathExpression({
      expression: 'execution + integration + push',
      usingMetrics: {
        execution: new cloudwatch.Metric({
          namespace: 'AWS/ApiGateway',
          metricName: 'ExecutionError',
          dimensionsMap: wsDimensions,
          statistic: 'Sum',
        }),
        integration: new cloudwatch.Metric({
          namespace: 'AWS/ApiGateway',
          metricName: 'IntegrationError',
          dimensionsMap: wsDimensions,
          statistic: 'Sum',
        }),
        push: appMetric(APP_METRICS.pushErrors),
      },
      label: 'WebSocket push errors',
      period: Duration.minutes(5),
    });
    alarm('PushErrors', {
      metric: wsErrors,
      alarmDescription: 'Dashboard pushes failing (WebSocket API or broadcaster)',
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: 10,
      evaluationPeriods: 2,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm('NlpLag', {
      metric: props.nlpLag,
      alarmDescription: 'NLP workers behind tweets.raw even after scaling out',
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      threshold: props.nlpLagThreshold,
      evaluationPeriods: 15,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    for (const [name, options] of capacityAlarms(props.capacity ?? {})) alarm(name, options);
    const insertErrors: cloudwatch.IMetric[] = [];
    if (props.warehouseWriters.length > 0) {
      const failed = new cloudwatch.MathExpression({
        expression: props.warehouseWriters.map((_, i) => `w${i}`).join(' + '),
        usingMetrics: Object.fromEntries(
          props.warehouseWriters.map((fn, i) => [
            `w${i}`,
            fn.metricErrors({ period: Duration.minutes(5), statistic: cloudwatch.Stats.SUM }),
          ]),
        ),
        label: 'ClickHouse insert errors',
        period: Duration.minutes(5),
      });
      insertErrors.push(failed);
      alarm('ClickHouseInsertErrors', {
        metric: failed,
        alarmDescription:
          'Inserts into ClickHouse failing: a warehouse batch failed after its retries and will be redelivered',
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        threshold: 0,
        evaluationPeriods: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    }

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.hours(3),
      widgets: [
        [
          new cloudwatch.GraphWidget({ title: 'Ingest requests', left: [requests], width: 12 }),
          new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({ title: 'Aggregator offset lag', left: lagWidgets, width: 12 }),
          new cloudwatch.GraphWidget({ title: 'Function errors', left: errorWidgets, width: 12 }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'DLQ and insert errors',
            left: [dlq, ...insertErrors],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Push errors', left: [wsErrors], width: 8 }),
          new cloudwatch.GraphWidget({ title: 'NLP consumer lag', left: [props.nlpLag], width: 8 }),
        ],
      ],
    });
  }
}
