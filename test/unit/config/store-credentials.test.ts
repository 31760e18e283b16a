import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { loadWarehouseConfig } from '../../../io/clickhouse/clickhouse-config.ts';
import { loadHotAggregatorConfig } from '../../../io/redis/hot-aggregator-config.ts';
import { fakeSecretsManager } from '../../support/secrets-manager.ts';

// Secrets Manager is the AWS control plane, which has no local counterpart: its client is mocked.
const secretsManager = fakeSecretsManager();
const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-store-AbCdEf';

/** The store's secret as the stack creates it: a JSON user and password. */
function storeSecretHolds(username: string, password: string): void {
  secretsManager
    .on(GetSecretValueCommand, { SecretId: ARN })
    .resolves({ SecretString: JSON.stringify({ username, password }) });
}

describe('store credentials', () => {
  it('puts the Redis password from the secret into the URL the stack gives without one', async () => {
    storeSecretHolds('spate', 'p@ss/w%rd');
    const config = await loadHotAggregatorConfig({
      SPATE_REDIS_URL: 'rediss://spate@hot.cache.amazonaws.com:6379',
      SPATE_REDIS_SECRET_ARN: ARN,
    });
    const url = new URL(config.redis.url);
    expect(url.username).toBe('spate');
    expect(decodeURIComponent(url.password)).toBe('p@ss/w%rd');
    expect(url.host).toBe('hot.cache.amazonaws.com:6379');
  });

  it('leaves a local URL as it is, with no password and no call to Secrets Manager', async () => {
    const config = await loadHotAggregatorConfig({ SPATE_REDIS_URL: 'redis://127.0.0.1:16379' });
    expect(config.redis.url).toBe('redis://127.0.0.1:16379');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('reads the ClickHouse user and password from one secret, with one call', async () => {
    storeSecretHolds('spate', 's3cret');
    const config = await loadWarehouseConfig({
      SPATE_CLICKHOUSE_URL: 'http://clickhouse.spate.internal:8123',
      SPATE_CLICKHOUSE_SECRET_ARN: ARN,
    });
    expect(config.clickhouse).toMatchObject({ username: 'spate', password: 's3cret' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it("keeps the local server's defaults when neither variable is set", async () => {
    const config = await loadWarehouseConfig({});
    expect(config.clickhouse).toMatchObject({ username: 'default', password: '' });
  });
});
