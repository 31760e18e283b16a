import { hashWriteKey } from '../../core/auth/write-keys.ts';
import type { HttpRoute } from '../gateway/types.ts';
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
    SPATE_WRITE_KEYS: JSON.stringify({ [settings.project]: hashWriteKey(secrets.writeKey) }),
    SPATE_REDIS_URL: `redis://${host}:${settings.ports.redis}`,
    SPATE_CLICKHOUSE_URL: `http://${host}:${settings.ports.clickhouse}`,
    SPATE_S3_ENDPOINT: `http://${host}:${settings.ports.s3}`,
    SPATE_ARCHIVE_BUCKET: LOCAL_BUCKETS.archive,
    SPATE_MODEL_BUCKET: LOCAL_BUCKETS.models,
    SPATE_DASHBOARD_TOKEN_SECRET: secrets.tokenSecret,
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
  return INGEST_ROUTE_KEYS.map((routeKey) => ({ routeKey, functionName: 'ingest', handler: ingest.handler }));
}
