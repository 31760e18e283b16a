import { describe, expect, it } from 'vitest';
import { hashWriteKey } from '../../../core/auth/write-keys.ts';
import { ConfigError } from '../../../io/config/env-reader.ts';
import { readIngestConfig } from '../../../io/config/ingest-config.ts';

const keys = JSON.stringify({ shop: hashWriteKey('wk') });

describe('the ingest rate-limit store setting', () => {
  it('is absent without SPATE_REDIS_URL: each container limits alone', () => {
    expect(readIngestConfig({ SPATE_WRITE_KEYS: keys }).rateLimitStore).toBeUndefined();
  });

  it('takes the hot store URL, with a plain password in it', async () => {
    const store = readIngestConfig({
      SPATE_WRITE_KEYS: keys,
      SPATE_REDIS_URL: 'redis://127.0.0.1:16379',
      SPATE_REDIS_PASSWORD: 'p@ss',
      SPATE_RATE_LIMIT_STORE_TIMEOUT_MS: '40',
    }).rateLimitStore;
    expect(store).toMatchObject({ url: 'redis://:p%40ss@127.0.0.1:16379', timeoutMs: 40 });
    expect(store?.password).toBeUndefined();
  });

  it('reads the password from the secret on AWS, later, when the store is first used', () => {
    const store = readIngestConfig({
      SPATE_WRITE_KEYS: keys,
      SPATE_REDIS_URL: 'rediss://spate@cache.example:6379',
      SPATE_REDIS_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:1:secret:hot',
    }).rateLimitStore;
    expect(store?.url).toBe('rediss://spate@cache.example:6379');
    expect(store?.timeoutMs).toBe(100);
    expect(typeof store?.password).toBe('function');
  });

  it('names the variable and the rule when a value is wrong', () => {
    expect(() => readIngestConfig({ SPATE_WRITE_KEYS: keys, SPATE_REDIS_URL: 'http://cache:6379' })).toThrow(
      new ConfigError('SPATE_REDIS_URL must start with redis:// or rediss://, got "http://cache:6379"'),
    );
    expect(() =>
      readIngestConfig({
        SPATE_WRITE_KEYS: keys,
        SPATE_REDIS_URL: 'redis://cache:6379',
        SPATE_RATE_LIMIT_STORE_TIMEOUT_MS: '0',
      }),
    ).toThrow(/SPATE_RATE_LIMIT_STORE_TIMEOUT_MS must be an integer from 1 to 10000/);
  });
});
