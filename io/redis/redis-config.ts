import { ConfigError, type EnvReader } from '../config/env-reader.ts';

export interface RedisConfig {
  /** `redis://host:port` (ElastiCache primary endpoint on AWS, redis-server locally). */
  readonly url: string;
}

export function readRedisConfig(env: EnvReader): RedisConfig {
  const url = env.string('SPATE_REDIS_URL', 'redis://127.0.0.1:16379');
  if (!/^rediss?:\/\//.test(url))
    throw new ConfigError(`SPATE_REDIS_URL must start with redis:// or rediss://, got "${url}"`);
  return { url };
}
