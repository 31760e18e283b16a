import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../io/config/env-reader.ts';
import { loadQueryConfig, readQueryConfig } from '../../../lambdas/query/query-config.ts';
import { fakeSecretsManager } from '../../support/secrets-manager.ts';

// Secrets Manager is the AWS control plane, which has no local counterpart: its client is mocked.
const secretsManager = fakeSecretsManager();
const REDIS_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-hot-AbCdEf';
const CLICKHOUSE_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-warm-GhIjKl';
const TOKEN_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-token-MnOpQr';

/** What the stack hands the query function on AWS: locations and secret ARNs, no secret values. */
const AWS_ENV = {
  SPATE_REDIS_URL: 'rediss://spate@hot.cache.amazonaws.com:6379',
  SPATE_REDIS_SECRET_ARN: REDIS_ARN,
  SPATE_CLICKHOUSE_URL: 'http://clickhouse.spate.internal:8123',
  SPATE_CLICKHOUSE_SECRET_ARN: CLICKHOUSE_ARN,
  SPATE_DASHBOARD_TOKEN_SECRET_ARN: TOKEN_ARN,
};

const holds = (arn: string, value: string) =>
  secretsManager.on(GetSecretValueCommand, { SecretId: arn }).resolves({ SecretString: value });
const reads = (arn: string) =>
  secretsManager.commandCalls(GetSecretValueCommand).filter((c) => c.args[0].input.SecretId === arn).length;

describe('loadQueryConfig', () => {
  it('reads the store credentials from their secrets once, when it connects', async () => {
    holds(REDIS_ARN, '{"username":"spate","password":"r3dis"}');
    holds(CLICKHOUSE_ARN, '{"username":"reader","password":"ch"}');
    holds(TOKEN_ARN, 'key-1');
    const config = await loadQueryConfig(AWS_ENV);
    expect(new URL(config.redis.url).password).toBe('r3dis');
    expect(config.clickhouse).toMatchObject({ username: 'reader', password: 'ch' });
    expect(reads(REDIS_ARN)).toBe(1);
    expect(reads(CLICKHOUSE_ARN)).toBe(1); // one call for both fields
  });

  it('follows a rotated token key once the cached value ages out, with no new config', async () => {
    holds(REDIS_ARN, '{"username":"spate","password":"r3dis"}');
    holds(CLICKHOUSE_ARN, '{"username":"reader","password":"ch"}');
    holds(TOKEN_ARN, 'key-1');
    const config = await loadQueryConfig(AWS_ENV);
    expect(await config.tokenKey()).toBe('key-1');

    holds(TOKEN_ARN, 'key-2');
    expect(await config.tokenKey()).toBe('key-1'); // still cached
    clearCaches(); // what SECRET_MAX_AGE_S does on a warm function
    expect(await config.tokenKey()).toBe('key-2');
    expect(reads(TOKEN_ARN)).toBe(2);
  });

  it('takes plain variables locally, with no call to Secrets Manager; a plain key wins over an ARN', async () => {
    const config = await loadQueryConfig({
      SPATE_REDIS_URL: 'redis://127.0.0.1:16379',
      SPATE_DASHBOARD_TOKEN_SECRET: 'local-key',
      SPATE_DASHBOARD_TOKEN_SECRET_ARN: TOKEN_ARN,
    });
    expect(config.redis.url).toBe('redis://127.0.0.1:16379');
    expect(config.clickhouse).toMatchObject({ username: 'default', password: '' });
    expect(await config.tokenKey()).toBe('local-key');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses to start without a token key, naming both variables', () => {
    expect(() => readQueryConfig({})).toThrow(
      new ConfigError(
        'SPATE_DASHBOARD_TOKEN_SECRET (or SPATE_DASHBOARD_TOKEN_SECRET_ARN, the ARN of a secret holding it) is required',
      ),
    );
  });
});
