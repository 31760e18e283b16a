import { METRIC_SERVICES, SPATE_METRICS } from '../../core/metrics/metric-names.ts';

/**
 * CloudWatch embedded metric format: one JSON log line that CloudWatch Logs turns into
 * metrics. The worker's log stream is its only route to CloudWatch (no SDK calls, no agent),
 * and the autoscaling policy and lag alarm read ConsumerLag from it.
 */
export interface EmfMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Count/Second' | 'Milliseconds';
  readonly value: number;
}

export function emfLine(
  namespace: string,
  dimensions: Readonly<Record<string, string>>,
  metrics: readonly EmfMetric[],
  timestamp: number,
): string {
  const values: Record<string, number | string> = { ...dimensions };
  for (const m of metrics) values[m.name] = m.value;
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [
        {
          Namespace: namespace,
          Dimensions: [Object.keys(dimensions)],
          Metrics: metrics.map((m) => ({ Name: m.name, Unit: m.unit })),
        },
      ],
    },
    ...values,
  });
}

/** Writes the worker's scaling metrics every `intervalMs`; returns a stop function that writes a last line. */
export function publishWorkerEmf(
  source: { readonly totalLag: number; ratePerSecond(): number },
  options: { readonly namespace: string; readonly intervalMs: number },
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): () => void {
  const publish = () =>
    write(
      emfLine(
        options.namespace,
        { service: METRIC_SERVICES.nlp },
        [
          {
            name: SPATE_METRICS.consumerLag.name,
            unit: SPATE_METRICS.consumerLag.unit,
            value: source.totalLag,
          },
          {
            name: SPATE_METRICS.tweetsPerSecond.name,
            unit: SPATE_METRICS.tweetsPerSecond.unit,
            value: source.ratePerSecond(),
          },
        ],
        Date.now(),
      ),
    );
  const timer = setInterval(publish, options.intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    publish();
  };
}
