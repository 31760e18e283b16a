import { clearCaches } from '@aws-lambda-powertools/parameters';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../io/config/env-reader.ts';
import {
  optionalSecretSource,
  type SecretSetting,
  secretSource,
  withSecretSettings,
} from '../../../io/config/secret-setting.ts';
import { fakeSecretsManager } from '../../support/secrets-manager.ts';

// Secrets Manager is the AWS control plane, which has no local counterpart: its client is mocked.
const secretsManager = fakeSecretsManager();
const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-keys-AbCdEf';
const CREDENTIALS_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:spate-store-GhIjKl';

const WRITE_KEYS: SecretSetting = {
  variable: 'SPATE_WRITE_KEYS',
  arnVariable: 'SPATE_WRITE_KEYS_SECRET_ARN',
};
const STORE_USER: SecretSetting = {
  variable: 'STORE_USER',
  arnVariable: 'STORE_SECRET_ARN',
  jsonField: 'username',
};
const STORE_PASSWORD: SecretSetting = {
  variable: 'STORE_PASSWORD',
  arnVariable: 'STORE_SECRET_ARN',
  jsonField: 'password',
};

const answer = (secretId: string, secretString: string) =>
  secretsManager.on(GetSecretValueCommand, { SecretId: secretId }).resolves({ SecretString: secretString });
const calls = () => secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId);

describe('secretSource', () => {
  it('takes the plain variable when it is set, and never asks Secrets Manager', async () => {
    answer(ARN, '{"shop":"from-the-secret"}');
    const source = secretSource(
      { SPATE_WRITE_KEYS: '{"shop":"plain"}', SPATE_WRITE_KEYS_SECRET_ARN: ARN },
      WRITE_KEYS,
    );
    expect(await source()).toBe('{"shop":"plain"}');
    expect(calls()).toEqual([]);
  });

  it('reads the secret the ARN variable names when the plain one is absent, once per cache age', async () => {
    answer(ARN, '{"shop":"from-the-secret"}');
    const source = secretSource({ SPATE_WRITE_KEYS: '  ', SPATE_WRITE_KEYS_SECRET_ARN: ARN }, WRITE_KEYS);
    expect(await source()).toBe('{"shop":"from-the-secret"}');
    expect(await source()).toBe('{"shop":"from-the-secret"}');
    expect(calls()).toEqual([ARN]);
  });

  it('names both variables when neither is set', () => {
    const missing = () => secretSource({}, WRITE_KEYS);
    expect(missing).toThrow(ConfigError);
    expect(missing).toThrow(/SPATE_WRITE_KEYS .*SPATE_WRITE_KEYS_SECRET_ARN/);
    expect(optionalSecretSource({}, WRITE_KEYS)).toBeUndefined();
  });

  it('picks the field of a JSON secret', async () => {
    answer(CREDENTIALS_ARN, '{"username":"spate","password":"s3cret"}');
    const env = { STORE_SECRET_ARN: CREDENTIALS_ARN };
    expect(await secretSource(env, STORE_PASSWORD)()).toBe('s3cret');
    expect(await secretSource(env, STORE_USER)()).toBe('spate');
  });

  it('refuses a JSON secret without the field, naming the variable and the field', async () => {
    answer(CREDENTIALS_ARN, '{"username":"spate"}');
    await expect(secretSource({ STORE_SECRET_ARN: CREDENTIALS_ARN }, STORE_PASSWORD)()).rejects.toThrow(
      'the secret STORE_SECRET_ARN names must be JSON with a string field "password"',
    );
  });

  it('names the variable when the secret cannot be read, and keeps the last value read after that', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(new Error('AccessDeniedException'));
    const cold = secretSource({ SPATE_WRITE_KEYS_SECRET_ARN: ARN }, WRITE_KEYS);
    await expect(cold()).rejects.toThrow(/SPATE_WRITE_KEYS_SECRET_ARN/);

    secretsManager.reset();
    answer(ARN, '{"shop":"first"}');
    const warm = secretSource({ SPATE_WRITE_KEYS_SECRET_ARN: ARN }, WRITE_KEYS);
    expect(await warm()).toBe('{"shop":"first"}');
    clearCaches(); // the cached value has aged out
    secretsManager.on(GetSecretValueCommand).rejects(new Error('ThrottlingException'));
    expect(await warm()).toBe('{"shop":"first"}');
  });
});

describe('withSecretSettings', () => {
  it('fills the plain variables from one JSON secret with one call, and leaves the rest of the environment', async () => {
    answer(CREDENTIALS_ARN, '{"username":"spate","password":"s3cret"}');
    const env = await withSecretSettings({ STORE_SECRET_ARN: CREDENTIALS_ARN, OTHER: 'kept' }, [
      STORE_USER,
      STORE_PASSWORD,
    ]);
    expect(env).toMatchObject({ STORE_USER: 'spate', STORE_PASSWORD: 's3cret', OTHER: 'kept' });
    expect(calls()).toEqual([CREDENTIALS_ARN]);
  });

  it('keeps plain values and leaves settings neither variable sets to their reader', async () => {
    const env = await withSecretSettings({ STORE_USER: 'local' }, [STORE_USER, STORE_PASSWORD]);
    expect(env).toEqual({ STORE_USER: 'local' });
    expect(calls()).toEqual([]);
  });
});
