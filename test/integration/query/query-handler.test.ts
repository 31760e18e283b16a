import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../support/free-ports.ts';
import { startTestRedis, type TestRedis } from '../aggregation/redis-server.ts';
import { tokenFor } from '../push/push-stack.ts';

// The query function as Lambda runs it on AWS: its environment holds the secrets' ARNs, and it
// reads the values through the secret cache. Secrets Manager is the AWS control plane, which
// has no local counterpart: its client is mocked; the hot tier is a real redis-server.
const secretsManager = mockClient(SecretsManagerClient);
const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-token-MnOpQr';
const CLICKHOUSE_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-warm-GhIjKl';
const VARIABLES = [
  'SPATE_REDIS_URL',
  'SPATE_CLICKHOUSE_URL',
  'SPATE_CLICKHOUSE_SECRET_ARN',
  'SPATE_DASHBOARD_TOKEN_SECRET',
  'SPATE_DASHBOARD_TOKEN_SECRET_ARN',
  'SPATE_QUERY_TIER_TIMEOUT_MS',
] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

let redis: TestRedis;
let handler: typeof import('../../../lambdas/query/handler.ts').handler;

const holdsKey = (key: string) =>
  secretsManager.on(GetSecretValueCommand, { SecretId: TOKEN_ARN }).resolves({ SecretString: key });
const reads = (arn: string) =>
  secretsManager.commandCalls(GetSecretValueCommand).filter((c) => c.args[0].input.SecretId === arn).length;

function snapshotRequest(token: string): APIGatewayProxyEventV2 {
  return {
    rawPath: '/v1/snapshot',
    headers: { authorization: `Bearer ${token}` },
    queryStringParameters: { channels: 'overview' },
    requestContext: { http: { method: 'GET' } },
  } as unknown as APIGatewayProxyEventV2;
}

beforeAll(async () => {
  redis = await startTestRedis();
  Object.assign(process.env, {
    SPATE_REDIS_URL: redis.url,
    // No ClickHouse listens here; the snapshot reads the hot tier alone.
    SPATE_CLICKHOUSE_URL: `http://127.0.0.1:${await freePort()}`,
    SPATE_CLICKHOUSE_SECRET_ARN: CLICKHOUSE_ARN,
    SPATE_DASHBOARD_TOKEN_SECRET_ARN: TOKEN_ARN,
    SPATE_QUERY_TIER_TIMEOUT_MS: '1000',
  });
  delete process.env.SPATE_DASHBOARD_TOKEN_SECRET;
  clearCaches();
  secretsManager
    .on(GetSecretValueCommand, { SecretId: CLICKHOUSE_ARN })
    .resolves({ SecretString: '{"username":"reader","password":"ch"}' });
  holdsKey('key-1');
  ({ handler } = await import('../../../lambdas/query/handler.ts'));
});
afterAll(async () => {
  secretsManager.restore();
  for (const name of VARIABLES)
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  await redis?.stop();
});

describe('query function on AWS settings', () => {
  it('accepts links signed with the rotated key once the cached key ages out, with no redeploy', async () => {
    const first = await handler(snapshotRequest(tokenFor(undefined, 3600, 'key-1')));
    expect(first.statusCode).toBe(200);
    expect(reads(CLICKHOUSE_ARN)).toBe(1);

    holdsKey('key-2');
    const rotatedLink = tokenFor(undefined, 3600, 'key-2');
    // Within the cache's age the container still holds the old key.
    expect((await handler(snapshotRequest(rotatedLink))).statusCode).toBe(401);
    clearCaches(); // what SECRET_MAX_AGE_S does on a warm container
    expect((await handler(snapshotRequest(rotatedLink))).statusCode).toBe(200);
    const oldLink = await handler(snapshotRequest(tokenFor(undefined, 3600, 'key-1')));
    expect(oldLink.statusCode).toBe(401);
    expect(JSON.parse(oldLink.body ?? '{}')).toEqual({ message: 'token: signature does not match' });
    // The same container throughout: the store credentials were read once, at its start.
    expect(reads(CLICKHOUSE_ARN)).toBe(1);
    expect(reads(TOKEN_ARN)).toBe(2);
  });
});
