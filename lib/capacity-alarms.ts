import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/**
 * What runs out or stops quietly: each part's `metricXxx()` (undefined where the part has no
 * such metric in this configuration, e.g. MSK Serverless disk, an external ClickHouse).
 */
export interface CapacityMetrics {
  /** Fullest MSK broker's data disk, percent (Streaming.metricDiskUsedPercent). */
  readonly kafkaDiskUsedPercent?: cloudwatch.IMetric;
  /** Cache memory or data limit used, percent (HotStore.metricMemoryUsedPercent). */
  readonly cacheMemoryUsedPercent?: cloudwatch.IMetric;
  /** ClickHouse data volume used, percent (Warehouse.metricDataDiskUsedPercent). */
  readonly clickhouseDiskUsedPercent?: cloudwatch.IMetric;
  /** ClickHouse tasks running (Warehouse.metricRunningTasks). */
  readonly clickhouseRunningTasks?: cloudwatch.IMetric;
  /** NLP tasks wanted and running (Nlp.metricDesiredTasks / metricRunningTasks). */
  readonly nlpTasks?: { readonly desired: cloudwatch.IMetric; readonly running: cloudwatch.IMetric };
  /** The dashboard's query API latency, p95 over 5 minutes. */
  readonly queryLatencyP95?: cloudwatch.IMetric;
  /** Event-to-frame freshness of the live dashboard, p95 over 5 minutes (Push.metricFrameFreshness). */
  readonly frameFreshnessP95?: cloudwatch.IMetric;
}

/** p95 query latency (ms) that pages someone: the dashboard feels stuck past it. @default 1500 */
export const QUERY_P95_THRESHOLD_MS = 1500;

/**
 * p95 event-to-frame age (ms) that pages someone: live tiles that far behind no longer read as
 * live. The push interval and the aggregators' batching window take about 1 s. @default 5000
 */
export const FRAME_FRESHNESS_P95_THRESHOLD_MS = 5000;

export type AlarmSpec = [
  name: string,
  options: cloudwatch.CreateAlarmOptions & { metric: cloudwatch.IMetric },
];

const above = (threshold: number, evaluationPeriods: number) => ({
  comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
  threshold,
  evaluationPeriods,
  treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
});

/** The alarms on capacity and on services that stop without an error to count. */
export function capacityAlarms(m: CapacityMetrics): AlarmSpec[] {
  const specs: AlarmSpec[] = [];
  if (m.kafkaDiskUsedPercent)
    specs.push([
      'KafkaDiskUse',
      {
        metric: m.kafkaDiskUsedPercent,
        alarmDescription: 'An MSK broker data disk is over 80% full: raise storage or shorten retention',
        ...above(80, 2),
      },
    ]);
  if (m.cacheMemoryUsedPercent)
    specs.push([
      'CacheMemory',
      {
        metric: m.cacheMemoryUsedPercent,
        alarmDescription:
          'The hot store is over 85% of its memory or data limit: writes fail or keys are evicted',
        ...above(85, 3),
      },
    ]);
  if (m.clickhouseDiskUsedPercent)
    specs.push([
      'ClickHouseDisk',
      {
        metric: m.clickhouseDiskUsedPercent,
        alarmDescription:
          'The ClickHouse data volume is over 80% full: grow the volume or move parts to S3 sooner',
        ...above(80, 2),
      },
    ]);
  if (m.clickhouseRunningTasks)
    specs.push([
      'ClickHouseDown',
      {
        metric: m.clickhouseRunningTasks,
        alarmDescription:
          'No ClickHouse task running for 5 minutes: the warm tier and history queries are down',
        comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 5,
        // No data is no task reporting: as bad as none running.
        treatMissingData: cloudwatch.TreatMissingData.BREACHING,
      },
    ]);
  if (m.nlpTasks)
    specs.push([
      'NlpTasksMissing',
      {
        metric: new cloudwatch.MathExpression({
          expression: 'FILL(desired, 0) - FILL(running, 0)',
          usingMetrics: { desired: m.nlpTasks.desired, running: m.nlpTasks.running },
          label: 'NLP tasks wanted but not running',
          period: Duration.minutes(1),
        }),
        alarmDescription:
          'NLP tasks wanted but not running for 15 minutes: GPU hosts are not coming (G-instance quota, Spot capacity, AZ offering; run `npx spate preflight`)',
        ...above(0, 15),
      },
    ]);
  if (m.queryLatencyP95)
    specs.push([
      'QueryLatency',
      {
        metric: m.queryLatencyP95,
        alarmDescription: `Dashboard queries slow: p95 above ${QUERY_P95_THRESHOLD_MS} ms for 15 minutes`,
        ...above(QUERY_P95_THRESHOLD_MS, 3),
      },
    ]);
  if (m.frameFreshnessP95)
    specs.push([
      'FrameFreshness',
      {
        metric: m.frameFreshnessP95,
        alarmDescription: `Live dashboard behind: events take over ${FRAME_FRESHNESS_P95_THRESHOLD_MS} ms (p95) to reach a frame, for 15 minutes`,
        // No events is no staleness: an idle stack stays OK.
        ...above(FRAME_FRESHNESS_P95_THRESHOLD_MS, 3),
      },
    ]);
  return specs;
}
