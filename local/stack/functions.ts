import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hashWriteKey } from '../../core/auth/write-keys.ts';
import type { HttpRoute, WebSocketOptions } from '../gateway/types.ts';
import { LOCAL_BUCKETS } from '../s3/buckets.ts';
import type { LocalSecrets } from './secrets.ts';
import type { LocalSettings } from './settings.ts';

/**
 * The environment every function of the local mirror gets, as Lambda gets the variables the
 * CDK stack sets: the same names, pointing at the local counterparts instead of AWS.
 */
export function functionEnvironment(settings: LocalSettings, secrets: LocalSecrets): Record<string, string> {
  const host = '127.0.0.1';
  return {
    SPATE_KAFKA_BROKERS: `${host}:${settings.ports.kafka}`,
    SPATE_KAFKA_AUTH: 'none',
    // Compression earns its CPU on MSK, across the network between zones and in paid storage;
    // here the broker shares the machine, and every consumer group would unzip each batch again.
    SPATE_KAFKA_COMPRESSION: 'none',
    SPATE_WRITE_KEYS: JSON.stringify({ [settings.project]: hashWriteKey(secrets.writeKey) }),
    // Pages on any local origin may post events (the ingest function answers CORS, as on AWS).
    SPATE_CORS_ORIGINS: JSON.stringify({ [settings.project]: ['*'] }),
    SPATE_REDIS_URL: `redis://${host}:${settings.ports.redis}`,
    SPATE_CLICKHOUSE_URL: `http://${host}:${settings.ports.clickhouse}`,
    SPATE_S3_ENDPOINT: `http://${host}:${settings.ports.s3}`,
    SPATE_ARCHIVE_BUCKET: LOCAL_BUCKETS.archive,
    SPATE_MODEL_BUCKET: LOCAL_BUCKETS.models,
    SPATE_DASHBOARD_TOKEN_SECRET: secrets.tokenSecret,
    // The gateway's WebSocket stage is 'local' (local/gateway/options.ts).
    SPATE_WS_MANAGEMENT_URL: `http://${host}:${settings.ports.websocket}/local`,
    SPATE_WS_URL: `ws://${host}:${settings.ports.websocket}/local`,
    AWS_REGION: 'us-east-1',
    // EMF metrics are for CloudWatch; locally they would only flood the terminal.
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'WARN',
  };
}

/**
 * The HTTP API's functions, imported in this process as Lambda would load them. Call only
 * after the environment of functionEnvironment() is in place: handlers read it once.
 */
export async function loadHttpRoutes(): Promise<HttpRoute[]> {
  const ingest = await import('../../lambdas/ingest/handler.ts');
  const { INGEST_ROUTE_KEYS } = await import('../../lambdas/ingest/routes.ts');
  return [
    ...INGEST_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'ingest', handler: ingest.handler })),
    ...(await loadQueryRoutes()),
  ];
}

/** The query API's routes, hosted by the gateway like ingest's. */
export async function loadQueryRoutes(): Promise<HttpRoute[]> {
  const query = await import('../../lambdas/query/handler.ts');
  const { QUERY_ROUTE_KEYS } = await import('../../lambdas/query/routes.ts');
  return QUERY_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'query', handler: query.handler }));
}

/** The WebSocket API's functions: the token authorizer, $connect/$disconnect and the channel routes. */
export async function loadWebSocketOptions(): Promise<WebSocketOptions> {
  const authorizer = await import('../../lambdas/connect/authorizer.ts');
  const connect = await import('../../lambdas/connect/handler.ts');
  const subscribe = await import('../../lambdas/subscribe/handler.ts');
  return {
    authorizer: {
      functionName: 'push-authorizer',
      handler: authorizer.handler,
      identitySource: ['route.request.querystring.token'],
    },
    routes: {
      $connect: { functionName: 'push-connect', handler: connect.handler },
      $disconnect: { functionName: 'push-connect', handler: connect.handler },
      subscribe: { functionName: 'push-subscribe', handler: subscribe.handler },
      unsubscribe: { functionName: 'push-subscribe', handler: subscribe.handler },
    },
  };
}

/** The built dashboard (`npm install` builds it); absent, the gateway serves no site. */
export function dashboardDir(settings: LocalSettings): string | undefined {
  const dir = join(settings.projectRoot, 'dashboard', 'dist');
  return existsSync(join(dir, 'index.html')) ? dir : undefined;
}
