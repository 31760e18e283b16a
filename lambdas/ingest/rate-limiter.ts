import { CircuitBreaker } from '../../core/limits/circuit-breaker.ts';
import { FailOpenRateLimiter } from '../../core/limits/fail-open-rate-limiter.ts';
import { KeyRateLimiter, type RateLimiter, type RateLimitPolicy } from '../../core/limits/token-bucket.ts';
import { EnvReader } from '../../io/config/env-reader.ts';
import type { IngestConfig, RateLimitStoreConfig } from '../../io/config/ingest-config.ts';
import { readRedisConfig } from '../../io/redis/redis-config.ts';
import { connectRateLimitStore, SharedTokenBucket } from '../../io/redis/shared-token-bucket.ts';

export interface IngestRateLimiter {
  readonly limiter: RateLimiter;
  close(): Promise<void>;
}

// Three requests that the store failed to answer in time: from then on, for five seconds, this
// container decides alone, and then one request tries the store again.
const STORE_BREAKER = { failureThreshold: 3, openMs: 5000 };

/**
 * The write keys' limit for this container: shared through the hot store when the config names
 * one, falling back to this container's own bucket while it is unreachable; without a store,
 * the container's own bucket alone.
 */
export function createIngestRateLimiter(
  config: Pick<IngestConfig, 'rateLimitStore'>,
  policy: RateLimitPolicy,
  onStoreFailure: (err: unknown) => void,
): IngestRateLimiter {
  const local = new KeyRateLimiter(policy);
  const store = config.rateLimitStore;
  if (!store) return { limiter: local, close: async () => undefined };
  const shared = new SharedTokenBucket({
    policy,
    connect: async () => connectRateLimitStore(await storeUrl(store), store.timeoutMs),
    connectTimeoutMs: store.timeoutMs,
  });
  return {
    limiter: new FailOpenRateLimiter(shared, local, new CircuitBreaker(STORE_BREAKER), onStoreFailure),
    close: () => shared.close(),
  };
}

async function storeUrl(store: RateLimitStoreConfig): Promise<string> {
  if (!store.password) return store.url;
  const env = new EnvReader({ SPATE_REDIS_URL: store.url, SPATE_REDIS_PASSWORD: await store.password() });
  return readRedisConfig(env).url;
}
