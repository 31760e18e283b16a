import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { hashWriteKey } from '../../../core/auth/write-keys.ts';
import { writeKeySource } from '../../../io/config/write-key-source.ts';
import { fakeSecretsManager } from '../../support/secrets-manager.ts';

// Secrets Manager is the AWS control plane, which has no local counterpart: its client is mocked.
const secretsManager = fakeSecretsManager();
const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-write-keys-AbCdEf';
const holds = (keys: Record<string, string>) =>
  secretsManager
    .on(GetSecretValueCommand, { SecretId: ARN })
    .resolves({ SecretString: JSON.stringify(keys) });

describe('writeKeySource', () => {
  it('checks a plain value at start', async () => {
    const keys = writeKeySource({ SPATE_WRITE_KEYS: JSON.stringify({ shop: hashWriteKey('wk') }) });
    expect((await keys()).get(hashWriteKey('wk'))).toBe('shop');
    expect(() => writeKeySource({ SPATE_WRITE_KEYS: '{"shop":"abc"}' })).toThrow(
      /SPATE_WRITE_KEYS\.shop must be/,
    );
  });

  it('follows the secret as an operator adds a project, once the cached value ages out', async () => {
    holds({ shop: hashWriteKey('wk-shop') });
    const keys = writeKeySource({ SPATE_WRITE_KEYS_SECRET_ARN: ARN });
    expect([...(await keys()).values()]).toEqual(['shop']);

    holds({ shop: hashWriteKey('wk-shop'), blog: hashWriteKey('wk-blog') });
    expect([...(await keys()).values()]).toEqual(['shop']); // still cached
    clearCaches();
    expect((await keys()).get(hashWriteKey('wk-blog'))).toBe('blog');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('refuses a secret that is not a key set, naming the setting', async () => {
    holds({ shop: 'not-a-hash' });
    await expect(writeKeySource({ SPATE_WRITE_KEYS_SECRET_ARN: ARN })()).rejects.toThrow(
      /SPATE_WRITE_KEYS\.shop must be/,
    );
  });
});
