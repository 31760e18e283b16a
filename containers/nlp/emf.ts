import { METRIC_SERVICES, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import type { TokenCounts } from '../../core/nlp/inference/length-batches.ts';
import { NOTHING_FED, paddingBetween } from './padding.ts';

/**
 * CloudWatch embedded metric format: one JSON log line that CloudWatch Logs turns into
 * metrics. The worker's log stream is its only route to CloudWatch (no SDK calls, no agent),
 * and the autoscaling policy and lag alarm read ConsumerLag from it.
 */
export interface EmfMetric {
  readonly name: string;
  readonly unit: 'Count' | 'Count/Second' | 'Milliseconds' | 'Percent';
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

/** The worker's figures an EMF line reports; tokensFed is absent or undefined for a backend that pads nothing. */
export interface WorkerEmfSource {
  readonly totalLag: number;
  ratePerSecond(): number;
  tokensFed?(): TokenCounts | undefined;
}

/**
 * Writes the worker's metrics every `intervalMs`: its scaling metrics, and for a padded model the
 * tokens it fed over the interval and their padding share (padding.ts). Returns a stop function
 * that writes a last line.
 */
export function publishWorkerEmf(
  source: WorkerEmfSource,
  options: { readonly namespace: string; readonly intervalMs: number },
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): () => void {
  let fedBefore = NOTHING_FED;
  const tokenMetrics = (): EmfMetric[] => {
    const fed = source.tokensFed?.();
    if (fed === undefined) return [];
    const interval = paddingBetween(fedBefore, fed);
    fedBefore = fed;
    const real = { name: SPATE_METRICS.realTokens.name, unit: SPATE_METRICS.realTokens.unit };
    const padded = { name: SPATE_METRICS.paddedTokens.name, unit: SPATE_METRICS.paddedTokens.unit };
    const share = { name: SPATE_METRICS.paddingShare.name, unit: SPATE_METRICS.paddingShare.unit };
    return [
      { ...real, value: interval.realTokens },
      { ...padded, value: interval.paddedTokens },
      // An interval in which nothing ran has no share: a 0 would read as perfectly packed runs.
      ...(interval.paddingPercent === undefined ? [] : [{ ...share, value: interval.paddingPercent }]),
    ];
  };
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
          ...tokenMetrics(),
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
