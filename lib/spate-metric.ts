import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { METRICS_NAMESPACE, type SpateMetric } from '../core/metrics/metric-names.ts';

/**
 * One of Spate's own metrics (core/metrics/metric-names.ts) as the constructs' `metricXxx()`
 * methods hand it out: by default the sum over 5 minutes, the way the counters are read.
 */
export function spateMetric(
  metric: SpateMetric,
  dimensionsMap: Readonly<Record<string, string>>,
  props?: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  const named = Object.keys(dimensionsMap).filter((d) => !metric.dimensions.includes(d));
  // A dimension the publisher does not set selects nothing: the alarm would watch an empty series.
  if (named.length > 0)
    throw new Error(`${metric.name} is not published with dimension(s) ${named.join(', ')}`);
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: metric.name,
    dimensionsMap: { ...dimensionsMap },
    statistic: cloudwatch.Stats.SUM,
    period: Duration.minutes(5),
    ...props,
  });
}
