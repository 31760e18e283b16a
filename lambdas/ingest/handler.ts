import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { CircuitBreaker } from '../../core/limits/circuit-breaker.ts';
import { INGEST_LIMITS } from '../../core/limits/ingest-limits.ts';
import { type IngestConfig, readIngestConfig } from '../../io/config/ingest-config.ts';
import { createKafka } from '../../io/kafka/kafka-client.ts';
import { RecordProducer } from '../../io/kafka/record-producer.ts';
import { firstCallCore, httpHandler, type SpateFunction, type SpateHandler } from '../spate-handler.ts';
import { openGeoDatabase } from './geo-database.ts';
import { createIngestService, type RecordSink } from './ingest-service.ts';
import { ingestTools, logger, observeOutcome, observeRateLimitStoreFailure } from './observability.ts';
import { createIngestRateLimiter } from './rate-limiter.ts';

export type IngestHandler = SpateHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** Its close() disconnects the producer and the rate-limit store. */
export type IngestFunction = SpateFunction<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>;

/** The ingest function for a config: one producer, one limiter, one breaker for its lifetime. */
export function createIngestFunction(config: IngestConfig, sink?: RecordSink): IngestFunction {
  const rateLimit = createIngestRateLimiter(config, config.rateLimit, observeRateLimitStoreFailure);
  const historyRateLimit = createIngestRateLimiter(
    config,
    config.historyRateLimit,
    observeRateLimitStoreFailure,
  );
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
    historyLimiter: historyRateLimit.limiter,
    breaker: new CircuitBreaker(config.breaker),
    sink: producer,
    now: Date.now,
    geo: config.geoDatabasePath ? openGeoDatabase(config.geoDatabasePath) : undefined,
    observe: observeOutcome,
  });
  const core = (event: APIGatewayProxyEventV2) => service(event);
  return {
    handler: httpHandler(ingestTools, core),
    core,
    close: async () => {
      await Promise.all([rateLimit.close(), historyRateLimit.close()]);
      if (producer instanceof RecordProducer) await producer.disconnect();
    },
  };
}

// Lambda entry: config and the Kafka producer are made on the first invocation of a container
// and reused by every later one.
export const handler: IngestHandler = httpHandler(
  ingestTools,
  firstCallCore(async () => createIngestFunction(readIngestConfig(process.env))),
);
