import { ConfigError, type EnvReader } from '../config/env-reader.ts';
import type { SecretSetting } from '../config/secret-setting.ts';

export interface RedisConfig {
  /** `redis://host:port` (redis-server locally), `rediss://user:password@host:port` on AWS. */
  readonly url: string;
}

/**
 * The password of the URL's user: `SPATE_REDIS_PASSWORD` (none locally), or on AWS
 * `SPATE_REDIS_SECRET_ARN`, the store's `{username, password}` secret. The URL the stack hands
 * over carries no password, so the password never sits in the function's configuration.
 */
export const REDIS_PASSWORD: SecretSetting = {
  variable: 'SPATE_REDIS_PASSWORD',
  arnVariable: 'SPATE_REDIS_SECRET_ARN',
  jsonField: 'password',
};

export function readRedisConfig(env: EnvReader): RedisConfig {
  const url = env.string('SPATE_REDIS_URL', 'redis://127.0.0.1:16379');
  if (!/^rediss?:\/\//.test(url))
    throw new ConfigError(`SPATE_REDIS_URL must start with redis:// or rediss://, got "${url}"`);
  const password = env.optional(REDIS_PASSWORD.variable);
  return { url: password === undefined ? url : withPassword(url, password) };
}

/** The client takes credentials from the URL, percent-encoded (it decodes them). */
function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = encodeURIComponent(password);
  return parsed.toString();
}
