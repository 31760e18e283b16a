import { parseWriteKeySet, type WriteKeySet } from '../../core/auth/write-keys.ts';
import { ConfigError, type Env, EnvReader } from './env-reader.ts';
import { type SecretSetting, secretSource } from './secret-setting.ts';

/**
 * `SPATE_WRITE_KEYS`: JSON `{"<project>": "<sha256 hex of the write key>"}` (or a list of hashes),
 * or on AWS `SPATE_WRITE_KEYS_SECRET_ARN`, the secret holding that JSON.
 */
export const WRITE_KEYS: SecretSetting = {
  variable: 'SPATE_WRITE_KEYS',
  arnVariable: 'SPATE_WRITE_KEYS_SECRET_ARN',
  holds: 'JSON {"<project>": "<sha256 hex of its write key>"}',
};

/**
 * The write keys as they are now. Asked on every request: an operator adds a project or
 * rotates a key by changing the secret, and running functions follow within the secret
 * cache's age, with no redeploy.
 */
export type WriteKeySource = () => Promise<WriteKeySet>;

export function writeKeySource(environment: Env): WriteKeySource {
  // A plain value is checked at start, so a bad local setting fails before the first request.
  const plain = new EnvReader(environment).optional(WRITE_KEYS.variable);
  if (plain !== undefined) {
    const keys = parseKeys(plain);
    return () => Promise.resolve(keys);
  }
  const source = secretSource(environment, WRITE_KEYS);
  let json: string | undefined;
  let keys: WriteKeySet | undefined;
  return async () => {
    const now = await source();
    // Parsed again only when the secret changed, not on every request.
    if (now !== json || keys === undefined) {
      keys = parseKeys(now);
      json = now;
    }
    return keys;
  };
}

function parseKeys(json: string): WriteKeySet {
  try {
    return parseWriteKeySet(json);
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
}
