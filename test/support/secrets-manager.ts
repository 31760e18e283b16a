import { clearCaches } from '@aws-lambda-powertools/parameters';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach } from 'vitest';

/**
 * Secrets Manager, the one AWS control-plane call functions make at run time, answered in this
 * process (it cannot run here). Each test starts with no answers and an empty Powertools cache.
 */
export function fakeSecretsManager() {
  const client = mockClient(SecretsManagerClient);
  beforeEach(() => {
    client.reset();
    clearCaches();
  });
  afterAll(() => client.restore());
  return client;
}
