import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Admin } from 'kafkajs';
import { connectClickHouse } from '../../io/clickhouse/connection.ts';
import { createKafka } from '../../io/kafka/kafka-client.ts';
import { connectLiveRedis } from '../../io/push/redis-link.ts';
import { perContainer } from '../per-container.ts';
import { loadQueryConfig, type QueryConfig } from './query-config.ts';
import { createQueryRoutes } from './routes.ts';

/** The query API: one function behind GET /v1/metrics/*, /v1/funnels/*, /v1/tweets/*, /v1/ops, /v1/snapshot. */
const logger = new Logger({ serviceName: 'spate-query' });

/** The routes for a config: one Redis connection, one ClickHouse client, a Kafka admin on first use. */
export function createQueryRoute(config: QueryConfig) {
  const kafka = createKafka(config.kafka, { requestTimeoutMs: config.tierTimeoutMs });
  let admin: Promise<Admin> | undefined;
  return createQueryRoutes({
    redis: connectLiveRedis(config.redis.url, config.tierTimeoutMs),
    clickhouse: connectClickHouse(config.clickhouse),
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
// the first invocation of a container and reused by every later one.
const route = perContainer(async () => createQueryRoute(await loadQueryConfig(process.env)));

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  try {
    // Inside the try: a container that cannot read its secrets yet answers as any failed query.
    return await (await route())(event);
  } catch (err) {
    logger.error('query failed', { path: event.rawPath, error: String(err) });
    return {
      statusCode: 500,
      headers: { 'content-type': 'application/json' },
      body: '{"message":"query failed"}',
    };
  }
}
