import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Admin } from 'kafkajs';
import { readDeadlineMs } from '../../core/query/within-deadline.ts';
import { connectClickHouse } from '../../io/clickhouse/connection.ts';
import { createKafka } from '../../io/kafka/kafka-client.ts';
import { connectLiveRedis } from '../../io/push/redis-link.ts';
import { firstCallCore, httpHandler, type SpateHandler } from '../spate-handler.ts';
import { loadQueryConfig, type QueryConfig } from './query-config.ts';
import { answerQuery, QUERY_ERROR_STYLE, queryTools } from './routes.ts';

/**
 * The query API's routes for a config: one function behind GET /v1/metrics/*, /v1/funnels/*
 * (and the funnel writes: POST /v1/funnels, PUT and DELETE /v1/funnels/{id}), /v1/tweets/*,
 * /v1/users/{id}/events, /v1/ops, /v1/snapshot, with one Redis connection, one ClickHouse
 * client and a Kafka admin made on first use.
 */
export function createQueryRoute(config: QueryConfig) {
  const kafka = createKafka(config.kafka, { requestTimeoutMs: config.tierTimeoutMs });
  let admin: Promise<Admin> | undefined;
  return answerQuery({
    redis: connectLiveRedis(config.redis.url, config.tierTimeoutMs),
    // No statement outlives the longest a route waits for it (an archive read's deadline).
    clickhouse: connectClickHouse(config.clickhouse, {
      maxExecutionMs: readDeadlineMs(['cold'], config.tierTimeoutMs),
    }),
    cold: config.cold,
    kafkaAdmin: () => {
      admin ??= (async () => {
        const a = kafka.admin();
        await a.connect();
        return a;
      })().catch((err: unknown) => {
        admin = undefined;
        throw err;
      });
      return admin;
    },
    tokenKey: config.tokenKey,
    funnels: config.funnels,
    tierTimeoutMs: config.tierTimeoutMs,
    wsUrl: config.wsUrl,
  });
}

// Lambda entry: config (store credentials read from their secrets) and connections are made on
// the first invocation of a container and reused by every later one. A container that cannot read
// its secrets yet answers as any failed query does (500, "query failed"), and tries again next time.
export const handler: SpateHandler<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> = httpHandler(
  queryTools,
  firstCallCore(async () => ({ core: createQueryRoute(await loadQueryConfig(process.env)) })),
  QUERY_ERROR_STYLE,
);
