import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { CircuitBreaker } from '../../core/limits/circuit-breaker.ts';
import { INGEST_LIMITS } from '../../core/limits/ingest-limits.ts';
import { type IngestConfig, readIngestConfig } from '../../io/config/ingest-config.ts';
import { createKafka } from '../../io/kafka/kafka-client.ts';
import { RecordProducer } from '../../io/kafka/record-producer.ts';
import { openGeoDatabase } from './geo-database.ts';
import { createIngestService, type RecordSink } from './ingest-service.ts';
import { logger, metrics, observeOutcome, observeRateLimitStoreFailure } from './observability.ts';
import { createIngestRateLimiter } from './rate-limiter.ts';

export type IngestHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface IngestFunction {
  readonly handler: IngestHandler;
  /** Disconnects the producer and the rate-limit store; for local processes and tests, never needed on Lambda. */
  close(): Promise<void>;
}

/** The ingest function for a config: one producer, one limiter, one breaker for its lifetime. */
export function createIngestFunction(config: IngestConfig, sink?: RecordSink): IngestFunction {
  const rateLimit = createIngestRateLimiter(config, observeRateLimitStoreFailure);
  const producer =
    sink ??
    new RecordProducer(
      createKafka(config.kafka, {
        requestTimeoutMs: config.produceTimeoutMs,
        log: (level, message, detail) => logger[level](message, detail),
      }),
      { timeoutMs: config.produceTimeoutMs, compression: config.kafkaCompression },
    );
  const service = createIngestService({
    writeKeys: config.writeKeys,
    origins: config.origins,
    limits: INGEST_LIMITS,
    limiter: rateLimit.limiter,
    breaker: new CircuitBreaker(config.breaker),
    sink: producer,
    now: Date.now,
    geo: config.geoDatabasePath ? openGeoDatabase(config.geoDatabasePath) : undefined,
    observe: observeOutcome,
  });
  const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics))
    .handler((event) => service(event));
  return {
    handler: handler as unknown as IngestHandler,
    close: async () => {
      await rateLimit.close();
      if (producer instanceof RecordProducer) await producer.disconnect();
    },
  };
}

// Lambda entry: config and the Kafka producer are made on the first invocation of a container
// and reused by every later one.
let container: IngestFunction | undefined;

export const handler: IngestHandler = (event, context) => {
  container ??= createIngestFunction(readIngestConfig(process.env));
  return container.handler(event, context);
};
