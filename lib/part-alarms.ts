import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * The alarms of each part, one function per part. Each reads its metrics from the part's own
 * `metricXxx()` methods (passed in by the stack), never by a metric name of its own, so a name
 * lives only in core/metrics/metric-names.ts and the construct that publishes or reads it.
 */
export type AddAlarm = (
  name: string,
  options: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric },
) => cloudwatch.Alarm;

const above = (threshold: number, evaluationPeriods: number) => ({
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  threshold,
  evaluationPeriods,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
});

const sum = (minutes: number) => ({ period: Duration.minutes(minutes), statistic: cloudwatch.Stats.SUM });

export interface IngestAlarmProps {
  readonly api: apigw.IHttpApi;
  /** Stage throttle (requests/s); the surge alarm fires at 80% of it. */
  readonly rateLimit: number;
  /** Traffic is expected around the clock: 15 minutes without a request raise `IngestStopped`. */
  readonly expectSteadyTraffic: boolean;
  /** Events written to events.dlq (Ingest.metricEventsRejected). */
  readonly eventsRejected: cloudwatch.IMetric;
}

/** Ingest: silence, a surge towards the throttle, 4xx and 5xx ratios, rejected events piling up. */
export function addIngestAlarms(alarm: AddAlarm, p: IngestAlarmProps): { requests: cloudwatch.IMetric } {
  const requests = p.api.metricCount(sum(5));
  if (p.expectSteadyTraffic) {
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
    metric: p.api.metricCount(sum(1)),
    alarmDescription:
      'Ingest requests above 80% of the stage throttle: raise the limit before clients see 429',
    ...above(Math.round(p.rateLimit * 60 * 0.8), 3),
  });
  const ratio = (label: string, errors: cloudwatch.IMetric) =>
    new cloudwatch.MathExpression({
      expression: '100 * errors / MAX([requests, 1])',
      usingMetrics: { errors, requests },
      label,
      period: Duration.minutes(5),
    });
  alarm('Ingest4xxRatio', {
    metric: ratio('4xx %', p.api.metricClientError(sum(5))),
    alarmDescription: 'More than 10% of ingest requests rejected (bad keys, bad payloads, throttling)',
    ...above(10, 3),
  });
  alarm('Ingest5xxRatio', {
    metric: ratio('5xx %', p.api.metricServerError(sum(5))),
    alarmDescription: 'More than 1% of ingest requests failed on our side',
    ...above(1, 2),
  });
  alarm('DlqGrowth', {
    metric: p.eventsRejected,
    alarmDescription: 'Rejected events are piling up on events.dlq (more than 100 in 5 minutes, twice)',
    ...above(100, 2),
  });
  return { requests };
}

export interface ObservedFunction {
  readonly name: string;
  readonly fn: lambda.IFunction;
  /** Fed by an MSK event source mapping: its OffsetLag is watched. */
  readonly consumesKafka: boolean;
}

/** Every function: errors and throttles; those fed by Kafka, their event source mapping's lag. */
export function addFunctionAlarms(
  alarm: AddAlarm,
  functions: readonly ObservedFunction[],
  offsetLagThreshold: number,
): { lag: cloudwatch.IMetric[]; errors: cloudwatch.IMetric[] } {
  const lag: cloudwatch.IMetric[] = [];
  const errors: cloudwatch.IMetric[] = [];
  for (const { name, fn, consumesKafka } of functions) {
    const safe = name.replace(/[^A-Za-z0-9]/g, '');
    const failed = fn.metricErrors(sum(5));
    errors.push(failed);
    alarm(`${safe}Errors`, { metric: failed, alarmDescription: `${name}: function errors`, ...above(5, 1) });
    alarm(`${safe}Throttles`, {
      metric: fn.metricThrottles(sum(5)),
      alarmDescription: `${name}: invocations throttled (concurrency limit)`,
      ...above(0, 1),
    });
    if (consumesKafka) {
      const offsetLag = fn.metric('OffsetLag', {
        period: Duration.minutes(1),
        statistic: cloudwatch.Stats.MAXIMUM,
      });
      lag.push(offsetLag);
      alarm(`${safe}OffsetLag`, {
        metric: offsetLag,
        alarmDescription: `${name}: event source mapping falling behind its topic`,
        ...above(offsetLagThreshold, 5),
      });
    }
  }
  return { lag, errors };
}

export interface PushAlarmProps {
  readonly api: apigw.IWebSocketApi;
  readonly stageName: string;
  /** Frames the broadcaster could not post (Push.metricPushErrors). */
  readonly pushErrors: cloudwatch.IMetric;
}

/** Push: the WebSocket API's own errors and the broadcaster's failed posts, together. */
export function addPushAlarms(alarm: AddAlarm, p: PushAlarmProps): { errors: cloudwatch.IMetric } {
  const dimensionsMap = { ApiId: p.api.apiId, Stage: p.stageName };
  const gateway = (metricName: string) =>
    new cloudwatch.Metric({ namespace: 'AWS/ApiGateway', metricName, dimensionsMap, statistic: 'Sum' });
  const errors = new cloudwatch.MathExpression({
    expression: 'execution + integration + push',
    usingMetrics: {
      execution: gateway('ExecutionError'),
      integration: gateway('IntegrationError'),
      push: p.pushErrors,
    },
    label: 'WebSocket push errors',
    period: Duration.minutes(5),
  });
  alarm('PushErrors', {
    metric: errors,
    alarmDescription: 'Dashboard pushes failing (WebSocket API or broadcaster)',
    ...above(10, 2),
  });
  return { errors };
}

/** NLP: workers behind tweets.raw for 15 minutes (Nlp.metricConsumerLag). */
export function addNlpAlarms(alarm: AddAlarm, consumerLag: cloudwatch.IMetric, lagThreshold: number): void {
  alarm('NlpLag', {
    metric: consumerLag,
    alarmDescription: 'NLP workers behind tweets.raw even after scaling out',
    ...above(lagThreshold, 15),
  });
}

/**
 * Warehouse: each failed invocation of a function writing the warm tier is a failed ClickHouse
 * insert (after retries).
 */
export function addWarehouseAlarms(
  alarm: AddAlarm,
  writers: readonly lambda.IFunction[],
): { insertErrors: cloudwatch.IMetric[] } {
  if (writers.length === 0) return { insertErrors: [] };
  const failed = new cloudwatch.MathExpression({
    expression: writers.map((_, i) => `w${i}`).join(' + '),
    usingMetrics: Object.fromEntries(writers.map((fn, i) => [`w${i}`, fn.metricErrors(sum(5))])),
    label: 'ClickHouse insert errors',
    period: Duration.minutes(5),
  });
  alarm('ClickHouseInsertErrors', {
    metric: failed,
    alarmDescription:
      'Inserts into ClickHouse failing: a warehouse batch failed after its retries and will be redelivered',
    ...above(0, 2),
  });
  return { insertErrors: [failed] };
}

/**
 * Compaction: a daily run that failed (after Lambda's retry). The next run starts over, and
 * nothing is lost meanwhile, but the cold tier's objects pile up until one succeeds.
 */
export function addCompactionAlarms(
  alarm: AddAlarm,
  compaction: lambda.IFunction,
): { errors: cloudwatch.IMetric } {
  const errors = compaction.metricErrors(sum(60));
  alarm('CompactionErrors', {
    metric: errors,
    alarmDescription: 'Archive compaction failed: its log group says why; the next daily run starts over',
    ...above(0, 1),
  });
  return { errors };
}
