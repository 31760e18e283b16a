import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRIC_SERVICES, refusedMetricName, SPATE_METRICS } from '../../core/metrics/metric-names.ts';
import { functionTools } from '../spate-handler.ts';
import type { IngestOutcome } from './ingest-service.ts';

/** The ingest function's Powertools: one Logger, one Metrics (CloudWatch EMF), one Tracer. */
export const ingestTools = functionTools(METRIC_SERVICES.ingest);
const { logger, metrics } = ingestTools;

export { logger, metrics };

export function observeOutcome(outcome: IngestOutcome): void {
  metrics.addMetric(SPATE_METRICS.eventsAccepted.name, MetricUnit.Count, outcome.accepted);
  metrics.addMetric(SPATE_METRICS.eventsRejected.name, MetricUnit.Count, outcome.rejected);
  if (outcome.refusal) {
    metrics.addMetric(refusedMetricName(outcome.refusal), MetricUnit.Count, 1);
  }
  if (outcome.kafkaError !== undefined) {
    logger.error('Kafka write failed; answered 503', { error: outcome.kafkaError as Error });
  } else if (outcome.refusal === 'circuit_open') {
    logger.warn('circuit open; answered 503 without trying Kafka');
  }
}

/** The shared rate-limit store did not answer: this container's own bucket decided instead. */
export function observeRateLimitStoreFailure(err: unknown): void {
  metrics.addMetric(SPATE_METRICS.rateLimitStoreFailures.name, MetricUnit.Count, 1);
  logger.warn('rate-limit store unreachable; this container limits alone for now', { error: err as Error });
}
