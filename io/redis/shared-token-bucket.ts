import { Redis } from 'ioredis';
import type { SharedRateLimit } from '../../core/limits/fail-open-rate-limiter.ts';
import type { RateDecision, RateLimitPolicy } from '../../core/limits/token-bucket.ts';

/**
 * One write key's token bucket, read, refilled and charged in one atomic step, so containers
 * taking from it at once cannot both spend the same tokens. The arithmetic is KeyRateLimiter's
 * (core/limits/token-bucket.ts). Time is the store's own clock (TIME), not each container's,
 * so containers whose clocks disagree still refill one bucket consistently.
 *
 * KEYS[1]: the bucket (a hash: tokens, at). ARGV: rate per second, burst, cost in events.
 * Returns {allowed 1|0, whole seconds to wait}.
 */
const TAKE_TOKENS = `
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1])
local at = tonumber(state[2])
if tokens == nil or at == nil then
  tokens = burst
  at = now
end
tokens = math.min(burst, tokens + math.max(0, now - at) / 1000 * rate)
local needed = math.min(cost, burst)
if tokens >= needed then
  tokens = tokens - cost
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
  -- Gone once it would be full again anyway: idle keys cost no memory.
  redis.call('PEXPIRE', KEYS[1], math.ceil((burst - tokens) / rate * 1000) + 1000)
  return {1, 0}
end
return {0, math.max(1, math.ceil((needed - tokens) / rate))}
`;

/**
 * Where a write key's bucket lives. The braces are a hash tag: on a cluster (ElastiCache
 * Serverless is one) every key of one write key maps to one slot, as a script touching several
 * keys requires.
 */
export function bucketKey(keyId: string): string {
  return `spate:rate:{${keyId}}`;
}

interface TakeTokens {
  spateTakeTokens(key: string, rate: number, burst: number, cost: number): Promise<[number, number]>;
}

export interface SharedTokenBucketOptions {
  readonly policy: RateLimitPolicy;
  /** The store, made on first use: on AWS its password is read from a secret then. */
  readonly connect: () => Promise<Redis>;
  /**
   * Longest wait for the store to be made (the secret read on a cold start); the command itself
   * is bounded by the client's own timeout (connectRateLimitStore).
   */
  readonly connectTimeoutMs: number;
}

/** The write keys' token buckets in the hot store, one for all containers of the ingest function. */
export class SharedTokenBucket implements SharedRateLimit {
  readonly #policy: RateLimitPolicy;
  readonly #connect: () => Promise<Redis>;
  readonly #connectTimeoutMs: number;
  #redis: Promise<Redis & TakeTokens> | undefined;
  #ready: (Redis & TakeTokens) | undefined;

  constructor(options: SharedTokenBucketOptions) {
    this.#policy = options.policy;
    this.#connect = options.connect;
    this.#connectTimeoutMs = options.connectTimeoutMs;
  }

  async take(keyId: string, cost: number): Promise<RateDecision> {
    const redis = this.#ready ?? (await within(this.#connectTimeoutMs, this.#client()));
    const [allowed, retryAfterS] = await redis.spateTakeTokens(
      bucketKey(keyId),
      this.#policy.ratePerS,
      this.#policy.burst,
      cost,
    );
    return { allowed: allowed === 1, retryAfterS };
  }

  async close(): Promise<void> {
    const redis = await this.#redis?.catch(() => undefined);
    redis?.disconnect();
  }

  #client(): Promise<Redis & TakeTokens> {
    if (!this.#redis) {
      const made = this.#connect().then((redis) => {
        // EVALSHA with the script's digest, loading it on the first NOSCRIPT.
        redis.defineCommand('spateTakeTokens', { numberOfKeys: 1, lua: TAKE_TOKENS });
        this.#ready = redis as Redis & TakeTokens;
        return this.#ready;
      });
      // A failed connect (the secret unreadable) is tried again on a later request.
      made.catch(() => {
        if (this.#redis === made) this.#redis = undefined;
      });
      this.#redis = made;
    }
    return this.#redis;
  }
}

/** `promise`, or a failure after `ms`: the request goes on (with the local bucket) meanwhile. */
async function within<T>(ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the rate-limit store was not ready within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * A client for the ingest hot path: a command that takes longer than `timeoutMs` fails (and the
 * caller falls back) rather than holding the request, and nothing is retried.
 */
export function connectRateLimitStore(url: string, timeoutMs: number): Redis {
  const redis = new Redis(url, {
    commandTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    // Many requests at once in one process (the local gateway) share one round trip.
    enableAutoPipelining: true,
  });
  // ioredis reports connection errors as events; without a listener they crash the process.
  redis.on('error', () => undefined);
  return redis;
}
